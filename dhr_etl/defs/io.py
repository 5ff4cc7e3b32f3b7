"""Where asset values live between steps: polars frames as Arrow IPC files, in the Dagster
instance's storage folder (where Dagster's own filesystem IO manager puts them).

Every asset value is a table (one output per table; the staged warehouse version is a frame of
its row counts), so that the UI shows each one's rows and columns, and any value is readable with
``pl.read_ipc`` by anyone, without this code. Anything else is refused rather than pickled.

Arrow files are also written from and read into a frame's own columns, where pickling first
serialises all of it into one bytes object and unpickling reads all of it back: two whole copies
of the largest frames (700,000 recommendations at 65,000 reviews) at the moments memory peaks.
"""

from __future__ import annotations

import dagster as dg
import polars as pl
from upath import UPath


class FrameFilesystemIOManager(dg.UPathIOManager):
    extension = ""  # one file per asset, named by its key, as Dagster's own filesystem IO manager does

    def dump_to_path(self, context: dg.OutputContext, obj: object, path: UPath) -> None:
        if not isinstance(obj, pl.DataFrame):
            raise TypeError(f"asset {context.asset_key.to_user_string()} returned a {type(obj).__module__}."
                            f"{type(obj).__qualname__}, and this IO manager stores polars DataFrames only "
                            "(as Arrow IPC files): return a frame, or a MaterializeResult for no value")
        obj.write_ipc(str(path))

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pl.DataFrame:
        return pl.read_ipc(str(path))


@dg.io_manager(description="polars frames as Arrow IPC files under $DAGSTER_HOME/storage; any other value is refused")
def frame_io_manager(context: dg.InitResourceContext) -> FrameFilesystemIOManager:
    return FrameFilesystemIOManager(base_path=UPath(context.instance.storage_directory()))
