"""Average linkage over scored pairs, the closest two groups joined first.

How repeat grouping (:func:`dhr_etl.transform.repeats.group_repeats`) makes its groups. Every item
starts alone; the two groups whose items are, on average each against each, the most alike are
joined, and again, while that average reaches the threshold. A pair that was not scored counts 0:
the caller scores only pairs that may be alike (texts near in meaning), and treats the rest as unlike.

Unlike gathering around leaders in a fixed order, the result does not depend on the order the
items come in (only on their numbers, which break ties), so a library's order of review ids does
not decide which of two wordings a third one meets first (the caller numbers wordings in the order
they are first seen, so a tie still goes by that order). Averaging, not the best pair alone
(single linkage), keeps a chain of small rewordings from drifting from one ask to another.

Counting a pair not scored as 0 has a cost: a family of one ask with more items than each is scored
against stays in pieces. :func:`joined_where_members_agree` then scores the pieces' first items
against each other and joins the pieces that make one ask on average.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np

from dhr_etl.transform.sorted_sets import contained, distinct, merged


def average_linkage(count: int, a: np.ndarray, b: np.ndarray, score: np.ndarray, threshold: float) -> np.ndarray:
    """The group of each of ``count`` items, named by its smallest item.

    ``a``, ``b``, ``score``: the scored pairs (each unordered pair at most once; a pair of an item
    with itself is ignored). Two groups are joined while the mean of their pairs' scores, each
    item against each and 0 for a pair not given, is the highest of all and at least ``threshold``;
    on a tie, the pair of groups with the smaller names first; ``threshold`` above 0 (groups with no
    pair scored between them are never compared). Work: a heap entry per linked pair
    of groups, a dictionary update per neighbour of the groups joined."""
    links: list[dict[int, float]] = [{} for _ in range(count)]  # a group's summed scores with each group it meets
    for x, y, s in zip(a.tolist(), b.tolist(), score.tolist()):
        if x != y:
            links[x][y] = links[y][x] = s
    size = [1] * count
    version = [0] * count  # a group's entries in the heap are stale once it has changed (-1: joined another)
    heap = [(-s, min(x, y), max(x, y), 0, 0) for x, y, s in zip(a.tolist(), b.tolist(), score.tolist())
            if x != y and s >= threshold]
    heapq.heapify(heap)
    joined_to = list(range(count))
    while heap:
        _, x, y, seen_x, seen_y = heapq.heappop(heap)
        if version[x] != seen_x or version[y] != seen_y:
            continue
        # y's group joins x's (x < y): x's summed scores gain y's, neighbour by neighbour.
        for z, s in links[y].items():
            if z != x:
                del links[z][y]
                links[x][z] = links[z][x] = links[x].get(z, 0.0) + s
        del links[x][y]
        links[y] = {}
        size[x] += size[y]
        joined_to[y] = x
        version[x] += 1
        version[y] = -1
        for z, s in links[x].items():
            mean = s / (size[x] * size[z])
            if mean >= threshold:
                low, high = min(x, z), max(x, z)
                heapq.heappush(heap, (-mean, low, high, version[low], version[high]))
    return _named(joined_to)


def pair_keys(a: np.ndarray, b: np.ndarray, width: int) -> np.ndarray:
    """One int64 key per unordered pair of items numbered below ``width``: smaller * width + larger,
    so that sorting the keys sorts the pairs and ``key // width``, ``key % width`` give them back."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    return np.minimum(a, b) * width + np.maximum(a, b)


def _named(joined_to: list[int]) -> np.ndarray:
    """Each item's group: follow who joined whom to the item nobody joined (the group's smallest)."""
    group = np.asarray(joined_to, dtype=np.int64)
    while True:
        further = group[group]
        if np.array_equal(further, group):
            return group
        group = further


def joined_where_members_agree(group: np.ndarray, a: np.ndarray, b: np.ndarray, score: np.ndarray, threshold: float,
                               score_pairs: Callable[[np.ndarray, np.ndarray], np.ndarray], members: int,
                               rounds: int, precedence: np.ndarray) -> np.ndarray:
    """``group`` (from :func:`average_linkage` over the scored pairs ``a``, ``b``, ``score``) with
    groups joined where their members, each against each, make one ask on average after all.

    Average linkage counts a pair that was not scored as 0, so a family of one ask larger than the
    pairs scored per item can show (each item scored against its nearest few) stays in pieces. Each
    round, every two groups whose scored pairs reach the threshold on average have their first
    ``members`` items scored against each other (``score_pairs``: the pairs not scored before, one
    batch a round), and the pairs of groups whose mean reaches the threshold are joined, the closest
    first, each group at most once a round (so no group joins two others on means taken before either
    join); at most ``rounds`` rounds. A group keeps the smallest name of the two.
    ``precedence``: a key per item saying which items of a group come first. The caller gives one
    that does not follow the items' numbers (a digest of each wording), so that which members are
    compared does not depend on the order the items were numbered in."""
    if members < 1:
        raise ValueError(f"members is {members}; at least one member of each group must be compared")
    taken_in = np.lexsort((np.arange(len(group)), precedence))
    width = len(group)
    # The pairs scored so far, one int64 key (low * width + high) each, sorted, and their scores:
    # 16 bytes a pair (at 50,000 distinct wordings, ~800,000 pairs; a dict of tuples took ~150 MB).
    known_keys, first_seen = np.unique(pair_keys(a, b, width), return_index=True)
    known_scores = np.asarray(score, dtype=np.float64)[first_seen]
    for _ in range(rounds):
        group_a, group_b = group[a], group[b]
        across = group_a != group_b
        if not across.any():
            break
        keys, each = np.unique(pair_keys(group_a[across], group_b[across], width), return_inverse=True)
        linked = np.stack([keys // width, keys % width], axis=1)  # each pair of groups linked, once
        # Only groups whose scored pairs make one ask on average are worth scoring further.
        linked = linked[np.bincount(each.ravel(), score[across]) / np.bincount(each.ravel()) >= threshold]
        if not len(linked):
            break
        first = _first_items(group, members, taken_in)
        # Each linked pair of groups: the first members of one against those of the other, pair
        # by pair in the order (linked pair, member of one, member of the other).
        x = np.repeat(first[linked[:, 0]], members, axis=1).ravel()
        y = np.tile(first[linked[:, 1]], (1, members)).ravel()
        owner = np.repeat(np.arange(len(linked)), members * members)
        real = (x >= 0) & (y >= 0)
        x, y, owner = x[real], y[real], owner[real]
        keys = pair_keys(x, y, width)
        # A pair's score does not change from round to round: each is scored once.
        new = distinct(keys)
        new = new[~contained(known_keys, new)]
        if len(new):
            known_keys, known_scores = merged(known_keys, known_scores, new, score_pairs(new // width, new % width))
        together = known_scores[np.searchsorted(known_keys, keys)]
        mean = np.bincount(owner, together, minlength=len(linked)) / np.bincount(owner, minlength=len(linked))
        joined, renamed = set(), {}
        for k in np.argsort(-mean, kind="stable").tolist():
            if not mean[k] >= threshold:  # (a score that is not a number joins nothing)
                break
            one, other = linked[k].tolist()
            if one not in joined and other not in joined:
                joined.update((one, other))
                renamed[other] = one
        if not renamed:
            break
        name = np.arange(width)
        name[list(renamed)] = list(renamed.values())
        group = name[group]
    return group


def _first_items(group: np.ndarray, members: int, taken_in: np.ndarray) -> np.ndarray:
    """(items, ``members``): row g holds group g's first ``members`` items, the items taken in the
    order ``taken_in``, then -1 where the group has fewer (rows of names that are no group's: -1)."""
    names = group[taken_in]
    by_group = np.argsort(names, kind="stable")  # each group's items together, in the order taken_in
    items, names = taken_in[by_group], names[by_group]
    starts = np.flatnonzero(np.r_[True, names[1:] != names[:-1]])
    rank = np.arange(len(names)) - np.repeat(starts, np.diff(np.r_[starts, len(names)]))
    first = np.full((len(group), members), -1, dtype=np.int64)
    kept = rank < members
    first[names[kept], rank[kept]] = items[kept]
    return first
