"""Fuzzy matching (rapidfuzz), blocked by first and last word, conservative: a near miss is
reported for a human, not merged."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

import numpy as np
from rapidfuzz import fuzz, process

from dhr_etl.transform.resolution.clusters import Clusters, Merge, StepResult
from dhr_etl.transform.resolution.spellings import MAX_MATCHED_CHARS, Name

FUZZY_MERGE = 92.0
"""Scores at or above this merge (when the differing words are typos of each other)."""
FUZZY_REPORT = 85.0
"""Scores from here up to FUZZY_MERGE are reported for a human, not merged."""
MAX_BLOCK = 3000
"""Blocks larger than this are split further, so matching stays near-linear in the names seen."""


def join_fuzzy(clusters: Clusters, by_key: Mapping[str, list[Name]]) -> StepResult:
    keys = sorted(k for k in by_key if by_key[k] and 4 <= len(k) <= MAX_MATCHED_CHARS)
    seen: set[tuple[str, str]] = set()
    working = clusters.copy()
    merges, matched, findings = [], {}, []
    for block in _blocks(keys):
        if len(block) < 2:
            continue
        scores = process.cdist(block, block, scorer=fuzz.ratio, score_cutoff=FUZZY_REPORT, workers=1)
        rows, columns = np.nonzero(np.triu(scores, 1))  # each pair once, as plain ints and floats
        for i, j, score in zip(rows.tolist(), columns.tolist(), scores[rows, columns].tolist()):
            a, b = block[i], block[j]
            root_a, root_b = working.find(a), working.find(b)
            if (a, b) in seen or root_a == root_b or (root_a in working.body and root_b in working.body):
                continue  # two catalogue bodies are known to be two
            seen.add((a, b))
            if score >= FUZZY_MERGE and _only_typos_differ(a, b) and working.union(a, b):
                merges.append(Merge(a, other=b))
                smaller = min((a, b), key=lambda k: sum(n.count for n in by_key[k]))
                matched[smaller] = ("fuzzy", round(score / 100, 3))
            else:
                findings.append({"kind": "low-confidence match, not merged", "addressed_as": by_key[a][0].printed,
                                 "detail": f"{by_key[b][0].printed} (similarity {score:.0f})"})
    return StepResult(tuple(merges), matched, tuple(findings))


def _blocks(keys: list[str]) -> Iterable[list[str]]:
    """Names sharing a first word, and names sharing a last word: a typo must leave one intact."""
    for position in (0, -1):
        groups: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            groups[key.split()[position]].append(key)
        for group in groups.values():
            if len(group) <= MAX_BLOCK:
                yield group
            else:
                sub: dict[str, list[str]] = defaultdict(list)
                for key in group:
                    sub[key.replace(" ", "")[:3] + str(len(key) // 8)].append(key)
                yield from sub.values()


def _only_typos_differ(a: str, b: str) -> bool:
    """Each word one name has and the other lacks must be a misspelling of a word the other has:
    "Warwickshire Childrens Service" ~ "Warwickshire Childrens Services", never "Kent Police" ~
    "Kent Policy Unit"."""
    words_a, words_b = set(a.split()), set(b.split())
    only_a, only_b = words_a - words_b, words_b - words_a
    if len(only_a) != len(only_b):
        return False
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False
    return all(max((fuzz.ratio(x, y) for y in only_b), default=0) >= 80 for x in only_a)
