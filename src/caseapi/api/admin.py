"""``/admin``: operations for whoever holds the admin token (off while none is set)."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException

from caseapi.api.http.problems import problem_spec
from caseapi.api.readers import Readers
from caseapi.indexing.build import BuildReport, build_index
from caseapi.settings import Settings


def _check_token(request: Request[Any, Any, Any], settings: Settings) -> None:
    if settings.admin_token is None:
        raise NotFoundException(
            detail="Admin endpoints are off: set CASEAPI_ADMIN_TOKEN to use them."
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
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
    status_code=200,
    responses={
        401: problem_spec("No bearer token"),
        403: problem_spec("Wrong token"),
        404: problem_spec("Admin endpoints are off"),
    },
)
async def reindex(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    readers: NamedDependency[Readers],
) -> BuildReport:
    """Rebuild catalog and search index from scratch; this server switches to it at once."""
    _check_token(request, settings)
    report = await build_index(settings)
    await readers.refresh()
    return report
