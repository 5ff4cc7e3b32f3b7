"""Configuration from the environment, validated once, with errors that say what is accepted."""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dhr_etl.resources import PACKAGE_DIR, SAMPLE_LIBRARY_DIR
from dhr_etl.source.urls import MAX_URL_LENGTH, is_saved_review_page

PROJECT_DIR = PACKAGE_DIR.parent

LIVE_LIBRARY_URL = "https://www.accountabilityindex.uk/sources/dhr/"
DEFAULT_USER_AGENT = "dhr-etl/0.1 (+https://github.com/dhr-etl/dhr-etl; nightly DHR recommendations index)"
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")


class SettingsError(ValueError):
    """A configuration value is wrong; the message names the variable, the value and what is accepted."""


@dataclass(frozen=True, slots=True)
class Settings:
    source: str
    """A base URL (``https://…/sources/dhr/``) or an absolute path to a folder of saved pages."""
    data_dir: Path
    cache_dir: Path
    """What can be rebuilt from the code and reference files at any time (the built catalogue of
    bodies): one folder may serve every data directory on a machine."""
    warehouse_url: str
    max_concurrency: int
    requests_per_second: float
    user_agent: str
    timeout_seconds: float
    max_page_bytes: int
    max_listing_pages: int
    max_sitemap_entries: int
    max_wait_seconds: float
    """Budget for all back-off and Retry-After sleeping in one run; past it, failing pages fail."""
    schedule_timezone: str
    check_every: str
    """How often the source_changes sensor asks the source whether anything changed: "30m", "1h"."""
    bi_role: str
    """PostgreSQL role that BI tools log in as; granted SELECT on the views of every new version."""

    @property
    def source_is_url(self) -> bool:
        return self.source.startswith(("http://", "https://"))

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def is_duckdb(self) -> bool:
        return self.warehouse_url.startswith("duckdb:///")

    @property
    def check_every_seconds(self) -> int:
        return _interval_seconds(self.check_every)


# name → (default, description of what is accepted); the README's configuration table mirrors this.
VARIABLES: dict[str, tuple[str, str]] = {
    "DHR_SOURCE": ("the bundled sample library",
                   "an http(s) base URL ending in '/' without user name or password, or a folder of saved "
                   ".html/.txt pages"),
    "DHR_DATA_DIR": ("./data", "a folder path this process can write to; created if missing"),
    "DHR_CACHE_DIR": ("<DHR_DATA_DIR>/cache", "a folder path this process can write to; created if missing"),
    "DHR_WAREHOUSE_URL": ("duckdb:///<DHR_DATA_DIR>/warehouse.duckdb",
                          "duckdb:///<path to file>, or postgresql+psycopg://user@host:port/database "
                          "(password in PGPASSWORD or the URL)"),
    "DHR_MAX_CONCURRENCY": ("2", "a whole number from 1 to 16"),
    "DHR_REQUESTS_PER_SECOND": ("2", "a number greater than 0 and at most 20"),
    "DHR_USER_AGENT": (DEFAULT_USER_AGENT, "printable ASCII text of at most 500 characters naming the crawler "
                                           "and a contact URL"),
    "DHR_TIMEOUT_SECONDS": ("30", "a number of seconds from 1 to 300"),
    "DHR_MAX_PAGE_BYTES": ("5000000", "a whole number of bytes from 10000 to 100000000"),
    "DHR_MAX_LISTING_PAGES": ("200", "a whole number from 1 to 10000"),
    "DHR_MAX_SITEMAP_ENTRIES": ("50000", "a whole number from 1 to 1000000"),
    "DHR_MAX_WAIT_SECONDS": ("600", "a number of seconds from 0 to 7200"),
    "DHR_SCHEDULE_TIMEZONE": ("Europe/London", "an IANA time zone name such as Europe/London"),
    "DHR_CHECK_EVERY": ("1h", "a whole number of minutes or hours from 5m to 24h, such as 30m or 1h"),
    "DHR_BI_ROLE": ("dhr_bi", "a PostgreSQL role name: lower-case letters, digits and _"),
}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every variable; raise :class:`SettingsError` on the first bad one."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    data_dir = _writable_folder("DHR_DATA_DIR", get("DHR_DATA_DIR"), Path("data"))
    return Settings(
        source=_source(get("DHR_SOURCE")),
        data_dir=data_dir,
        cache_dir=_writable_folder("DHR_CACHE_DIR", get("DHR_CACHE_DIR"), data_dir / "cache"),
        warehouse_url=_warehouse_url(get("DHR_WAREHOUSE_URL"), data_dir),
        max_concurrency=int(_number("DHR_MAX_CONCURRENCY", get("DHR_MAX_CONCURRENCY"), 2, 1, 16, whole=True)),
        requests_per_second=_number("DHR_REQUESTS_PER_SECOND", get("DHR_REQUESTS_PER_SECOND"), 2, 0, 20, low_open=True),
        user_agent=_user_agent(get("DHR_USER_AGENT")),
        timeout_seconds=_number("DHR_TIMEOUT_SECONDS", get("DHR_TIMEOUT_SECONDS"), 30, 1, 300),
        max_page_bytes=int(_number("DHR_MAX_PAGE_BYTES", get("DHR_MAX_PAGE_BYTES"), 5_000_000, 10_000, 100_000_000, whole=True)),
        max_listing_pages=int(_number("DHR_MAX_LISTING_PAGES", get("DHR_MAX_LISTING_PAGES"), 200, 1, 10_000, whole=True)),
        max_sitemap_entries=int(_number("DHR_MAX_SITEMAP_ENTRIES", get("DHR_MAX_SITEMAP_ENTRIES"), 50_000, 1, 1_000_000, whole=True)),
        max_wait_seconds=_number("DHR_MAX_WAIT_SECONDS", get("DHR_MAX_WAIT_SECONDS"), 600, 0, 7200),
        schedule_timezone=_timezone(get("DHR_SCHEDULE_TIMEZONE")),
        check_every=_interval(get("DHR_CHECK_EVERY")),
        bi_role=_role(get("DHR_BI_ROLE")),
    )


def _fail(name: str, value: str, problem: str) -> SettingsError:
    return SettingsError(f"{name}={value!r} {problem}; accepted: {VARIABLES[name][1]}.")


def _source(value: str | None) -> str:
    if value is None:
        return str(SAMPLE_LIBRARY_DIR)
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        return _source_url(value)
    folder = Path(value).expanduser().resolve()
    if not folder.is_dir():
        raise _fail("DHR_SOURCE", value, "is neither a URL nor an existing folder")
    # An empty folder would pass through every step and fail deep inside one; say so now instead.
    if not any(is_saved_review_page(path) for path in folder.iterdir()):
        raise _fail("DHR_SOURCE", value, "is a folder with no saved review pages in it "
                                         "(files named <8 hex digits>-<slug>.html or .txt)")
    return str(folder)


def _source_url(value: str) -> str:
    if "@" in value:
        # The source URL is shown in logs and stored with every warehouse version: a password must
        # never get that far. Any @ is refused, since a password holding / hides where userinfo ends.
        raise _fail("DHR_SOURCE", _without_userinfo(value), "has an @ in it, and a user name or password "
                                                           "in the source URL is refused")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:  # a port out of range, a broken IPv6 address
        raise _fail("DHR_SOURCE", value, f"is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail("DHR_SOURCE", value, "is not an http(s) URL with a host")
    if port == 0:
        raise _fail("DHR_SOURCE", value, "has port 0")
    if parts.query or parts.fragment:
        raise _fail("DHR_SOURCE", value, "has a query or fragment")
    if len(value) > MAX_URL_LENGTH:
        raise _fail("DHR_SOURCE", value[:100] + "…", f"is longer than {MAX_URL_LENGTH} characters")
    return value if value.endswith("/") else value + "/"


def _without_userinfo(url: str) -> str:
    return re.sub(r"(://).*@", r"\1***@", url)  # up to the last @: a password may hold / or @


def _writable_folder(name: str, value: str | None, default: Path) -> Path:
    folder = Path(value).expanduser().resolve() if value else default.expanduser().resolve()
    shown = value or str(default)
    if folder.exists() and not folder.is_dir():
        raise _fail(name, shown, "is a file, not a folder")
    # Probe by writing a nameless temporary file, not with os.access(), which says yes to root
    # whatever the permissions and to /proc. Only the folder, or its nearest existing parent, is touched.
    nearest = next(p for p in (folder, *folder.parents) if p.exists())
    try:
        with tempfile.TemporaryFile(dir=nearest):
            pass
    except OSError as exc:
        raise _fail(name, shown, f"cannot be written to: creating a file in {nearest} "
                                 f"failed ({exc.strerror or type(exc).__name__})") from None
    return folder


def _user_agent(value: str | None) -> str:
    if value is None:
        return DEFAULT_USER_AGENT
    # Sent as an HTTP header, which carries ASCII only; control characters would split it.
    if not _PRINTABLE_ASCII.fullmatch(value) or len(value) > 500:
        raise _fail("DHR_USER_AGENT", value[:100], "has characters outside printable ASCII or is over 500 characters")
    return value


def _warehouse_url(value: str | None, data_dir: Path) -> str:
    if value is None:
        return f"duckdb:///{data_dir / 'warehouse.duckdb'}"
    if value.startswith("duckdb:///") and len(value) > len("duckdb:///"):
        path = Path(value.removeprefix("duckdb:///")).expanduser().resolve()
        return f"duckdb:///{path}"
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if value.startswith(prefix) and len(value) > len(prefix):
            return "postgresql+psycopg://" + value.removeprefix(prefix)
    raise _fail("DHR_WAREHOUSE_URL", _without_password(value), "is not a supported warehouse URL")


def _without_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _role(value: str | None) -> str:
    if value is None:
        return "dhr_bi"
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
        raise _fail("DHR_BI_ROLE", value, "is not a plain role name")
    return value


def _number(name: str, value: str | None, default: float, low: float, high: float,
            whole: bool = False, low_open: bool = False) -> float:
    if value is None:
        return default
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        raise _fail(name, value, "is not a number") from None
    if not math.isfinite(number):  # nan compares false with every bound, so it must be caught first
        raise _fail(name, value, "is not a finite number")
    if number > high or number < low or (low_open and number == low):
        raise _fail(name, value, "is out of range")
    return number


def _timezone(value: str | None) -> str:
    if value is None:
        return "Europe/London"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("DHR_SCHEDULE_TIMEZONE", value, "is not a known time zone") from None
    return value


_SECONDS_PER = {"m": 60, "h": 3600}
_INTERVAL = re.compile(r"(\d{1,4})\s*([mh])", re.IGNORECASE)
CHECK_EVERY_LIMITS = (5 * 60, 24 * 3600)
"""At least 5 minutes: each check costs the site a few requests. At most a day: a quiet source
should still be looked at daily."""


def _interval_seconds(interval: str) -> int:
    """Seconds in a validated interval such as "30m" or "1h"."""
    return int(interval[:-1]) * _SECONDS_PER[interval[-1]]


def _interval(value: str | None) -> str:
    if value is None:
        return "1h"
    match = _INTERVAL.fullmatch(value)
    if not match:
        raise _fail("DHR_CHECK_EVERY", value, "is not a number of minutes or hours")
    interval = f"{int(match[1])}{match[2].lower()}"
    if not CHECK_EVERY_LIMITS[0] <= _interval_seconds(interval) <= CHECK_EVERY_LIMITS[1]:
        raise _fail("DHR_CHECK_EVERY", value, "is out of range")
    return interval
