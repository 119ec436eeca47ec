"""Preview tokens: a signed, expiring permission to see one draft or scheduled document.

Signed with ``itsdangerous`` under ``CASEAPI_PREVIEW_SECRET``; the token names
the collection, the slug and the moment it expires, so it opens exactly one
document for a limited time. A new secret makes every earlier token invalid.
"""

from __future__ import annotations

import datetime as dt
import math
from urllib.parse import urlencode

import msgspec
from itsdangerous import BadSignature, URLSafeSerializer

from caseapi.publication import document_url

DEFAULT_MINUTES = 60
MAX_MINUTES = 60 * 24 * 30
# Separates these signatures from any other use of the same secret.
_SALT = "caseapi-preview-v1"


class PreviewRefused(ValueError):
    """The token does not open this document; the message says why, for the person."""


class PreviewLink(msgspec.Struct, frozen=True, kw_only=True):
    """Where a preview is seen: the frontend's page and the API's answer, and until when."""

    url: str
    api_url: str
    expires: dt.datetime


class PreviewGrant(msgspec.Struct, frozen=True, kw_only=True):
    """What a valid token allows: one document, until a moment."""

    collection: str
    slug: str
    expires: dt.datetime


def preview_token(
    secret: str, collection: str, slug: str, minutes: int, now: dt.datetime
) -> tuple[str, dt.datetime]:
    """A token for one document, valid for ``minutes``; and when it expires."""
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"A preview lasts from 1 to {MAX_MINUTES} minutes, not {minutes}.")
    expires = now.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)
    payload = [collection, slug, math.floor(expires.timestamp())]
    return str(_serializer(secret).dumps(payload)), expires.replace(microsecond=0)


def preview_link(
    secret: str,
    base_url: str,
    api_url: str,
    collection: str,
    slug: str,
    minutes: int,
    now: dt.datetime,
) -> PreviewLink:
    """Both URLs of a preview of one document: ``…/<collection>/<slug>?preview=<token>``."""
    token, expires = preview_token(secret, collection, slug, minutes, now)
    query = f"?{urlencode({'preview': token})}"
    return PreviewLink(
        url=document_url(base_url, collection, slug) + query,
        api_url=document_url(api_url, collection, slug) + query,
        expires=expires,
    )


def check_preview(
    secret: str, token: str, collection: str, slug: str, now: dt.datetime
) -> PreviewGrant:
    """The grant of ``token`` for this document; ``PreviewRefused`` for any other."""
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature:
        message = "This preview link is not valid (it may be for another site or key)."
        raise PreviewRefused(message) from None
    grant = _grant(payload)
    if (grant.collection, grant.slug) != (collection, slug):
        raise PreviewRefused("This preview link is for another document.")
    if grant.expires <= now:
        raise PreviewRefused("This preview link has expired; ask for a new one.")
    return grant


def _grant(payload: object) -> PreviewGrant:
    if (
        not isinstance(payload, list)
        or len(payload) != 3
        or not all(isinstance(part, str) for part in payload[:2])
        or not isinstance(payload[2], int)
    ):
        raise PreviewRefused("This preview link is not valid.")
    collection, slug, expires = payload
    return PreviewGrant(
        collection=collection,
        slug=slug,
        expires=dt.datetime.fromtimestamp(expires, dt.UTC),
    )


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)
