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
from functools import cache

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
    """(names and aliases of two words or more, lower-cased → kind; acronyms and one-word names, as
    printed → kind) of the catalogue's bodies of a kind; a spelling two kinds share is left out."""
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
    place, the longer (a trust's full name) is the one found."""
    names, letters = _spellings()
    return sorted(names, key=lambda name: (-len(name), name)), sorted(letters, key=lambda name: (-len(name), name))


PLACE_HOLDER = "\ue000{}\ue001"
"""What a spelling is first replaced by (private-use characters round its number, which no spelling
matches), so that a shorter spelling is not found again inside a longer one's kind."""


def with_body_kinds(texts: pl.Series) -> pl.Series:
    """The texts, lower-cased, with every body of the catalogue they name replaced by its kind.

    Which texts may name a body, and by which spellings, is found by one pass of an Aho-Corasick
    automaton of each kind of spelling (names in the lower-cased text, letters as printed: ~0.07 s for
    the catalogue's 5,400 names; one regular expression of them took 0.27 s to compile). Only those
    texts are rewritten, each by the spellings found in it, longest first whichever kind of spelling
    it is, where they stand as whole words (with a possessive "'s" or not): the work grows with the
    bodies named, not with the catalogue."""
    texts = texts.fill_null("")
    lowered_texts = texts.str.to_lowercase()
    lowered, as_printed = _spellings()
    names, letters = _longest_first()
    found_names = lowered_texts.str.extract_many(names, leftmost=True)
    found_letters = texts.str.extract_many(letters, leftmost=True)
    naming = (found_names.list.len() > 0) | (found_letters.list.len() > 0)
    if not naming.any():
        return lowered_texts
    rewritten = [_read(text, [(name, lowered[name], True) for name in by_name]
                       + [(letter, as_printed[letter], False) for letter in by_letters])
                 for text, by_name, by_letters in zip(texts.filter(naming).to_list(), found_names.filter(naming).to_list(),
                                                      found_letters.filter(naming).to_list())]
    # Only the rewritten texts are lower-cased again; the others already are, above.
    return lowered_texts.scatter(naming.arg_true(), pl.Series(rewritten, dtype=pl.String).str.to_lowercase())


def _read(text: str, found: list[tuple[str, str, bool]]) -> str:
    """``text`` with each spelling ``found`` in it (spelling, kind, in any case or not) replaced by
    its kind, longest first, where it stands as whole words."""
    spellings = sorted(set(found), key=lambda spelling: (-len(spelling[0]), spelling[0], spelling[2]))
    for number, (spelling, _, any_case) in enumerate(spellings):
        text = _whole_words(spelling, any_case).sub(PLACE_HOLDER.format(number), text)
    for number, (_, kind, _) in enumerate(spellings):
        text = text.replace(PLACE_HOLDER.format(number), kind)
    return text


@cache
def _whole_words(spelling: str, any_case: bool) -> re.Pattern[str]:
    """``spelling`` standing as whole words, with a possessive "'s" or not. A word boundary is asked
    for only beside a letter or digit of the spelling: "Probation Service (North East)" ends with a
    bracket, and a boundary after it would need a letter next."""
    start = r"\b" if re.match(r"\w", spelling) else ""
    end = r"\b" if re.search(r"\w$", spelling) else ""
    return re.compile(start + re.escape(spelling) + (rf"(?:['’][sS])?{end}" if end else ""), re.IGNORECASE if any_case else 0)
