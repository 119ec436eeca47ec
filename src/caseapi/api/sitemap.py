"""``/sitemap.xml``: every public document's frontend URL, for search engines (sitemaps.org).

Past 50,000 URLs (the protocol's limit per file; ``CASEAPI_SITEMAP_SIZE`` sets
fewer) ``/sitemap.xml`` becomes a sitemap index of ``/sitemaps/{n}``. ``lastmod`` is the
document's last change (its ``updated``, else its file's save): it moves only
when the document does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Annotated
from xml.sax.saxutils import escape

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter

from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import not_modified_spec
from caseapi.api.http.problems import problem_spec
from caseapi.api.readers import Readers
from caseapi.publication import document_url
from caseapi.settings import Settings

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
MEDIA_TYPE = "application/xml"
_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"


def _xml_response(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=str,
        description=description,
        media_type=MEDIA_TYPE,
        generate_examples=False,
    )


@get(
    "/sitemap.xml",
    summary="Sitemap of every public document",
    tags=["sitemap"],
    media_type=MEDIA_TYPE,
    opt=cache_family("feeds"),
    responses={
        200: _xml_response("A sitemap (urlset), or a sitemap index past 50,000 URLs"),
        304: not_modified_spec(),
    },
)
async def sitemap(
    readers: NamedDependency[Readers], settings: NamedDependency[Settings]
) -> Response[bytes]:
    """The sitemap of every public document; a sitemap index when there are more than fit."""
    now = dt.datetime.now(dt.UTC)
    size = settings.sitemap_size
    entries, total = await readers.catalog.sitemap(now, 0, size)
    if total <= size:
        return _xml(_urlset(entries, settings))
    parts = [
        f"{settings.api_url}/sitemaps/{number}" for number in range(1, math.ceil(total / size) + 1)
    ]
    return _xml(_index(parts))


@get(
    "/sitemaps/{number:str}",
    summary="One part of a sitemap too large for one file",
    tags=["sitemap"],
    media_type=MEDIA_TYPE,
    opt=cache_family("feeds"),
    responses={
        200: _xml_response("A sitemap (urlset) of up to 50,000 URLs"),
        304: not_modified_spec(),
        400: problem_spec("Not a part number"),
        404: problem_spec("No such part"),
    },
)
async def sitemap_part(
    readers: NamedDependency[Readers],
    settings: NamedDependency[Settings],
    number: Annotated[
        str,
        # Digits 0-9 only: int() would also read other scripts' digits ("１").
        PathParameter(pattern=r"^[1-9][0-9]{0,4}$", description="The part, from 1."),
    ],
) -> Response[bytes]:
    """Part ``number`` of the sitemap index that ``/sitemap.xml`` gives past 50,000 URLs."""
    now = dt.datetime.now(dt.UTC)
    size = settings.sitemap_size
    part = int(number)
    entries, total = await readers.catalog.sitemap(now, (part - 1) * size, size)
    if not entries and not (part == 1 and total == 0):
        raise NotFoundException(detail=f"The sitemap has no part {number}.")
    return _xml(_urlset(entries, settings))


def _urlset(entries: Sequence[tuple[str, str, dt.datetime]], settings: Settings) -> bytes:
    # Written as text, not through ElementTree: 50,000 URLs in a fraction of the time. Every
    # value is escaped; lastmod is a UTC time to the second.
    rows = [
        f"<url><loc>{escape(document_url(settings.base_url, collection, slug))}</loc>"
        f"<lastmod>{changed.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}</lastmod></url>"
        for collection, slug, changed in entries
    ]
    return f'{_DECLARATION}<urlset xmlns="{SITEMAP}">{"".join(rows)}</urlset>'.encode()


def _index(parts: Sequence[str]) -> bytes:
    rows = [f"<sitemap><loc>{escape(part)}</loc></sitemap>" for part in parts]
    return f'{_DECLARATION}<sitemapindex xmlns="{SITEMAP}">{"".join(rows)}</sitemapindex>'.encode()


def _xml(body: bytes) -> Response[bytes]:
    return Response(body, media_type=MEDIA_TYPE)
