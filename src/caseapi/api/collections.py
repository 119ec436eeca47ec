"""What ``/assignments`` and ``/posts`` share: a page of public items, one document in full."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from litestar import Request, Response
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Redirect

from caseapi.api.documents import Neighbours, last_modified_header
from caseapi.api.listing import fetch_page, link_header, parse_fields
from caseapi.api.readers import Readers
from caseapi.api.schemas import PageMeta
from caseapi.api.urls import ContentUrls
from caseapi.catalog.interface import Filters, SortKey
from caseapi.models import Collection, Document
from caseapi.preview import PreviewRefused, check_preview
from caseapi.publication import document_url
from caseapi.settings import Settings

PreviewParameter = Annotated[
    str | None,
    QueryParameter(
        max_length=2000,
        description=(
            "A preview token (`caseapi preview`, `POST /admin/preview`): shows this document "
            "as a draft or before its `publish_at`, with `Cache-Control: no-store`. A token that "
            "is wrong, expired or for another document is a 403."
        ),
    ),
]

Item = TypeVar("Item")
Detail = TypeVar("Detail")
Page = TypeVar("Page")


class CollectionRoutes(Generic[Item, Detail, Page]):
    """The handlers' common work for one collection, shaped by its own item and detail."""

    def __init__(
        self,
        collection: Collection,
        noun: str,
        item: Callable[[Document, ContentUrls, frozenset[str] | None], Item],
        detail: Callable[[Document, ContentUrls, Neighbours], Detail],
        page: Callable[[list[Item], PageMeta], Page],
        fields: tuple[str, ...],
    ) -> None:
        self.collection = collection
        self.noun = noun
        self.item = item
        self.detail = detail
        self.page = page
        self.fields = fields

    async def list_page(
        self,
        request: Request[Any, Any, Any],
        readers: Readers,
        settings: Settings,
        filters: Filters,
        sort: SortKey,
        page: int,
        limit: int,
        fields: str | None,
    ) -> Response[Page]:
        """One page of public items with only the ``fields`` asked for, and its ``Link``."""
        selected = parse_fields(fields, self.fields)
        documents, meta = await fetch_page(
            readers.catalog, self.collection, filters, sort, page, limit
        )
        body = self.page(
            [self.item(document, readers.urls, selected) for document in documents], meta
        )
        return Response(body, headers={"Link": link_header(settings.api_url, request, meta)})

    async def one(
        self, readers: Readers, settings: Settings, slug: str, preview: str | None
    ) -> Response[Detail] | Redirect:
        """One public document in full; a 301 for an old slug, else a 404 problem.

        With a ``preview`` token for this document, also a draft or scheduled one: never
        kept by any cache. A token that does not open it is a 403, never the public version.
        """
        now = dt.datetime.now(dt.UTC)
        if preview is not None:
            return await self._preview(readers, settings, slug, preview, now)
        document = await readers.catalog.get_document(self.collection, slug, now)
        if document is None:
            moved = await readers.catalog.redirects(now, self.collection, slug)
            if moved:
                # An old slug (aliases:): where the document is now, on this API.
                target = document_url(settings.api_url, self.collection, moved[0].target_slug)
                return Redirect(target, status_code=301, headers=redirect_headers(settings))
            raise NotFoundException(detail=f"There is no {self.noun} '{slug}'.")
        neighbours = Neighbours(*await readers.catalog.neighbours(document, now))
        return Response(
            self.detail(document, readers.urls, neighbours),
            headers=last_modified_header(document),
        )

    async def _preview(
        self, readers: Readers, settings: Settings, slug: str, token: str, now: dt.datetime
    ) -> Response[Detail]:
        if settings.preview_secret is None:
            raise PermissionDeniedException(
                detail="Previews are off on this server: CASEAPI_PREVIEW_SECRET is not set."
            )
        try:
            check_preview(settings.preview_secret, token, self.collection, slug, now)
        except PreviewRefused as refused:
            raise PermissionDeniedException(detail=str(refused)) from None
        document = await readers.catalog.find_document(self.collection, slug)
        if document is None:
            raise NotFoundException(detail=f"There is no {self.noun} '{slug}', not even a draft.")
        neighbours = Neighbours(*await readers.catalog.neighbours(document, now))
        return Response(
            self.detail(document, readers.urls, neighbours),
            headers={"Cache-Control": "no-store"},
        )


def redirect_headers(settings: Settings) -> dict[str, str]:
    """A moved document's 301 may be kept as long as the document's own page."""
    return {"Cache-Control": settings.http.cache_documents}


def moved_spec() -> ResponseSpec:
    """OpenAPI description of the 301 an old slug answers."""
    return ResponseSpec(
        data_container=None,
        description="Moved: an old slug of the document (its `aliases:`); `Location` says where.",
        generate_examples=False,
    )
