"""Configuration errors name the variable, the value and what is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhr_etl.settings import SAMPLE_LIBRARY_DIR, SettingsError, load_settings


def test_defaults_read_the_bundled_sample_into_a_duckdb_file_under_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings({"DHR_DATA_DIR": str(tmp_path)})
    assert settings.source == str(SAMPLE_LIBRARY_DIR)
    assert not settings.source_is_url
    assert settings.warehouse_url == f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    assert settings.cache_dir == tmp_path / "cache"
    assert settings.max_concurrency == 2 and settings.requests_per_second == 2
    assert settings.schedule_timezone == "Europe/London"
    assert "dhr-etl" in settings.user_agent and "http" in settings.user_agent


def test_postgres_urls_are_accepted_and_a_bad_url_is_echoed_without_its_password() -> None:
    assert load_settings({"DHR_WAREHOUSE_URL": "postgresql://bi@db:5432/dhr"}).warehouse_url == \
        "postgresql+psycopg://bi@db:5432/dhr"
    with pytest.raises(SettingsError) as caught:
        load_settings({"DHR_WAREHOUSE_URL": "mysql://etl:s3cret@db/dhr"})
    assert "s3cret" not in str(caught.value) and "etl:***@" in str(caught.value)


def test_a_base_url_gets_its_trailing_slash() -> None:
    settings = load_settings({"DHR_SOURCE": "https://www.accountabilityindex.uk/sources/dhr"})
    assert settings.source == "https://www.accountabilityindex.uk/sources/dhr/"
    assert settings.source_is_url


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("DHR_SOURCE", "/no/such/folder", "a folder of saved .html/.txt pages"),
        ("DHR_SOURCE", "ftp://example.org/dhr/", "an http(s) base URL"),
        ("DHR_WAREHOUSE_URL", "sqlite:///x.db", "postgresql+psycopg://"),
        ("DHR_MAX_CONCURRENCY", "0", "from 1 to 16"),
        ("DHR_MAX_CONCURRENCY", "two", "from 1 to 16"),
        ("DHR_REQUESTS_PER_SECOND", "0", "greater than 0"),
        ("DHR_TIMEOUT_SECONDS", "1000", "from 1 to 300"),
        ("DHR_SCHEDULE_TIMEZONE", "Mars/Olympus", "IANA time zone"),
    ],
)
def test_bad_values_are_refused_with_the_variable_value_and_what_is_accepted(name: str, value: str, accepted: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({name: value})
    message = str(caught.value)
    assert name in message and repr(value) in message and accepted in message


def test_a_cache_folder_can_be_shared_and_a_file_in_its_place_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "machine-cache"
    settings = load_settings({"DHR_DATA_DIR": str(tmp_path / "data"), "DHR_CACHE_DIR": str(shared)})
    assert settings.cache_dir == shared and settings.data_dir == tmp_path / "data"
    shared.parent.joinpath("a-file").write_text("")
    with pytest.raises(SettingsError) as caught:
        load_settings({"DHR_CACHE_DIR": str(tmp_path / "a-file")})
    message = str(caught.value)
    assert "DHR_CACHE_DIR" in message and "is a file, not a folder" in message and "accepted: a folder path" in message
