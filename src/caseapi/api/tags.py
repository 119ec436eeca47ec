"""``/tags``: every tag in use, with counts per collection."""

from __future__ import annotations

import datetime as dt

from litestar import get
from litestar.di import NamedDependency

from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import not_modified_spec
from caseapi.api.readers import Readers
from caseapi.api.schemas import TagList


@get(
    "/tags",
    summary="Tags with counts",
    tags=["tags"],
    opt=cache_family("lists"),
    responses={304: not_modified_spec()},
)
async def list_tags(readers: NamedDependency[Readers]) -> TagList:
    """Tags of public documents, most used first."""
    return TagList(data=await readers.catalog.tags(dt.datetime.now(dt.UTC)))
