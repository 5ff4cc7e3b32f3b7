"""Words of a recommendation, for the theme model and for repeat grouping: one tokeniser for both.

Lower-cased words of three or more letters, lightly stemmed (``trained``/``training`` → ``train``),
with the function words that say nothing about an ask dropped. Column-wise in polars, so 50,000
recommendations tokenise in well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import polars as pl

from dhr_etl.transform.rules import ask_concepts, concept_glosses, run_in_polars

WORD_PATTERN = r"[a-z][a-z_'-]{1,}"
"""Two letters or more: "gp", "da", "ed" carry meaning in this domain."""
STOPWORDS = frozenset("""
the and that this these those with within for from into onto upon about above after again against all
also any are because been before being between both but can could did does doing done each either
had has have having here its itself may might more most must not now off once only our out over own
same shall some such than their them then there they through too under until very was were what
where whether which while who whom why will would you your whilst is be as an at by of on or to in it
its we us he she his her if so no any
""".split())
CONCEPT_PREFIX = "c_"
"""Words a text was rewritten to (:func:`dhr_etl.transform.repeats.with_concepts`) start so, and are kept whole."""
SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Cached: a library's vocabulary is a few thousand words, met hundreds of thousands of times."""
    word = word.strip("'-")
    if word.startswith(CONCEPT_PREFIX):
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def stemmed_words(texts: pl.Series, offset: int = 0, stopwords: frozenset[str] = STOPWORDS) -> pl.DataFrame:
    """doc (row number from ``offset``), pos (word position in the text), term (stemmed word):
    one row per content word, in text order."""
    words = (pl.DataFrame({"text": texts}, schema={"text": pl.String}).with_row_index("doc", offset=offset)
             .select("doc", pl.col("text").str.to_lowercase().str.extract_all(WORD_PATTERN).alias("word"))
             .explode("word").drop_nulls("word")
             .with_columns(pl.int_range(pl.len()).over("doc").alias("pos"))
             .filter(~pl.col("word").is_in(list(stopwords))))
    vocabulary = words["word"].unique().to_list()
    stems = pl.DataFrame({"word": vocabulary, "term": [stem(w) for w in vocabulary]},
                         schema={"word": pl.String, "term": pl.String})
    return words.join(stems, on="word").select("doc", "pos", "word", "term").sort("doc", "pos")


PURPOSE = re.compile(r"\b(so that|so as to|in order to|in order that|with the aim of|which will|to help|to enable|to make sure|to ensure|ensuring that)\b")
"""Where the ask ends and its reason begins: "improve IT systems so that victims are asked about
abuse" asks for IT systems, not for routine enquiry."""
ACTOR = re.compile(r"^\W*((?:[\w'&,-]+ ){1,6}?)(should|must|shall|will|to|is to|are to|needs? to)\b")
"""Who must act, when a text opens with it ("Children's social care should ..."): at most six
words before the first modal. An imperative opening ("Ensure that staff are trained to ...") has
no actor: ACTOR_SKIP lists the verbs such texts open with."""
ACTOR_SKIP = re.compile(r"^\W*(ensure|review|consider|develop|provide|make|undertake|establish|introduce|implement|"
                        r"share|raise|promote|update|create|deliver|commission|explore|agree|audit|work|it|that|there|a|an)\b")
LEAD_IN = re.compile(
    r"(?i)^[\W_]*(?:"
    # a number or heading: "Recommendation 3:", "Rec. 2 -", "R4.", "1.", "2.1)", "(b)", "iv."
    r"(?:(?:recommendation|rec\.?)\s*(?:no\.?\s*)?(?:\d+[a-z]?\s*[:.)\-\u2013\u2014]?|[:\-\u2013\u2014])"
    r"|r\d+[a-z]?\s*[:.)\-\u2013\u2014]?|\(?\d+(?:\.\d+)*(?:[):]|\.\s))\s*"
    # a lettered or roman item, "(b) ", "iv. ", but not "I.T." or "e.g."
    r"|\(?(?:[a-h]|i{1,3}|iv|vi{0,3}|ix|x)[.)]\s+"
    # who recommends: "The Review Panel recommends that", "This DHR recommends", "It is recommended that"
    r"|(?:the|this|our)\s+(?:[\w'\u2019]+\s+){0,5}?(?:panel|review|chair|author|report|reviewers?|dhr|board|partnership)"
    r"(?:\s+(?:would|therefore|also|further|strongly|now|again))*\s+(?:recommends?|recommended|suggests?|proposes?|advises?)(?:\s+that)?[\s:,]+"
    r"|(?:the|this|our)\s+(?:[\w'\u2019]+\s+){0,5}?makes?\s+the\s+following\s+recommendations?[\s:.,\-\u2013\u2014]+"
    r"|it\s+is(?:\s+(?:therefore|also|further|strongly))*\s+(?:recommended|suggested|proposed|advised)(?:\s+that)?\s+"
    r"|we(?:\s+(?:would|therefore|also|further|strongly))*\s+recommend(?:\s+that)?\s+"
    # a recommendation written as a clause: "That the Police should ..."
    r"|that\s+"
    r")+")
"""What opens a recommendation without being its ask: its number or heading, the review saying it
recommends, or the bare "That ..." of a recommendation written as a clause. Reviews print their
recommendations each in their own way ("The Review Panel recommends that the Trust should ...",
"Recommendation 4: That the Trust ...", "The Trust should ...") and the ask is what follows. Left
in, the lead-in was read as the body that must act (ACTOR) and as words of the ask: on the
sixteen blind labelled sets, "The Review Panel recommends that" put before one text of each pair
took the same-ask recall from 0.753 to 0.658. Stripped, as often as it repeats, before any model
reads a text (:func:`asked`)."""
ASK_CHARACTERS = 4_000
"""The characters of a recommendation the models read, at most (after its lead-in). The longest of
the ~96,000 distinct texts of the labelled sets and the benchmark's library has 425, and a long
SMART row (action, lead, outcome, measure, timescale) stays well under it. A page whose
recommendation cell holds a whole report is not cut short in the warehouse: the models read its
opening, and the review's data-quality findings say so (:mod:`dhr_etl.transform.quality`). Read
whole, one such cell of a 5 MB page (the page cap) could take more memory than the nightly job has:
repeat grouping compares each text's words with each candidate's, word by word."""
ACTOR_MARK = f"{CONCEPT_PREFIX}actor"
PURPOSE_MARK = f"{CONCEPT_PREFIX}purpose"


def asked(texts: pl.Series) -> pl.Series:
    """The texts without what opens them and is not the ask (LEAD_IN), at most their first
    ASK_CHARACTERS; applying it twice changes nothing. Every model reads texts through it: themes,
    their examples, repeat grouping and their training."""
    stripped = _without_lead_in(texts)
    # Cut only when a text needs it: a cut is a copy of every text, and none of a real library's is that long.
    return stripped.str.slice(0, ASK_CHARACTERS) if (stripped.str.len_chars().max() or 0) > ASK_CHARACTERS else stripped


def read_in_part(texts: pl.Series) -> pl.Series:
    """Whether the models read only the opening of each text (:func:`asked` cuts its ask short)."""
    return _without_lead_in(texts).str.len_chars() > ASK_CHARACTERS


def _without_lead_in(texts: pl.Series) -> pl.Series:
    return texts.str.replace(LEAD_IN.pattern, "")


def with_concepts(texts: pl.Series) -> pl.Series:
    """Lower-cased texts with each phrase of a concept (``reference/ask_concepts.csv``) replaced by
    the concept as one word (``c_domestic_abuse``), and marks where the actor ends (ACTOR_MARK) and
    the reason begins (PURPOSE_MARK). Nothing is kept between calls: the theme model (a pass per
    thread over its share of the texts, ``themes._marked``) and repeat grouping each read the texts
    they are given."""
    out = replace_actor(texts.fill_null("").str.to_lowercase(), f"$1 {ACTOR_MARK} ")
    out = out.str.replace(PURPOSE.pattern, f" {PURPOSE_MARK} ")
    return _each_concept_replaced(out, lambda concept: f" {CONCEPT_PREFIX}{concept.replace(' ', '_')} ")


def _each_concept_replaced(texts: pl.Series, replacement: Callable[[str], str]) -> pl.Series:
    """``texts`` with every phrase of each concept (``reference/ask_concepts.csv``, in its order)
    replaced by ``replacement(concept)``."""
    concepts = ask_concepts()
    with run_in_polars("ask_concepts.csv", [pattern for _, pattern in concepts]):
        for concept, pattern in concepts:
            texts = texts.str.replace_all(pattern, replacement(concept))
    return texts


def replace_actor(lowered: pl.Series, replacement: str) -> pl.Series:
    """Lower-cased texts with the body that opens them and its modal (ACTOR: "children's social
    care should") replaced by ``replacement`` (``$1`` is the body's words); an imperative opening
    (ACTOR_SKIP) names no body and is kept as it is."""
    return pl.select(pl.when(lowered.str.contains(ACTOR_SKIP.pattern)).then(lowered)
                     .otherwise(lowered.str.replace(ACTOR.pattern, replacement))).to_series()


def with_glosses(texts: pl.Series) -> pl.Series:
    """Lower-cased texts with each phrase of a concept replaced by the concept's gloss in plain
    words (``reference/ask_concepts.csv``): "Clare's Law", "DVDS" and "the domestic violence
    disclosure scheme" all read "disclosure scheme", so their meaning vectors agree. Leave-one-set-out
    over the four labelled sets, grouping at 0.4: pairs 0.715 / 0.420 -> 0.714 / 0.476, clusters
    0.620 / 0.358 -> 0.665 / 0.403, with the 44 concepts of the time."""
    glosses = concept_glosses()
    return _each_concept_replaced(texts.fill_null("").str.to_lowercase(), lambda concept: f" {glosses[concept]} ")
