"""A user's corrections to repeat grouping (``reference/repeat_overrides.csv``); they win over the model.

Each row names a recommendation (``review_id`` as in v_reviews, ``rec_label`` as printed on the
page, both matched exactly; a label printed twice in one review names both) and a ``group``:
- empty: the recommendation is kept out of every group (a wrong member taken out);
- a name of the user's choosing: the recommendations listed under one name are in one group, with
  the groups the model put them in. Listing a missed recommendation beside one member of the group
  it belongs to adds it; listing one member of each of two groups joins them. The group takes the
  name as its label (the first name in the file, when one group gathers several). Like every group,
  it is reported only when it spans two reviews or more.
A recommendation listed with an empty group stays out even where a name lists it too. Rows naming a
recommendation the library does not hold are reported in the log and change nothing (the review
may not be published yet). A file without the ``group`` column (before session 34) keeps every
recommendation it lists out, as it always did. A file with other columns, or a row with more cells
than the header (a name holding an unquoted comma), is refused with the file's name: read wrongly,
a join would silently become a keep-out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from dhr_etl.transform.rules import read_checked_csv, warn_of_unmatched_overrides

log = logging.getLogger(__name__)
OVERRIDES_FILE = "repeat_overrides.csv"

Key = tuple[str, str]
"""(review_id, rec_label)"""


@dataclass(frozen=True)
class RepeatOverrides:
    apart: frozenset[Key] = frozenset()
    """recommendations kept out of every group"""
    named: dict[str, list[Key]] = field(default_factory=dict)
    """name → the recommendations listed under it, in file order (names in file order too)"""

    def listed(self) -> list[Key]:
        return [*self.apart, *(key for keys in self.named.values() for key in keys)]


def read_overrides() -> RepeatOverrides:
    apart: set[Key] = set()
    named: dict[str, list[Key]] = {}
    for row in read_checked_csv(OVERRIDES_FILE, ("review_id", "rec_label"), ("group",),
                                "review_id, rec_label and, to put recommendations together, group",
                                "a group name that holds a comma must be in double quotes"):
        key = ((row.get("review_id") or "").strip(), (row.get("rec_label") or "").strip())
        name = (row.get("group") or "").strip()
        if name:
            named.setdefault(name, []).append(key)
        else:
            apart.add(key)
    return RepeatOverrides(frozenset(apart), named)


def report_unmatched(keys: Sequence[Key], overrides: RepeatOverrides) -> None:
    """Warn of the file's rows that name no recommendation among ``keys`` (each row's (review_id,
    rec_label); none when the recommendations carry no labels, and then the file is not applied)."""
    listed = overrides.listed()
    if not listed:
        return
    if not keys:
        log.warning("%s: the recommendations carry no rec_label, so its %d row(s) are not applied", OVERRIDES_FILE, len(listed))
        return
    known = set(keys)
    unmatched = [key for key in listed if key not in known]
    if unmatched:
        warn_of_unmatched_overrides(OVERRIDES_FILE, len(unmatched), unmatched[0])


def joined_by_name(leader_of: list[int], keys: Sequence[Key], overrides: RepeatOverrides) -> tuple[list[int], dict[int, str]]:
    """(each row's group leader with the named groups joined, the name of each group a name made, by
    its leader). ``leader_of``: each row's group as the model made it, named by its first row (a row
    in no group leads itself); ``keys``: each row's (review_id, rec_label). A joined group is led by
    the first row of all it gathers, so its key stays that of the earliest recommendation."""
    rows_of: dict[Key, list[int]] = {}
    for row, key in enumerate(keys):
        rows_of.setdefault(key, []).append(row)
    parent = list(range(len(leader_of)))  # over the model's groups, by leader; a root is its set's smallest row

    def root(row: int) -> int:
        while parent[row] != row:
            parent[row] = parent[parent[row]]
            row = parent[row]
        return row

    rows_named = {name: [row for key in listed if key not in overrides.apart for row in rows_of.get(key, [])]
                  for name, listed in overrides.named.items()}
    for rows in rows_named.values():
        leaders = {root(leader_of[row]) for row in rows}
        first = min(leaders, default=None)
        for leader in leaders:
            parent[leader] = first
    names: dict[int, str] = {}
    for name, rows in rows_named.items():
        for row in rows:
            names.setdefault(root(leader_of[row]), name)
    return [root(leader) for leader in leader_of], names
