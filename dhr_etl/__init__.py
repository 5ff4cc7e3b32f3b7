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

__version__ = "0.1.0"
