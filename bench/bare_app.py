"""The framework ceiling: a bare Litestar endpoint answering JSON of a given size.

    python -m uvicorn bare_app:app --app-dir bench --port 8001

``GET /bare/{size}`` answers a JSON object of ``size`` bytes, encoded by Litestar on
every request as a handler's return value is; no database, no middleware.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Litestar, get

# Bytes of '{"data":""}' around the padding.
ENVELOPE = len('{"data":""}')


@cache
def payload(size: int) -> dict[str, Any]:
    return {"data": "x" * max(0, size - ENVELOPE)}


@get("/bare/{size:int}", sync_to_thread=False)
def bare(size: int) -> dict[str, Any]:
    """A JSON object of ``size`` bytes."""
    return payload(size)


app = Litestar(route_handlers=[bare], debug=False)
