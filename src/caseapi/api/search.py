"""``/search`` and ``/search/suggest``: Dutch full-text search over both collections."""

from __future__ import annotations

import math
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.params import QueryParameter

from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import not_modified_spec
from caseapi.api.http.problems import problem_spec
from caseapi.api.listing import TagParameter, YearParameter, link_header
from caseapi.api.schemas import PageMeta
from caseapi.search.query import MAX_QUERY_LENGTH, QueryError, clean, parse_query
from caseapi.search.searcher import Completion, Facets, Hit, HitType, SearchFilters, SearchIndex
from caseapi.settings import Settings

MAX_SEARCH_PAGE_SIZE = 50
MAX_SEARCH_PAGE = 100
MAX_SUGGESTIONS = 10


class SearchPage(msgspec.Struct, kw_only=True):
    """``GET /search``: ranked hits, facets over all matches, and a correction."""

    data: list[Hit]
    meta: PageMeta
    facets: Facets
    # "Did you mean": the query with unknown words corrected, when nothing matched.
    suggestion: str | None
    # True when the hits include words a typo away from what was typed.
    fuzzy: bool


class SuggestionList(msgspec.Struct, kw_only=True):
    """``GET /search/suggest``: completions of what has been typed so far."""

    data: list[Completion]


QueryText = Annotated[
    str,
    QueryParameter(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description=(
            'What to search for: words (all must match), `"a phrase"`, `-word` to exclude, '
            f"`word*` for a prefix. At most {MAX_QUERY_LENGTH} characters."
        ),
    ),
]


class SearchController(Controller):
    """Full-text search."""

    path = "/search"
    tags = ["search"]

    @get(
        "/",
        summary="Search",
        opt=cache_family("search"),
        responses={304: not_modified_spec(), 400: problem_spec("Invalid query or parameters")},
    )
    async def search(
        self,
        request: Request[Any, Any, Any],
        search: NamedDependency[SearchIndex],
        settings: NamedDependency[Settings],
        q: QueryText,
        type: Annotated[
            HitType | None, QueryParameter(description="Only assignments or only posts.")
        ] = None,
        tag: TagParameter = None,
        year: YearParameter = None,
        page: Annotated[
            int, QueryParameter(ge=1, le=MAX_SEARCH_PAGE, description="Page number, from 1.")
        ] = 1,
        limit: Annotated[
            int,
            QueryParameter(
                ge=1,
                le=MAX_SEARCH_PAGE_SIZE,
                description=f"Hits per page, 1-{MAX_SEARCH_PAGE_SIZE}.",
            ),
        ] = 10,
    ) -> Response[SearchPage]:
        """Hits from both collections, best first, with highlighted snippets."""
        try:
            parsed = parse_query(q)
        except QueryError as error:
            raise ClientException(detail=str(error)) from None
        filters = SearchFilters(type=type, tag=tag or None, year=year)
        outcome = await search.run(search.search, parsed, filters, (page - 1) * limit, limit)
        pages = max(1, math.ceil(outcome.total / limit))
        meta = PageMeta(
            page=page,
            limit=limit,
            pages=pages,
            total=outcome.total,
            next=page + 1 if page < pages else None,
            prev=min(page - 1, pages) if page > 1 else None,
        )
        body = SearchPage(
            data=outcome.hits,
            meta=meta,
            facets=outcome.facets,
            suggestion=outcome.suggestion,
            fuzzy=outcome.fuzzy,
        )
        return Response(body, headers={"Link": link_header(settings.api_url, request, meta)})

    @get(
        "/suggest",
        summary="As-you-type completions",
        opt=cache_family("search"),
        responses={304: not_modified_spec(), 400: problem_spec("Invalid parameters")},
    )
    async def suggest(
        self,
        search: NamedDependency[SearchIndex],
        q: QueryText,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_SUGGESTIONS, description="Completions per kind.")
        ] = 5,
    ) -> SuggestionList:
        """Words that complete the last word typed, then titles with a word starting so."""
        if not clean(q):
            raise ClientException(detail="Type at least one letter to get completions.")
        return SuggestionList(data=await search.run(search.suggest, q, limit))
