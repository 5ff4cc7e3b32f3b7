"""The published DuckDB file opens in the DuckDB that BI tools' drivers and users' CLIs embed: 1.1
and 1.2 (installed from PyPI into throwaway environments) answer every view read-only, and the
README's `duckdb -readonly ...` command works as written with the CLI `pip install duckdb-cli` gives."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dhr_etl.pipeline import star_tables
from dhr_etl.settings import load_settings
from dhr_etl.warehouse import duckdb_store
from dhr_etl.warehouse.views import VIEW_NAMES

PROJECT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"  # installed into .venv by `make`
OLD_READERS = ["1.1.3", "1.2.2"]
COUNT_EVERY_VIEW = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({"version": duckdb.__version__,
                  "rows": {view: len(con.execute(f"SELECT * FROM {view}").fetchall()) for view in sys.argv[2:]}}))
"""


def throwaway_environment(folder: Path, *requirements: str) -> Path:
    """A new virtual environment in ``folder`` with ``requirements`` from PyPI; its bin/ folder."""
    assert UV.exists(), f"uv not found at {UV}: run `make .venv/.installed` to install it into .venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=60)
    subprocess.run([str(UV), "pip", "install", "--quiet", "--python", str(folder / "bin" / "python"), *requirements],
                   check=True, timeout=300)
    return folder / "bin"


@pytest.fixture(scope="module")
def published_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """<folder>/data/warehouse.duckdb: the bundled sample built and published as the nightly job does."""
    folder = tmp_path_factory.mktemp("published")
    target = folder / "data" / "warehouse.duckdb"
    tables = star_tables(load_settings({"DHR_DATA_DIR": str(folder / "data")}))
    duckdb_store.publish(duckdb_store.build_version(tables, target), target)
    return target


@pytest.mark.parametrize("version", OLD_READERS)
def test_an_old_duckdb_opens_the_published_file_and_answers_every_view(
        version: str, published_sample: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(published_sample), read_only=True) as con:  # this project's own DuckDB
        expected = {view: con.execute(f"SELECT COUNT(*) FROM {view}").fetchone()[0] for view in VIEW_NAMES}
    assert all(expected.values()), expected

    python = throwaway_environment(tmp_path / f"duckdb-{version}", f"duckdb=={version}") / "python"
    done = subprocess.run([str(python), "-c", COUNT_EVERY_VIEW, str(published_sample), *VIEW_NAMES],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["version"] == version
    assert answer["rows"] == expected


def readme_duckdb_command() -> str:
    """The README's DuckDB shell example, exactly as written (continuation lines joined)."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```sh\n(duckdb -readonly .*?)```", readme, re.DOTALL)
    return block.replace("\\\n", " ").strip()


def test_the_readmes_duckdb_cli_command_works_as_written(published_sample: Path, tmp_path: Path) -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert "pip install duckdb-cli" in readme  # the install the README tells a new machine to do
    command = readme_duckdb_command()
    bin_dir = throwaway_environment(tmp_path / "duckdb-cli", "duckdb-cli")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(shlex.split(command), cwd=published_sample.parent.parent, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with duckdb.connect(str(published_sample), read_only=True) as con:
        top_agency = con.execute("SELECT agency_name FROM v_agency_summary "
                                 "ORDER BY recommendations DESC LIMIT 1").fetchone()[0]
    assert top_agency in done.stdout
