"""Structured logs (structlog): one JSON object per line, carrying ids, codes and counts only.

Log lines leave the machine (collectors, support tickets), so no personal data may reach them.
Our own events carry ids only; the risk is text we do not write ourselves: exception messages
(SQLAlchemy quotes the statement's parameters, pydantic quotes the input) and access lines (query
strings). So exceptions are logged as their class and stack frames without any message, and the
request line names the route template, never the query string.

``configure_logging()`` routes the standard library's loggers (uvicorn, kintrace modules) through
the same renderer, so every line of the process has one shape.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import Any, TextIO

import structlog

# uvicorn's own access log quotes the full path with its query string; kintrace.web.admission
# writes a request line without it instead.
_SILENCED = ("uvicorn.access",)


def _exception_without_text(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Replace exc_info by the exception's class and frames: messages may quote personal data."""
    exc_info = event.pop("exc_info", None)
    if not exc_info:
        return event
    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    exc_type, exc, tb = exc_info
    if exc_type is None:
        return event
    event["exception"] = _describe(exc_type, exc, tb)
    return event


def _describe(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> dict[str, Any]:
    frames = [f"{f.filename}:{f.lineno} {f.name}" for f in traceback.extract_tb(tb)][-12:]
    described: dict[str, Any] = {"type": f"{exc_type.__module__}.{exc_type.__qualname__}"}
    if frames:
        described["frames"] = frames
    cause = exc.__cause__ or exc.__context__ if exc is not None else None
    if cause is not None and cause is not exc:
        described["cause"] = f"{type(cause).__module__}.{type(cause).__qualname__}"
    return described


def _message_of_foreign_record(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    # Standard-library records (uvicorn, libraries) arrive with their formatted message as the
    # event; it is kept (uvicorn's lines hold addresses and states, not personal data), but an
    # exception attached to them goes through _exception_without_text like ours.
    event.pop("positional_args", None)
    return event


def configure_logging(level: str = "INFO", *, stream: TextIO | None = None) -> None:
    """JSON lines on ``stream`` (stderr) for structlog and standard-library loggers alike."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _exception_without_text,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Each module's logger is built once, on its first line: under a surge building it
        # again for every request log line was ~7 % of the event loop per enquiry. Safe to
        # cache because this configuration is the last word: calling this again (tests with
        # their own stream) swaps the root handler, which cached loggers reach all the same.
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, _message_of_foreign_record],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    # No line of ours shows where it was logged from, nor the thread or process: the standard
    # library's documented switches skip finding them for every record (the caller's frame,
    # thread and process names). Under a surge that is ~20 % of the request log line.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        # uvicorn installs its own handlers; let its records reach ours instead.
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    for name in _SILENCED:
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = False


def _route_to_standard_logging() -> None:
    # Until configure_logging() runs (tests, library use, `uvicorn --factory`), structlog events
    # go to the standard library like every other log line instead of being printed to stdout.
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, structlog.stdlib.render_to_log_kwargs],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


if not structlog.is_configured():
    _route_to_standard_logging()


def get_logger(name: str) -> Any:
    """A structlog logger: ``log.info("enquiry_received", enquiry_id=7)`` (ids, never names)."""
    return structlog.stdlib.get_logger(name)
