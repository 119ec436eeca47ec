"""The outermost layer: what every request and every answer passes, before any routing.

- Limits: a path and query over ``CASEAPI_MAX_URL_BYTES`` gets 414, a body over
  ``CASEAPI_MAX_BODY_BYTES`` 413, as problems; the rate limit is Litestar's
  middleware (``rate_limits``), which needs the route.
- HEAD is answered as the GET it stands for, without the body (RFC 9110 §9.3.2),
  so every GET route answers HEAD with the same headers.
- CORS: read access from ``CASEAPI_CORS_ORIGINS`` (``*``: anyone), with the
  validators, ``Link`` and the rate-limit headers exposed; preflights answered
  here. Not Litestar's CORS middleware: it replaces ``Vary`` instead of adding
  ``Origin`` to it (dropping ``Accept-Encoding``), and with ``*`` it answers
  without ``Access-Control-Allow-Origin`` when no ``Origin`` was sent, so a
  shared cache could hand that copy to a browser that needs the header.
- Security headers on every answer (``security.py``).
- One JSON access-log record per request on the ``caseapi.access`` logger.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any, cast

from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig

from caseapi.api.http.problems import PROBLEM_MEDIA_TYPE, problem_bytes
from caseapi.api.http.security import with_security_headers
from caseapi.settings import HttpSettings

if TYPE_CHECKING:
    from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

access_log = logging.getLogger("caseapi.access")
# The response cache notes in the scope's state what it did, for the access log.
CACHE_STATE_KEY = "caseapi.cache"
# Set in the scope's state for a HEAD request, which routes see as a GET.
HEAD_STATE_KEY = "caseapi.head"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Link, Retry-After, "
    "RateLimit-Limit, RateLimit-Policy, RateLimit-Remaining, RateLimit-Reset"
)
PREFLIGHT_MAX_AGE = "7200"  # what Chromium allows at most
# Paths that rate limits leave alone: health checks and the API's own documentation.
NOT_RATE_LIMITED = ["^/health$", "^/schema"]
_HEADER_NAMES = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*")


class Edge:
    """Wraps the whole Litestar app (``app.asgi_handler``); see the module docstring."""

    def __init__(self, app: ASGIApp, settings: HttpSettings) -> None:
        self.app = app
        self.max_url_bytes = settings.max_url_bytes
        self.max_body_bytes = settings.max_body_bytes
        self.any_origin = "*" in settings.cors_origins
        self.origins = frozenset(origin.rstrip("/") for origin in settings.cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        headers = dict(_lowered(scope["headers"]))
        origin = headers.get(b"origin", b"").decode("latin-1") or None
        outcome: dict[str, int] = {"status": 0, "bytes": 0}
        reply = self._reply(send, method, origin, outcome)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, detail = refusal
            await _send_problem(reply, status, detail, scope["path"])
        elif method == "OPTIONS" and origin and b"access-control-request-method" in headers:
            await self._preflight(reply, origin, headers)
        else:
            routed: Scope = scope
            if method == "HEAD":
                # Routed as GET; a handler that streams (files) may leave the body unread.
                routed = cast("Scope", {**scope, "method": "GET"})
                routed.setdefault("state", {})[HEAD_STATE_KEY] = True
            await self.app(routed, receive, reply)
        if access_log.isEnabledFor(logging.INFO):
            _log_access(scope, headers, outcome, time.perf_counter() - started)

    def _refusal(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        # Some clients' raw_path carries the query too (the ASGI spec says it should not).
        raw_path = (scope.get("raw_path") or scope["path"].encode()).partition(b"?")[0]
        if len(raw_path) + len(scope["query_string"]) > self.max_url_bytes:
            return 414, f"The URL is longer than {self.max_url_bytes} bytes."
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.max_body_bytes:
            return 413, f"The request body is larger than {self.max_body_bytes} bytes."
        return None

    def _allowed(self, origin: str | None) -> bool:
        return origin is not None and (self.any_origin or origin in self.origins)

    async def _preflight(self, send: Send, origin: str, headers: dict[bytes, bytes]) -> None:
        """Answer a CORS preflight: read-only methods, the headers the browser asks for."""
        method = headers[b"access-control-request-method"].decode("latin-1").strip()
        asked = headers.get(b"access-control-request-headers", b"").decode("latin-1").strip()
        if not self._allowed(origin) or method not in ("GET", "HEAD"):
            response_headers = [(b"vary", b"Origin")]
            await _send(send, 403, response_headers, b"")
            return
        response_headers = [
            (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
            (b"access-control-max-age", PREFLIGHT_MAX_AGE.encode()),
            (b"vary", b"Access-Control-Request-Method, Access-Control-Request-Headers"),
        ]
        if asked and _HEADER_NAMES.fullmatch(asked):
            response_headers.append((b"access-control-allow-headers", asked.encode()))
        await _send(send, 204, response_headers, b"")

    def _reply(self, send: Send, method: str, origin: str | None, outcome: dict[str, int]) -> Send:
        """``send`` with CORS and security headers added, and HEAD answered without a body."""
        allowed = self._allowed(origin)

        async def reply(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                message["headers"] = self._headers(
                    list(message.get("headers", [])), message["status"], origin, allowed
                )
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                if method == "HEAD" and body:
                    message = {**message, "body": b""}
                else:  # the log tells what went out: nothing for HEAD
                    outcome["bytes"] += len(body)
            await send(message)

        return reply

    def _headers(
        self,
        headers: list[tuple[bytes, bytes]],
        status: int,
        origin: str | None,
        allowed: bool,
    ) -> list[tuple[bytes, bytes]]:
        names = {name.lower() for name, _ in headers}
        headers = with_security_headers(headers, names)
        if status >= 400 and b"cache-control" not in names:
            headers.append((b"cache-control", b"no-store"))
        if self.any_origin:
            # Always, with or without Origin: every copy a cache keeps works for browsers.
            headers.append((b"access-control-allow-origin", b"*"))
        else:
            headers = _add_vary(headers, "Origin")
            if allowed and origin is not None:
                headers.append((b"access-control-allow-origin", origin.encode("latin-1")))
        if self.any_origin or allowed:
            headers.append((b"access-control-expose-headers", EXPOSED_HEADERS.encode()))
        return [
            (name, _with_head(value)) if name.lower() == b"allow" else (name, value)
            for name, value in headers
        ]


def rate_limits(settings: HttpSettings) -> list[DefineMiddleware]:
    """Litestar's rate-limit middleware when ``CASEAPI_RATE_LIMIT`` is set, else nothing.

    Counted per client address and per server process, in memory; ``RateLimit-*``
    headers on every answer, 429 as a problem with ``Retry-After`` when over.
    """
    if settings.rate_limit is None:
        return []
    config = RateLimitConfig(
        rate_limit=(settings.rate_limit.period, settings.rate_limit.requests),
        exclude=NOT_RATE_LIMITED,
    )
    return [config.middleware]


def _lowered(headers: Any) -> list[tuple[bytes, bytes]]:
    return [(bytes(name).lower(), bytes(value)) for name, value in headers]


def _add_vary(headers: list[tuple[bytes, bytes]], field: str) -> list[tuple[bytes, bytes]]:
    """``Vary`` with ``field`` added to whatever it already lists."""
    values = [value.decode("latin-1") for name, value in headers if name.lower() == b"vary"]
    fields = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if field.lower() not in {existing.lower() for existing in fields}:
        fields.append(field)
    kept = [(name, value) for name, value in headers if name.lower() != b"vary"]
    return [*kept, (b"vary", ", ".join(fields).encode("latin-1"))]


def _with_head(allow: bytes) -> bytes:
    """An ``Allow`` list that names HEAD wherever it names GET, since HEAD is answered too."""
    methods = [method.strip() for method in allow.decode("latin-1").split(",") if method.strip()]
    if "GET" in methods and "HEAD" not in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")
    return ", ".join(methods).encode("latin-1")


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    if body:
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_problem(send: Send, status: int, detail: str, path: str) -> None:
    body = problem_bytes(status, detail, path)
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"connection", b"close")]
    await _send(send, status, headers, body)


def _log_access(
    scope: HTTPScope, headers: dict[bytes, bytes], outcome: dict[str, int], seconds: float
) -> None:
    client = scope.get("client")
    record = {
        "method": scope["method"],
        "path": scope["path"],
        "query": scope["query_string"].decode("latin-1"),
        "status": outcome["status"],
        "bytes": outcome["bytes"],
        "duration_ms": round(seconds * 1000, 3),
        "client": client[0] if client else None,
        "user_agent": headers.get(b"user-agent", b"").decode("latin-1") or None,
        "cache": scope.get("state", {}).get(CACHE_STATE_KEY),
    }
    access_log.info(
        "%s %s %s", record["method"], record["path"], record["status"], extra={"http": record}
    )
