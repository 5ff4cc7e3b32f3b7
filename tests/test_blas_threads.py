"""OpenBLAS's idle worker threads sleep instead of spinning (dhr_etl/__init__.py): a process that
imports dhr_etl burns no CPU between matrix products, and the setting is in place before numpy
loads OpenBLAS. Spinning cost ~30 ms of a core after each product here (0.026-0.034 s of CPU over
a 0.5 s sleep after 20 products, against 0.000 with the setting)."""

from __future__ import annotations

import os
import subprocess
import sys

IDLE_AFTER_PRODUCTS = """
import sys, time, resource
import dhr_etl
assert "numpy" not in sys.modules, "importing dhr_etl loaded numpy before its OpenBLAS setting could apply"
import numpy as np
a = np.random.default_rng(0).standard_normal((1024, 256)).astype(np.float32)
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
idle = 0.0
for _ in range(5):
    for _ in range(10):
        a @ a.T
    before = cpu()
    time.sleep(0.1)
    idle += cpu() - before
print(idle)
"""


def _run(env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", IDLE_AFTER_PRODUCTS], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_a_process_that_imports_dhr_etl_burns_no_cpu_between_matrix_products() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    idle = float(_run(env))
    assert idle < 0.01, f"{idle:.3f} s of CPU while sleeping: OpenBLAS's threads spin"


def test_a_timeout_already_in_the_environment_is_kept() -> None:
    env = {**os.environ, "OPENBLAS_THREAD_TIMEOUT": "10"}
    out = subprocess.run([sys.executable, "-c", "import os, dhr_etl; print(os.environ['OPENBLAS_THREAD_TIMEOUT'])"],
                         env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == "10"
