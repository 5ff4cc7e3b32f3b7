"""Repeated recommendations: the same ask, made again in other reviews, in other words.

Each recommendation becomes a TF-IDF vector over its content words (lower-cased, lightly stemmed,
common words dropped; IDF makes "domestic abuse" weigh little). Two recommendations from
different reviews whose cosine similarity reaches REPEAT_THRESHOLD make the same ask; groups
gather around leaders (see :func:`group_repeats`).
The threshold is chosen on the labelled pairs in the tests, where precision matters most.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

import polars as pl

from dhr_etl.frames import FrameBuilder
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


_CHUNK = 50_000
"""Texts tokenised at a time: the words of 700,000 recommendations exploded at once took over a GB."""


def _term_counts(texts: pl.Series, offset: int) -> pl.DataFrame:
    """doc (row number from ``offset``), term, f: how often each stemmed content word occurs."""
    words = (pl.DataFrame({"text": texts}, schema={"text": pl.String}).with_row_index("doc", offset=offset)
             .select("doc", pl.col("text").str.to_lowercase().str.extract_all(_WORD.pattern).alias("word"))
             .explode("word").drop_nulls("word").filter(~pl.col("word").is_in(list(_STOPWORDS))))
    vocabulary = words["word"].unique().to_list()
    stems = pl.DataFrame({"word": vocabulary, "term": [_stem(w.strip("'-")) for w in vocabulary]},
                         schema={"word": pl.String, "term": pl.String})
    return words.join(stems, on="word").group_by("doc", "term").agg(pl.len().cast(pl.UInt32).alias("f"))


def _weights(texts: pl.Series) -> tuple[pl.DataFrame, list[str]]:
    """(doc, term_id, w) and the terms by id: each document's TF-IDF weights, unit length per
    document, sorted by document, weight descending, then term (ids follow the terms' order).

    Computed column-wise (polars' regex and group-bys) in chunks of texts, not per text in
    Python: at 700,000 recommendations a dictionary per text cost minutes and most of a GB."""
    n = max(len(texts), 1)
    counts = [_term_counts(texts.slice(start, _CHUNK), start) for start in range(0, len(texts), _CHUNK)]
    document_frequency = (pl.concat([c.group_by("term").agg(pl.len().alias("df")) for c in counts])
                          .group_by("term").agg(pl.col("df").sum()).sort("term").with_row_index("term_id"))
    parts = []
    for chunk in counts:
        parts.append(
            chunk.join(document_frequency, on="term")
            .with_columns(((1 + pl.col("f").log()) * ((1 + n) / (1 + pl.col("df"))).log()).alias("w"))
            .filter(pl.col("w") > 0)
            .with_columns(pl.col("w") / pl.col("w").pow(2).sum().over("doc").sqrt())
            .sort("doc", "w", "term_id", descending=[False, True, False])
            .select("doc", "term_id", "w"))
    counts.clear()
    schema = {"doc": pl.UInt32, "term_id": pl.UInt32, "w": pl.Float64}
    weights = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return weights, document_frequency["term"].to_list()


def tfidf_vectors(texts: list[str]) -> list[dict[str, float]]:
    """One {term: weight} per text (for looking at pairs; :func:`group_repeats` works on columns)."""
    weights, terms = _weights(pl.Series(texts, dtype=pl.String))
    vectors: list[dict[str, float]] = [{} for _ in texts]
    for doc, term_id, w in weights.iter_rows():
        vectors[doc][terms[term_id]] = w
    return vectors


def cosine(a: dict, b: dict) -> float:
    return sum(a[t] * b[t] for t in a.keys() & b.keys())  # the set intersection runs in C


def group_repeats(recommendations: pl.DataFrame, threshold: float = REPEAT_THRESHOLD) -> pl.DataFrame:
    """review_id, rec_position, repeat_group_key, is_representative for every recommendation in a
    group seen in two or more reviews.

    Leader clustering over an inverted index of leaders' specific terms: in a stable order, each
    recommendation joins the most similar existing leader from another review at or above the
    threshold, or becomes a leader itself. Comparing with leaders only keeps a chain of small
    rewordings from drifting from one ask to another, and keeps the work near-linear: each
    recommendation meets the leaders that share a specific term with it, not every other one.
    Only leaders' vectors are kept as dictionaries. The key is derived from the leader, so the
    same input gives the same keys."""
    rows = recommendations.select("review_id", "rec_position", "recommendation").sort("review_id", "rec_position")
    review_of = rows["review_id"].rank("dense").to_list()
    by_doc = _weights(rows["recommendation"])[0].group_by("doc", maintain_order=True).agg("term_id", "w")
    leader_vectors: dict[int, dict[int, float]] = {}
    leader_postings: dict[int, list[int]] = defaultdict(list)
    leader_of = list(range(rows.height))  # a text with no content words leads itself, alone
    for doc, term_ids, weights in by_doc.iter_rows():
        vector = dict(zip(term_ids, weights))
        specific = term_ids[:INDEXED_TERMS]  # highest weights first, ties by term
        best, best_leader = -1.0, None
        for leader in sorted({leader for term in specific for leader in leader_postings.get(term, ())}):
            if review_of[leader] == review_of[doc]:
                continue
            other = leader_vectors[leader]
            score = sum(vector[t] * other[t] for t in vector.keys() & other.keys())  # cosine(), inlined: the hot loop
            if score > best:  # ascending leaders: on a tie the earliest leader stays
                best, best_leader = score, leader
        if best_leader is not None and best >= threshold:
            leader_of[doc] = best_leader
        else:
            leader_vectors[doc] = vector
            for term in specific:
                leader_postings[term].append(doc)
    members: dict[int, list[int]] = defaultdict(list)
    for doc, leader in enumerate(leader_of):
        members[leader].append(doc)
    groups = {leader: docs for leader, docs in members.items() if len({review_of[d] for d in docs}) >= 2}
    in_groups = [d for docs in groups.values() for d in docs]
    vectors = {doc: dict(zip(t, w)) for doc, t, w in by_doc.filter(pl.col("doc").is_in(in_groups)).iter_rows()}
    review_ids, positions = rows["review_id"].to_list(), rows["rec_position"].to_list()
    out = FrameBuilder(GROUP_SCHEMA)
    for leader, docs in groups.items():
        key = stable_key("repeat", review_ids[leader], positions[leader])
        # The member closest to the group's centre says its ask best.
        centre: Counter[int] = Counter()
        for doc in docs:
            centre.update(vectors.get(doc, {}))
        representative = max(docs, key=lambda d: (cosine(vectors.get(d, {}), centre), -d))
        for doc in docs:
            out.add((review_ids[doc], positions[doc], key, doc == representative))
    return out.frame()
