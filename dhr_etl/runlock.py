"""One run at a time: OS advisory locks that a crashed run cannot leave held.

Two runs building at once into one warehouse destroyed the published version (issue 13). The data
directory holds what every run shares whatever the warehouse backend (the landing zone, the agency
registry, the record of the published version, the staged DuckDB file), and so does the Dagster
instance's folder (asset values between steps), so a run holds a lock file in each: ``run.lock``,
held with ``fcntl.flock``. The kernel releases it when the holding process dies, even by
``kill -9``, so there is no stale lock to clear by hand. The file also says who holds it (run id,
pid, start time, how the run was started) so that a refused run can name the one running.

The CLI takes the lock before it does anything else; a Dagster run takes it when its resources
start (``dhr_etl/defs/run_lock.py``), which covers runs from the UI and the schedule. A run the
CLI started executes in the CLI's own process, so taking the lock again there is a no-op
that only records the run id.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

LOCK_FILE = "run.lock"
DEFAULT_WAIT_SECONDS = 5.0
"""How long a second run waits for the first to finish before it refuses: long enough to ride out
a run that is just finishing, short enough that a scheduler or a person is not left hanging."""
_POLL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class RunHolder:
    """Who holds the lock, as written into the lock file."""

    pid: int
    started_at: str
    launched_by: str
    run_id: str | None = None

    def describe(self) -> str:
        run = f"run {self.run_id[:8]}" if self.run_id else "a run"
        return f"{run} (pid {self.pid}, started {self.started_at}, launched by {self.launched_by})"


class RunLocked(RuntimeError):
    """Another run holds the lock; the message names it in one sentence."""

    def __init__(self, lock_path: Path, holder: RunHolder | None, waited: float) -> None:
        self.holder = holder
        who = holder.describe() if holder else "another run (it has not said which yet)"
        super().__init__(f"another run holds the lock {lock_path}: {who}; waited {waited:g} s, "
                         "so this run did not start and the live warehouse is untouched")


@dataclass(frozen=True, slots=True)
class HeldLock:
    """The run lock as this run holds it."""

    holder: RunHolder
    crashed_holder: RunHolder | None
    """Whoever a lock file still named when the lock was taken: a holder that ended without
    releasing it, i.e. died (a clean release empties the file). Its run needs marking as failed."""


@dataclass
class _HeldFile:
    holder: RunHolder
    crashed_holder: RunHolder | None
    handle: object = field(repr=False)  # the open lock file; closing it releases the lock


_held_by_this_process: dict[Path, _HeldFile] = {}


def lock_path(directory: Path) -> Path:
    return directory / LOCK_FILE


def current_holder(directory: Path) -> RunHolder | None:
    """Who the lock file in ``directory`` says holds it; None if it says nothing readable."""
    return _read_holder(lock_path(directory))


@contextmanager
def hold_run_lock(directories: Sequence[Path], launched_by: str, run_id: str | None = None,
                  wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Iterator[HeldLock]:
    """Hold the run lock of each of ``directories`` (always in the order given) for the ``with``
    block, waiting up to ``wait_seconds`` in all for other runs to finish; raise :class:`RunLocked`
    naming the run in the way if one does not.

    Runs share state in two places, so a run locks both: the data directory (landing zone,
    registry, staged and live DuckDB file) and the Dagster instance's folder, where the IO manager
    keeps asset values by asset key (two runs on two data dirs and one DAGSTER_HOME read each
    other's staged versions) and where a fresh instance's SQLite storage is created."""
    deadline = time.monotonic() + wait_seconds
    with ExitStack() as stack:
        files = [stack.enter_context(_hold_file(lock_path(directory).resolve(), launched_by, run_id,
                                                max(deadline - time.monotonic(), 0.0)))
                 for directory in directories]
        yield HeldLock(files[0].holder, next((f.crashed_holder for f in files if f.crashed_holder), None))


@contextmanager
def _hold_file(path: Path, launched_by: str, run_id: str | None, wait_seconds: float) -> Iterator[_HeldFile]:
    mine = _held_by_this_process.get(path)
    if mine is not None:  # the CLI holds it and is now executing the run it started
        if run_id:
            mine.holder = RunHolder(mine.holder.pid, mine.holder.started_at, mine.holder.launched_by, run_id)
            _write_holder(mine.handle, mine.holder)
        yield mine
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Opened without truncating: the file is the holder's until the lock is ours. Never replaced
    # or deleted either, since a lock lives on the file's inode.
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed when the lock is released
    try:
        _acquire(handle, path, wait_seconds)
        held = _HeldFile(RunHolder(os.getpid(), _now(), launched_by, run_id), _read_holder(path), handle)
        _write_holder(handle, held.holder)
        _held_by_this_process[path] = held
        try:
            yield held
        finally:
            del _held_by_this_process[path]
            handle.truncate(0)  # released cleanly: the next holder finds nothing to clear up after
    finally:
        handle.close()  # releases the lock


def _acquire(handle, path: Path, wait_seconds: float) -> None:  # noqa: ANN001
    started = time.monotonic()
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            waited = time.monotonic() - started
            if waited >= wait_seconds:
                raise RunLocked(path, current_holder(path.parent), round(waited, 1)) from None
            time.sleep(min(_POLL_SECONDS, max(wait_seconds - waited, 0.01)))


def _read_holder(path: Path) -> RunHolder | None:
    try:
        return RunHolder(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None  # empty (released cleanly), missing, or caught half-written by its holder


def _write_holder(handle, holder: RunHolder) -> None:  # noqa: ANN001
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(asdict(holder)))
    handle.flush()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
