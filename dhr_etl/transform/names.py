"""Normalised forms of printed names: the text two spellings of one body share."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_NOT_WORD = re.compile(r"[^\w\s]+")
_AMPERSAND = re.compile(r"\s*&\s*|\s*\+\s*")


def normalise_name(printed: str) -> str:
    """Case, white space, ``&``/``and``, curly/straight apostrophes and punctuation folded away:
    ``Children’s Services`` and ``childrens  services`` → ``childrens services``."""
    text = unicodedata.normalize("NFKC", printed).translate(_APOSTROPHES).lower()
    text = _AMPERSAND.sub(" and ", text).replace("'", "")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def slugify(name: str) -> str:
    return "-".join(normalise_name(name).replace("_", " ").split())


def preferred_spelling(spellings_with_counts: list[tuple[str, int]]) -> str:
    """A spelling that writes "and" rather than "&" (so the name does not change when the counts
    do), then the most printed, then the one sorting first (straight apostrophes before curly)."""
    return min(spellings_with_counts, key=lambda item: ("&" in item[0], -item[1], item[0]))[0]


_STOPWORDS = frozenset({"and", "of", "for", "the", "in", "on", "to", "at"})


def initialisms(key: str) -> set[str]:
    """The acronyms a name may be printed as: with and without small words and trailing filler.
    Two-letter words that are themselves acronyms ("hm") contribute both letters."""
    from dhr_etl.transform.rules import filler_words

    words = key.split()
    if len(words) < 2:
        return set()
    fillers = filler_words()
    variants = {tuple(words), tuple(w for w in words if w not in _STOPWORDS)}
    for variant in list(variants):
        trimmed = list(variant)
        while len(trimmed) > 1 and trimmed[-1] in fillers:
            trimmed.pop()
            variants.add(tuple(trimmed))
        variants.add(tuple(w for w in variant if w != "nhs"))
    out = set()
    for variant in variants:
        if len(variant) >= 2:
            out.add("".join(w if w in ("hm", "uk") else w[0] for w in variant))
    return out


def core_name(printed: str) -> str:
    """The normalised name with synonyms applied and curated acronyms spelled out:
    ``Cardiff & Vale UHB`` → ``cardiff and vale university health board``."""
    from dhr_etl.transform.rules import acronyms, synonyms

    text = normalise_name(printed)
    for phrase, pattern, replacement in synonyms():
        if phrase in text:  # a substring test first: most names contain none of the phrases
            text = pattern.sub(replacement, text)
    words = text.split()
    # "Greater Manchester Police (GMP)": an acronym of the rest, repeated at the end, adds nothing.
    if len(words) > 2 and words[-1] in initialisms(" ".join(words[:-1])):
        words = words[:-1]
    expansions = acronyms()
    words = " ".join(expansions.get(word, word) for word in words).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    # "NHS Birmingham and Solihull ICB" and "Birmingham and Solihull ICB" are one board.
    if len(words) > 2 and words[0] == "nhs" and " ".join(words[-3:]) in (
            "integrated care board", "clinical commissioning group"):
        words = words[1:]
    return " ".join(words)


def match_key(core: str) -> str:
    """The core name without trailing filler ("Trust", "NHS", "Service" …): names that agree here
    are one body. Never stripped down to nothing."""
    from dhr_etl.transform.rules import filler_words

    words = core.split()
    fillers = filler_words()
    while len(words) > 1 and words[-1] in fillers:
        words.pop()
    return " ".join(words)


def looks_like_acronym(printed: str) -> bool:
    """``CWPT``, ``KSS CRC``, ``DfE``: short words, mostly capitals, no vowels-heavy long words."""
    words = printed.replace(".", "").split()
    return 0 < len(words) <= 3 and all(
        2 <= len(w) <= 6 and sum(c.isupper() for c in w) >= max(2, len(w) - 1) for w in words
    )


def deletions(word: str) -> set[str]:
    """Every string one letter shorter than ``word``: two words one edit apart share one of
    theirs (or the word itself), which makes a cheap index for typo search."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def one_edit_apart(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or transposition of neighbours (never zero)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                    and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
