"""Every GET answer, made cacheable: validators, 304s, compression, Cache-Control, memory.

``RepresentationMiddleware`` sits around every route and, for GET (and HEAD,
which ``api/edge.py`` routes as GET):

- hashes the rendered body into a strong ``ETag``; a brotli or gzip copy gets
  its own tag (``"…-br"``), being other bytes (RFC 9110 §8.8.3);
- sends ``Last-Modified``: what the handler said (a document's change, a feed's
  newest item), else the moment the public content last changed — the catalog
  generation's change, or a scheduled document's publication since then;
- answers ``If-None-Match`` / ``If-Modified-Since`` with 304 (``api/conditional.py``);
- compresses with brotli or gzip when asked, using Litestar's CompressionConfig and
  compressors. Not Litestar's middleware: that runs inside ours, so the tag would
  hash compressed bytes (gzip's differ every second), and it would compress each
  request again where we compress each cached answer once;
- sets ``Cache-Control`` by route family (documents, lists, search, feeds,
  status), with max-age cut short when a scheduled document is about to appear;
- keeps the answer in memory, keyed on path and query, for as long as the
  content it came from is what is public: until the generation changes or the
  next scheduled publication, whichever comes first. Bounded in entries and
  bytes, least recently used out first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from io import BytesIO
from typing import TYPE_CHECKING, Any, Literal, cast

import anyio
from litestar.config.compression import CompressionConfig
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.compression.brotli_facade import BrotliCompression
from litestar.middleware.compression.facade import CompressionFacade
from litestar.middleware.compression.gzip_facade import GzipCompression

from caseapi.api.http.conditional import (
    KEPT_ON_304,
    encoded_etag,
    http_date,
    is_not_modified,
    parse_http_date,
    strong_etag,
)
from caseapi.api.http.edge import CACHE_STATE_KEY, html_security_policy
from caseapi.models import AMSTERDAM
from caseapi.settings import HttpSettings

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

    from caseapi.api.readers import Readers
    from caseapi.catalog.reader import Catalog

Family = Literal["documents", "lists", "search", "feeds", "status", "schema"]
Encoding = Literal["br", "gzip"]
FAMILY_OPTION = "cache_family"
# What the OpenAPI pages and their assets may be kept for; they change with a deploy.
SCHEMA_CACHE_CONTROL = "public, max-age=300"
# Scheduled publications looked up one by one after a generation's change before giving
# up on the exact moment (and taking "now", which is later and so still correct).
PUBLICATION_STEPS = 8
COMPRESSION = CompressionConfig(backend="brotli", brotli_quality=5, gzip_compress_level=6)
_COMPRESSIBLE = re.compile(r"text/|application/(?:[\w.+-]*\+)?(?:json|xml|javascript)|image/svg")
_MAX_AGE = re.compile(r"\b(max-age|s-maxage)=(\d+)")


def cache_family(family: Family) -> dict[str, Any]:
    """A route handler's ``opt``: which ``Cache-Control`` its answers carry."""
    return {FAMILY_OPTION: family}


class Epoch:
    """A stretch of time in which what is public does not change."""

    __slots__ = ("generation", "last_change", "valid_until")

    def __init__(
        self, generation: int, last_change: dt.datetime, valid_until: dt.datetime | None
    ) -> None:
        self.generation = generation
        self.last_change = last_change
        self.valid_until = valid_until

    def covers(self, generation: int, now: dt.datetime) -> bool:
        """Whether answers rendered in this epoch still hold at ``now``."""
        return self.generation == generation and (
            self.valid_until is None or now < self.valid_until
        )


class Representation:
    """One rendered 200 answer, with its compressed copies made as they are asked for."""

    __slots__ = ("body", "compressible", "etag", "headers", "last_modified", "size", "variants")

    def __init__(
        self,
        body: bytes,
        headers: list[tuple[bytes, bytes]],
        last_modified: dt.datetime,
        compressible: bool,
    ) -> None:
        self.body = body
        self.headers = headers
        self.etag = strong_etag(body)
        self.last_modified = last_modified
        self.compressible = compressible
        self.variants: dict[Encoding, bytes] = {}
        self.size = len(body) + sum(len(name) + len(value) for name, value in headers) + 200

    def encoded(self, encoding: Encoding | None) -> tuple[bytes, int]:
        """The body in ``encoding``, and how many bytes making it added to this entry."""
        if encoding is None:
            return self.body, 0
        body = self.variants.get(encoding)
        if body is not None:
            return body, 0
        body = compress(self.body, encoding)
        self.variants[encoding] = body
        self.size += len(body)
        return body, len(body)


class ResponseCache:
    """Rendered answers of one process, valid for one epoch; LRU within its bounds."""

    def __init__(self, settings: HttpSettings) -> None:
        self.enabled = settings.response_cache
        self.max_entries = settings.response_cache_entries
        self.max_bytes = settings.response_cache_megabytes * 1024 * 1024
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, Representation] = OrderedDict()
        self._bytes = 0
        self._epoch: Epoch | None = None

    @property
    def entries(self) -> int:
        """How many answers are kept."""
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """Roughly how much memory they take."""
        return self._bytes

    async def epoch(self, readers: Readers, now: dt.datetime) -> Epoch:
        """The current epoch; a new one (and an empty cache) when the last has ended."""
        epoch = self._epoch
        generation = readers.generation
        if epoch is not None and epoch.covers(generation, now):
            return epoch
        # No lock: two requests that both see the end compute the same new epoch.
        if epoch is not None and epoch.generation == generation and epoch.valid_until:
            since = epoch.valid_until  # a scheduled document has just become public
        elif readers.changed_at is not None:
            # The served generation's change, not the catalog's: between a new generation's
            # commit and the readers' switch to it, the catalog's date is later than what
            # search answers from, and they would keep that later date (and their 304s)
            # after the switch.
            since = readers.changed_at
        else:
            since = (await readers.catalog.generation()).changed_at
        last_change, valid_until = await settle(readers.catalog, since, now)
        fresh = Epoch(generation, last_change, valid_until)
        if self._epoch is epoch:
            self._epoch = fresh
            self._entries.clear()
            self._bytes = 0
        return self._epoch or fresh

    def get(self, key: str, epoch: Epoch) -> Representation | None:
        """The kept answer for ``key``, if it was rendered in ``epoch``."""
        if epoch is not self._epoch:
            return None
        representation = self._entries.get(key)
        if representation is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return representation

    def put(self, key: str, epoch: Epoch, representation: Representation) -> None:
        """Keep ``representation`` unless its epoch ended while it was rendered."""
        if not self.enabled or epoch is not self._epoch:
            return
        if representation.size > self.max_bytes // 8:
            return  # one answer must not push out everything else
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._bytes -= previous.size
        self._entries[key] = representation
        self._bytes += representation.size
        self._shrink()

    def grew(self, key: str, added: int) -> None:
        """Account for a compressed copy added to a kept answer."""
        if added and key in self._entries:
            self._bytes += added
            self._shrink()

    def _shrink(self) -> None:
        while self._entries and (
            len(self._entries) > self.max_entries or self._bytes > self.max_bytes
        ):
            _, oldest = self._entries.popitem(last=False)
            self._bytes -= oldest.size


async def settle(
    catalog: Catalog, since: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None]:
    """When public content last changed (at or after ``since``), and when it changes next.

    Besides new generations (``since``), what is public changes when a scheduled
    document's ``publish_at`` passes, and at New Year in Amsterdam, when ongoing
    assignments start to count as running in the new year.
    """
    last = max(since, _new_year(now))
    for _ in range(PUBLICATION_STEPS):
        upcoming = await catalog.next_publication(last)
        if upcoming is None or upcoming > now:
            return last, _earliest(upcoming, _next_new_year(now))
        last = upcoming
    return now, _earliest(await catalog.next_publication(now), _next_new_year(now))


def _new_year(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(AMSTERDAM)
    return dt.datetime(local.year, 1, 1, tzinfo=AMSTERDAM).astimezone(dt.UTC)


def _next_new_year(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(AMSTERDAM)
    return dt.datetime(local.year + 1, 1, 1, tzinfo=AMSTERDAM).astimezone(dt.UTC)


def _earliest(first: dt.datetime | None, second: dt.datetime) -> dt.datetime:
    return second if first is None else min(first, second)


class RepresentationMiddleware:
    """Validators, 304s, compression, Cache-Control and the response cache, for GET."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, settings: HttpSettings) -> None:
        self.app = app
        self.cache = cache
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
        readers: Readers = scope["app"].state.readers
        now = dt.datetime.now(dt.UTC)
        epoch = await self.cache.epoch(readers, now)
        key = scope["path"] + "?" + scope["query_string"].decode("latin-1")
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


def representation_middleware(cache: ResponseCache, settings: HttpSettings) -> DefineMiddleware:
    """The middleware for ``Litestar(middleware=[...])``, sharing one cache across routes."""
    return DefineMiddleware(RepresentationMiddleware, cache=cache, settings=settings)


def negotiate(accept_encoding: str) -> Encoding | None:
    """The content coding to answer in: brotli before gzip, by the client's q-values."""
    qualities: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            qualities[name.lower()] = quality
    anything = qualities.get("*", 0.0)
    choices: tuple[Encoding, ...] = ("br", "gzip")
    best = max(choices, key=lambda encoding: qualities.get(encoding, anything))
    return best if qualities.get(best, anything) > 0 else None


def compress(body: bytes, encoding: Encoding) -> bytes:
    """``body`` in ``encoding``, by Litestar's compressors and settings."""
    buffer = BytesIO()
    facade: CompressionFacade
    if encoding == "gzip":
        facade = GzipCompression(buffer=buffer, compression_encoding="gzip", config=COMPRESSION)
    else:
        facade = BrotliCompression(buffer=buffer, compression_encoding="br", config=COMPRESSION)
    facade.write(body)
    facade.close()
    return buffer.getvalue()


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
    """A 200 answer sent as start and body messages; ``None`` for anything else."""
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
        else:
            if lowered == b"content-type":
                media_type = bytes(value).decode("latin-1")
            headers.append((lowered, bytes(value)))
    if media_type.startswith("text/html"):
        policy = html_security_policy(body)
        headers.append((b"content-security-policy", policy.encode()))
    compressible = bool(_COMPRESSIBLE.match(media_type)) and len(body) >= COMPRESSION.minimum_size
    return Representation(body, headers, last_modified, compressible)


def _cap_max_age(cache_control: str, valid_until: dt.datetime | None, now: dt.datetime) -> str:
    """``max-age`` no longer than until the next scheduled publication."""
    if valid_until is None:
        return cache_control
    remaining = max(0, int((valid_until - now).total_seconds()))

    def cap(match: re.Match[str]) -> str:
        return f"{match.group(1)}={min(int(match.group(2)), remaining)}"

    return _MAX_AGE.sub(cap, cache_control)
