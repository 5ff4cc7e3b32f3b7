"""A dhr-etl process allocates from at most MALLOC_ARENAS malloc arenas (dhr_etl/__init__.py): the
models' worker threads each left an arena of freed memory behind, and a process that classified
and grouped again and again grew by ~150 MB a time. The arenas are counted by glibc's own report
(``malloc_info``: one ``<heap nr=...>`` per arena) after six threads allocate at once."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest

import dhr_etl

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc",
                                reason="arenas and MALLOC_ARENA_MAX are glibc's; this C library has neither")

SIX_THREADS_ALLOCATE = """
import ctypes, sys, threading
from concurrent.futures import ThreadPoolExecutor
import dhr_etl
import numpy as np
together = threading.Barrier(6)
def allocate(_):
    together.wait()  # all six allocate while the others hold their arenas
    held = [np.ones(4_000) for _ in range(200)]  # 32 kB each: below the mmap threshold, from an arena
    together.wait()
    return len(held)
with ThreadPoolExecutor(6) as pool:
    list(pool.map(allocate, range(6)))
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
report = libc.fopen(sys.argv[1].encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(report))
libc.fclose(ctypes.c_void_p(report))
"""


def _arenas(tmp_path: Path, env: dict[str, str]) -> int:
    report = tmp_path / "malloc_info.xml"
    subprocess.run([sys.executable, "-c", SIX_THREADS_ALLOCATE, str(report)], env=env, check=True, timeout=120)
    return len(re.findall(r"<heap nr=", report.read_text(encoding="utf-8")))


def test_six_threads_of_a_dhr_etl_process_share_at_most_its_arenas(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    arenas = _arenas(tmp_path, env)
    assert 1 <= arenas <= dhr_etl.MALLOC_ARENAS, f"{arenas} arenas for six threads: the cap did not apply"


def test_a_limit_already_in_the_environment_is_kept(tmp_path: Path) -> None:
    # glibc has read MALLOC_ARENA_MAX before any Python runs; dhr_etl leaves it as the user set it.
    arenas = _arenas(tmp_path, {**os.environ, "MALLOC_ARENA_MAX": "8"})
    assert arenas > dhr_etl.MALLOC_ARENAS, f"{arenas} arenas with MALLOC_ARENA_MAX=8: the user's limit was overridden"
