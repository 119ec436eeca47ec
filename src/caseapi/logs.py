"""Server logs as JSON lines: one object per line, for log shippers and ``jq``.

``caseapi serve`` hands ``logging_config`` to uvicorn, so every worker logs
alike: access records (``caseapi.access``, written by ``api/edge.py``) on
standard output, everything else (uvicorn's start and stop, errors) on
standard error.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any


class JsonLines(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, and its ``http`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "http", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(*, access_log: bool = True) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server and its workers."""
    formatter = f"{__name__}.{JsonLines.__name__}"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": formatter}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            # Replaced by caseapi.access, which also knows the duration and the cache.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "caseapi": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "caseapi.access": {
                "handlers": ["stdout"],
                "level": "INFO" if access_log else "WARNING",
                "propagate": False,
            },
        },
    }
