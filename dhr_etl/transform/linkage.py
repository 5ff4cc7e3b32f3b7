"""Average linkage over scored pairs, the closest two groups joined first.

How repeat grouping (:func:`dhr_etl.transform.repeats.group_repeats`) makes its groups. Every item
starts alone; the two groups whose items are, on average each against each, the most alike are
joined, and again, while that average reaches the threshold. A pair that was not scored counts 0:
the caller scores only pairs that may be alike (texts near in meaning), and treats the rest as unlike.

Unlike gathering around leaders in a fixed order, the result does not depend on the order the
items come in (only on their numbers, which break ties), so a library's order of review ids does
not decide which of two wordings a third one meets first. Averaging, not the best pair alone
(single linkage), keeps a chain of small rewordings from drifting from one ask to another.
"""

from __future__ import annotations

import heapq

import numpy as np


def average_linkage(count: int, a: np.ndarray, b: np.ndarray, score: np.ndarray, threshold: float) -> np.ndarray:
    """The group of each of ``count`` items, named by its smallest item.

    ``a``, ``b``, ``score``: the scored pairs (each unordered pair at most once; a pair of an item
    with itself is ignored). Two groups are joined while the mean of their pairs' scores, each
    item against each and 0 for a pair not given, is the highest of all and at least ``threshold``;
    on a tie, the pair of groups with the smaller names first. Work: a heap entry per linked pair
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


def _named(joined_to: list[int]) -> np.ndarray:
    """Each item's group: follow who joined whom to the item nobody joined (the group's smallest)."""
    group = np.asarray(joined_to, dtype=np.int64)
    while True:
        further = group[group]
        if np.array_equal(further, group):
            return group
        group = further
