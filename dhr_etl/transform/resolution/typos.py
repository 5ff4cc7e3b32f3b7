""""Merseyside Polcie" is Merseyside Police: one letter wrong (or two swapped) in a long word,
every other word the same, and no other catalogue body that close."""

from __future__ import annotations

from collections.abc import Mapping

from dhr_etl.transform.bodies import TYPO_CONFIDENCE, typo_of
from dhr_etl.transform.catalogue import Catalogue
from dhr_etl.transform.resolution.clusters import Clusters, Merge, StepResult
from dhr_etl.transform.resolution.spellings import Name, generic_keys


def join_catalogue_typos(clusters: Clusters, by_key: Mapping[str, list[Name]], catalogue: Catalogue) -> StepResult:
    generic = generic_keys()
    working = clusters.copy()
    merges, matched, findings = [], {}, []
    for key, members in by_key.items():
        if not members or key in generic or working.is_body(key) or any(n.acronym for n in members):
            continue
        body, finding = typo_of(members[0].printed, catalogue)
        if finding:
            findings.append(finding)
        elif body is not None and working.assign(key, body.body_id):
            merges.append(Merge(key, body_id=body.body_id))
            matched[key] = ("typo", TYPO_CONFIDENCE)
    return StepResult(tuple(merges), matched, tuple(findings))
