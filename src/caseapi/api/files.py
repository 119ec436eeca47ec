"""``/files/{path}``: the files beside the content, and resized copies of images.

Served from the copies kept in the index (``catalog/files.py``), looked up by
the path an editor gave them: a request names a path, never a place on disk.
Each answer's ETag is the file's digest; with ``?v=`` matching it (as in every
URL the API gives out) the answer may be kept for a year, since a changed
file gets another ``v``. Not through the response cache: the bytes are on
disk already, and a 20 MB PDF has no place in memory.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.datastructures import ETag
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Parameter, QueryParameter
from litestar.response import File

from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import is_not_modified, not_modified_spec
from caseapi.api.http.problems import problem_spec
from caseapi.api.readers import Readers
from caseapi.api.urls import VERSION_CHARS
from caseapi.images import WIDTHS
from caseapi.settings import Settings

IMMUTABLE = "public, max-age=31536000, immutable"
# Scripts in an SVG never run, whether it is opened directly or framed: no script
# source is allowed, and a sandbox without allow-scripts.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
# Other files may be shown in a frame of the frontend (a PDF), so no frame-ancestors.
FILE_POLICY = "default-src 'none'"


@get(
    "/files/{path:path}",
    summary="A file beside the content",
    description=(
        "An image, PDF or other file from the content folder, by its path there "
        "(`posts/team.jpg`, `media/rapport.pdf`). `w` asks for a resized copy of a JPEG, PNG "
        "or WebP image; an image narrower than `w` comes as it is. Answers carry a strong "
        "`ETag` (304 to `If-None-Match`); with `v` as in the URLs the API gives out they may "
        "be kept for a year."
    ),
    tags=["files"],
    opt=cache_family("files"),
    media_type="application/octet-stream",
    responses={
        304: not_modified_spec(),
        400: problem_spec("A width that is not offered"),
        404: problem_spec("No such file"),
    },
)
async def serve_file(
    request: Request[Any, Any, Any],
    readers: NamedDependency[Readers],
    settings: NamedDependency[Settings],
    path: Annotated[str, Parameter(description="The file's path in the content folder.")],
    w: Annotated[
        int | None,
        QueryParameter(description=f"Width in pixels, one of {', '.join(map(str, WIDTHS))}."),
    ] = None,
    v: Annotated[
        str | None,
        QueryParameter(max_length=64, description="The version the API's URLs carry."),
    ] = None,
) -> Response[Any]:
    """The file's bytes, or those of a copy ``w`` pixels wide."""
    asset = readers.urls.paths.assets.get(path.lstrip("/"))
    if asset is None:
        raise NotFoundException(detail=f"There is no file '{path.lstrip('/')}'.")
    if w is not None and w not in WIDTHS:
        raise ClientException(
            detail=f"Width {w} is not offered; choose one of {', '.join(map(str, WIDTHS))}."
        )
    width = w if w in asset.widths else None
    tag = asset.digest if width is None else f"{asset.digest}-w{width}"
    versioned = v is not None and len(v) >= 8 and asset.digest.startswith(v[:VERSION_CHARS])
    headers = {
        "Cache-Control": IMMUTABLE if versioned else settings.http.cache_files,
        "Content-Security-Policy": SVG_POLICY
        if asset.media_type == "image/svg+xml"
        else FILE_POLICY,
        # Frontends on other origins embed these (<img>), also under COEP.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if is_not_modified(request.headers.get("if-none-match"), None, f'"{tag}"', None):
        return Response(b"", status_code=304, headers={**headers, "ETag": f'"{tag}"'})
    stored = readers.files.path(asset.digest, width)
    if not stored.is_file():  # removed under an old generation's feet
        raise NotFoundException(detail=f"There is no file '{asset.path}'.")
    return File(
        stored,
        media_type=asset.media_type,
        content_disposition_type="inline",
        filename=asset.path.rsplit("/", 1)[-1],
        etag=ETag(value=tag, weak=False),
        headers=headers,
    )
