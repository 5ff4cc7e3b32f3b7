"""dhr_etl.transform.threads: work split between the calling thread and workers, results in order."""

from __future__ import annotations

import threading
import time

from dhr_etl.transform.threads import in_threads


def test_items_are_shared_with_a_worker_and_come_back_in_order() -> None:
    def square(n: int) -> tuple[int, int]:
        time.sleep(0.01)  # long enough that the worker is running when the next items are handed out
        return n * n, threading.get_ident()

    results = in_threads(square, list(range(7)), 2)
    assert [value for value, _ in results] == [0, 1, 4, 9, 16, 25, 36]
    callers = {ident for _, ident in results}
    assert threading.get_ident() in callers and len(callers) == 2  # this thread worked, and one other


def test_one_thread_or_one_item_runs_here() -> None:
    here = threading.get_ident()
    assert in_threads(lambda n: (n, threading.get_ident()), [1, 2, 3], 1) == [(1, here), (2, here), (3, here)]
    assert in_threads(lambda n: (n, threading.get_ident()), [5], 2) == [(5, here)]
