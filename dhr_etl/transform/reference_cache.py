"""Data built from the reference files alone, kept on disk so that a new process reads it instead
of building it again: the catalogue of bodies (:mod:`dhr_etl.transform.catalogue_cache`, ~1.1 s to
build) and the theme examples' weights (:func:`dhr_etl.transform.theme_examples.theme_examples`,
~0.1 s).

A file's name holds a digest of everything the build depends on: every reference file, and the
code that builds it (the given module and every project module it imports), so a changed reference
file or changed code is never answered by a stale value. A file that cannot be read (cut short,
written by another version of Python's pickle, not the kind of value expected) is ignored and
rebuilt; a cache that cannot be written only costs the next process a build. Files are written
atomically and older ones of the same name removed, so the folder holds one of each.

Reading a pickle runs what it says, so the folder (DHR_CACHE_DIR, by default the data folder's
``cache/``) is trusted as the data folder is: only dhr-etl's user may write there (the landing zone
and the warehouse it publishes live in the data folder). Nothing derived from a library's pages
is kept here: only what the reference files and the code determine."""

from __future__ import annotations

import gc
import hashlib
import logging
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from dhr_etl.digests import folder_digest, module_digest
from dhr_etl.files import write_atomically

log = logging.getLogger(__name__)
T = TypeVar("T")


def cached(cache_dir: Path, name: str, reference_dir: Path, module: str, kind: type[T], build: Callable[[], T]) -> T:
    """The ``name`` value (of type ``kind``) from ``cache_dir`` when one built from these very
    reference files and ``module``'s code is there; otherwise ``build()``, kept there for the next process."""
    path = cache_path(cache_dir, name, reference_dir, module)
    value = _read(path, kind)
    if value is None:
        value = build()
        _write(path, value)
    return value


def cache_path(cache_dir: Path, name: str, reference_dir: Path, module: str) -> Path:
    key = hashlib.sha256(f"{folder_digest(reference_dir)} {module_digest(module)}".encode()).hexdigest()[:32]
    return cache_dir / f"{name}-{key}.pickle"


def _read(path: Path, kind: type[T]) -> T | None:
    collecting = gc.isenabled()
    gc.disable()  # unpickling the catalogue makes ~77,000 containers, none of them garbage: collecting meanwhile doubles the time
    try:
        with open(path, "rb") as handle:
            value = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with the file, building anew is the answer
        log.warning("cache file %s is unreadable (%s: %s); building it again", path, type(exc).__name__, exc)
        return None
    finally:
        if collecting:
            gc.enable()
    return value if isinstance(value, kind) else None


def _write(path: Path, value: object) -> None:
    try:
        write_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        name = path.name.rsplit("-", 1)[0]
        for older in path.parent.glob(f"{name}-*.pickle"):
            if older != path:
                older.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cache file %s could not be written (%s); the next process builds it again", path, exc)
