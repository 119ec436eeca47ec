"""``/posts``: news and blog posts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter, QueryParameter

from caseapi.api.documents import last_modified_header, post_detail, post_item
from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import not_modified_spec
from caseapi.api.http.problems import problem_spec
from caseapi.api.listing import (
    DEFAULT_PAGE_SIZE,
    PageNumber,
    PageSize,
    SortParameter,
    TagParameter,
    YearParameter,
    fetch_page,
    fields_query,
    link_header,
    parse_fields,
)
from caseapi.api.schemas import PostDetail, PostItem, PostPage
from caseapi.catalog.reader import Catalog, Filters
from caseapi.models import SLUG_PATTERN
from caseapi.settings import Settings

LIST_FIELDS = PostItem.__struct_fields__
FieldsParameter = Annotated[str | None, fields_query(LIST_FIELDS)]


class PostController(Controller):
    """News and blog posts."""

    path = "/posts"
    tags = ["posts"]

    @get(
        "/",
        summary="List posts",
        opt=cache_family("lists"),
        responses={304: not_modified_spec(), 400: problem_spec("Invalid parameters")},
    )
    async def list_posts(
        self,
        request: Request[Any, Any, Any],
        catalog: NamedDependency[Catalog],
        settings: NamedDependency[Settings],
        tag: TagParameter = None,
        author: Annotated[
            str | None,
            QueryParameter(max_length=200, description="Only by this author."),
        ] = None,
        year: YearParameter = None,
        sort: SortParameter = "-date",
        page: PageNumber = 1,
        limit: PageSize = DEFAULT_PAGE_SIZE,
        fields: FieldsParameter = None,
    ) -> Response[PostPage]:
        """Public posts, newest first unless ``sort`` says otherwise."""
        selected = parse_fields(fields, LIST_FIELDS)
        filters = Filters(tag=tag, author=author, year=year)
        documents, meta = await fetch_page(catalog, "posts", filters, sort, page, limit)
        body = PostPage(
            data=[post_item(document, settings.base_url, selected) for document in documents],
            meta=meta,
        )
        return Response(body, headers={"Link": link_header(settings.api_url, request, meta)})

    @get(
        "/{slug:str}",
        summary="One post",
        opt=cache_family("documents"),
        responses={
            304: not_modified_spec(),
            400: problem_spec("Invalid slug"),
            404: problem_spec("No such post"),
        },
    )
    async def get_post(
        self,
        catalog: NamedDependency[Catalog],
        settings: NamedDependency[Settings],
        slug: Annotated[
            str, PathParameter(pattern=SLUG_PATTERN, max_length=200, description="The post's slug.")
        ],
    ) -> Response[PostDetail]:
        """One public post with its rendered body and sections."""
        document = await catalog.get_document("posts", slug, dt.datetime.now(dt.UTC))
        if document is None:
            raise NotFoundException(detail=f"There is no post '{slug}'.")
        return Response(
            post_detail(document, settings.base_url), headers=last_modified_header(document)
        )
