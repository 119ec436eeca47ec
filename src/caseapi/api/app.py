"""``create_app(settings)``: the one place the Litestar application is assembled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException

from caseapi.api.admin import create_preview, reindex
from caseapi.api.assignments import AssignmentController
from caseapi.api.docs import openapi_config, swagger_asset
from caseapi.api.feeds import FEED_ROUTES
from caseapi.api.files import serve_file
from caseapi.api.http.cache import ResponseCache
from caseapi.api.http.caching import representation_middleware
from caseapi.api.http.edge import Edge, rate_limits
from caseapi.api.http.problems import http_exception_handler, internal_error_handler
from caseapi.api.index import api_index
from caseapi.api.posts import PostController
from caseapi.api.readers import Readers
from caseapi.api.redirects import list_redirects, resolve
from caseapi.api.search import SearchController
from caseapi.api.sitemap import sitemap, sitemap_part
from caseapi.api.status import content_errors, health
from caseapi.api.tags import list_tags
from caseapi.indexing.build import ensure_index
from caseapi.indexing.watcher import watch_content
from caseapi.settings import Settings


def create_app(settings: Settings | None = None, *, build_index: bool = True) -> Litestar:
    """The API over ``settings.content_dir``; builds the index at start-up if stale."""
    settings = settings if settings is not None else Settings.from_env()

    @asynccontextmanager
    async def open_readers(app: Litestar) -> AsyncIterator[None]:
        if build_index:
            await ensure_index(settings)
        readers = await Readers.open(settings)
        readers.follow()
        app.state.readers = readers
        stop = asyncio.Event()
        watcher = (
            asyncio.create_task(watch_content(settings, stop, readers.refresh))
            if settings.watch
            else None
        )
        try:
            yield
        finally:
            stop.set()
            if watcher is not None:
                await watcher
            await readers.close()

    def provide_readers(state: State) -> Readers:
        readers: Readers = state.readers
        return readers

    def provide_settings() -> Settings:
        return settings

    cache = ResponseCache(settings.http)
    app = Litestar(
        route_handlers=[
            api_index,
            AssignmentController,
            PostController,
            SearchController,
            reindex,
            create_preview,
            serve_file,
            list_tags,
            list_redirects,
            sitemap,
            sitemap_part,
            resolve,
            health,
            content_errors,
            *FEED_ROUTES,
            swagger_asset,
        ],
        dependencies={
            "readers": Provide(provide_readers, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        lifespan=[open_readers],
        exception_handlers={
            HTTPException: http_exception_handler,
            Exception: internal_error_handler,
        },
        middleware=[*rate_limits(settings.http), representation_middleware(cache, settings.http)],
        state=State({"response_cache": cache, "settings": settings}),
        request_max_body_size=settings.http.max_body_bytes,
        openapi_config=openapi_config(),
    )
    # Outside the router: HEAD must be routed as GET, and CORS, security headers, limits
    # and the access log apply to every answer, 404s and preflights included.
    app.asgi_handler = Edge(app.asgi_handler, settings.http)
    return app
