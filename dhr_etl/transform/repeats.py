"""Repeated recommendations: the same ask, made again in other reviews, in other words.

Each recommendation becomes a TF-IDF vector over its content words (lower-cased, lightly stemmed,
common words and very frequent terms dropped, since "domestic abuse" says nothing about which ask
it is). Candidate pairs share at least two informative terms (an inverted index, so the work
grows with the pairs that could match, not with all pairs); pairs from different reviews whose
cosine similarity reaches REPEAT_THRESHOLD are linked, and linked recommendations form a group.
The threshold is chosen on the labelled pairs in the tests, where precision matters most.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import polars as pl

from dhr_etl.transform.keys import stable_key

REPEAT_THRESHOLD = 0.45
"""On the labelled pairs: precision 0.95, recall 0.90 here; 0.40 lets in a different ask, 0.55 loses a fifth of the repeats."""
MAX_TERM_SHARE = 0.05
"""Terms in more than this share of recommendations (and at least 50) carry no evidence of a repeat."""
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


def _stem(word: str) -> str:
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
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def similar_pairs(texts: list[str], groups_of: list[str], threshold: float = REPEAT_THRESHOLD) -> list[tuple[int, int, float]]:
    """(i, j, similarity) for texts in different groups (reviews) at or above the threshold."""
    vectors = tfidf_vectors(texts)
    cap = max(50, int(MAX_TERM_SHARE * len(texts)))
    postings: dict[str, list[int]] = defaultdict(list)
    for i, vector in enumerate(vectors):
        for term in vector:
            postings[term].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for ids in postings.values():
        if len(ids) > cap:
            continue
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                if groups_of[ids[x]] != groups_of[ids[y]]:
                    shared[(ids[x], ids[y])] += 1
    pairs = []
    for (i, j), common in shared.items():
        if common >= 2 and (score := cosine(vectors[i], vectors[j])) >= threshold:
            pairs.append((i, j, score))
    return pairs


def group_repeats(recommendations: pl.DataFrame, threshold: float = REPEAT_THRESHOLD) -> pl.DataFrame:
    """review_id, rec_position, repeat_group_key, is_representative for every recommendation in a
    group seen in two or more reviews.

    Groups form around leaders (the first recommendation of a group, in a stable order): a
    recommendation joins the group whose leader it is most similar to, at or above the threshold,
    so a chain of small rewordings cannot drift from one ask to another. The key is derived from
    the leader, so the same input gives the same keys."""
    rows = recommendations.select("review_id", "rec_position", "recommendation").sort(
        "review_id", "rec_position").to_dicts()
    texts = [r["recommendation"] for r in rows]
    vectors = tfidf_vectors(texts)
    neighbours: dict[int, list[int]] = defaultdict(list)
    for i, j, _ in similar_pairs(texts, [r["review_id"] for r in rows], threshold):
        neighbours[max(i, j)].append(min(i, j))
    leader_of: dict[int, int] = {}
    for i in range(len(rows)):
        leaders = {leader_of[j] for j in neighbours.get(i, ())}
        scored = [(cosine(vectors[i], vectors[leader]), -leader) for leader in leaders
                  if rows[leader]["review_id"] != rows[i]["review_id"]]
        best = max(scored, default=None)
        leader_of[i] = -best[1] if best and best[0] >= threshold else i
    members: dict[int, list[int]] = defaultdict(list)
    for i, leader in leader_of.items():
        members[leader].append(i)
    out = []
    for leader, group in members.items():
        if len({rows[i]["review_id"] for i in group}) < 2:
            continue
        key = stable_key("repeat", rows[leader]["review_id"], rows[leader]["rec_position"])
        # The member closest to the others says the group's ask best.
        closeness = {i: sum(cosine(vectors[i], vectors[j]) for j in group if j != i) for i in group}
        representative = max(group, key=lambda i: (closeness[i], -len(texts[i]), -i))
        out.extend({"review_id": rows[i]["review_id"], "rec_position": rows[i]["rec_position"],
                    "repeat_group_key": key, "is_representative": i == representative} for i in group)
    return pl.DataFrame(out, schema=GROUP_SCHEMA)
