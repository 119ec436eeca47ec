"""Every GET answer, made cacheable: validators, 304s, compression, Cache-Control, memory.

``RepresentationMiddleware`` sits around every route and, for GET (and HEAD,
which ``edge.py`` routes as GET):

- hashes the rendered body into a strong ``ETag``; a brotli or gzip copy gets
  its own tag (``"…-br"``), being other bytes (RFC 9110 §8.8.3);
- sends ``Last-Modified``: what the handler said (a document's change, a feed's
  newest item), else the moment the public content last changed — the catalog
  generation's change, or a scheduled document's publication since then;
- answers ``If-None-Match`` / ``If-Modified-Since`` with 304 (``conditional.py``);
- compresses with brotli or gzip when asked (``compression.py``);
- sets ``Cache-Control`` by route family (documents, lists, search, feeds,
  status), with max-age cut short when a scheduled document is about to appear;
- keeps the answer in memory (``cache.py``) for as long as what is public
  stays as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import unquote_plus

import anyio
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware

from caseapi.api.http.cache import Epoch, Representation, ResponseCache
from caseapi.api.http.compression import compressible, negotiate
from caseapi.api.http.conditional import (
    KEPT_ON_304,
    encoded_etag,
    http_date,
    is_not_modified,
    parse_http_date,
)
from caseapi.api.http.edge import CACHE_STATE_KEY
from caseapi.api.http.security import html_security_policy
from caseapi.settings import HttpSettings

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

    from caseapi.api.readers import Readers

Family = Literal["documents", "lists", "search", "feeds", "status", "schema", "files"]
# Families whose handlers answer conditional requests and set Cache-Control themselves,
# and whose answers are not kept in memory (files are on disk already).
PASSED_THROUGH = frozenset({"files"})
FAMILY_OPTION = "cache_family"
# What the OpenAPI pages and their assets may be kept for; they change with a deploy.
SCHEMA_CACHE_CONTROL = "public, max-age=300"
_MAX_AGE = re.compile(r"\b(max-age|s-maxage)=(\d+)")
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")


def cache_family(family: Family) -> dict[str, Any]:
    """A route handler's ``opt``: which ``Cache-Control`` its answers carry."""
    return {FAMILY_OPTION: family}


class RepresentationMiddleware:
    """Validators, 304s, compression, Cache-Control and the response cache, for GET."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, settings: HttpSettings) -> None:
        self.app = app
        self.cache = cache
        self._parameters: dict[Any, frozenset[str]] = {}
        self.cache_control: dict[str, str] = {
            "documents": settings.cache_documents,
            "lists": settings.cache_lists,
            "search": settings.cache_search,
            "feeds": settings.cache_feeds,
            "status": settings.cache_status,
            "schema": SCHEMA_CACHE_CONTROL,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if scope["route_handler"].opt.get(FAMILY_OPTION) in PASSED_THROUGH:
            scope.setdefault("state", {})[CACHE_STATE_KEY] = "pass"
            await self.app(scope, receive, send)
            return
        readers: Readers = scope["app"].state.readers
        now = dt.datetime.now(dt.UTC)
        epoch = await self.cache.epoch(readers, now)
        key = scope["path"] + "?" + self._known_query(scope)
        representation = self.cache.get(key, epoch)
        state = scope.setdefault("state", {})
        if representation is None:
            messages = await _capture(self.app, scope, receive)
            representation = _representation(messages, epoch, now)
            if representation is None:  # an error, or something we do not keep: as it was
                state[CACHE_STATE_KEY] = "pass"
                for message in messages:
                    await send(message)
                return
            self.cache.put(key, epoch, representation)
            state[CACHE_STATE_KEY] = "miss" if self.cache.enabled else "off"
        else:
            state[CACHE_STATE_KEY] = "hit"
        await self._answer(scope, send, key, representation, epoch, now)

    def _known_query(self, scope: Scope) -> str:
        """The query string with only the parameters the route reads, as the cache's key.

        Others change nothing in the answer; left in, ``?x=<random>`` would make every
        request a miss (rendering anew) and fill the cache with copies.
        """
        raw = scope["query_string"].decode("latin-1")
        if not raw:
            return raw
        handler = scope["route_handler"]
        known = self._parameters.get(handler)
        if known is None:
            known = self._parameters[handler] = query_parameters(handler)
        kept = [part for part in raw.split("&") if unquote_plus(part.partition("=")[0]) in known]
        return "&".join(kept)

    async def _answer(
        self,
        scope: Scope,
        send: Send,
        key: str,
        representation: Representation,
        epoch: Epoch,
        now: dt.datetime,
    ) -> None:
        request_headers = Headers.from_scope(scope)
        encoding = (
            negotiate(request_headers.get("accept-encoding", ""))
            if representation.compressible
            else None
        )
        etag = encoded_etag(representation.etag, encoding)
        headers = [
            *representation.headers,
            (b"etag", etag.encode()),
            (b"last-modified", http_date(representation.last_modified).encode()),
        ]
        if not any(name == b"cache-control" for name, _ in headers):
            family = scope["route_handler"].opt.get(FAMILY_OPTION, "schema")
            value = _cap_max_age(self.cache_control[family], epoch.valid_until, now)
            headers.append((b"cache-control", value.encode()))
        if representation.compressible:
            headers.append((b"vary", b"Accept-Encoding"))
        if_none_match = ", ".join(request_headers.getall("if-none-match", [])) or None
        if is_not_modified(
            if_none_match,
            request_headers.get("if-modified-since"),
            etag,
            representation.last_modified,
        ):
            kept = [(name, value) for name, value in headers if name in KEPT_ON_304]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        body, added = representation.encoded(encoding)
        self.cache.grew(key, added)
        if encoding is not None:
            headers.append((b"content-encoding", encoding.encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def query_parameters(handler: Any) -> frozenset[str]:
    """The names of the query parameters a route handler reads."""
    signature = handler.parsed_fn_signature.parameters
    dependencies = set(handler.resolve_dependencies())
    in_path = {
        name.partition(":")[0] for path in handler.paths for name in _PATH_PARAMETER.findall(path)
    }
    reserved = {"request", "data", "state", "scope", "headers", "cookies", "query", "socket"}
    return frozenset(set(signature) - dependencies - in_path - reserved)


def representation_middleware(cache: ResponseCache, settings: HttpSettings) -> DefineMiddleware:
    """The middleware for ``Litestar(middleware=[...])``, sharing one cache across routes."""
    return DefineMiddleware(RepresentationMiddleware, cache=cache, settings=settings)


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> list[Message]:
    """Run the route and keep what it sends.

    Streamed answers (static files) listen for the client's disconnect until they
    are done, and the server only reports it once the answer has gone out — which,
    kept here, it has not. So the route hears of the end of its own answer from us.
    """
    messages: list[Message] = []
    done = anyio.Event()
    asked = False

    async def keep(message: Message) -> None:
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            done.set()

    async def listen() -> ReceiveMessage:
        nonlocal asked
        if not asked:  # the request itself (a GET has no body to speak of)
            asked = True
            return await receive()
        await done.wait()
        return {"type": "http.disconnect"}

    await app(scope, listen, keep)
    return messages


def _representation(
    messages: list[Message], epoch: Epoch, now: dt.datetime
) -> Representation | None:
    """A 200 answer sent as start and body messages; ``None`` for anything else.

    Anything else: another status, a stream, or an answer that says ``no-store``.
    """
    if not messages or messages[0]["type"] != "http.response.start":
        return None
    start = cast("dict[str, Any]", messages[0])
    if start["status"] != 200:
        return None
    chunks: list[bytes] = []
    for message in messages[1:]:
        if message["type"] != "http.response.body":
            return None
        chunks.append(cast("dict[str, Any]", message).get("body", b""))
    body = b"".join(chunks)
    headers: list[tuple[bytes, bytes]] = []
    last_modified = epoch.last_change
    media_type = ""
    for name, value in start.get("headers", []):
        lowered = bytes(name).lower()
        if lowered == b"last-modified":
            stated = parse_http_date(bytes(value).decode("latin-1"))
            last_modified = min(stated, now) if stated is not None else last_modified
        elif lowered in (b"etag", b"content-length", b"content-encoding", b"vary"):
            continue  # set again for the representation a client gets
        elif lowered == b"cache-control" and b"no-store" in bytes(value):
            return None  # a preview: kept by nobody, this memory included
        else:
            if lowered == b"content-type":
                media_type = bytes(value).decode("latin-1")
            headers.append((lowered, bytes(value)))
    if media_type.startswith("text/html"):
        policy = html_security_policy(body)
        headers.append((b"content-security-policy", policy.encode()))
    return Representation(body, headers, last_modified, compressible(media_type, len(body)))


def _cap_max_age(cache_control: str, valid_until: dt.datetime | None, now: dt.datetime) -> str:
    """``max-age`` no longer than until the next scheduled publication."""
    if valid_until is None:
        return cache_control
    remaining = max(0, int((valid_until - now).total_seconds()))

    def cap(match: re.Match[str]) -> str:
        return f"{match.group(1)}={min(int(match.group(2)), remaining)}"

    return _MAX_AGE.sub(cap, cache_control)
