""""Safe Lives" and "SafeLives": the same letters with the spaces taken out are one body."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from dhr_etl.transform.resolution.clusters import Clusters, Merge, StepResult, method_of
from dhr_etl.transform.resolution.spellings import Name


def join_run_together(clusters: Clusters, by_key: Mapping[str, list[Name]],
                      methods: Mapping[str, tuple[str, float]]) -> StepResult:
    groups: dict[str, list[str]] = defaultdict(list)
    for key in by_key:
        groups[key.replace(" ", "")].append(key)
    working = clusters.copy()
    merges, matched = [], {}
    for keys in groups.values():
        for other in keys[1:]:
            if working.union(keys[0], other):
                merges.append(Merge(keys[0], other=other))
                method, confidence = method_of(methods, other)
                if method == "exact":
                    matched[other] = ("rule", confidence)
    return StepResult(tuple(merges), matched)
