"""``/admin``: operations for whoever holds the admin token (off while none is set)."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Any

import msgspec
from litestar import post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import JSONBody

from caseapi.api.http.problems import problem_spec
from caseapi.api.readers import Readers
from caseapi.indexing.build import BuildReport, build_index
from caseapi.models import SLUG_PATTERN, Collection
from caseapi.preview import DEFAULT_MINUTES, MAX_MINUTES, PreviewLink, preview_link
from caseapi.settings import Settings


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """A guard: the admin token, checked before anything of the request is read."""
    settings: Settings = connection.app.state.settings
    if settings.admin_token is None:
        raise NotFoundException(
            detail="Admin endpoints are off: set CASEAPI_ADMIN_TOKEN to use them."
        )
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException(
            detail="Send the admin token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="caseapi"'},
        )
    # Constant time: how long a wrong guess takes must not tell how right it was.
    if not hmac.compare_digest(token.strip().encode(), settings.admin_token.encode()):
        raise PermissionDeniedException(detail="That admin token is not valid.")


@post(
    "/admin/reindex",
    summary="Rebuild the index from the content folder",
    tags=["admin"],
    guards=[admin_only],
    status_code=200,
    responses={
        401: problem_spec("No bearer token"),
        403: problem_spec("Wrong token"),
        404: problem_spec("Admin endpoints are off"),
    },
)
async def reindex(
    settings: NamedDependency[Settings],
    readers: NamedDependency[Readers],
) -> BuildReport:
    """Rebuild catalog and search index from scratch; this server switches to it at once."""
    report = await build_index(settings)
    await readers.refresh()
    return report


class PreviewRequest(msgspec.Struct, kw_only=True):
    """``POST /admin/preview``: which document, and for how long."""

    collection: Collection
    slug: Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN, max_length=200)]
    minutes: Annotated[int, msgspec.Meta(ge=1, le=MAX_MINUTES)] = DEFAULT_MINUTES


@post(
    "/admin/preview",
    summary="A preview link for a draft or scheduled document",
    tags=["admin"],
    guards=[admin_only],
    status_code=200,
    responses={
        400: problem_spec("Invalid request body"),
        401: problem_spec("No bearer token"),
        403: problem_spec("Wrong token"),
        404: problem_spec("Admin endpoints or previews are off, or no such document"),
    },
)
async def create_preview(
    settings: NamedDependency[Settings],
    readers: NamedDependency[Readers],
    data: JSONBody[PreviewRequest],
) -> PreviewLink:
    """A signed link that shows one document, draft or not, until it expires."""
    if settings.preview_secret is None:
        raise NotFoundException(detail="Previews are off: set CASEAPI_PREVIEW_SECRET to use them.")
    if await readers.catalog.find_document(data.collection, data.slug) is None:
        raise NotFoundException(detail=f"There is no document {data.collection}/{data.slug}.")
    return preview_link(
        settings.preview_secret,
        settings.base_url,
        settings.api_url,
        data.collection,
        data.slug,
        data.minutes,
        dt.datetime.now(dt.UTC),
    )
