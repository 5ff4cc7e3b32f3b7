"""Repeated recommendations: the same ask, made again in other reviews, in other words.

"The same ask" is the same action on the same object by the same kind of body, whatever the
words. Three steps make two wordings comparable:
1. Concepts (``reference/ask_concepts.csv``): phrases different authors choose for one thing
   ("routine enquiry", "ask about"; "GP", "primary care"; "DA", "domestic violence") are read as
   one concept word.
2. The sentence frame is not the ask: frame words ("ensure", "consider", "all agencies", "staff",
   "should") are dropped, so two asks that share an opening but differ in substance do not look alike.
3. TF-IDF over what is left (concepts and stemmed words) and cosine similarity; two
   recommendations from different reviews at or above REPEAT_THRESHOLD make the same ask.
Groups gather around leaders (see :func:`group_repeats`); a group's key is its leader's, and
leaders are taken in the order reviews were published (review ids begin with the upload time), so
a group keeps its id when later reviews join it. Each group has a representative text and a
short label (its most characteristic words). ``reference/repeat_overrides.csv`` keeps a
recommendation out of any group, which is how a user corrects a wrong member.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import polars as pl

from dhr_etl.frames import FrameBuilder
from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.rules import read_reference_csv
from dhr_etl.transform.text import ACTOR_MARK, CONCEPT_PREFIX, PURPOSE_MARK, STOPWORDS, stemmed_words, with_concepts

REPEAT_THRESHOLD = 0.45
"""Chosen on the labelled training pairs (tests/transform/fixtures/themes_dev/pairs_train.csv)."""
INDEXED_TERMS = 6
"""A recommendation meets the leaders that share one of its most specific terms (highest TF-IDF
weights): two wordings of one ask share their specific words."""
FRAME_WORDS = frozenset("""
ensure ensuring ensures ensured consider considers considering should need needs needed must make makes
sure all agency agencies staff practitioner practitioners professional professionals organisation
organisations organization organizations partner partners appropriate appropriately relevant
including include includes undertake undertaken take place where when how any every each recommend
recommended recommendation recommends dhr review's panel local area also within across
""".split())
_STOP = STOPWORDS | FRAME_WORDS
LABEL_TERMS = 4
ACTOR_WEIGHT = 0.5
"""The kind of body that must act matters, but two asks to one body about different things are
different asks: the actor's words count half."""
PURPOSE_WEIGHT = 0.3
"""How much a word of the reason counts beside a word of the ask itself."""

GROUP_SCHEMA = {"review_id": pl.String, "rec_position": pl.Int32, "repeat_group_key": pl.Int64,
                "is_representative": pl.Boolean, "repeat_label": pl.String}
_CHUNK = 50_000


def _term_counts(texts: pl.Series, offset: int) -> pl.DataFrame:
    """doc (row number from ``offset``), term, f (occurrences, those in the reason weighing
    PURPOSE_WEIGHT), word (a surface form, for labels)."""
    words = stemmed_words(with_concepts(texts), offset, _STOP)
    marks = (words.group_by("doc").agg(pl.col("pos").filter(pl.col("term") == PURPOSE_MARK).min().alias("reason_from"),
                                       pl.col("pos").filter(pl.col("term") == ACTOR_MARK).min().alias("ask_from")))
    return (words.filter(~pl.col("term").is_in([PURPOSE_MARK, ACTOR_MARK])).join(marks, on="doc", how="left")
            .with_columns(pl.when(pl.col("pos") > pl.col("reason_from")).then(PURPOSE_WEIGHT)
                          .when(pl.col("pos") < pl.col("ask_from")).then(ACTOR_WEIGHT).otherwise(1.0).alias("count"))
            .group_by("doc", "term").agg(pl.col("count").sum().alias("f"), pl.col("word").first()))


def _weights(texts: pl.Series) -> tuple[pl.DataFrame, list[str], list[str]]:
    """(doc, term_id, w), the terms by id and a readable word for each: each document's TF-IDF
    weights, unit length per document, sorted by document, weight descending, then term.

    Computed column-wise (polars' regex and group-bys) in chunks of texts, not per text in
    Python: at 700,000 recommendations a dictionary per text cost minutes and most of a GB."""
    n = max(len(texts), 1)
    counts = [_term_counts(texts.slice(start, _CHUNK), start) for start in range(0, len(texts), _CHUNK)]
    document_frequency = (pl.concat([c.group_by("term").agg(pl.len().alias("df"), pl.col("word").mode().first())
                                     for c in counts])
                          .group_by("term").agg(pl.col("df").sum(), pl.col("word").first())
                          .sort("term").with_row_index("term_id"))
    parts = []
    for chunk in counts:
        parts.append(
            chunk.join(document_frequency.select("term", "term_id", "df"), on="term")
            .with_columns((pl.when(pl.col("f") > 1).then(1 + pl.col("f").log()).otherwise(pl.col("f"))
                          * ((1 + n) / (1 + pl.col("df"))).log()).alias("w"))
            .filter(pl.col("w") > 0)
            .with_columns(pl.col("w") / pl.col("w").pow(2).sum().over("doc").sqrt())
            .sort("doc", "w", "term_id", descending=[False, True, False])
            .select("doc", "term_id", "w"))
    counts.clear()
    schema = {"doc": pl.UInt32, "term_id": pl.UInt32, "w": pl.Float64}
    weights = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return weights, document_frequency["term"].to_list(), document_frequency["word"].to_list()


def tfidf_vectors(texts: list[str]) -> list[dict[str, float]]:
    """One {term: weight} per text (for looking at pairs; :func:`group_repeats` works on columns)."""
    weights, terms, _ = _weights(pl.Series(texts, dtype=pl.String))
    vectors: list[dict[str, float]] = [{} for _ in texts]
    for doc, term_id, w in weights.iter_rows():
        vectors[doc][terms[term_id]] = w
    return vectors


def cosine(a: dict, b: dict) -> float:
    return sum(a[t] * b[t] for t in a.keys() & b.keys())  # the set intersection runs in C


def _kept_apart() -> set[tuple[str, str]]:
    return {(r["review_id"].strip(), r["rec_label"].strip()) for r in read_reference_csv("repeat_overrides.csv")}


def _label(vectors: list[dict[int, float]], words: list[str]) -> str:
    centre: Counter[int] = Counter()
    for vector in vectors:
        centre.update(vector)
    top = [term for term, _ in sorted(centre.items(), key=lambda kv: (-kv[1], kv[0]))[:LABEL_TERMS]]
    return ", ".join(_readable(words[t]) for t in top)


def _readable(word: str) -> str:
    return word[len(CONCEPT_PREFIX):].replace("_", " ") if word.startswith(CONCEPT_PREFIX) else word


def group_repeats(recommendations: pl.DataFrame, threshold: float = REPEAT_THRESHOLD) -> pl.DataFrame:
    """review_id, rec_position, repeat_group_key, is_representative, repeat_label for every
    recommendation in a group seen in two or more reviews.

    Leader clustering over an inverted index of leaders' specific terms: in publication order,
    each recommendation joins the most similar existing leader at or above the
    threshold, or becomes a leader itself. Comparing with leaders only keeps a chain of small
    rewordings from drifting from one ask to another, and keeps the work near-linear: each
    recommendation meets the leaders that share a specific term with it, not every other one."""
    columns = ["review_id", "rec_position", "recommendation"] + (["rec_label"] if "rec_label" in recommendations.columns else [])
    rows = recommendations.select(columns).sort("review_id", "rec_position")
    apart = _kept_apart()
    excluded = ({i for i, key in enumerate(zip(rows["review_id"], rows["rec_label"])) if key in apart}
                if apart and "rec_label" in rows.columns else set())
    review_of = rows["review_id"].rank("dense").to_list()
    weights, _, words = _weights(rows["recommendation"])
    by_doc = weights.group_by("doc", maintain_order=True).agg("term_id", "w")
    leader_vectors: dict[int, dict[int, float]] = {}
    leader_postings: dict[int, list[int]] = defaultdict(list)
    leader_of = list(range(rows.height))  # a text with no content words leads itself, alone
    for doc, term_ids, term_weights in by_doc.iter_rows():
        if doc in excluded:
            continue
        vector = dict(zip(term_ids, term_weights))
        specific = term_ids[:INDEXED_TERMS]  # highest weights first, ties by term
        best, best_leader = -1.0, None
        for leader in sorted({leader for term in specific for leader in leader_postings.get(term, ())}):
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
        label = _label([vectors.get(d, {}) for d in docs], words)
        for doc in docs:
            out.add((review_ids[doc], positions[doc], key, doc == representative, label))
    return out.frame()
