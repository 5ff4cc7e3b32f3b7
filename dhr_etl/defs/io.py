"""Where asset values live between steps: polars frames as Arrow IPC files, anything else pickled,
in the Dagster instance's storage folder (where Dagster's own filesystem IO manager puts them).

Pickling a polars frame first serialises all of it into one bytes object in memory, and
unpickling reads all of it back before the frame is rebuilt: two whole copies of the largest
frames (700,000 recommendations at 65,000 reviews) at the moments memory peaks. Arrow files are
written from and read into the frame's own columns.
"""

from __future__ import annotations

import pickle
from typing import Any

import dagster as dg
import polars as pl
from upath import UPath

_ARROW_MAGIC = b"ARROW1"


class FrameFilesystemIOManager(dg.UPathIOManager):
    extension = ""  # one file per asset, named by its key, as Dagster's own filesystem IO manager does

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path: UPath) -> None:
        if isinstance(obj, pl.DataFrame):
            obj.write_ipc(str(path))
        else:
            with path.open("wb") as handle:
                pickle.dump(obj, handle, pickle.HIGHEST_PROTOCOL)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Any:
        with path.open("rb") as handle:
            is_arrow = handle.read(len(_ARROW_MAGIC)) == _ARROW_MAGIC
            if not is_arrow:
                handle.seek(0)
                return pickle.load(handle)
        return pl.read_ipc(str(path))


@dg.io_manager(description="polars frames as Arrow IPC files, other values pickled, under $DAGSTER_HOME/storage")
def frame_io_manager(context: dg.InitResourceContext) -> FrameFilesystemIOManager:
    return FrameFilesystemIOManager(base_path=UPath(context.instance.storage_directory()))
