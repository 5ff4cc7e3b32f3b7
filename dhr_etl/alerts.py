"""Alerts to a chat webhook: what is worth one (a failed run, a stale warehouse), its message, posting it.

The message is one JSON object whose ``text`` is a single line, which both Slack's and Microsoft
Teams' incoming webhooks show as it is; the same facts follow as separate fields (``run_id``,
``step``, ``cause``, ``dagster_url``) for receivers that parse them. The webhook URL is a secret
(whoever holds it can post to the channel): it is never logged, stored or put in an error
message; only its host is named. Dagster wrappers: ``dhr_etl/defs/alerting.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from dhr_etl.settings import SettingsError
from dhr_etl.warehouse.store import Warehouse

POST_TIMEOUT_SECONDS = 10.0
"""Short: the sensors posting run in the Dagster daemon, whose evaluations time out after 60 s."""

# name → (default, what is accepted), as dhr_etl/settings.py's VARIABLES; the README's Operations section mirrors it.
ALERT_VARIABLES: dict[str, tuple[str, str]] = {
    "DHR_ALERT_WEBHOOK": ("unset: no alerts are posted",
                          "an https:// (or http://) URL with a host: a Slack or Microsoft Teams incoming webhook"),
    "DHR_STALE_AFTER_HOURS": ("36", "a number of hours from 1 to 8760"),
    "DHR_UI_URL": ("unset: alerts carry no link", "the Dagster UI's http(s) base URL, such as http://127.0.0.1:3000/"),
}


@dataclass(frozen=True, slots=True)
class AlertSettings:
    webhook: str | None = field(repr=False)  # a secret: kept out of repr, so out of any log of this object
    stale_after_hours: float
    ui_url: str | None

    @property
    def webhook_host(self) -> str:
        return webhook_host(self.webhook) if self.webhook else "nowhere"


def load_alert_settings(environ: Mapping[str, str] | None = None) -> AlertSettings:
    """Read and validate the alerting variables; raise :class:`SettingsError` on the first bad one."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    return AlertSettings(webhook=_webhook(get("DHR_ALERT_WEBHOOK")),
                         stale_after_hours=_hours(get("DHR_STALE_AFTER_HOURS")),
                         ui_url=_ui_url(get("DHR_UI_URL")))


def _accepted(name: str) -> str:
    return f"accepted: {ALERT_VARIABLES[name][1]}."


def _webhook(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        # The value is not repeated: a mistyped webhook is still mostly its secret.
        raise SettingsError(f"DHR_ALERT_WEBHOOK is not an http(s) URL with a host (its value is a secret and is "
                            f"not shown); {_accepted('DHR_ALERT_WEBHOOK')}")
    return value


def _hours(value: str | None) -> float:
    if value is None:
        return 36.0
    try:
        hours = float(value)
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours) or not 1 <= hours <= 8760:
        raise SettingsError(f"DHR_STALE_AFTER_HOURS={value!r} is not a number of hours in range; "
                            f"{_accepted('DHR_STALE_AFTER_HOURS')}")
    return hours


def _ui_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in value:
        raise SettingsError(f"DHR_UI_URL={value!r} is not an http(s) URL with a host; {_accepted('DHR_UI_URL')}")
    return value if value.endswith("/") else value + "/"


def webhook_host(url: str) -> str:
    return urlsplit(url).hostname or "an unnamed host"


# -- messages ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Alert:
    text: str
    """One line, for people: what failed, where, why."""
    fields: dict[str, str | float | None]
    """The same facts, for programs."""

    def payload(self) -> dict[str, str | float | None]:
        return {"text": self.text, **self.fields}


def run_failure_alert(job: str, run_id: str, step: str | None, cause: str, ui_url: str | None) -> Alert:
    url = f"{ui_url}runs/{run_id}" if ui_url else None
    where = f"at step '{step}'" if step else "before any step ran"
    text = _one_line(f"dhr-etl: run {run_id[:8]} of job '{job}' FAILED {where}: {cause.rstrip('.')}."
                     + (f" {url}" if url else ""))
    return Alert(text, {"kind": "run_failed", "job": job, "run_id": run_id, "step": step, "cause": _one_line(cause),
                        "dagster_url": url})


def stale_warehouse_alert(freshness: Freshness, warehouse: str, ui_url: str | None) -> Alert:
    url = f"{ui_url}assets/warehouse" if ui_url else None
    text = _one_line(f"dhr-etl: {freshness.description}" + (f" {url}" if url else ""))
    return Alert(text, {"kind": "warehouse_stale", "warehouse": warehouse, "published_at": freshness.published_at,
                        "hours_since_publish": freshness.hours_since_publish, "cause": freshness.description,
                        "dagster_url": url})


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- freshness of the published warehouse -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Freshness:
    fresh: bool
    description: str
    """One sentence, shown on the check in the UI and sent in the alert."""
    published_at: str | None
    """When the live version was built (UTC, ISO 8601); None when none is published."""
    hours_since_publish: float | None


def warehouse_freshness(warehouse: Warehouse, stale_after_hours: float, now: dt.datetime | None = None) -> Freshness:
    """Whether the live version was built within the last ``stale_after_hours``.

    The live version's own ``warehouse_version.built_at`` is read, not the Dagster history: it is
    what BI users query, whichever process or instance published it. A version is published
    minutes after it is built, and only if its checks passed.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    if not warehouse.table_counts():
        return Freshness(False, f"no warehouse version has been published yet at {warehouse.display()}.", None, None)
    built_at = warehouse.query("SELECT max(built_at) FROM warehouse_version")[0][0]
    published = dt.datetime.fromisoformat(str(built_at))
    published = published if published.tzinfo else published.replace(tzinfo=dt.timezone.utc)
    hours = round((now - published).total_seconds() / 3600, 1)
    if hours > stale_after_hours:
        return Freshness(False, f"the warehouse is stale: its live version was built {hours:g} hours ago "
                                f"({published.isoformat(timespec='minutes')}), longer than DHR_STALE_AFTER_HOURS="
                                f"{stale_after_hours:g}, so the recent nightly runs have not published.",
                         published.isoformat(timespec="seconds"), hours)
    return Freshness(True, f"the live version was built {hours:g} hours ago, within DHR_STALE_AFTER_HOURS="
                           f"{stale_after_hours:g}.", published.isoformat(timespec="seconds"), hours)


# -- posting ----------------------------------------------------------------------------------------

def post_alert(webhook: str, alert: Alert, log: Callable[[str], None],
               timeout_seconds: float = POST_TIMEOUT_SECONDS) -> bool:
    """POST the alert as JSON; True if the receiver accepted it. Never raises: a broken webhook must
    not fail the sensor that noticed the failure. Logs name the host only, never the URL."""
    host = webhook_host(webhook)
    try:
        with _webhook_kept_out_of_httpx_log(webhook):
            response = httpx.post(webhook, json=alert.payload(), timeout=timeout_seconds, follow_redirects=False)
    except Exception as exc:  # noqa: BLE001 - its text can hold the URL: only its kind is logged
        log(f"alert to {host} not delivered: {type(exc).__name__}")
        return False
    if not response.is_success:
        log(f"alert to {host} not delivered: HTTP {response.status_code}")
        return False
    log(f"alert posted to {host}")
    return True


@contextlib.contextmanager
def _webhook_kept_out_of_httpx_log(webhook: str) -> Iterator[None]:
    """httpx logs every request's full URL at INFO ("HTTP Request: POST https://…"): drop those lines
    for the webhook while it is posted to, whatever logging the daemon has configured."""
    parts = urlsplit(webhook)  # matched by host and path: httpx prints the URL as it normalised it

    def keep(record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (parts.hostname in message and parts.path in message)

    httpx_log = logging.getLogger("httpx")
    httpx_log.addFilter(keep)
    try:
        yield
    finally:
        httpx_log.removeFilter(keep)
