"""The run's configuration as Dagster resources, so that a deployment can set any value for one run
in the UI's launchpad, and tests hand a run its settings instead of changing the environment.

    settings   SettingsResource   every DHR_* value, validated by dhr_etl/settings.py (the one place that does)
    source     SourceResource     the review source the settings name: a site or a folder (source/crawl.py)
    warehouse  WarehouseResource  the warehouse the settings name: DuckDB or PostgreSQL (warehouse/store.py)

``source`` and ``warehouse`` hold the very ``settings`` resource of the run (:func:`dhr_resources`),
so a value set for a run in the launchpad reaches both.
"""

import os

import dagster as dg
from pydantic import Field, PrivateAttr

from dhr_etl.settings import VARIABLES, Settings, load_settings
from dhr_etl.source.crawl import ReviewSource, review_source
from dhr_etl.warehouse.store import Warehouse, open_warehouse


def _field(variable: str):  # noqa: ANN202 - a pydantic field
    default, accepted = VARIABLES[variable]
    return Field(default=None, description=f"{variable}: {accepted} (default: {default}).")


class SettingsResource(dg.ConfigurableResource):
    """Every DHR_* setting, as text as in the environment, so that settings.py validates a value
    set in the launchpad with the same one-sentence message as one set in the environment.

    A field left empty (None) takes its variable from the environment when the run starts, and
    the variable's default when that is not set either."""

    source: str | None = _field("DHR_SOURCE")
    data_dir: str | None = _field("DHR_DATA_DIR")
    cache_dir: str | None = _field("DHR_CACHE_DIR")
    warehouse_url: str | None = _field("DHR_WAREHOUSE_URL")
    max_concurrency: str | None = _field("DHR_MAX_CONCURRENCY")
    requests_per_second: str | None = _field("DHR_REQUESTS_PER_SECOND")
    user_agent: str | None = _field("DHR_USER_AGENT")
    timeout_seconds: str | None = _field("DHR_TIMEOUT_SECONDS")
    max_page_bytes: str | None = _field("DHR_MAX_PAGE_BYTES")
    max_listing_pages: str | None = _field("DHR_MAX_LISTING_PAGES")
    max_sitemap_entries: str | None = _field("DHR_MAX_SITEMAP_ENTRIES")
    max_wait_seconds: str | None = _field("DHR_MAX_WAIT_SECONDS")
    schedule_timezone: str | None = _field("DHR_SCHEDULE_TIMEZONE")
    check_every: str | None = _field("DHR_CHECK_EVERY")  # read by the source_changes sensor, not by runs
    bi_role: str | None = _field("DHR_BI_ROLE")

    _validated: Settings | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self.settings()  # a bad value fails the run before its first step, naming the value

    def settings(self) -> Settings:
        """The validated settings (dhr_etl/settings.py); raises SettingsError on a bad value."""
        if self._validated is None:
            given = {name: value for name in VARIABLES if (value := getattr(self, field_name(name))) is not None}
            self._validated = load_settings({**os.environ, **given})
        return self._validated


def field_name(variable: str) -> str:
    """The resource field of a DHR_* variable: DHR_MAX_WAIT_SECONDS → max_wait_seconds."""
    return variable.removeprefix("DHR_").lower()


class SourceResource(dg.ConfigurableResource):
    """Where review pages come from: the site or folder DHR_SOURCE names, behind one interface."""

    settings: SettingsResource

    def review_source(self) -> ReviewSource:
        return review_source(self.settings.settings())


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse DHR_WAREHOUSE_URL names (DuckDB or PostgreSQL), with the BI role to grant."""

    settings: SettingsResource

    @property
    def url(self) -> str:
        return self.settings.settings().warehouse_url

    def open(self) -> Warehouse:
        settings = self.settings.settings()
        return open_warehouse(settings.warehouse_url, settings.bi_role)


def dhr_resources(settings: SettingsResource) -> dict[str, object]:
    """The three resources of a run, the source and the warehouse holding the run's settings."""
    return {"settings": settings, "source": SourceResource(settings=settings),
            "warehouse": WarehouseResource(settings=settings)}


def settings_from_environment() -> SettingsResource:
    """The settings resource of the code location: configurable per run, every field left out
    taken from the environment when the run starts.

    Not dg.EnvVar fields: Dagster fails a run whose EnvVar names a variable that is not set
    (dagster/_config/source.py), and every DHR_* variable is optional, with a default. Bound as
    EnvVars when the code location loads, a variable unset later (a test, a wrapper script) would
    fail every run of that process."""
    return SettingsResource.configure_at_launch()
