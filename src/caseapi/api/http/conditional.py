"""Conditional GET (RFC 9110 §13): entity tags, HTTP dates, and when a 304 is the answer.

``api/caching.py`` applies this to every GET: the strong ETag is a hash of
exactly the bytes a client would receive before any content coding, so it
changes whenever what the client would see changes, and never otherwise; a
brotli or gzip copy of those bytes is a different representation with its own
tag (RFC 9110 §8.8.3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email.utils import format_datetime, parsedate_to_datetime

from litestar.openapi.datastructures import ResponseSpec

_ENTITY_TAG = re.compile(r'(?:W/)?"[^"]*"|\*')
# Headers a cache needs to reuse its copy; a 304 repeats them (RFC 9110 §15.4.5).
KEPT_ON_304 = frozenset(
    (b"etag", b"last-modified", b"cache-control", b"content-location", b"expires", b"vary")
)


def strong_etag(body: bytes) -> str:
    """A strong entity tag for ``body``: its quoted hash."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def encoded_etag(etag: str, encoding: str | None) -> str:
    """The tag of ``etag``'s representation in a content coding: ``"…-br"``, ``"…-gzip"``."""
    return etag if encoding is None else f'{etag[:-1]}-{encoding}"'


def http_date(moment: dt.datetime) -> str:
    """An HTTP date (IMF-fixdate, always GMT)."""
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def parse_http_date(value: str | None) -> dt.datetime | None:
    """An HTTP date as an aware datetime; ``None`` when missing or unreadable."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def is_not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    etag: str,
    last_modified: dt.datetime | None,
) -> bool:
    """Whether the client's copy is current, by RFC 9110 §13.2.2.

    ``If-None-Match`` wins: when a client sends it, ``If-Modified-Since`` is not
    looked at, because an entity tag is the more precise validator.
    """
    if if_none_match is not None:
        tags = _ENTITY_TAG.findall(if_none_match)
        # Weak comparison, as RFC 9110 prescribes for If-None-Match.
        return "*" in tags or _opaque(etag) in {_opaque(tag) for tag in tags}
    since = parse_http_date(if_modified_since)
    if since is None or last_modified is None:
        return False  # an unreadable date is ignored, as RFC 9110 asks
    # HTTP dates have whole seconds: compare what the client could have been sent.
    return last_modified.replace(microsecond=0) <= since


def not_modified_spec() -> ResponseSpec:
    """OpenAPI description of the 304 answer to a conditional GET."""
    return ResponseSpec(
        data_container=None,
        description="Not modified: the copy the client has (If-None-Match, If-Modified-Since) "
        "is current.",
        generate_examples=False,
    )


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")
