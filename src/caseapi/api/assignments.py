"""``/assignments``: executed assignments (case studies)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect

from caseapi.api.collections import CollectionRoutes, PreviewParameter, moved_spec
from caseapi.api.documents import assignment_detail, assignment_item
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
from caseapi.api.schemas import AssignmentDetail, AssignmentItem, AssignmentPage
from caseapi.catalog.interface import Filters
from caseapi.models import SLUG_PATTERN
from caseapi.settings import Settings

LIST_FIELDS = AssignmentItem.__struct_fields__
FieldsParameter = Annotated[str | None, fields_query(LIST_FIELDS)]
ASSIGNMENTS = CollectionRoutes(
    "assignments",
    "assignment",
    item=assignment_item,
    detail=assignment_detail,
    page=lambda items, meta: AssignmentPage(data=items, meta=meta),
    fields=LIST_FIELDS,
)


class AssignmentController(Controller):
    """Executed assignments."""

    path = "/assignments"
    tags = ["assignments"]

    @get(
        "/",
        summary="List assignments",
        opt=cache_family("lists"),
        responses={304: not_modified_spec(), 400: problem_spec("Invalid parameters")},
    )
    async def list_assignments(
        self,
        request: Request[Any, Any, Any],
        readers: NamedDependency[Readers],
        settings: NamedDependency[Settings],
        tag: TagParameter = None,
        client: Annotated[
            str | None,
            QueryParameter(max_length=200, description="Only for this client."),
        ] = None,
        work: Annotated[
            str | None,
            QueryParameter(max_length=200, description="Only this kind of work."),
        ] = None,
        year: YearParameter = None,
        sort: SortParameter = "-date",
        page: PageNumber = 1,
        limit: PageSize = DEFAULT_PAGE_SIZE,
        fields: FieldsParameter = None,
    ) -> Response[AssignmentPage]:
        """Public assignments, newest first unless ``sort`` says otherwise."""
        return await ASSIGNMENTS.list_page(
            request,
            readers,
            settings,
            Filters(tag=tag, client=client, work=work, year=year),
            sort,
            page,
            limit,
            fields,
        )

    @get(
        "/{slug:str}",
        summary="One assignment",
        opt=cache_family("documents"),
        responses={
            304: not_modified_spec(),
            400: problem_spec("Invalid slug"),
            301: moved_spec(),
            403: problem_spec("A preview token that does not open this document"),
            404: problem_spec("No such assignment"),
        },
    )
    async def get_assignment(
        self,
        readers: NamedDependency[Readers],
        settings: NamedDependency[Settings],
        slug: Annotated[
            str,
            PathParameter(
                pattern=SLUG_PATTERN, max_length=200, description="The assignment's slug."
            ),
        ],
        preview: PreviewParameter = None,
    ) -> Response[AssignmentDetail] | Redirect:
        """One public assignment with its rendered body and sections."""
        return await ASSIGNMENTS.one(readers, settings, slug, preview)
