"""Where the files shipped inside the package are: the view SQL, the curated reference files and
the bundled sample library. One way to find them, wherever dhr-etl is installed (a checkout, an
editable install, a wheel in site-packages, a container image)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def packaged_path(*parts: str) -> Path:
    """A file or folder inside the installed ``dhr_etl`` package, as a path on disk.

    importlib.resources finds the package wherever it was installed from; the result must be a real
    path because the sample library is served and crawled as a folder, and DuckDB and the landing
    zone take paths. A zipped install (zipimport) is refused with a clear message instead of
    failing later on a missing file."""
    resource = files("dhr_etl").joinpath(*parts)
    if not isinstance(resource, Path):
        raise RuntimeError(f"dhr_etl/{'/'.join(parts)} is not on disk ({resource!r}); dhr-etl must be installed "
                           "as files (pip install of the wheel or the source tree), not imported from a zip")
    return resource


PACKAGE_DIR = packaged_path()
REFERENCE_DIR = packaged_path("reference")
"""The curated CSV files (their subfolders bodies/ and geography/ included)."""
SQL_DIR = packaged_path("sql")
"""One portable view definition per file, applied in file-name order."""
SAMPLE_LIBRARY_DIR = packaged_path("sample", "library")
"""The bundled sample library: saved review pages the job runs on when no source is configured."""
