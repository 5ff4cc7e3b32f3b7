"""Clusters of match keys (a union-find that refuses joins a curated pair forbids), and what a
resolution step returns: the joins it made, how the spellings it joined were matched, its findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

EXACT = ("exact", 1.0)
"""How a spelling is matched until a step says otherwise: (method, confidence)."""


@dataclass(frozen=True, slots=True)
class Merge:
    """``key`` joined to the match key ``other``, or made the catalogue body ``body_id``."""

    key: str
    other: str = ""
    body_id: str = ""
    force: bool = False
    """Joined whatever the curated pairs say (curated aliases always win)."""


@dataclass(frozen=True, slots=True)
class StepResult:
    merges: tuple[Merge, ...] = ()
    methods: Mapping[str, tuple[str, float]] = field(default_factory=dict)
    """match key → (method, confidence) for the spellings this step matched."""
    findings: tuple[dict, ...] = ()


def method_of(methods: Mapping[str, tuple[str, float]], key: str) -> tuple[str, float]:
    return methods.get(key, EXACT)


class Clusters:
    """Union-find over match keys that refuses joins a curated pair forbids."""

    def __init__(self, keys: Iterable[str], forbidden: set[frozenset[str]]) -> None:
        self.parent = {key: key for key in keys}
        self.members = {key: {key} for key in self.parent}
        self.forbidden_with: dict[str, set[str]] = defaultdict(set)
        for pair in forbidden:
            a, b = (tuple(pair) * 2)[:2]  # a one-name "pair" forbids nothing but itself
            self.forbidden_with[a].add(b)
            self.forbidden_with[b].add(a)
        self.body: dict[str, str] = {}
        """root → the catalogue body its cluster is"""
        self.key_of_body: dict[str, str] = {}

    def copy(self) -> Clusters:
        """A copy a step may join in without changing the clusters it was given."""
        other = Clusters((), set())
        other.parent = dict(self.parent)
        other.members = {root: set(keys) for root, keys in self.members.items()}
        other.forbidden_with = self.forbidden_with  # fixed once built: shared, never changed
        other.body, other.key_of_body = dict(self.body), dict(self.key_of_body)
        return other

    def apply(self, merges: Iterable[Merge]) -> None:
        """Replay a step's joins. Each succeeded on a copy of these very clusters, in this order,
        so each succeeds again: a refusal here is a bug, not data."""
        for merge in merges:
            if merge.body_id:
                joined = self.assign(merge.key, merge.body_id)
            else:
                joined = self.union(merge.key, merge.other, force=merge.force)
            if not joined:
                raise AssertionError(f"a step's join no longer applies: {merge}")

    def assign(self, key: str, body_id: str) -> bool:
        """Make ``key``'s cluster the catalogue body's; False when it is already another body's."""
        root = self.find(key)
        if root in self.body:
            return self.body[root] == body_id
        if body_id in self.key_of_body:
            return self.union(key, self.key_of_body[body_id], force=True)
        self.body[root] = body_id
        self.key_of_body[body_id] = key
        return True

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def is_body(self, key: str) -> bool:
        """Whether ``key``'s cluster is a catalogue body."""
        return self.find(key) in self.body

    def allowed(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra in self.body and rb in self.body and self.body[ra] != self.body[rb]:
            return False  # two catalogue bodies are two bodies
        small, large = sorted((self.members[ra], self.members[rb]), key=len)  # linear in the smaller cluster
        return not any(other in large for key in small for other in self.forbidden_with.get(key, ()))

    def union(self, a: str, b: str, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and not self.allowed(ra, rb):
            return False
        keep, drop = sorted((ra, rb))
        self.parent[drop] = keep
        self.members[keep] |= self.members.pop(drop)
        if drop in self.body:
            self.body.setdefault(keep, self.body[drop])
            del self.body[drop]
        return True
