"""``/sitemap.xml``: every public document's frontend URL, for search engines (sitemaps.org).

Past 50,000 URLs (the protocol's limit per file; ``CASEAPI_SITEMAP_SIZE`` sets
fewer) ``/sitemap.xml`` becomes a sitemap index of ``/sitemaps/{n}``. ``lastmod`` is the
document's last change (its ``updated``, else its file's save): it moves only
when the document does.
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Annotated

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
ET.register_namespace("", SITEMAP)


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
    index = ET.Element(f"{{{SITEMAP}}}sitemapindex")
    for number in range(1, math.ceil(total / size) + 1):
        entry = ET.SubElement(index, f"{{{SITEMAP}}}sitemap")
        ET.SubElement(entry, f"{{{SITEMAP}}}loc").text = f"{settings.api_url}/sitemaps/{number}"
    return _xml(index)


@get(
    "/sitemaps/{number:int}",
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
    number: Annotated[int, PathParameter(ge=1, le=10_000, description="The part, from 1.")],
) -> Response[bytes]:
    """Part ``number`` of the sitemap index that ``/sitemap.xml`` gives past 50,000 URLs."""
    now = dt.datetime.now(dt.UTC)
    size = settings.sitemap_size
    entries, total = await readers.catalog.sitemap(now, (number - 1) * size, size)
    if not entries and not (number == 1 and total == 0):
        raise NotFoundException(detail=f"The sitemap has no part {number}.")
    return _xml(_urlset(entries, settings))


def _urlset(entries: Sequence[tuple[str, str, dt.datetime]], settings: Settings) -> ET.Element:
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    for collection, slug, changed in entries:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = document_url(
            settings.base_url, collection, slug
        )
        lastmod = changed.astimezone(dt.UTC).replace(microsecond=0)
        ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = lastmod.isoformat().replace(
            "+00:00", "Z"
        )
    return urlset


def _xml(root: ET.Element) -> Response[bytes]:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=MEDIA_TYPE)
