"""The built catalogue kept in the data folder's cache: read by a later process instead of built,
never stale when a reference file or the code that builds it changes, rebuilt when unreadable."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from dhr_etl import digests
from dhr_etl.resources import PACKAGE_DIR
from dhr_etl.transform import catalogue as catalogue_module
from dhr_etl.transform.catalogue import Catalogue, key_of, load_catalogue

uncached = load_catalogue.__wrapped__  # as a new process calls it: nothing kept in memory


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Catalogue]:
    """Every catalogue built from the reference files (rather than read from the cache)."""
    built: list[Catalogue] = []
    build = catalogue_module.catalogue_from_reference

    def counted() -> Catalogue:
        built.append(build())
        return built[-1]

    monkeypatch.setattr(catalogue_module, "catalogue_from_reference", counted)
    return built


@pytest.fixture
def reference(reference: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared copy of the reference files (tests/transform/conftest.py), read by the catalogue's build too."""
    monkeypatch.setattr(catalogue_module, "REFERENCE_DIR", reference)
    return reference


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Catalogue]:
    """A cache folder as a first run leaves it, and the catalogue that run built."""
    cache = tmp_path_factory.mktemp("earlier") / "cache"
    return cache, uncached(cache)


def cache_as_left(earlier_run: tuple[Path, Catalogue], tmp_path: Path) -> Path:
    shutil.copytree(earlier_run[0], tmp_path / "cache")
    return tmp_path / "cache"


def test_a_later_process_reads_the_catalogue_an_earlier_one_built(earlier_run, tmp_path: Path,  # noqa: ANN001
                                                                  builds: list) -> None:
    assert len(list(earlier_run[0].glob("catalogue-*.pickle"))) == 1
    read = uncached(cache_as_left(earlier_run, tmp_path))
    assert builds == []
    assert read is not earlier_run[1] and read.bodies == earlier_run[1].bodies and read.by_key == earlier_run[1].by_key
    assert [b.name for b in read.bodies_named(key_of("Kent Constabulary"))] == ["Kent Police"]


def test_the_catalogue_read_carries_its_index_of_misspellings(earlier_run, tmp_path: Path,  # noqa: ANN001
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Built with the catalogue and kept with it: a later process reads misspelt names right
    without building the index again."""
    read = uncached(cache_as_left(earlier_run, tmp_path))

    def not_again(catalogue: Catalogue) -> None:
        raise AssertionError("the index of misspellings was built again")

    monkeypatch.setattr(catalogue_module, "defaultdict", not_again)  # what building the index starts with
    assert [read.bodies[b].name for b in read.typo_bodies("Merseyside Polcie")] == ["Merseyside Police"]


def test_a_changed_reference_file_is_never_answered_from_the_cache(earlier_run, tmp_path: Path,  # noqa: ANN001
                                                                  reference: Path, builds: list) -> None:
    cache = cache_as_left(earlier_run, tmp_path)
    assert uncached(cache).bodies_named(key_of("Kent Bobbies")) == [] and builds == []  # same files: read
    police = reference / "bodies" / "police_forces.csv"
    police.write_text(police.read_text(encoding="utf-8").replace("| Kent Police Force,", "| Kent Police Force | Kent Bobbies,"),
                      encoding="utf-8")
    changed = uncached(cache)
    assert [b.name for b in changed.bodies_named(key_of("Kent Bobbies"))] == ["Kent Police"]
    assert len(builds) == 1
    assert len(list(cache.glob("catalogue-*.pickle"))) == 1  # the stale one is removed


@pytest.mark.parametrize("damage", ["cut short", "not a pickle"])
def test_an_unreadable_cache_is_rebuilt_and_replaced(earlier_run, tmp_path: Path, builds: list,  # noqa: ANN001
                                                     damage: str) -> None:
    (path,) = cache_as_left(earlier_run, tmp_path).glob("catalogue-*.pickle")
    path.write_bytes(path.read_bytes()[:1000] if damage == "cut short" else b"not a pickle at all")
    rebuilt = uncached(path.parent)
    assert [b.name for b in rebuilt.bodies_named(key_of("Kent Constabulary"))] == ["Kent Police"]
    assert len(builds) == 1
    uncached(path.parent)
    assert len(builds) == 1  # the replaced file is read


def test_a_cache_that_cannot_be_written_costs_only_a_build(tmp_path: Path, builds: list) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    assert [b.name for b in uncached(tmp_path / "cache").bodies_named(key_of("Kent Constabulary"))] == ["Kent Police"]
    assert len(builds) == 1


def test_the_digest_follows_the_code_that_builds_the_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "dhr_etl"
    shutil.copytree(PACKAGE_DIR, package, ignore=shutil.ignore_patterns("sample", "reference", "__pycache__", "*.csv"))
    monkeypatch.setattr(digests, "PACKAGE_DIR", package)
    module = "dhr_etl.transform.catalogue_cache"

    def digest() -> str:
        digests.module_digest.cache_clear()
        return digests.module_digest(module)

    before = digest()
    with open(package / "transform" / "themes.py", "a", encoding="utf-8") as unrelated:
        unrelated.write("\n# not used by the catalogue\n")
    assert digest() == before
    with open(package / "transform" / "names.py", "a", encoding="utf-8") as imported:  # reached through catalogue.py
        imported.write("\n# changes what a name normalises to\n")
    assert digest() != before
    digests.module_digest.cache_clear()


def test_csps_are_placed_with_the_geography_the_catalogue_was_built_with() -> None:
    """A catalogue read from the cache brings its geography: the pipeline places CSPs with it
    rather than building another."""
    from dhr_etl.pipeline import resolve_csp_names
    from dhr_etl.transform.catalogue import build_catalogue
    from dhr_etl.transform.geography import Csp, Geography, LocalAuthority

    council = LocalAuthority("Nowhereshire", "Nowhereshire Council", "unitary", "", "South East", "Kent",
                             "Kent and Medway", "Kent, Surrey and Sussex", "", "current", "", ())
    csp = Csp("nowhereshire", "Nowhereshire", "South East", "Kent", ("Nowhereshire",), "Kent and Medway",
              "Kent, Surrey and Sussex")
    catalogue = build_catalogue({}, Geography({csp.csp_id: csp}, {council.la_name: council}))
    reviews = pl.DataFrame({"review_id": ["r0"], "csp_printed": ["Nowhereshire"]})
    placed, _ = resolve_csp_names(reviews, catalogue)
    assert placed.select("csp_name", "police_force_area").rows() == [("Nowhereshire", "Kent")]
    assert resolve_csp_names(reviews)[0]["police_force_area"].to_list() == [None]  # the reference has no such CSP
