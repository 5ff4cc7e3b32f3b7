"""Alerts: a failed run and a stale warehouse each post one message to a webhook on 127.0.0.1; the
webhook URL (a secret) never reaches a log; a broken webhook never fails the sensor."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dhr_etl.alerts import load_alert_settings
from dhr_etl.defs.alerting import FRESHNESS_CHECK, alert_on_run_failure, warehouse_freshness_sensor
from dhr_etl.settings import SettingsError
from tests.conftest import NightlyRun, copy_of_published_warehouse, throwaway_instance

SECRET = "T0000-B0000-s3cr3tT0k3n"


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 recording every POST; answers ``status``."""
    port: int = 0
    posts: list[dict] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    status: int = 200

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/{SECRET}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.posts.append(json.loads(body))
            received.content_types.append(self.headers.get("Content-Type", ""))
            self.send_response(received.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:  # noqa: ANN002 - keep the test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


# -- a failed run --------------------------------------------------------------------------------

@dg.op
def count_pages() -> int:
    raise ValueError("page 6500beef-broken declares -3 recommendations, and a count must be 0 or more.")


@dg.job
def failing_job() -> None:
    count_pages()


def sensor_context(instance: dg.DagsterInstance, caplog: pytest.LogCaptureFixture,
                   cursor: str | None = None) -> dg.SensorEvaluationContext:
    """A sensor context whose log (what the daemon keeps with the tick) also reaches caplog."""
    context = dg.build_sensor_context(instance=instance, cursor=cursor)
    context.log.addHandler(caplog.handler)
    return context


def evaluate_failure_sensor(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult,
                            caplog: pytest.LogCaptureFixture):
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure", dagster_event=result.get_run_failure_event(),
        dagster_instance=instance, dagster_run=result.dagster_run, context=sensor_context(instance, caplog))
    return alert_on_run_failure(context)


def secret_in_logs(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> bool:
    out, err = capsys.readouterr()
    return SECRET in caplog.text or SECRET in out or SECRET in err


def test_a_failed_run_posts_one_line_with_its_step_and_cause(receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture,
                                                             capsys: pytest.CaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("DHR_ALERT_WEBHOOK", receiver.webhook)
    monkeypatch.setenv("DHR_UI_URL", "http://127.0.0.1:3000")
    with throwaway_instance() as instance:
        result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        evaluate_failure_sensor(instance, result, caplog)

    assert len(receiver.posts) == 1
    assert receiver.content_types == ["application/json"]
    post = receiver.posts[0]
    cause = "ValueError: page 6500beef-broken declares -3 recommendations, and a count must be 0 or more."
    assert post["run_id"] == result.run_id
    assert post["step"] == "count_pages"
    assert post["cause"] == cause
    assert post["job"] == "failing_job"
    assert post["dagster_url"] == f"http://127.0.0.1:3000/runs/{result.run_id}"
    text = post["text"]
    assert "\n" not in text
    for fact in ("failing_job", result.run_id[:8], "count_pages", cause.rstrip(".")):
        assert fact in text
    assert "alert posted to 127.0.0.1" in caplog.text  # the host is logged ...
    assert not secret_in_logs(caplog, capsys)  # ... never the URL


def test_a_failed_nightly_run_is_alerted_with_the_step_that_failed(receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("DHR_ALERT_WEBHOOK", receiver.webhook)
    monkeypatch.setenv("DHR_SOURCE", "http://127.0.0.1:9/sources/dhr/")  # nothing listens on port 9
    monkeypatch.setenv("DHR_TIMEOUT_SECONDS", "1")
    from dhr_etl.definitions import defs

    with throwaway_instance() as instance:
        result = defs.resolve_job_def("nightly").execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        evaluate_failure_sensor(instance, result, caplog)
    [post] = receiver.posts
    assert (post["job"], post["run_id"], post["step"]) == ("nightly", result.run_id, "review_index")
    assert post["cause"].startswith("SourceUnavailable: cannot reach http://127.0.0.1:9/sources/dhr/")
    assert post["dagster_url"] is None  # DHR_UI_URL unset: no link rather than a guessed one


def test_without_a_webhook_a_failed_run_posts_nothing(receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    with throwaway_instance() as instance:
        result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        outcome = evaluate_failure_sensor(instance, result, caplog)
    assert isinstance(outcome, dg.SkipReason) and "DHR_ALERT_WEBHOOK is not set" in outcome.skip_message
    assert receiver.posts == []


def test_a_webhook_that_refuses_or_is_down_never_fails_the_sensor(receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture,
                                                                  capsys: pytest.CaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    receiver.status = 500
    monkeypatch.setenv("DHR_ALERT_WEBHOOK", receiver.webhook)
    with throwaway_instance() as instance:
        result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        evaluate_failure_sensor(instance, result, caplog)  # a 500: logged, not raised
        assert "not delivered: HTTP 500" in caplog.text
        with socket_closed_port() as port:
            monkeypatch.setenv("DHR_ALERT_WEBHOOK", f"http://127.0.0.1:{port}/services/{SECRET}")
            evaluate_failure_sensor(instance, result, caplog)  # nothing listening: logged, not raised
        assert "not delivered: ConnectError" in caplog.text
    assert len(receiver.posts) == 1
    assert not secret_in_logs(caplog, capsys)


class socket_closed_port:  # noqa: N801 - used as a context manager
    """A port on 127.0.0.1 that nothing listens on (bound and closed again)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        pass


@pytest.mark.parametrize("value", [f"hooks.example/services/{SECRET}", f"ftp://hooks.example/{SECRET}",
                                   f"https:///{SECRET}", f"https://hooks.example:99999/{SECRET}"])
def test_a_webhook_that_is_not_an_http_url_is_refused_without_repeating_it(value: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_alert_settings({"DHR_ALERT_WEBHOOK": value})
    message = str(error.value)
    assert message.startswith("DHR_ALERT_WEBHOOK is not an http(s) URL") and "accepted: an https://" in message
    assert SECRET not in message and message.count(". ") == 0


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "100000"])
def test_stale_after_hours_out_of_range_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match=r"^DHR_STALE_AFTER_HOURS='.*' is not a number of hours in range; "
                                            r"accepted: a number of hours from 1 to 8760\.$"):
        load_alert_settings({"DHR_STALE_AFTER_HOURS": value})


def test_alert_settings_default_to_no_webhook_and_36_hours() -> None:
    settings = load_alert_settings({})
    assert (settings.webhook, settings.stale_after_hours, settings.ui_url) == (None, 36.0, None)
    assert SECRET not in repr(load_alert_settings({"DHR_ALERT_WEBHOOK": f"https://hooks.example/{SECRET}"}))


# -- a stale warehouse ------------------------------------------------------------------------------

@pytest.fixture
def own_warehouse(nightly_sample: NightlyRun, data_dir: Path) -> Path:
    """A copy of the session's published warehouse, for this test to set its publish time."""
    return copy_of_published_warehouse(nightly_sample, data_dir)


def built_hours_ago(warehouse: Path, hours: float) -> None:
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE warehouse_version SET built_at = ?", [when.isoformat(timespec="seconds")])


def evaluate_freshness(instance: dg.DagsterInstance, caplog: pytest.LogCaptureFixture,
                       cursor: str | None = None) -> dg.SensorResult:
    return warehouse_freshness_sensor(sensor_context(instance, caplog, cursor))


def the_check(result: dg.SensorResult) -> dg.AssetCheckEvaluation:
    [evaluation] = result.asset_events
    assert isinstance(evaluation, dg.AssetCheckEvaluation)
    assert (evaluation.asset_key, evaluation.check_name) == (dg.AssetKey("warehouse"), FRESHNESS_CHECK)
    return evaluation


def test_a_warehouse_not_published_for_40_hours_fails_the_check_and_alerts_once(
        own_warehouse: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("DHR_ALERT_WEBHOOK", receiver.webhook)
    built_hours_ago(own_warehouse, 40)
    with throwaway_instance() as instance:
        first = evaluate_freshness(instance, caplog)
        evaluation = the_check(first)
        assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
        assert "stale" in evaluation.description and "40 hours ago" in evaluation.description
        assert len(receiver.posts) == 1
        post = receiver.posts[0]
        assert post["kind"] == "warehouse_stale" and post["hours_since_publish"] == 40
        assert "stale" in post["text"] and "40 hours ago" in post["text"] and "\n" not in post["text"]

        again = evaluate_freshness(instance, caplog, first.cursor)  # the next tick, still stale: no second alert
        assert not the_check(again).passed
        assert len(receiver.posts) == 1
    assert not secret_in_logs(caplog, capsys)


def test_the_stale_limit_follows_the_setting_and_a_fresh_warehouse_passes_silently(
        own_warehouse: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("DHR_ALERT_WEBHOOK", receiver.webhook)
    built_hours_ago(own_warehouse, 30)
    with throwaway_instance() as instance:
        assert the_check(evaluate_freshness(instance, caplog)).passed  # 30 h: within the default 36
        monkeypatch.setenv("DHR_STALE_AFTER_HOURS", "24")
        assert not the_check(evaluate_freshness(instance, caplog)).passed
    assert len(receiver.posts) == 1


def test_no_published_warehouse_fails_the_check_without_an_alert(receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("DHR_ALERT_WEBHOOK", receiver.webhook)
    with throwaway_instance() as instance:
        evaluation = the_check(evaluate_freshness(instance, caplog))
    assert not evaluation.passed and "no warehouse version has been published yet" in evaluation.description
    assert receiver.posts == []


def test_the_nightly_run_checks_freshness_right_after_publishing(nightly_sample: NightlyRun) -> None:
    [evaluation] = [e for e in nightly_sample.result.get_asset_check_evaluations() if e.check_name == FRESHNESS_CHECK]
    assert evaluation.passed and evaluation.asset_key == dg.AssetKey("warehouse")
