"""Conditional GET (RFC 9110 §13): ``ETag`` and ``Last-Modified``, and 304 when they match.

A handler renders its body to bytes and hands it to ``conditional_response``;
the strong ETag is a hash of exactly those bytes, so it changes whenever what
the client would receive changes, and never otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Request, Response
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_304_NOT_MODIFIED

_ENTITY_TAG = re.compile(r'(?:W/)?"[^"]*"|\*')
# Validators a cache needs to reuse its copy; a 304 repeats them (RFC 9110 §15.4.5).
_KEPT_ON_304 = ("etag", "last-modified", "cache-control", "content-location", "expires", "vary")


def strong_etag(body: bytes) -> str:
    """A strong entity tag for ``body``: its quoted hash."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def http_date(moment: dt.datetime) -> str:
    """An HTTP date (IMF-fixdate, always GMT)."""
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


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
    if if_modified_since is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as RFC 9110 asks
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    # HTTP dates have whole seconds: compare what the client could have been sent.
    return last_modified.replace(microsecond=0) <= since


def conditional_response(
    request: Request[Any, Any, Any],
    body: bytes,
    *,
    media_type: str,
    last_modified: dt.datetime | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[bytes]:
    """``body`` with ``ETag`` and ``Last-Modified``; an empty 304 when the client is current."""
    etag = strong_etag(body)
    validators = {"ETag": etag}
    if last_modified is not None:
        validators["Last-Modified"] = http_date(last_modified)
    all_headers = {**(headers or {}), **validators}
    # A header sent twice means the same as one with both lists (RFC 9110 §5.3).
    if_none_match = ", ".join(request.headers.getall("if-none-match", [])) or None
    if request.method in {"GET", "HEAD"} and is_not_modified(
        if_none_match, request.headers.get("if-modified-since"), etag, last_modified
    ):
        kept = {name: value for name, value in all_headers.items() if name.lower() in _KEPT_ON_304}
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=kept)
    return Response(body, status_code=HTTP_200_OK, media_type=media_type, headers=all_headers)


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
