"""Fixtures shared by the transform tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dhr_etl.resources import REFERENCE_DIR
from dhr_etl.transform import rules


@pytest.fixture
def reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the reference files that the builds and the caches' digests read, to change in a test."""
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, copy)
    monkeypatch.setattr(rules, "REFERENCE_DIR", copy)
    return copy


@pytest.fixture
def write_reference(reference: Path):  # noqa: ANN201
    """Writes one file of the reference copy (:func:`reference`), a comment line under its header as
    the shipped files have: ``write_reference(name, header, body)``."""
    def write(name: str, header: str, body: str) -> Path:
        path = reference / name
        path.write_text(f"{header}\n# a comment line\n{body}", encoding="utf-8")
        return path

    return write


@pytest.fixture
def overrides_file(request: pytest.FixtureRequest, write_reference):  # noqa: ANN001, ANN201
    """Writes the test module's overrides file (its OVERRIDES: file name and header) in the reference
    copy, empty to begin with: ``overrides_file(body, header=None)`` (another first line when given)."""
    name, default_header = request.module.OVERRIDES

    def write(body: str, header: str | None = None) -> Path:
        return write_reference(name, header or default_header, body)

    write("")
    return write
