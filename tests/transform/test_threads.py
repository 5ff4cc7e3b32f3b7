"""dhr_etl.transform.threads: work split between the calling thread and workers, results in order."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from dhr_etl.transform.threads import in_threads, once


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


def test_a_loader_asked_by_two_threads_at_once_loads_once() -> None:
    """Themes and repeat groups are made side by side and share loaders (the word vectors'
    tokenizer, the models, the compiled rules): the thread that asks second waits for the first's
    value instead of loading its own copy."""
    both_asking = threading.Barrier(2)
    loads = []

    @once
    def tokenizer() -> object:
        loads.append(threading.get_ident())
        time.sleep(0.2)  # a slow read, so that the second thread asks while the first still loads
        return object()

    def ask() -> object:
        both_asking.wait()
        return tokenizer()

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.submit(ask), pool.submit(ask)
        assert first.result() is second.result()
    assert len(loads) == 1
    assert tokenizer() is first.result()
