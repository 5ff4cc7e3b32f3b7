"""``dhr-etl``: run the nightly job in-process, serve a library locally, show the configuration."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dhr_etl.runlock import DEFAULT_WAIT_SECONDS
from dhr_etl.settings import PROJECT_DIR, SAMPLE_LIBRARY_DIR, VARIABLES, Settings, SettingsError, load_settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 130
EXIT_CODES = f"""\
exit status of dhr-etl run:
  {EXIT_OK}    the run succeeded, or nothing changed and no run was needed
  {EXIT_FAILED}    the run failed, or the warehouse was unreachable before it began; the live warehouse is unchanged (the one sentence on stderr says where and why)
  {EXIT_BAD_CONFIG}    a configuration value is wrong (named on stderr, with what is accepted); nothing was done
  {EXIT_LOCKED}    another run on this data directory or Dagster instance is running (named on stderr); nothing was done
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
"""
PREFLIGHT_TIMEOUT_SECONDS = 5
"""How long the check before a run waits for PostgreSQL to answer: long enough for a server across
a network, short enough that a wrong host or port is reported in seconds, before any crawling."""


class CliFailure(Exception):
    """A failure already explained in one sentence, with the exit status it calls for."""

    def __init__(self, sentence: str, status: int = EXIT_FAILED) -> None:
        super().__init__(sentence)
        self.status = status


@contextmanager
def _doing(what: str, outcome: str | None = "the live warehouse is unchanged") -> Iterator[None]:
    """Turn any error in the block into one sentence: what was being done, the error's first line."""
    try:
        yield
    except (CliFailure, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is explained, none shown as a traceback
        cause = exc
        while cause.__cause__ is not None:  # the error itself, not what wrapped it on the way out
            cause = cause.__cause__
        lines = str(cause).strip().splitlines()
        raise CliFailure(f"dhr-etl: failed while {what}: {type(cause).__name__}: "
                         f"{lines[0] if lines else 'no message'}{f'; {outcome}' if outcome else ''}.") from exc


def _default_dagster_home() -> Path:
    """The checkout's dagster_home/ (shared with `make ui`) in a source tree; ./dagster_home, beside
    the default ./data, when dhr-etl is installed from a wheel (never inside site-packages)."""
    if (PROJECT_DIR / "pyproject.toml").is_file() and (PROJECT_DIR / "dagster_home").is_dir():
        return PROJECT_DIR / "dagster_home"
    return Path("dagster_home")


def _dagster_home() -> str:
    """Runs from the CLI, the UI and the schedule share one instance, so one history."""
    home = os.environ.get("DAGSTER_HOME") or str(_default_dagster_home())
    home = str(Path(home).expanduser().resolve())  # Dagster insists on an absolute path
    Path(home).mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = home
    return home


def _settings_or_none() -> Settings | None:
    """The validated settings, or None after saying on stderr which value is wrong."""
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"dhr-etl: configuration error: {exc}", file=sys.stderr)
        return None


def _command() -> str:
    """How to start this dhr-etl again from the current folder: its name when that is on PATH and is
    this installation, else the script's path (``.venv/bin/dhr-etl`` in a checkout)."""
    script = Path(sys.executable).parent / "dhr-etl"
    on_path = shutil.which("dhr-etl")
    if on_path and script.exists() and Path(on_path).resolve() == script.resolve():
        return "dhr-etl"
    if script.exists():
        return _as_typed(script)
    return f"{sys.executable} -m dhr_etl.cli"


def _as_typed(path: Path) -> str:
    """A path as a user would type it here: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _force_hint() -> str:
    """Commands that do run the whole job, from where the user is; make only in the checkout, where
    the Makefile passes ARGS on."""
    direct = f"{_command()} run --force"
    if (Path.cwd() / "Makefile").is_file() and Path.cwd().resolve() == PROJECT_DIR:
        return f"make run ARGS=--force  (or: {direct})"
    return direct


def check_warehouse_reachable(settings: Settings) -> None:
    """Before any crawling: can this process write the warehouse? Raises CliFailure with the cause.

    DuckDB: the file's folder can be created and written (a new version is staged beside the live
    file and renamed over it), and the file, if there is one, is a file that opens. The file is not
    opened as a database: a run replaces a damaged one. PostgreSQL: a connection within
    PREFLIGHT_TIMEOUT_SECONDS that answers a query."""
    nothing_done = "nothing was crawled and the live warehouse is unchanged"
    if settings.is_duckdb:
        path = Path(settings.warehouse_url.removeprefix("duckdb:///"))
        in_the_way = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if in_the_way is not None:  # mkdir would say only "File exists"
            raise CliFailure(f"dhr-etl: cannot write the DuckDB warehouse {path}: {in_the_way} is a file, not a "
                             f"folder; {nothing_done}.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=path.parent):  # not os.access(): it says yes to root
                pass
            if path.exists():
                with open(path, "rb"):
                    pass
        except OSError as exc:
            raise CliFailure(f"dhr-etl: cannot write the DuckDB warehouse {path}: {exc.strerror or type(exc).__name__}"
                             f"{f' ({exc.filename})' if exc.filename else ''}; {nothing_done}.") from None
        return
    from sqlalchemy.engine import make_url

    from dhr_etl.warehouse.postgres_store import PostgresWarehouse

    url = make_url(settings.warehouse_url)
    where = f"host {url.host or 'localhost'} port {url.port or 5432} database {url.database or '(default)'}"
    try:
        with PostgresWarehouse(settings.warehouse_url).connect(connect_timeout=PREFLIGHT_TIMEOUT_SECONDS) as con:
            con.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the one sentence
        # psycopg's message: the cause on its first line, then libpq's generic hint; keep the cause.
        cause = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise CliFailure(f"dhr-etl: cannot connect to the PostgreSQL warehouse at {where} within "
                         f"{PREFLIGHT_TIMEOUT_SECONDS} s ({cause.rstrip('.')}); {nothing_done}.") from None


def run(args: argparse.Namespace) -> int:
    settings = _settings_or_none()
    if settings is None:
        return EXIT_BAD_CONFIG
    check_warehouse_reachable(settings)  # before the change check, which asks the source
    from dhr_etl.runlock import RunLocked, hold_run_lock

    home = Path(_dagster_home())
    try:
        # Before anything else, the change check and the Dagster instance included: the check reads
        # what a running run writes, and two processes creating one fresh instance collide.
        with hold_run_lock([settings.data_dir, home], "dhr-etl run", wait_seconds=args.lock_wait) as lock:
            return _run_holding_the_lock(args, settings, home, lock)
    except RunLocked as exc:
        raise CliFailure(f"dhr-etl: {exc}.", EXIT_LOCKED) from None


def _run_holding_the_lock(args: argparse.Namespace, settings: Settings, home: Path, lock) -> int:  # noqa: ANN001
    if lock.crashed_holder is not None:
        # Cleared up even on a quiet night, when no run starts to do it: the UI should stop showing
        # a dead run as running, and a half-built version should not sit beside the live one.
        with _doing("clearing up after an earlier run that died"):
            _clear_up_after(settings, lock.crashed_holder)
    if not args.force:
        from dhr_etl.changes import check_for_changes
        from dhr_etl.source.crawl import SourceUnavailable

        try:
            with _doing("checking the source for changes"):
                check = check_for_changes(settings)
        except CliFailure as exc:
            if not isinstance(exc.__cause__, SourceUnavailable):
                raise
            check = None  # the run will fail the same way, and say so in full
            print(f"dhr-etl: could not check the source for changes ({exc.__cause__}); running the job to record why")
        if check is not None and not check.changed:
            print(f"dhr-etl: {check.reason}.")
            if check.outputs_stale:
                _rewrite_outputs(settings)
            print(f"         No run started; the live warehouse is as it was: {_where(settings)}\n"
                  f"         To run the whole job anyway: {_force_hint()}")
            return EXIT_OK
        if check is not None:
            print(f"dhr-etl: running, because {check.reason}")
    with _doing("loading Dagster and the job definitions"):
        import dagster as dg  # slow import: only once the configuration is known to be good

        from dhr_etl.definitions import nightly_job_definition
        from dhr_etl.defs.run_lock import DATA_DIR_TAG, LAUNCHED_BY_TAG
        from dhr_etl.warehouse.store import open_warehouse

        print(f"dhr-etl: running the nightly job on {settings.source}")
        warehouse = open_warehouse(settings.warehouse_url)
        print(f"         warehouse {warehouse.display()}; Dagster instance {home}")
    started = time.monotonic()
    with _doing("running the nightly job"):
        # execute_job, not execute_in_process: the latter keeps every asset's value in memory until the
        # run ends (so that its result can hand them back), which at 65,000 reviews is over 1 GB.
        with dg.execute_job(
            dg.reconstructable(nightly_job_definition),
            instance=dg.DagsterInstance.get(),
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": args.log_level}}}},
            tags={LAUNCHED_BY_TAG: "dhr-etl run", DATA_DIR_TAG: str(settings.data_dir)},
        ) as result:
            if not result.success:
                raise CliFailure(_failure_sentence(result, time.monotonic() - started))
            with _doing("summarising the published warehouse", "the new version is live"):
                return _report_run(result, settings, warehouse, time.monotonic() - started)


def _clear_up_after(settings: Settings, crashed) -> None:  # noqa: ANN001 - runlock.RunHolder
    import dagster as dg

    from dhr_etl.defs.run_lock import fail_abandoned_runs
    from dhr_etl.warehouse.store import discard_staged_versions

    with dg.DagsterInstance.get() as instance:
        for run_id in fail_abandoned_runs(instance, str(settings.data_dir), current_run_id=""):
            print(f"dhr-etl: run {run_id[:8]} ({crashed.describe()}) ended without finishing: marked it FAILED "
                  "in the Dagster instance")
    for stale in discard_staged_versions(settings.warehouse_url):
        print(f"dhr-etl: removed {stale}, a version that run built but never published")


def _rewrite_outputs(settings: Settings) -> None:
    from dhr_etl.published import write_outputs

    with _doing("rewriting the report and the open-data release",
                "the live warehouse is unchanged and the report or release is stale"):
        path, release = write_outputs(settings)
    print(f"         The report or the open-data release did not describe the live version: rewrote them, "
          f"{path} and {release}")


def _report_run(result, settings: Settings, warehouse, seconds: float) -> int:  # noqa: ANN001
    """What a successful run did (a failed one is raised as a CliFailure before this)."""
    counts = warehouse.table_counts()
    fetch = result.asset_materializations_for_node("review_pages")[0].metadata["fetch"].value
    parsing = result.asset_materializations_for_node("parsed_pages")
    parsed_now = next(m.metadata["pages_parsed"].value for m in parsing if "pages_parsed" in m.metadata)
    quarantined = next(m.metadata["quarantined_pages"].value for m in parsing if "quarantined_pages" in m.metadata)
    print(textwrap.dedent(f"""
        dhr-etl: run {result.run_id[:8]} succeeded in {seconds:.1f} s.
          warehouse      {warehouse.display()}
          reviews        {counts['dim_review']}
          recommendations {counts['fact_recommendation']}
          addressee pairs {counts['bridge_recommendation_agency']} ({counts['dim_agency']} agencies, {counts['dim_agency_alias']} spellings)
          CSPs           {counts['dim_csp']}
          findings       {counts['data_quality_finding']} in v_data_quality; {quarantined} page version(s) quarantined
          this run       {crawl_in_words(fetch)}; parsed {parsed_now} page(s)""").rstrip())
    print(f"  report         {settings.data_dir / 'report' / 'index.html'} (open it in a browser)")
    print(_how_to_query(settings.warehouse_url, warehouse.display()))
    return 0


def _size(count: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _pages(count: int) -> str:
    return f"{count} page{'' if count == 1 else 's'}"


def crawl_in_words(fetch: dict[str, float]) -> str:
    """What the run asked of the source, for a person: the crawl's figures (source/crawl.py
    fetch_summary) as a sentence, naming only what happened."""
    parts = []
    if fetch.get("read from folder"):
        parts.append(f"read {_pages(fetch['read from folder'])} from the folder")
    if fetch.get("fetched (200)"):
        parts.append(f"fetched {_pages(fetch['fetched (200)'])} ({_size(fetch.get('page_body_bytes', 0))})")
    if fetch.get("not modified (304)"):
        parts.append(f"{_pages(fetch['not modified (304)'])} unchanged since the last run (304 Not Modified)")
    if fetch.get("skipped by sitemap lastmod"):
        parts.append(f"skipped {_pages(fetch['skipped by sitemap lastmod'])} the sitemap dates before the last run")
    if fetch.get("failed"):
        parts.append(f"{_pages(fetch['failed'])} failed")
    if fetch.get("requests"):
        retried = f", {fetch['retried']} retried" if fetch.get("retried") else ""
        parts.append(f"{fetch['requests']} requests in all{retried}, {_size(fetch.get('bytes_received', 0))} received")
    if fetch.get("seconds_waiting"):
        parts.append(f"waited {fetch['seconds_waiting']:.1f} s for the site's rate limit")
    return ", ".join(parts) or "nothing fetched"


def _ui_command() -> str:
    """How to start the Dagster UI: `make ui` in a checkout, else dagster's own command (a wheel)."""
    if Path("Makefile").exists() and Path("workspace.yaml").exists():
        return "make ui"
    return "dagster dev -m dhr_etl.definitions --host 127.0.0.1"


def _where(settings: Settings) -> str:
    from dhr_etl.warehouse.store import open_warehouse

    return open_warehouse(settings.warehouse_url).display()


def _how_to_query(url: str, where: str) -> str:
    if url.startswith("duckdb:///"):
        return textwrap.dedent(f"""\
            Query it:
              {_as_typed(Path(sys.executable))} -c "import duckdb; print(duckdb.connect('{where}', read_only=True).sql('SELECT * FROM v_agency_summary ORDER BY recommendations DESC LIMIT 10'))"
              duckdb -readonly {where} "SELECT * FROM v_csp_year_summary"
            See the run in the Dagster UI: {_ui_command()}""")
    return textwrap.dedent(f"""\
        Query it: psql "<your connection>" -c "SELECT * FROM dhr.v_agency_summary ORDER BY recommendations DESC LIMIT 10"
        Give BI tools a read-only login: DHR_BI_PASSWORD=… {_command()} grant-bi-role
        See the run in the Dagster UI: {_ui_command()}""")


def _failure_sentence(result, seconds: float) -> str:  # noqa: ANN001
    """One sentence: the run, the step that failed first, and its error's first line."""
    from dhr_etl.defs.console import first_line_of_cause

    failures = [event for event in result.all_events if event.is_step_failure]
    errors = [(event.step_key, event.step_failure_data.error) for event in failures]
    if not errors:  # failed outside any step: starting its resources (the run lock), say
        errors = [("the run's start", event.event_specific_data.error) for event in result.all_events
                  if event.is_run_failure and getattr(event.event_specific_data, "error", None)]
    where, message = (errors[0][0], first_line_of_cause(errors[0][1])) if errors else ("the run", "it did not complete")
    return (f"dhr-etl: run {result.run_id[:8]} FAILED after {seconds:.1f} s at step '{where}': "
            f"{message.rstrip('.')}; the previous warehouse, if any, is unchanged and still queryable "
            "(full log: make ui).")


def serve(args: argparse.Namespace) -> int:
    from dhr_etl.sample.site import LibrarySite

    with LibrarySite(Path(args.folder), port=args.port) as site:
        print(f"serving {args.folder} as a library site at {site.base_url}")
        print(f"try: DHR_SOURCE={site.base_url} dhr-etl run    (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


def grant_bi_role(_: argparse.Namespace) -> int:
    """Create or update the read-only BI login: SELECT on the views, nothing else."""
    settings = _settings_or_none()
    if settings is None:
        return EXIT_BAD_CONFIG
    password = os.environ.get("DHR_BI_PASSWORD")
    if settings.is_duckdb or not password:
        print("dhr-etl: grant-bi-role needs DHR_WAREHOUSE_URL=postgresql+psycopg://… (an account that may "
              "create roles) and the new role's password in DHR_BI_PASSWORD.", file=sys.stderr)
        return EXIT_BAD_CONFIG
    from dhr_etl.warehouse.postgres_store import PostgresWarehouse

    PostgresWarehouse(settings.warehouse_url).ensure_bi_role(settings.bi_role, password)
    print(f"role {settings.bi_role} can now log in and SELECT the views in schema dhr, and nothing else.")
    return 0


def show_settings(_: argparse.Namespace) -> int:
    settings = _settings_or_none()
    if settings is None:
        return EXIT_BAD_CONFIG
    for name in VARIABLES:
        value = getattr(settings, name.removeprefix("DHR_").lower(), None)
        if name == "DHR_WAREHOUSE_URL":
            from dhr_etl.warehouse.store import open_warehouse

            value = open_warehouse(settings.warehouse_url).display()
        print(f"{name:26} {value}")
    return 0


def _environment_help() -> str:
    """The DHR_* variables, each with its default and what it accepts (from settings.VARIABLES)."""
    lines = ["environment (read by run, settings and grant-bi-role; `dhr-etl settings` shows the values in effect):"]
    for name, (default, accepted) in VARIABLES.items():
        lines.append(textwrap.fill(f"{accepted}; default {default}", width=100, initial_indent=f"  {name:24} ",
                                   subsequent_indent=" " * 27))
    lines.append("  DHR_BI_PASSWORD          grant-bi-role only: the password the BI role logs in with")
    lines.append("  DAGSTER_HOME             the Dagster instance that records runs; default ./dagster_home")
    return "\n".join(lines)


def _examples(*pairs: tuple[str, str]) -> str:
    """(what it does, the command) pairs, each command under its comment so that it copies whole."""
    return "examples:\n" + "\n".join(f"  # {what}\n  {command}" for what, command in pairs)


def _paragraph(text: str) -> str:
    return textwrap.fill(text, width=100)


def _parser() -> argparse.ArgumentParser:
    cmd = _command()
    layout = {"formatter_class": argparse.RawDescriptionHelpFormatter}
    parser = argparse.ArgumentParser(
        prog="dhr-etl", **layout,
        description=_paragraph("Domestic Homicide Review recommendations: crawl the review pages, parse them, resolve who each "
                    "recommendation is addressed to, and publish a warehouse (DuckDB or PostgreSQL) with SQL views "
                    "and an HTML report. Run `dhr-etl COMMAND --help` for each command's options and examples."),
        epilog="\n\n".join([
            _examples(("run the nightly job once, on the bundled sample library", f"{cmd} run"),
                      ("the same from a checkout, rebuilt even if nothing changed", "make run ARGS=--force"),
                      ("the configuration in effect", f"{cmd} settings"),
                      ("crawl the live library", f"DHR_SOURCE=https://www.accountabilityindex.uk/sources/dhr/ {cmd} run")),
            _environment_help(), EXIT_CODES.rstrip()]))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_parser = commands.add_parser(
        "run", help="run the nightly job once, in-process, recorded in the Dagster instance", **layout,
        description=_paragraph("Run the nightly job once: check the warehouse can be written, ask the source what changed "
                    "(and stop there if nothing did), then fetch, parse, resolve and publish a new warehouse "
                    "version and its report. Runs are recorded in the Dagster instance (DAGSTER_HOME), where the UI "
                    "(make ui) shows them."),
        epilog="\n\n".join([
            _examples(("from a checkout: the bundled sample library", "make run"),
                      ("from a checkout: rebuild even if nothing changed", "make run ARGS=--force"),
                      ("rebuild, printing only warnings and errors", f"{cmd} run --force --log-level WARNING"),
                      ("crawl a library served by serve-library",
                       f"DHR_SOURCE=http://127.0.0.1:8765/sources/dhr/ {cmd} run"),
                      ("load a PostgreSQL warehouse (password in PGPASSWORD)",
                       f"DHR_WAREHOUSE_URL=postgresql://etl@db.internal:5432/dhr {cmd} run")),
            EXIT_CODES.rstrip()]))
    run_parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                            help="how much of the job's log to print while it runs (default %(default)s; "
                                 "the full log is in the Dagster UI either way)")
    run_parser.add_argument("--force", action="store_true",
                            help="run even when nothing changed since the live version was built")
    run_parser.add_argument("--lock-wait", type=float, default=DEFAULT_WAIT_SECONDS, metavar="SECONDS",
                            help="how long to wait for another run on the same data directory or Dagster instance to finish before "
                                 f"giving up with status {EXIT_LOCKED} (default %(default)g)")
    run_parser.set_defaults(handler=run)

    serve_parser = commands.add_parser(
        "serve-library", help="serve a folder of pages as a local library site on 127.0.0.1", **layout,
        description=_paragraph("Serve a folder of saved review pages over HTTP on 127.0.0.1, laid out as the live library is "
                    "(listing pages, sitemap, one page per review), so a run can crawl it as it would the real "
                    "site. Stops with Ctrl-C."),
        epilog=_examples(("the bundled sample library on http://127.0.0.1:8765/sources/dhr/", f"{cmd} serve-library"),
                         ("a folder of your own saved pages, on another port", f"{cmd} serve-library ~/saved-pages --port 9000"),
                         ("then, in another terminal, crawl it", f"DHR_SOURCE=http://127.0.0.1:8765/sources/dhr/ {cmd} run")))
    serve_parser.add_argument("folder", nargs="?", default=str(SAMPLE_LIBRARY_DIR),
                              help="folder of saved pages named <8 hex digits>-<slug>.html or .txt "
                                   "(default: the bundled sample library)")
    serve_parser.add_argument("--port", type=int, default=8765,
                              help="port on 127.0.0.1 to listen on (default %(default)s; 0 picks a free one)")
    serve_parser.set_defaults(handler=serve)

    commands.add_parser(
        "settings", help="show the effective configuration", **layout,
        description=_paragraph("Print every DHR_* setting in effect (defaults filled in, the warehouse URL without its "
                    "password), or the one sentence saying which value is wrong and what is accepted (status "
                    f"{EXIT_BAD_CONFIG})."),
        epilog=_examples(("the configuration in effect", f"{cmd} settings"),
                         ("check a value before using it", f"DHR_DATA_DIR=/srv/dhr {cmd} settings")),
    ).set_defaults(handler=show_settings)

    commands.add_parser(
        "grant-bi-role", help="PostgreSQL: create or update the read-only BI role "
                              "(DHR_BI_ROLE, password from DHR_BI_PASSWORD)", **layout,
        description=_paragraph("PostgreSQL only: create the login role BI tools connect as (DHR_BI_ROLE, default dhr_bi), or "
                    "update its password, with SELECT on the views in schema dhr and nothing else. Every new "
                    "warehouse version grants it again. Needs an account that may create roles."),
        epilog=_examples(("create the role dhr_bi, or give it a new password",
                          "DHR_WAREHOUSE_URL=postgresql://admin@db.internal:5432/dhr DHR_BI_PASSWORD='…' "
                          f"{cmd} grant-bi-role")),
    ).set_defaults(handler=grant_bi_role)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        with _doing(f"running dhr-etl {args.command}", outcome=None):
            return args.handler(args)
    except CliFailure as exc:
        print(f"\n{exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("\ndhr-etl: interrupted; a run cut short publishes nothing, the live warehouse is as it was.",
              file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
