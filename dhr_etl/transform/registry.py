"""The names and keys BI users already have, kept from run to run.

Keys are derived from natural keys, so the same input always gives the same keys; but new pages
can bring a new spelling that joins an existing body, or make another spelling the most printed.
The registry remembers, for every match key ever seen, the agency key and name it was given, so
an entity keeps its key and its name however the data grows. Curated names still win.

One key names one body in a run, whatever sources were seen before: when bodies that were one in
an earlier run are apart in this one ("CWP" joined to Coventry and Warwickshire Partnership until
a source also printed Cheshire and Wirral Partnership), the key stays with the body whose name it
was given under, and the other takes a key of its own (:meth:`AgencyRegistry.assign`).

What a run learns is written beside the registry (:func:`staged_registry`) and becomes the registry
only when the version built with it is published (:func:`publish_staged_registry`): a version that
fails its checks teaches the next run nothing, so a spelling first seen in it is still reported as
new ("new name since the last run" in v_resolution_review) when a version with it is published.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dhr_etl.files import write_atomically
from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.names import core_name, match_key


@dataclass
class AgencyRegistry:
    path: Path | None
    keys: dict[str, int] = field(default_factory=dict)
    """match key → agency key"""
    names: dict[int, str] = field(default_factory=dict)
    aliases: set[str] = field(default_factory=set)
    """Every printed spelling seen before this run."""

    @classmethod
    def empty(cls) -> AgencyRegistry:
        return cls(None)

    @classmethod
    def load(cls, path: Path) -> AgencyRegistry:
        if not path.exists():
            return cls(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(path, dict(data["keys"]), {int(k): v for k, v in data["names"].items()}, set(data["aliases"]))

    @property
    def has_history(self) -> bool:
        return bool(self.aliases)

    def assign(self, clusters: dict[str, set[str]]) -> dict[str, int]:
        """cluster → agency key, never the same key for two clusters. ``clusters``: a name for
        each cluster (its root match key) → its match keys.

        A remembered key goes to a cluster that holds a match key mapped to it, first to the one
        holding the match key of the name the key was given under, then to the one holding most
        keys mapped to it, then the one whose smallest key sorts first. A cluster left without
        one gets the key derived from its smallest match key, as a cluster never seen does."""
        claimants: dict[int, list[str]] = {}
        for cluster, members in clusters.items():
            for agency_key in {self.keys[k] for k in members if k in self.keys}:
                claimants.setdefault(agency_key, []).append(cluster)
        assigned: dict[str, int] = {}
        for agency_key in sorted(claimants):
            open_claims = [c for c in claimants[agency_key] if c not in assigned]
            if len(open_claims) > 1:  # contested: rare, so the home key is worked out only here
                home = self._home_key(agency_key)
                open_claims.sort(key=lambda c: (home not in clusters[c],
                                                -sum(self.keys.get(k) == agency_key for k in clusters[c]),
                                                min(clusters[c])))
            if open_claims:
                assigned[open_claims[0]] = agency_key
        taken = set(assigned.values())
        for cluster in sorted(clusters.keys() - assigned.keys()):
            assigned[cluster] = self.unused_key(min(clusters[cluster]), taken)
            taken.add(assigned[cluster])
        return assigned

    @staticmethod
    def unused_key(key: str, taken: set[int]) -> int:
        """The key derived from a match key, or, if another body holds it in this run, the first
        free one of a numbered sequence derived from it."""
        agency_key, n = stable_key("agency", key), 1
        while agency_key in taken:
            agency_key, n = stable_key("agency", key, n), n + 1
        return agency_key

    def _home_key(self, agency_key: int) -> str | None:
        name = self.names.get(agency_key)
        return match_key(core_name(name)) if name is not None else None

    def name_of(self, agency_key: int) -> str | None:
        return self.names.get(agency_key)

    def knows_alias(self, printed: str) -> bool:
        return printed in self.aliases

    def remember(self, agencies: pl.DataFrame, aliases: pl.DataFrame, agency_of_key: dict[str, int]) -> None:
        for key, agency_key in agency_of_key.items():
            self.keys.setdefault(key, agency_key)
        for agency_key, name, normalised in agencies.select("agency_key", "agency_name", "normalised_name").iter_rows():
            self.names.setdefault(agency_key, name)
            self.keys.setdefault(normalised, agency_key)
        self.aliases |= set(aliases["addressed_as"].to_list())

    def save(self, path: Path | None = None) -> None:
        """Write the registry to ``path``; by default where it was loaded from."""
        path = path or self.path
        if path is None:
            return
        data = {"keys": dict(sorted(self.keys.items())), "names": {str(k): v for k, v in sorted(self.names.items())},
                "aliases": sorted(self.aliases)}
        write_atomically(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def published_registry(data_dir: Path) -> Path:
    """The registry of the live warehouse version: what the next run starts from."""
    return data_dir / "entities" / "agency_registry.json"


def staged_registry(data_dir: Path) -> Path:
    """The registry as the last resolution left it, until the version built with it is published."""
    return data_dir / "entities" / "agency_registry.staged.json"


def publish_staged_registry(data_dir: Path) -> bool:
    """Once a version is live: its registry becomes the one the next run starts from (one rename).
    Whether there was a staged registry to publish."""
    staged = staged_registry(data_dir)
    if not staged.exists():
        return False
    os.replace(staged, published_registry(data_dir))
    return True
