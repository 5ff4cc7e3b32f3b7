"""The built catalogue kept on disk, so that a new process reads it instead of building it again
(building normalises ~41,000 names: about 1.1 s, against a tenth of that to read).

Kept by :mod:`dhr_etl.transform.reference_cache` under a digest of every reference file and of the
code that builds it (this module, :mod:`dhr_etl.transform.catalogue` and every project module they
import): a changed reference file or changed code is never answered by a stale catalogue, and an
unreadable file is rebuilt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dhr_etl.transform.catalogue import Catalogue
from dhr_etl.transform.reference_cache import cached


def cached_catalogue(cache_dir: Path, reference_dir: Path, build: Callable[[], Catalogue]) -> Catalogue:
    """The catalogue from ``cache_dir`` when one built from these very reference files and code is
    there; otherwise ``build()``, kept there for the next process."""
    return cached(cache_dir, "catalogue", reference_dir, __name__, Catalogue, build)
