"""``dhr-etl``: run the nightly job in-process, serve a library locally, show the configuration."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
from pathlib import Path

from dhr_etl.settings import PROJECT_DIR, VARIABLES, Settings, SettingsError, load_settings

EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2


def _dagster_home() -> str:
    """Runs from the CLI, the UI and the schedule share one instance, so one history."""
    home = os.environ.get("DAGSTER_HOME") or str(PROJECT_DIR / "dagster_home")
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


def run(args: argparse.Namespace) -> int:
    settings = _settings_or_none()
    if settings is None:
        return EXIT_BAD_CONFIG
    home = _dagster_home()
    if not args.force:
        from dhr_etl.changes import check_for_changes
        from dhr_etl.source.crawl import SourceUnavailable

        try:
            check = check_for_changes(settings)
        except SourceUnavailable as exc:  # the run will fail the same way, and say so in full
            check = None
            print(f"dhr-etl: could not check the source for changes ({exc}); running the job to record why")
        if check is not None and not check.changed:
            print(f"dhr-etl: {check.reason}.\n"
                  f"         No run started; the live warehouse is as it was: {_where(settings)}\n"
                  "         To run the whole job anyway: dhr-etl run --force")
            return 0
        if check is not None:
            print(f"dhr-etl: running, because {check.reason}")
    import dagster as dg  # slow import: only once the configuration is known to be good

    from dhr_etl.definitions import nightly_job_definition
    from dhr_etl.warehouse.store import open_warehouse

    print(f"dhr-etl: running the nightly job on {settings.source}")
    warehouse = open_warehouse(settings.warehouse_url)
    print(f"         warehouse {warehouse.display()}; Dagster instance {home}")
    started = time.monotonic()
    # execute_job, not execute_in_process: the latter keeps every asset's value in memory until the
    # run ends (so that its result can hand them back), which at 65,000 reviews is over 1 GB.
    with dg.execute_job(
        dg.reconstructable(nightly_job_definition),
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": args.log_level}}}},
        tags={"dhr_etl/launched_by": "cli"},
    ) as result:
        return _report_run(result, settings, warehouse, time.monotonic() - started)


def _report_run(result, settings: Settings, warehouse, seconds: float) -> int:  # noqa: ANN001
    if not result.success:
        print("\n" + _failure_paragraph(result, seconds), file=sys.stderr)
        return EXIT_FAILED
    counts = warehouse.table_counts()
    fetch = result.asset_materializations_for_node("review_pages")[0].metadata["fetch"].value
    parsing = result.asset_materializations_for_node("parsed_pages")
    parsed_now = next(m.metadata["pages_parsed"].value for m in parsing if "pages_parsed" in m.metadata)
    quarantined = next(m.metadata["quarantined_pages"].value for m in parsing if "quarantined_pages" in m.metadata)
    crawl = ", ".join(f"{value} {name}" for name, value in fetch.items() if value and name not in ("bytes_received",))
    print(textwrap.dedent(f"""
        dhr-etl: run {result.run_id[:8]} succeeded in {seconds:.1f} s.
          warehouse      {warehouse.display()}
          reviews        {counts['dim_review']}
          recommendations {counts['fact_recommendation']}
          addressee pairs {counts['bridge_recommendation_agency']} ({counts['dim_agency']} agencies, {counts['dim_agency_alias']} spellings)
          CSPs           {counts['dim_csp']}
          findings       {counts['data_quality_finding']} in v_data_quality; {quarantined} page version(s) quarantined
          this run       {crawl or 'nothing fetched'}; {fetch['bytes_received']} bytes; {parsed_now} page(s) parsed""").rstrip())
    print(f"  report         {settings.data_dir / 'report' / 'index.html'} (open it in a browser)")
    print(_how_to_query(settings.warehouse_url, warehouse.display()))
    return 0


def _where(settings: Settings) -> str:
    from dhr_etl.warehouse.store import open_warehouse

    return open_warehouse(settings.warehouse_url).display()


def _how_to_query(url: str, where: str) -> str:
    if url.startswith("duckdb:///"):
        return textwrap.dedent(f"""\
            Query it:
              .venv/bin/python -c "import duckdb; print(duckdb.connect('{where}', read_only=True).sql('SELECT * FROM v_agency_summary ORDER BY recommendations DESC LIMIT 10'))"
              duckdb -readonly {where} "SELECT * FROM v_csp_year_summary"
            See the run in the Dagster UI: make ui""")
    return textwrap.dedent(f"""\
        Query it: psql "<your connection>" -c "SELECT * FROM dhr.v_agency_summary ORDER BY recommendations DESC LIMIT 10"
        Give BI tools a read-only login: DHR_BI_PASSWORD=… .venv/bin/dhr-etl grant-bi-role
        See the run in the Dagster UI: make ui""")


def _failure_paragraph(result, seconds: float) -> str:
    failures = [event for event in result.all_events if event.is_step_failure]
    if failures:
        event = failures[0]
        error = event.step_failure_data.error
        cause = error.cause if error and error.cause else error
        message = (cause.message if cause else "unknown error").strip().splitlines()[-1]
        where = event.step_key
    else:
        where, message = "the run", "it did not complete"
    return textwrap.fill(
        f"dhr-etl: run {result.run_id[:8]} FAILED after {seconds:.1f} s at step '{where}': {message} "
        "The previous warehouse, if any, is unchanged and still queryable. "
        "The run's full log is in the Dagster UI (make ui).",
        width=100,
    )


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dhr-etl", description="Domestic Homicide Review recommendations ETL.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the nightly job once, in-process, recorded in the Dagster instance")
    run_parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    run_parser.add_argument("--force", action="store_true",
                            help="run even when nothing changed since the live version was built")
    run_parser.set_defaults(handler=run)
    serve_parser = commands.add_parser("serve-library", help="serve a folder of pages as a local library site on 127.0.0.1")
    serve_parser.add_argument("folder", nargs="?", default=str(Path(__file__).parent / "sample" / "library"))
    serve_parser.add_argument("--port", type=int, default=8765)
    serve_parser.set_defaults(handler=serve)
    commands.add_parser("settings", help="show the effective configuration").set_defaults(handler=show_settings)
    commands.add_parser("grant-bi-role", help="PostgreSQL: create or update the read-only BI role "
                        "(DHR_BI_ROLE, password from DHR_BI_PASSWORD)").set_defaults(handler=grant_bi_role)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
