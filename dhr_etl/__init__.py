"""dhr-etl: Domestic Homicide Review recommendations, from the library pages to a warehouse."""

import os

# OpenBLAS (numpy's matrix products: repeat grouping's nearest wordings, the meaning vectors) keeps
# its worker threads spinning for 2^28 cycles after each product before they sleep: ~30 ms of a
# core each time, taken from polars' threads and from whatever else the machine runs. 2^4 cycles
# lets them sleep at once. It changes only how idle workers wait, not how a product is split
# between threads, so every result is the same to the bit (bench/same_outputs.py); at 650 reviews
# repeat grouping took 0.7-1.0 s instead of 1.2-2.2 s on a loaded machine (bench/FINDINGS.md).
# OpenBLAS reads it when numpy is first imported, so it is set here, before any module imports
# numpy; a value already in the environment is kept.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

MALLOC_ARENAS = 2
"""The malloc arenas (glibc) a dhr-etl process allocates from. glibc gives each thread that
allocates while another holds an arena one of its own, up to eight per core, and keeps what is freed
in it for that arena's next use: the worker threads of the models (a pool made for each step) each
left their arena full of freed memory that no later step used, and ``malloc_trim`` gave little of it
back. Classifying and grouping 5,000 realistic wordings again and again in one process grew by
~150 MB a time (355 -> 559 -> 744 -> 844 MiB), and ``bench/classify_scaling.py --labelled`` peaked
at 1,167 MiB at 50,000 (the issue's bound is 1 GiB). With two arenas set here the same repeats
held at ~245 MiB, the scaling run peaked at 871 MiB in the same time (68.6 s against 75.8 s, within
noise), and processing at 650 reviews took the same time (bench/FINDINGS.md, session 39). Two, as
the models work on at most two threads at once (:data:`dhr_etl.transform.threads.THREADS`)."""


def _cap_malloc_arenas() -> None:
    """Set glibc's M_ARENA_MAX to MALLOC_ARENAS before any thread allocates. Nothing where the C
    library is not glibc (no ``mallopt``), nor where the environment already sets
    ``MALLOC_ARENA_MAX`` (glibc has read it; a user's choice is kept)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    import ctypes  # noqa: PLC0415 - only here: the rest of the package does not need it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(-8, MALLOC_ARENAS)  # -8: M_ARENA_MAX in glibc's malloc.h


_cap_malloc_arenas()

__version__ = "0.1.0"
