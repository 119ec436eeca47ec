"""``/search`` and ``/search/suggest``: Dutch full-text search over both collections."""

from __future__ import annotations

import datetime as dt
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
from caseapi.api.readers import Readers
from caseapi.api.schemas import PageMeta
from caseapi.models import DOCUMENT_TYPES
from caseapi.publication import document_url
from caseapi.search.interface import (
    Completion,
    Facets,
    HitType,
    Match,
    SearchFilters,
)
from caseapi.search.query import MAX_QUERY_LENGTH, QueryError, clean, parse_query
from caseapi.search.snippets import highlight_title
from caseapi.settings import Settings

MAX_SEARCH_PAGE_SIZE = 50
MAX_SEARCH_PAGE = 100
MAX_SUGGESTIONS = 10


class Hit(msgspec.Struct, kw_only=True):
    """One search result."""

    type: HitType
    slug: str
    title: str
    title_html: str
    url: str
    date: dt.datetime
    score: float
    snippets: list[str]


def hit(match: Match, base_url: str) -> Hit:
    """How a match is shown: its frontend URL, its title with the matching words marked."""
    facts = match.facts
    return Hit(
        type=DOCUMENT_TYPES[facts.collection],
        slug=facts.slug,
        title=facts.title,
        title_html=highlight_title(facts.title, facts.lang, match.terms),
        url=document_url(base_url, facts.collection, facts.slug),
        date=dt.datetime.fromisoformat(facts.date),
        score=match.score,
        snippets=[match.snippet],
    )


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
        readers: NamedDependency[Readers],
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
        now = dt.datetime.now(dt.UTC)
        outcome = await readers.search.search(parsed, filters, (page - 1) * limit, limit, now)
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
            data=[hit(match, settings.base_url) for match in outcome.matches],
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
        readers: NamedDependency[Readers],
        q: QueryText,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_SUGGESTIONS, description="Completions per kind.")
        ] = 5,
    ) -> SuggestionList:
        """Words that complete the last word typed, then titles with a word starting so."""
        if not clean(q):
            raise ClientException(detail="Type at least one letter to get completions.")
        return SuggestionList(data=await readers.search.suggest(q, limit, dt.datetime.now(dt.UTC)))
