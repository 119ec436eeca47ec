"""``/posts``: news and blog posts."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect

from caseapi.api.collections import CollectionRoutes, PreviewParameter, moved_spec
from caseapi.api.documents import post_detail, post_item
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
    fields_query,
)
from caseapi.api.readers import Readers
from caseapi.api.schemas import PostDetail, PostItem, PostPage
from caseapi.catalog.interface import Filters
from caseapi.models import SLUG_PATTERN
from caseapi.settings import Settings

LIST_FIELDS = PostItem.__struct_fields__
FieldsParameter = Annotated[str | None, fields_query(LIST_FIELDS)]
POSTS = CollectionRoutes(
    "posts",
    "post",
    item=post_item,
    detail=post_detail,
    page=lambda items, meta: PostPage(data=items, meta=meta),
    fields=LIST_FIELDS,
)


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
        readers: NamedDependency[Readers],
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
        return await POSTS.list_page(
            request,
            readers,
            settings,
            Filters(tag=tag, author=author, year=year),
            sort,
            page,
            limit,
            fields,
        )

    @get(
        "/{slug:str}",
        summary="One post",
        opt=cache_family("documents"),
        responses={
            304: not_modified_spec(),
            400: problem_spec("Invalid slug"),
            301: moved_spec(),
            403: problem_spec("A preview token that does not open this document"),
            404: problem_spec("No such post"),
        },
    )
    async def get_post(
        self,
        readers: NamedDependency[Readers],
        settings: NamedDependency[Settings],
        slug: Annotated[
            str, PathParameter(pattern=SLUG_PATTERN, max_length=200, description="The post's slug.")
        ],
        preview: PreviewParameter = None,
    ) -> Response[PostDetail] | Redirect:
        """One public post with its rendered body and sections."""
        return await POSTS.one(readers, settings, slug, preview)
