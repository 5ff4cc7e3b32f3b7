"""The console logger of every run: Dagster's own, except that a failure is one line, not a traceback,
and the steps skipped because of it are not listed one by one.

Dagster's console logger appends an error's whole stack trace to the line that reports it, so a
failed ``dhr-etl run`` printed pages of Python. The stack traces stay in the Dagster instance,
where the UI shows them with the run; the console gets the step and the error's first line.
"""

from __future__ import annotations

import logging
import re

import dagster as dg
from dagster._utils.log import create_console_logger


def first_line_of_cause(error) -> str:  # noqa: ANN001 - dagster's SerializableErrorInfo
    """The first line of the innermost error: what went wrong, not Dagster's wrapper around it."""
    while error.cause is not None:
        error = error.cause
    lines = (error.message or "").strip().splitlines()
    if not lines:
        return error.cls_name or "unknown error"
    # "dhr_etl.source.crawl.SourceUnavailable: cannot reach …" → "SourceUnavailable: cannot reach …"
    return re.sub(r"^(?:[A-Za-z_]\w*\.)+(?=\w+: )", "", lines[0])


_NOT_EXECUTED = re.compile(r"\bDependencies for step \S+ (failed|were not executed)")
"""Dagster's line for each step skipped after a failure: one per downstream step, saying nothing
the failure line has not said (the UI still shows them)."""


class _OneLineErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _NOT_EXECUTED.search(message):
            return False
        head, blank_line, _ = message.partition("\n\n")  # Dagster appends the error after a blank line
        if blank_line:
            event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
            error = getattr(getattr(event, "event_specific_data", None), "error", None)
            record.msg, record.args = (f"{head} {first_line_of_cause(error)}" if error else head), ()
        return True


@dg.logger(
    config_schema={"log_level": dg.Field(str, default_value="INFO", is_required=False),
                   "name": dg.Field(str, default_value="dagster", is_required=False)},
    description="Dagster's colored console logger, with each error in one line (stack traces are in the UI).",
)
def one_line_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = create_console_logger(init_context.logger_config["name"], init_context.logger_config["log_level"])
    logger.addFilter(_OneLineErrors())
    return logger
