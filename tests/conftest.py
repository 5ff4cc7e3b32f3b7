"""Shared fixtures: the reference page, an isolated data directory, a local library site."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from dhr_etl.sample.site import LibrarySite, Page
from dhr_etl.settings import SAMPLE_LIBRARY_DIR

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE_ID = "647f1570-nuneaton-and-bedworth"
# The real page in HTML ships in the sample library; its saved text rendition is a test fixture.
REFERENCE_HTML = SAMPLE_LIBRARY_DIR / f"{REFERENCE_ID}.html"
REFERENCE_TEXT = FIXTURES / "pages" / f"{REFERENCE_ID}.txt"
REFERENCE_URL = f"https://www.accountabilityindex.uk/sources/dhr/{REFERENCE_ID}/"
SAMPLE_PER_PAGE = 4
"""Reviews per listing page of the sample library as the tests' sites serve it (three listing pages)."""


# Where the machine has a RAM-backed /dev/shm (Linux), temporary files go there unless TMPDIR says
# otherwise: every run commits ~450 times to a Dagster instance's SQLite files and DuckDB checkpoints
# its warehouse, each an fsync on a disk but not on tmpfs. Measured here under load: one nightly run
# 32-51 s on /tmp, 17 s on /dev/shm. Set before pytest picks its base temporary folder (and before
# xdist starts its workers), so tmp_path, instance_for_test and every child process follow it.
RAM_DISK = Path("/dev/shm")


def pytest_configure(config: pytest.Config) -> None:
    import os
    import tempfile

    if "TMPDIR" not in os.environ and RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK | os.X_OK):
        os.environ["TMPDIR"] = str(RAM_DISK)
        tempfile.tempdir = None  # forget a folder chosen before the variable was set


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests marked slow (each tens of seconds) first, the rest in their usual order after them:
    xdist hands tests out in this order, so the long ones start early on every worker instead of one
    of them arriving last and running alone while the other workers sit idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # a stable sort


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One DHR_CACHE_DIR for the whole session, shared by the xdist workers (their base folders
    have one parent per session): the catalogue of bodies, built from the reference files alone,
    is built once instead of in every test's new data directory (~1.5 s of CPU each). Its files are
    written atomically, so workers may share it. Tests of the cache itself use folders of their own."""
    import os

    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-cache"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_cache_dir: Path) -> Path:
    """Every test gets its own data directory and none of the caller's DHR_* settings (but the
    session's cache of what is rebuilt from the reference files)."""
    import os

    for name in list(os.environ):
        if name.startswith("DHR_") and name != "DHR_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("DHR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DHR_CACHE_DIR", str(shared_cache_dir))
    return data_dir


def environment_without_settings() -> dict[str, str]:
    """This process's environment without its DHR_* settings, for a child process that is given
    its own: but for the session's DHR_CACHE_DIR, which holds nothing a test chooses."""
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("DHR_") or k == "DHR_CACHE_DIR"}


@pytest.fixture
def data_dir(isolated_environment: Path) -> Path:
    return isolated_environment


@pytest.fixture
def sample_site() -> Iterator[LibrarySite]:
    """The bundled sample library served over real HTTP on 127.0.0.1, four reviews per listing page."""
    with LibrarySite(SAMPLE_LIBRARY_DIR, per_page=SAMPLE_PER_PAGE) as site:
        yield site


FAST_CRAWL = {"DHR_REQUESTS_PER_SECOND": "20", "DHR_MAX_CONCURRENCY": "4", "DHR_TIMEOUT_SECONDS": "5"}
"""Politeness limits raised for a local site, so tests do not wait on the rate limiter."""


@pytest.fixture
def fast_crawl(monkeypatch: pytest.MonkeyPatch) -> None:
    """FAST_CRAWL in this test's environment."""
    for name, value in FAST_CRAWL.items():
        monkeypatch.setenv(name, value)


@contextmanager
def throwaway_instance():  # noqa: ANN201 - a dagster.DagsterInstance
    """A Dagster instance for one test: an ephemeral one (run and event storage in memory, asset
    values in a temporary folder), as no test needs its history once it ends. The SQLite instance
    a deployment uses costs about a second more per run in writes; it stays under test in every
    real `dhr-etl` process (tests/test_cli.py, tests/hostile/test_hostile_runs.py and others) and
    in the webserver's (tests/test_ui.py)."""
    import tempfile

    import dagster as dg

    with tempfile.TemporaryDirectory() as folder, dg.DagsterInstance.ephemeral(tempdir=folder) as instance:
        yield instance


def run_nightly(raise_on_error: bool = False):
    """Materialise the whole nightly job in-process, in a throwaway Dagster instance."""
    from dhr_etl.definitions import defs

    with throwaway_instance() as instance:
        return defs.resolve_job_def("nightly").execute_in_process(instance=instance, raise_on_error=raise_on_error)


@dataclass(frozen=True)
class NightlyRun:
    """One nightly run of the bundled sample library, served over HTTP as ``sample_site`` serves it."""
    result: object  # dagster.ExecuteInProcessResult; its outputs load while the session lasts
    site: LibrarySite
    data_dir: Path
    storage_dir: Path
    """Where the run's instance keeps asset values (the IO manager's folder)."""

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"


@pytest.fixture(scope="session")
def nightly_sample(tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path) -> Iterator[NightlyRun]:
    """The nightly job run once per session on the sample library, for the tests that only read what
    it produced: its warehouse, report, events and outputs. A test that changes anything (the site,
    the warehouse) copies what it changes, or runs its own job. Under pytest-xdist each worker is a
    session: with ``make test``'s four workers it runs at most four times, instead of once per test."""
    import os

    from dhr_etl.definitions import defs

    data_dir = tmp_path_factory.mktemp("nightly_sample") / "data"
    with LibrarySite(SAMPLE_LIBRARY_DIR, per_page=SAMPLE_PER_PAGE) as site, throwaway_instance() as instance:
        with pytest.MonkeyPatch.context() as env:  # the job reads its settings from the environment
            for name in [n for n in os.environ if n.startswith("DHR_") and n != "DHR_TEST_POSTGRES_URL"]:
                env.delenv(name)
            env.setenv("DHR_DATA_DIR", str(data_dir))
            env.setenv("DHR_CACHE_DIR", str(shared_cache_dir))
            env.setenv("DHR_SOURCE", site.base_url)
            for name, value in FAST_CRAWL.items():
                env.setenv(name, value)
            result = defs.resolve_job_def("nightly").execute_in_process(instance=instance, raise_on_error=False)
        assert result.success, failure_messages(result)
        yield NightlyRun(result, site, data_dir, Path(instance.storage_directory()))


@pytest.fixture(scope="session")
def sample_star(tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path) -> dict:
    """Every table of a warehouse version of the bundled sample, through the pure pipeline code (no
    Dagster), built once per session (per xdist worker) for the tests that load or read it: polars
    frames never change in place, and each test takes a dict of its own (``dict(sample_star)``)."""
    from dhr_etl.pipeline import star_tables
    from dhr_etl.settings import load_settings

    # As a test's own call would see it under isolated_environment: no DHR_* but a data directory.
    return star_tables(load_settings({"DHR_DATA_DIR": str(tmp_path_factory.mktemp("sample_star") / "data"),
                                      "DHR_CACHE_DIR": str(shared_cache_dir)}))


@dataclass(frozen=True)
class FirstRun:
    """A first ``dhr-etl run`` of the bundled sample from a site this worker keeps for the session."""
    site: LibrarySite
    pages: dict[str, Page]
    """The pages as that run fetched them."""
    data_dir: Path
    home: Path
    stdout: str
    """What the run printed: its summary."""


@pytest.fixture(scope="session")
def first_run(tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path) -> Iterator[FirstRun]:
    folder = tmp_path_factory.mktemp("first_run")
    with LibrarySite(SAMPLE_LIBRARY_DIR, per_page=SAMPLE_PER_PAGE) as site:
        env = {**environment_without_settings(), "DHR_SOURCE": site.base_url, "DHR_DATA_DIR": str(folder / "data"),
               "DHR_CACHE_DIR": str(shared_cache_dir), "DAGSTER_HOME": str(folder / "dagster_home"),
               **FAST_CRAWL}
        done = subprocess.run([sys.executable, "-m", "dhr_etl.cli", "run"], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        yield FirstRun(site, site.snapshot(), folder / "data", folder / "dagster_home", done.stdout)


@pytest.fixture
def after_a_first_run(first_run: FirstRun, data_dir: Path, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> Iterator[LibrarySite]:
    """The sample site, the published warehouse and the Dagster history (one successful run) that a
    first ``dhr-etl run`` leaves, in this test's data directory and DAGSTER_HOME ``tmp_path /
    "dagster_home"``: copied from one such run per session (per xdist worker) instead of a run of its
    own, with the site restored to what that run fetched (same address, pages and dates)."""
    shutil.copytree(first_run.data_dir, data_dir, symlinks=True)
    shutil.copytree(first_run.home, tmp_path / "dagster_home", symlinks=True)
    first_run.site.restore(first_run.pages, SAMPLE_PER_PAGE)
    monkeypatch.setenv("DHR_SOURCE", first_run.site.base_url)
    yield first_run.site
    first_run.site.restore(first_run.pages, SAMPLE_PER_PAGE)


def copy_of_published_warehouse(nightly: NightlyRun, data_dir: Path) -> Path:
    """The shared run's warehouse copied to where ``data_dir``'s runs publish: a previous version for
    a test to change or to check that a failed run leaves alone."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(nightly.warehouse, data_dir / "warehouse.duckdb"))


def query(path: Path, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def orphan_a_csp(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault in the data, not the machinery: every version built loses a CSP its reviews point at,
    so it fails the blocking check no_orphan_rows."""
    import dhr_etl.pipeline as pipeline

    real_build_star = pipeline.build_star

    def build_star_with_an_orphan(*args):
        tables = real_build_star(*args)
        tables["dim_csp"] = tables["dim_csp"].head(len(tables["dim_csp"]) - 1)
        return tables

    monkeypatch.setattr(pipeline, "build_star", build_star_with_an_orphan)


def failure_messages(result) -> str:
    return "\n".join(
        str(event.step_failure_data.error.message) + str(event.step_failure_data.error.cause or "")
        for event in result.all_events if event.is_step_failure
    )


def crawl(monkeypatch: pytest.MonkeyPatch, site: LibrarySite):
    """Discover and land the site's pages once, as the nightly job does: (landing, records by id, stats)."""
    from dhr_etl.settings import load_settings
    from dhr_etl.source.crawl import discover_reviews, land_pages
    from dhr_etl.source.landing import LandingZone

    monkeypatch.setenv("DHR_SOURCE", site.base_url)
    settings = load_settings()
    landing = LandingZone(settings.landing_dir)
    frame, _, _ = discover_reviews(settings, progress=lambda _: None)
    runs = len(list(landing.fetches.glob("*.jsonl"))) if landing.fetches.exists() else 0
    records, stats = land_pages(settings, frame, landing, f"run{runs:04d}", progress=lambda _: None)
    return landing, {r.review_id: r for r in records}, stats


def page_requests(site: LibrarySite, review_id: str = "") -> list:
    """Requests for review pages (not listings), optionally for one review."""
    return [r for r in site.requests_to("/sources/dhr/" + review_id) if "?" not in r.path and r.path != "/sources/dhr/"]


# -- PostgreSQL: a real server for the tests ---------------------------------------------------

@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A server URL without a database: DHR_TEST_POSTGRES_URL if set, else a throwaway cluster."""
    import os

    from dhr_etl.sample.postgres_cluster import NoPostgres, throwaway_cluster

    given = os.environ.get("DHR_TEST_POSTGRES_URL")
    if given:
        yield given.rsplit("/", 1)[0] + "/"
        return
    try:
        with throwaway_cluster() as url:
            yield url
    except NoPostgres as exc:
        pytest.skip(f"{exc}; or set DHR_TEST_POSTGRES_URL to run the PostgreSQL tests")


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database for one test."""
    import uuid

    from dhr_etl.sample.postgres_cluster import create_database

    return create_database(postgres_server, f"dhr_test_{uuid.uuid4().hex[:10]}")
