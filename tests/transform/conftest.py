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
