"""Errors as RFC 9457 ``application/problem+json``, for every failure."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, TooManyRequestsException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from caseapi.api.schemas import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("caseapi")


def problem_body(status: int, detail: str | None, instance: str, **extra: Any) -> Problem:
    """The problem document for ``status``."""
    return Problem(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        **extra,
    )


def problem_bytes(status: int, detail: str, instance: str) -> bytes:
    """A problem document as JSON, for answers given before Litestar is reached."""
    return msgspec.json.encode(problem_body(status, detail, instance))


def problem(
    status: int, detail: str | None, request: Request[Any, Any, Any], **extra: Any
) -> Response[Problem]:
    """Build a problem response for ``status``."""
    body = problem_body(status, detail, request.url.path, **extra)
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def http_exception_handler(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[Problem]:
    """Litestar's own exceptions (404, 405, validation) as problems."""
    errors = None
    detail = exc.detail
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        errors = [dict(error) for error in exc.extra if isinstance(error, dict)]
        # Litestar's detail repeats the whole URL (a 10 KB query, say); name the fields.
        named = [f"{error.get('key')}: {error.get('message')}" for error in errors]
        detail = "Invalid parameters: " + "; ".join(named) if named else "Invalid parameters."
    headers = dict(exc.headers or {})
    if isinstance(exc, TooManyRequestsException):
        detail, retry_after = _too_many_requests(headers)
        if retry_after is not None:
            headers["Retry-After"] = retry_after
    response = problem(exc.status_code, detail, request, errors=errors)
    response.headers.update(headers)
    return response


def _too_many_requests(headers: dict[str, str]) -> tuple[str, str | None]:
    """What a throttled client reads, and when it may try again (RateLimit-Reset)."""
    limit, reset = headers.get("RateLimit-Limit"), headers.get("RateLimit-Reset")
    window = headers.get("RateLimit-Policy", "").partition("w=")[2]
    detail = "Too many requests from your address"
    if limit and window:
        detail += f": at most {limit} per {window} seconds"
    if reset is None:
        return f"{detail}.", None
    retry_after = str(max(1, int(reset))) if reset.lstrip("-").isdigit() else None
    return f"{detail}. Try again in {retry_after or 'a few'} seconds.", retry_after


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """Anything unexpected: logged in full, answered without internals."""
    if isinstance(exc, RecursionError):
        # Decoding a request body nested thousands deep: the client's doing, not a fault.
        logger.warning("refused %s %s: nested too deeply", request.method, request.url.path)
        return problem(400, "The request is nested too deeply to read.", request)
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Something went wrong on our side; it has been logged.", request)


def problem_spec(description: str) -> ResponseSpec:
    """OpenAPI description of a problem response."""
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
    )
