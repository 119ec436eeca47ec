"""``GET /``: the API's front door, a small JSON index of where everything is."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency

from caseapi import __version__
from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import not_modified_spec
from caseapi.settings import Settings


class FeedLinks(msgspec.Struct, kw_only=True):
    """The recent-documents feeds in each format."""

    json: str
    atom: str
    rss: str


class ApiIndex(msgspec.Struct, kw_only=True):
    """``GET /``: what this API offers, as absolute URLs."""

    name: str
    version: str
    docs: str
    openapi: str
    assignments: str
    posts: str
    search: str
    suggest: str
    tags: str
    feeds: dict[str, FeedLinks]
    sitemap: str
    redirects: str
    resolve: str
    files: str
    health: str
    content_errors: str


@get(
    "/",
    summary="The API's entry points",
    tags=["status"],
    opt=cache_family("status"),
    responses={304: not_modified_spec()},
)
async def api_index(settings: NamedDependency[Settings]) -> ApiIndex:
    """Where the lists, search, feeds and documentation of this API are."""
    api = settings.api_url
    return ApiIndex(
        name=settings.site_name,
        version=__version__,
        docs=f"{api}/schema",
        openapi=f"{api}/schema/openapi.json",
        assignments=f"{api}/assignments",
        posts=f"{api}/posts",
        search=f"{api}/search?q={{query}}",
        suggest=f"{api}/search/suggest?q={{prefix}}",
        tags=f"{api}/tags",
        feeds={
            name: FeedLinks(
                json=f"{api}/feeds/{name}.json",
                atom=f"{api}/feeds/{name}.atom",
                rss=f"{api}/feeds/{name}.rss",
            )
            for name in ("posts", "assignments", "all")
        },
        sitemap=f"{api}/sitemap.xml",
        redirects=f"{api}/redirects",
        resolve=f"{api}/resolve?path={{path}}",
        files=f"{settings.files_base_url}/{{path}}",
        health=f"{api}/health",
        content_errors=f"{api}/content-errors",
    )
