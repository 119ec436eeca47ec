"""``/redirects`` and ``/resolve``: where old URLs (renamed slugs, the old site) live now.

Frontends and proxies read ``/redirects`` to answer old URLs with a 301; a
frontend that meets an unknown path asks ``/resolve`` where it went. Paths are
the frontend's (``CASEAPI_BASE_URL``): an old slug ``oude-naam`` of a post is
``/posts/oude-naam``; an old-site path is what the old site's URL had.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import QueryParameter

from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import not_modified_spec
from caseapi.api.http.problems import problem_spec
from caseapi.api.readers import Readers
from caseapi.catalog.interface import Redirect
from caseapi.content.claims import SITE
from caseapi.models import COLLECTIONS, DOCUMENT_TYPES, Collection, DocumentType
from caseapi.publication import document_url
from caseapi.settings import Settings

# Long enough for any real path; short enough that one of non-ASCII letters, each
# percent-encoded to 12 bytes, stays under CASEAPI_MAX_URL_BYTES.
MAX_PATH = 1000
# What ends a path: the blanks JSON Schema's (ECMAScript's) \s and Python's agree on.
_BLANKS = " \t\n\r\f\v"


class RedirectRule(msgspec.Struct, kw_only=True):
    """Answer ``from`` (a path of the frontend) with a redirect to ``to``."""

    from_: str = msgspec.field(name="from")
    to: str
    status: Literal[301]


class RedirectList(msgspec.Struct, kw_only=True):
    """``GET /redirects``."""

    data: list[RedirectRule]


class Resolved(msgspec.Struct, kw_only=True):
    """``GET /resolve``: where a path lives now (200: it is a page; 301: it moved)."""

    path: str
    status: Literal[200, 301]
    to: str
    url: str
    type: DocumentType
    slug: str


def frontend_path(settings: Settings, collection: str, slug: str) -> str:
    """The path of a document on the frontend (its URL without scheme and host)."""
    return urlsplit(document_url(settings.base_url, collection, slug)).path


def alias_path(settings: Settings, redirect: Redirect) -> str:
    """The old URL's path: an old-site path as written, an old slug as its page's path."""
    if redirect.collection == SITE:
        return redirect.alias
    return frontend_path(settings, redirect.collection, redirect.alias)


@get(
    "/redirects",
    summary="Old URLs and where they redirect",
    tags=["redirects"],
    opt=cache_family("lists"),
    responses={304: not_modified_spec()},
)
async def list_redirects(
    readers: NamedDependency[Readers], settings: NamedDependency[Settings]
) -> RedirectList:
    """Every alias of a public document, as a 301 from its old path to the current one."""
    redirects = await readers.catalog.redirects(dt.datetime.now(dt.UTC))
    return RedirectList(
        data=[
            RedirectRule(
                from_=alias_path(settings, redirect),
                to=frontend_path(settings, redirect.target_collection, redirect.target_slug),
                status=301,
            )
            for redirect in redirects
        ]
    )


@get(
    "/resolve",
    summary="Where a path lives now",
    tags=["redirects"],
    opt=cache_family("lists"),
    responses={
        304: not_modified_spec(),
        400: problem_spec("Not a path"),
        404: problem_spec("Nothing lives at that path"),
    },
)
async def resolve(
    readers: NamedDependency[Readers],
    settings: NamedDependency[Settings],
    path: Annotated[
        str,
        QueryParameter(
            min_length=1,
            max_length=MAX_PATH,
            pattern=r"^(/|https?://)[^ \t\n\r\f\v]*$",
            description="A path (`/oude-site/pagina.html`, `/posts/oude-naam`) or a whole URL.",
        ),
    ],
) -> Resolved:
    """A document's page (200), or where an old path of it redirects (301); else a 404."""
    wanted = _path_of(path)
    now = dt.datetime.now(dt.UTC)
    catalog = readers.catalog
    page = _document_of(settings, wanted)
    if page is not None:
        collection, slug = page
        if await catalog.get_document(collection, slug, now) is not None:
            return _resolved(settings, wanted, 200, collection, slug)
    alias = (SITE, wanted) if page is None else page
    found = await catalog.redirects(now, *alias)
    if not found and page is not None:  # an old slug may have been an old-site path too
        found = await catalog.redirects(now, SITE, wanted)
    if not found:
        raise NotFoundException(detail=f"Nothing lives at '{wanted}', and nothing moved from it.")
    target = found[0]
    return _resolved(settings, wanted, 301, target.target_collection, target.target_slug)


def _path_of(raw: str) -> str:
    text = raw.strip()
    if text.startswith(("http://", "https://")):
        try:
            parts = urlsplit(text)
        except ValueError:
            raise ClientException(detail=f"'{text}' is not a web address.") from None
        text = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not text.startswith("/") or any(char in _BLANKS for char in text):
        raise ClientException(
            detail="Give a path starting with '/', like /oude-site/pagina.html, or a whole URL."
        )
    return text


def _document_of(settings: Settings, path: str) -> tuple[Collection, str] | None:
    """``(collection, slug)`` when ``path`` has the shape of a document's page."""
    base = urlsplit(settings.base_url).path.rstrip("/")
    if base and not path.startswith(base + "/"):
        return None
    parts = path[len(base) :].strip("/").split("/")
    for collection in COLLECTIONS:
        if len(parts) == 2 and parts[0] == collection and parts[1]:
            return collection, parts[1]
    return None


def _resolved(
    settings: Settings, path: str, status: Literal[200, 301], collection: Collection, slug: str
) -> Resolved:
    url = document_url(settings.base_url, collection, slug)
    return Resolved(
        path=path,
        status=status,
        to=urlsplit(url).path,
        url=url,
        type=DOCUMENT_TYPES[collection],
        slug=slug,
    )
