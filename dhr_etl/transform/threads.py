"""Work shared between threads, and the memory they leave behind.

glibc's malloc gives every thread that allocates an arena of its own and keeps what is freed
there for that arena's next use, not returning it to the system; a worker thread's arena is not
used again by the steps after it. At 65,000 reviews the nightly run's peak is late (building the
warehouse), and the themes decided on two worker threads took it from 1,852 MiB to 1,985 MiB (the
goal is under 2 GiB; 1,856 MiB with the two workers and ``MALLOC_ARENA_MAX=1``). The calling
thread now works beside one worker, and what the worker freed is given back (``malloc_trim``):
1,905 MiB. Themes and repeat grouping also run side by side this way (``pipeline.themes_and_repeats``).
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import wraps
from typing import TypeVar

THREADS = max(1, min(2, os.cpu_count() or 1))
"""Threads that share a step's work (the calling thread and workers: :func:`in_threads`), one per
core up to two: theme chunks decided side by side (dhr_etl/transform/themes.py) and blocks of repeat
grouping's nearest wordings (dhr_etl/transform/repeats.py). Deciding themes is mostly one thread's
work (regular expressions and joins in polars, sorts in numpy, each releasing the interpreter's
lock while it works): on two cores, 10,000 distinct texts took 4.1 s one chunk after another and
2.4-2.9 s two at a time, the same themes. Two, not more: each thread holds its chunk's products in
memory."""

Item = TypeVar("Item")
Result = TypeVar("Result")
Value = TypeVar("Value")


def in_threads(function: Callable[[Item], Result], items: Sequence[Item], threads: int) -> list[Result]:
    """``function`` of each item, in order, on ``threads`` threads: this one takes every
    ``threads``-th item from the first, workers the rest (what this thread frees, the steps after
    it reuse); then the memory the workers freed is given back to the system."""
    if threads <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(threads - 1) as pool:
        theirs = {i: pool.submit(function, item) for i, item in enumerate(items) if i % threads}
        mine = {i: function(item) for i, item in enumerate(items) if i % threads == 0}
        results = [mine[i] if i in mine else theirs[i].result() for i in range(len(items))]
    _give_back_freed_memory()
    return results


def once(load: Callable[[], Value]) -> Callable[[], Value]:
    """``load``'s value, made once per process however many threads ask for it at the same time:
    the first caller loads it while the others wait for it. ``functools.cache`` lets every thread
    that asks before the first has finished load a copy of its own: with themes and repeat groups
    made side by side, the word vectors' tokenizer was read twice (0.27 and 0.14 s) and so was
    the theme model. For the loaders of what the models' threads share (files read, rules compiled)."""
    lock = threading.Lock()
    loaded: list[Value] = []

    @wraps(load)
    def value() -> Value:
        if not loaded:
            with lock:
                if not loaded:
                    loaded.append(load())
        return loaded[0]

    return value


@once
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (musl, macOS). Looked up among the
    symbols the process has loaded (``CDLL(None)``), not by ``ctypes.util.find_library``, which runs
    ``ldconfig`` in a subprocess."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def _give_back_freed_memory() -> None:
    """The free pages of every malloc arena returned to the system (nothing where the C library cannot)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
