"""``/health`` and ``/content-errors``: how the service and the content folder are doing."""

from __future__ import annotations

import datetime as dt

from litestar import get
from litestar.di import NamedDependency

from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import not_modified_spec
from caseapi.api.readers import Readers
from caseapi.api.schemas import ContentErrorList, DocumentCounts, Health


@get(
    "/health",
    summary="Service status",
    tags=["status"],
    opt=cache_family("status"),
    responses={304: not_modified_spec()},
)
async def health(readers: NamedDependency[Readers]) -> Health:
    """Document counts, index generation and how many content files have problems."""
    catalog = readers.catalog
    generation = await catalog.generation()
    counts = await catalog.counts(dt.datetime.now(dt.UTC))
    problems = await catalog.problems()
    errors = sum(problem.severity == "error" for problem in problems)
    return Health(
        status="ok",
        documents=DocumentCounts(**counts),
        generation=generation.number,
        last_change=generation.changed_at,
        content_errors=errors,
        content_warnings=len(problems) - errors,
    )


@get(
    "/content-errors",
    summary="Problems in content files",
    tags=["status"],
    opt=cache_family("status"),
    responses={304: not_modified_spec()},
)
async def content_errors(readers: NamedDependency[Readers]) -> ContentErrorList:
    """Every file that could not be served (errors) and every warning, with file, line and field."""
    problems = await readers.catalog.problems()
    errors = sum(problem.severity == "error" for problem in problems)
    return ContentErrorList(data=problems, errors=errors, warnings=len(problems) - errors)
