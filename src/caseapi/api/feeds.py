"""``/feeds/{posts,assignments,all}.{json,atom,rss}``: recent documents for feed readers.

One route per feed and format, so that the OpenAPI document lists every path
with its own media type. Every feed answers conditional GETs (``api/caching.py``),
with the last change of the public content as ``Last-Modified``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from urllib.parse import urlencode

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import not_modified_spec
from caseapi.api.http.problems import problem_spec
from caseapi.api.listing import PageNumber, TagParameter
from caseapi.api.readers import Readers
from caseapi.catalog.interface import Filters
from caseapi.feeds import (
    FEED_FORMATS,
    MEDIA_TYPES,
    FeedFormat,
    FeedInfo,
    JsonFeed,
    render_feed,
)
from caseapi.models import Collection
from caseapi.settings import Settings

FeedName = Literal["posts", "assignments", "all"]
FEEDS: dict[FeedName, Collection | None] = {
    "posts": "posts",
    "assignments": "assignments",
    "all": None,
}
# Feed titles are read by the site's (Dutch) readers.
FEED_TITLES: dict[FeedName, str] = {
    "posts": "Berichten",
    "assignments": "Uitgevoerde opdrachten",
    "all": "Berichten en uitgevoerde opdrachten",
}
FORMAT_NAMES: dict[FeedFormat, str] = {"json": "JSON Feed 1.1", "atom": "Atom", "rss": "RSS 2.0"}


def feed_path(name: FeedName, feed_format: FeedFormat) -> str:
    """The path of one feed in one format."""
    return f"/feeds/{name}.{feed_format}"


async def serve_feed(
    readers: Readers,
    settings: Settings,
    name: FeedName,
    feed_format: FeedFormat,
    tag: str | None,
    page: int,
) -> Response[bytes]:
    """One page of a feed, newest first; only public documents, by the current time."""
    filters = Filters(tag=tag)
    size = settings.feed_size
    documents, total = await readers.catalog.list_documents(
        FEEDS[name],
        filters,
        "-date",
        offset=(page - 1) * size,
        limit=size,
        now=dt.datetime.now(dt.UTC),
    )
    base = f"{settings.api_url}{feed_path(name, feed_format)}"

    def page_url(number: int) -> str:
        query = {"tag": filters.tag} if filters.tag is not None else {}
        if number > 1:
            query["page"] = str(number)
        return f"{base}?{urlencode(query)}" if query else base

    title = f"{settings.site_name}: {FEED_TITLES[name]}"
    if filters.tag is not None:
        title = f"{title} ({filters.tag})"
    info = FeedInfo(
        title=title,
        description=f"De nieuwste {FEED_TITLES[name].lower()} van {settings.site_name}.",
        home_page_url=settings.base_url,
        feed_url=page_url(1),
        self_url=page_url(page),
        next_url=page_url(page + 1) if page * size < total else None,
        base_url=settings.base_url,
        site_name=settings.site_name,
    )
    # No Last-Modified of our own: the newest item's date misses an older item's edit (its
    # ``updated`` is the editor's word, rarely bumped) and a deletion, and answered 304 to
    # If-Modified-Since for a changed feed. api/caching.py dates it by the last change of
    # what is public instead, which every such change moves.
    body = render_feed(feed_format, documents, info, readers.urls)
    return Response(body, media_type=MEDIA_TYPES[feed_format])


def _feed_route(name: FeedName, feed_format: FeedFormat) -> HTTPRouteHandler:
    async def feed(
        readers: NamedDependency[Readers],
        settings: NamedDependency[Settings],
        tag: TagParameter = None,
        page: PageNumber = 1,
    ) -> Response[bytes]:
        return await serve_feed(readers, settings, name, feed_format, tag, page)

    media_type = MEDIA_TYPES[feed_format]
    body = JsonFeed if feed_format == "json" else str
    return get(
        feed_path(name, feed_format),
        name=f"feed-{name}-{feed_format}",
        operation_id=f"Feed{name.title()}{feed_format.title()}",
        summary=f"{FEED_TITLES[name]} ({FORMAT_NAMES[feed_format]})",
        description=(
            f"The newest public {'posts and assignments' if name == 'all' else name} as "
            f"{FORMAT_NAMES[feed_format]} (`{media_type}`), newest first. `page` pages back "
            "through older items. Answers `ETag` and `Last-Modified`, and 304 to "
            "`If-None-Match` / `If-Modified-Since` when nothing changed."
        ),
        tags=["feeds"],
        media_type=media_type,
        opt=cache_family("feeds"),
        responses={
            200: ResponseSpec(
                data_container=body,
                description=f"The feed as {FORMAT_NAMES[feed_format]}",
                media_type=media_type,
                generate_examples=False,
            ),
            304: not_modified_spec(),
            400: problem_spec("Invalid parameters"),
        },
    )(feed)


FEED_ROUTES = [_feed_route(name, feed_format) for name in FEEDS for feed_format in FEED_FORMATS]
