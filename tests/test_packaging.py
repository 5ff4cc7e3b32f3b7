"""The built wheel works outside the checkout: installed into a new environment, the job runs from
another folder and finds its view SQL, reference files and sample library inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).parent / "uv"  # installed into .venv by `make` (see the Makefile)


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow  # builds a wheel, installs it into a new environment and runs the job twice there
def test_the_wheel_installed_elsewhere_runs_the_job(tmp_path: Path) -> None:
    assert UV.exists(), f"uv not found at {UV}: run `make .venv/.installed` to install it into .venv"
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--disable-pip-version-check", "-w", str(wheels), str(PROJECT)], cwd=tmp_path)
    [wheel] = wheels.glob("dhr_etl-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([str(UV), "pip", "install", "--quiet", "--python", str(python),
          "-r", str(PROJECT / "requirements.lock"), str(wheel)], cwd=tmp_path, timeout=300)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DHR_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"DHR_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "dagster_home")}

    # The package imported there is the installed copy, not the checkout, and the Dagster code
    # location (`dagster dev -m dhr_etl.definitions`) loads from it.
    imported_from = _run([str(python), "-c", "import dhr_etl.definitions, dhr_etl; print(dhr_etl.__file__)"],
                         cwd=elsewhere, env=env).strip()
    assert Path(imported_from).is_relative_to(venv), imported_from

    _run([str(venv / "bin" / "dhr-etl"), "run"], cwd=elsewhere, env=env, timeout=180)

    counts = _run([str(python), "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
                   "print(con.execute('SELECT COUNT(*) FROM v_reviews').fetchone()[0], "
                   "con.execute('SELECT COUNT(*) FROM v_recommendations').fetchone()[0])",
                   str(tmp_path / "data" / "warehouse.duckdb")], cwd=elsewhere, env=env).split()
    # The bundled sample library holds 12 review pages (dhr_etl/sample/library/*.html), all parseable.
    assert int(counts[0]) == 12
    assert int(counts[1]) > 0
    assert (tmp_path / "data" / "release" / "datapackage.json").is_file()  # the open-data release, beside it

    # With no DAGSTER_HOME, the run history goes to ./dagster_home beside ./data, not into site-packages.
    del env["DAGSTER_HOME"]
    _run([str(venv / "bin" / "dhr-etl"), "run", "--force"], cwd=elsewhere, env=env, timeout=180)
    assert (elsewhere / "dagster_home").is_dir()
    assert not list(venv.glob("lib/python*/site-packages/dagster_home"))
