"""Digests that say when something derived must be rebuilt: of a folder's files, and of a module's
code together with every ``dhr_etl`` module it imports (directly or through others), for caches
that only that code decides (the built catalogue). :func:`dhr_etl.changes.code_digest` is the
coarser one for the whole package, which decides whether a quiet night rebuilds the warehouse."""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path

from dhr_etl.resources import PACKAGE_DIR

PACKAGE = "dhr_etl"
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(dhr_etl[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)|import[ \t]+(dhr_etl[\w.]*))",
                     re.MULTILINE)
"""``from dhr_etl.x import a, b`` (one line or in parentheses) and ``import dhr_etl.x``, at any depth."""


def folder_digest(folder: Path) -> str:
    """sha256 over every file under ``folder``: its path relative to the folder and its bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def module_digest(module: str) -> str:
    """sha256 over the source of ``module`` and of each ``dhr_etl`` module it imports, at any
    depth, wherever the import statement is (a function-level import counts too), plus the Python
    version (name normalisation depends on its Unicode tables). Cached: code does not change while
    a process runs."""
    digest = hashlib.sha256(f"{sys.version_info[:2]} unicode {unicodedata.unidata_version}".encode())
    for name, path in sorted(_modules_imported(module).items()):
        digest.update(name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _modules_imported(module: str) -> dict[str, Path]:
    """``module`` and every project module it reaches by imports → its source file. Import lines
    are found by a pattern, not by parsing (a third of the cost of a cache hit when parsed): a
    line in a docstring that reads like an import only adds a file to the digest, which is safe."""
    found: dict[str, Path] = {}
    pending = [module]
    while pending:
        name = pending.pop()
        path = _source_of(name) if name not in found else None
        if path is None:  # seen, or "from dhr_etl.x import some_function": a name, not a module
            continue
        found[name] = path
        for source, names, imported in _IMPORT.findall(path.read_text(encoding="utf-8")):
            if imported:
                pending.append(imported)
            else:
                pending += [source] + [f"{source}.{word}" for word in re.findall(r"\w+", names)]
    return found


def _source_of(module: str) -> Path | None:
    base = PACKAGE_DIR.parent.joinpath(*module.split("."))
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)
