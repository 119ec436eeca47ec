"""Shared list mechanics: page/limit, ``fields`` selection, the envelope and ``Link``."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request
from litestar.exceptions import ClientException
from litestar.params import QueryParameter

from caseapi.api.http.caching import query_parameters
from caseapi.api.schemas import PageMeta
from caseapi.catalog.interface import CatalogReader, Filters, SortKey
from caseapi.models import Collection, Document

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000

PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
PageSize = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, 1-{MAX_PAGE_SIZE}."),
]


def fields_query(allowed: tuple[str, ...]) -> Any:
    """The ``fields`` query parameter of a list whose items have the fields ``allowed``.

    The pattern is for the OpenAPI document only (``parse_fields`` checks, with a message
    naming the unknown field): without it the schema promised that any text is accepted,
    and Schemathesis found ``fields=0`` refused with a 400.
    """
    name = "(?:" + "|".join(allowed) + ")"
    return QueryParameter(
        max_length=500,
        description=(
            f"Comma-separated fields to return, e.g. `slug,title,date`; from: {', '.join(allowed)}."
        ),
        # Blanks are spaces only: JSON Schema's (ECMAScript's) \s is not Python's.
        schema_extra={"pattern": f"^ *(?:{name} *(?:, *(?:{name} *)?)*)?$"},
    )


SortParameter = Annotated[
    SortKey,
    QueryParameter(description="`date`, `title`; a leading `-` sorts descending."),
]
TagParameter = Annotated[
    str | None, QueryParameter(max_length=200, description="Only documents with this tag.")
]
YearParameter = Annotated[
    int | None,
    QueryParameter(
        ge=1900,
        le=2999,
        description="Only documents of this year (assignments: running during it).",
    ),
]


def parse_fields(raw: str | None, allowed: tuple[str, ...]) -> frozenset[str] | None:
    """The fields a client asked for, or ``None`` for all; unknown names are a 400."""
    if raw is None or not raw.strip():
        return None
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise ClientException(
            detail=f"Unknown field '{unknown[0] if unknown else raw}' in 'fields'; "
            f"choose from: {', '.join(allowed)}."
        )
    return frozenset(names)


async def fetch_page(
    catalog: CatalogReader,
    collection: Collection,
    filters: Filters,
    sort: SortKey,
    page: int,
    limit: int,
) -> tuple[list[Document], PageMeta]:
    """One page of public documents and its metadata."""
    now = dt.datetime.now(dt.UTC)
    documents, total = await catalog.list_documents(
        collection, filters, sort, offset=(page - 1) * limit, limit=limit, now=now
    )
    pages = max(1, math.ceil(total / limit))
    meta = PageMeta(
        page=page,
        limit=limit,
        pages=pages,
        total=total,
        next=page + 1 if page < pages else None,
        prev=min(page - 1, pages) if page > 1 else None,
    )
    return documents, meta


def link_header(api_url: str, request: Request[Any, Any, Any], meta: PageMeta) -> str:
    """RFC 8288 links to the first, previous, next and last pages, with the route's parameters.

    Only the parameters the route reads: the response cache answers every request that
    differs in others from one copy, whose links must fit them all.
    """
    known = query_parameters(request.route_handler)
    query = {
        key: value for key, value in request.query_params.items() if key != "page" and key in known
    }
    links = {"first": 1, "prev": meta.prev, "next": meta.next, "last": meta.pages}
    parts = []
    for relation, number in links.items():
        if number is None:
            continue
        url = f"{api_url}{request.url.path}?{urlencode({**query, 'page': number})}"
        parts.append(f'<{url}>; rel="{relation}"')
    return ", ".join(parts)
