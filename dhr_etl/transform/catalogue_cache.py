"""The built catalogue kept on disk, so that a new process reads it instead of building it again
(building normalises ~41,000 names: about 1.1 s, against a tenth of that to read).

The file's name holds a digest of everything the build depends on: every reference file, and the
code that builds it (this module, :mod:`dhr_etl.transform.catalogue` and every project module they
import), so a changed reference file or changed code is never answered by a stale catalogue. A
file that cannot be read (cut short, written by another version of Python's pickle, not a
catalogue) is ignored and rebuilt; a cache that cannot be written only costs the next process a
build. Files are written atomically and older catalogues removed, so the folder holds one.

Reading a pickle runs what it says, so the folder (DHR_CACHE_DIR, by default the data folder's
``cache/``) is trusted as the data folder is: only dhr-etl's user may write there (the landing zone
and the warehouse it publishes live in the data folder)."""

from __future__ import annotations

import gc
import hashlib
import logging
import pickle
from collections.abc import Callable
from pathlib import Path

from dhr_etl.digests import folder_digest, module_digest
from dhr_etl.files import write_atomically
from dhr_etl.transform.catalogue import Catalogue

log = logging.getLogger(__name__)
PATTERN = "catalogue-*.pickle"


def cached_catalogue(cache_dir: Path, reference_dir: Path, build: Callable[[], Catalogue]) -> Catalogue:
    """The catalogue from ``cache_dir`` when one built from these very reference files and code is
    there; otherwise ``build()``, kept there for the next process."""
    path = cache_path(cache_dir, reference_dir)
    catalogue = _read(path)
    if catalogue is None:
        catalogue = build()
        _write(path, catalogue)
    return catalogue


def cache_path(cache_dir: Path, reference_dir: Path) -> Path:
    key = hashlib.sha256(f"{folder_digest(reference_dir)} {module_digest(__name__)}".encode()).hexdigest()[:32]
    return cache_dir / PATTERN.replace("*", key)


def _read(path: Path) -> Catalogue | None:
    collecting = gc.isenabled()
    gc.disable()  # unpickling makes ~77,000 containers, none of them garbage: collecting meanwhile doubles the time
    try:
        with open(path, "rb") as handle:
            catalogue = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with the file, building anew is the answer
        log.warning("catalogue cache %s is unreadable (%s: %s); building the catalogue again", path,
                    type(exc).__name__, exc)
        return None
    finally:
        if collecting:
            gc.enable()
    return catalogue if isinstance(catalogue, Catalogue) else None


def _write(path: Path, catalogue: Catalogue) -> None:
    try:
        write_atomically(path, pickle.dumps(catalogue, protocol=pickle.HIGHEST_PROTOCOL))
        for older in path.parent.glob(PATTERN):
            if older != path:
                older.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("catalogue cache %s could not be written (%s); the next process builds it again", path, exc)
