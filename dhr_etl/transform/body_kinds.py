"""Named bodies in a recommendation's words, read as the kind of body they are, for repeat grouping.

Reviews in different places ask the same of their own bodies, each by its own name: "EMAS
clinicians must record who was present" and "Ambulance crews should note everyone in the home";
"EPUT should ..." and "the mental health trust should ...". The word vectors know "ambulance" but
not "EMAS", and the same-ask measures read a body's name as a rare word the other text lacks, the
mark of a different ask. So, before grouping reads a text, each body of the catalogue
(``reference/bodies/``) that it names is replaced by its kind (``reference/body_kinds.csv``), as
place names are passed over (:mod:`dhr_etl.transform.places`).
"""

from __future__ import annotations

import re
from collections import defaultdict

import polars as pl

from dhr_etl.transform.rules import read_reference_csv, split_cell
from dhr_etl.transform.threads import once

KINDS_FILE = "body_kinds.csv"
NOT_A_BODY = "acronym_not_body"
"""``file`` of the rows of KINDS_FILE whose ``type`` is letters that name a body in the catalogue
but mean something else in a recommendation's words."""


def _kind_of(row: dict[str, str], rules: list[tuple[str, str]]) -> str | None:
    """The kind of a catalogue row by its file's rules ((type, kind)); None when none applies."""
    opening = (row.get("notes") or "").split(".")[0].strip().lower().removeprefix("former ").strip()
    name = row["name"].strip().lower()
    for kind_type, kind in rules:
        if not kind_type or opening == kind_type or name.endswith(kind_type):
            return kind
    return None


@once
def _spellings() -> tuple[dict[str, str], dict[str, str]]:
    """(names of two words or more, lower-cased → kind; letters and one-word names, as printed → kind): the
    names, aliases and acronyms of the catalogue's bodies of a kind; a spelling two kinds share is left out."""
    rules: dict[str, list[tuple[str, str]]] = defaultdict(list)
    not_bodies = set()
    for row in read_reference_csv(KINDS_FILE):
        if row["file"] == NOT_A_BODY:
            not_bodies.add(row["type"].strip())
        else:
            rules[row["file"].strip()].append((row["type"].strip().lower(), row["kind"].strip()))
    any_case: dict[str, set[str]] = defaultdict(set)
    as_printed: dict[str, set[str]] = defaultdict(set)
    for file, file_rules in rules.items():
        for row in read_reference_csv(f"bodies/{file}"):
            kind = _kind_of(row, file_rules)
            if kind is None:
                continue
            for name in (row["name"].strip(), *split_cell(row.get("aliases"))):
                if " " in name:
                    any_case[name.lower()].add(kind)
                else:
                    as_printed[name].add(kind)
            for letters in split_cell(row.get("acronyms")):
                if letters not in not_bodies:
                    as_printed[letters].add(kind)
    return ({name: next(iter(kinds)) for name, kinds in any_case.items() if len(kinds) == 1},
            {name: next(iter(kinds)) for name, kinds in as_printed.items() if len(kinds) == 1})


@once
def _longest_first() -> tuple[list[str], list[str]]:
    """The spellings of :func:`_spellings` (names; letters), longest first: where two begin at one
    place, a trust's full name goes whole rather than leaving the place it is named after."""
    return tuple(sorted(spellings, key=lambda name: (-len(name), name)) for spellings in _spellings())  # type: ignore[return-value]


def with_body_kinds(texts: pl.Series) -> pl.Series:
    """The texts, lower-cased, with every body of the catalogue they name replaced by its kind."""
    lowered, as_printed = _spellings()
    names, letters = _longest_first()
    texts = _replaced(texts.fill_null(""), letters, as_printed)
    return _replaced(texts.str.to_lowercase(), names, lowered)


def _replaced(texts: pl.Series, spellings: list[str], kinds: dict[str, str]) -> pl.Series:
    """``texts`` with every spelling of ``kinds`` that stands as whole words (with a possessive
    "'s" or not) replaced by its kind. Which texts may name a body, and by which spellings, is
    found by one pass of an Aho-Corasick automaton of them all (~0.07 s for the catalogue's 5,400
    names; one regular expression of them took 0.27 s to compile); only those texts are rewritten,
    kind by kind, by a regular expression of the spellings found (a library names a few dozen)."""
    found = texts.str.extract_many(spellings, leftmost=True)
    naming = found.list.len() > 0
    if not naming.any():
        return texts
    by_kind: dict[str, list[str]] = defaultdict(list)
    for spelling in set(found.filter(naming).explode().to_list()):
        by_kind[kinds[spelling]].append(spelling)
    rewritten = texts.filter(naming)
    for kind, mentioned in sorted(by_kind.items()):
        alternatives = "|".join(re.escape(name) for name in sorted(mentioned, key=lambda name: (-len(name), name)))
        rewritten = rewritten.str.replace_all(rf"\b(?:{alternatives})(?:['’]s)?\b", kind)
    return texts.scatter(naming.arg_true(), rewritten)
