"""Data built from the reference files alone, kept in the data folder's cache
(dhr_etl/transform/reference_cache.py): the theme examples' weights. Read by a later process
instead of built, never stale when a reference file changes, rebuilt when unreadable.
(The catalogue, kept the same way: tests/transform/test_catalogue_cache.py.)"""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import polars as pl
import pytest

from dhr_etl.transform import theme_examples as examples_module
from dhr_etl.transform.theme_examples import Examples

uncached = examples_module.theme_examples.__wrapped__  # as a new process calls it: nothing kept in memory


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Examples]:
    """Every set of examples read and weighed from the reference file (rather than from the cache)."""
    built: list[Examples] = []
    read = examples_module.read_examples

    def counted(lines: list[str]) -> Examples:
        built.append(read(lines))
        return built[-1]

    monkeypatch.setattr(examples_module, "read_examples", counted)
    return built


def _same(a: Examples, b: Examples) -> bool:
    """The same rows (``idf`` is a group-by's, whose row order varies from one build to the next) and
    the same weights of every example (``by_feature``, entry by entry)."""
    frames = all(getattr(a, f).sort(pl.all()).equals(getattr(b, f).sort(pl.all())) for f in ("columns", "idf", "themes", "ids"))
    return frames and a.by_feature.shape == b.by_feature.shape and (a.by_feature != b.by_feature).nnz == 0


def test_a_later_process_reads_the_examples_an_earlier_one_weighed(tmp_path: Path, reference: Path,
                                                                   builds: list[Examples]) -> None:
    first = uncached(tmp_path / "cache")
    assert len(builds) == 1 and len(list((tmp_path / "cache").glob("theme_examples-*.pickle"))) == 1
    later = uncached(tmp_path / "cache")
    assert len(builds) == 1  # read, not built
    assert later is not first and _same(later, first)
    assert _same(later, uncached())  # what reading the reference file gives
    assert later.ids["example_id"][0] == "themes_dev/t0001"


def test_a_changed_examples_file_is_never_answered_from_the_cache(tmp_path: Path, reference: Path,
                                                                   builds: list[Examples]) -> None:
    cache = tmp_path / "cache"
    before = uncached(cache)
    assert before.themes.filter(before.themes["example"] == 0)["theme"].to_list() == ["identification of risk", "training"]
    path = reference / "theme_examples.csv.gz"
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    path.write_bytes(gzip.compress(text.replace("themes_dev/t0001,identification of risk | training,",
                                                "themes_dev/t0001,policy,", 1).encode("utf-8")))
    changed = uncached(cache)
    assert len(builds) == 2
    assert changed.themes.filter(changed.themes["example"] == 0)["theme"].to_list() == ["policy"]
    assert len(list(cache.glob("theme_examples-*.pickle"))) == 1  # the stale one is removed


@pytest.mark.parametrize("damage", ["cut short", "not a pickle", "another kind of value"])
def test_an_unreadable_cache_file_is_rebuilt_and_replaced(tmp_path: Path, reference: Path, builds: list[Examples],
                                                          damage: str) -> None:
    cache = tmp_path / "cache"
    uncached(cache)
    (path,) = cache.glob("theme_examples-*.pickle")
    if damage == "another kind of value":
        path.write_bytes(pickle.dumps({"a": 1}))
    else:
        path.write_bytes(path.read_bytes()[:1000] if damage == "cut short" else b"not a pickle at all")
    rebuilt = uncached(cache)
    assert len(builds) == 2 and _same(rebuilt, builds[0])
    uncached(cache)
    assert len(builds) == 2  # the replaced file is read


def test_a_cache_that_cannot_be_written_costs_only_a_build(tmp_path: Path, reference: Path, builds: list[Examples]) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    assert uncached(tmp_path / "cache").ids.height == len(builds[0].ids)
    assert len(builds) == 1
