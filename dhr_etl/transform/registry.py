"""The names and keys BI users already have, kept from run to run.

Keys are derived from natural keys, so the same input always gives the same keys; but new pages
can bring a new spelling that joins an existing body, or make another spelling the most printed.
The registry remembers, for every match key ever seen, the agency key and name it was given, so
an entity keeps its key and its name however the data grows. Curated names still win.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dhr_etl.files import write_atomically


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

    def lookup(self, match_keys: Iterable[str]) -> tuple[int, str] | None:
        """The oldest known entity among these keys (smallest key breaks ties deterministically)."""
        known = sorted({self.keys[k] for k in match_keys if k in self.keys})
        return (known[0], self.names[known[0]]) if known else None

    def knows_alias(self, printed: str) -> bool:
        return printed in self.aliases

    def remember(self, agencies: pl.DataFrame, aliases: pl.DataFrame, agency_of_key: dict[str, int]) -> None:
        for key, agency_key in agency_of_key.items():
            self.keys.setdefault(key, agency_key)
        for agency_key, name, normalised in agencies.select("agency_key", "agency_name", "normalised_name").iter_rows():
            self.names.setdefault(agency_key, name)
            self.keys.setdefault(normalised, agency_key)
        self.aliases |= set(aliases["addressed_as"].to_list())

    def save(self) -> None:
        if self.path is None:
            return
        data = {"keys": dict(sorted(self.keys.items())), "names": {str(k): v for k, v in sorted(self.names.items())},
                "aliases": sorted(self.aliases)}
        write_atomically(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
