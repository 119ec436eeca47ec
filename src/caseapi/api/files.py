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
from urllib.parse import quote

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream

from caseapi.api.http.caching import cache_family
from caseapi.api.http.conditional import is_not_modified, not_modified_spec
from caseapi.api.http.edge import HEAD_STATE_KEY
from caseapi.api.http.problems import problem_spec
from caseapi.api.http.ranges import Unsatisfiable, byte_range, file_chunks
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
    responses={
        200: ResponseSpec(
            data_container=bytes,
            description="The file, with its own type (image/jpeg, application/pdf, …)",
            media_type="application/octet-stream",
            generate_examples=False,
        ),
        206: ResponseSpec(
            data_container=None, description="The part a Range asked for", generate_examples=False
        ),
        304: not_modified_spec(),
        400: problem_spec("A width that is not offered"),
        404: problem_spec("No such file"),
        416: ResponseSpec(
            data_container=None,
            description="A Range wholly past the end of the file",
            generate_examples=False,
        ),
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
    etag = f'"{tag}"'
    if_none_match = ", ".join(request.headers.getall("if-none-match", [])) or None
    if is_not_modified(if_none_match, None, etag, None):
        return Response(b"", status_code=304, headers={**headers, "ETag": etag})
    stored = readers.files.path(asset.digest, width)
    try:
        size = stored.stat().st_size
    except OSError:  # removed under an old generation's feet
        raise NotFoundException(detail=f"There is no file '{asset.path}'.") from None
    headers |= {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": inline_disposition(asset.path.rsplit("/", 1)[-1]),
    }
    # If-Range: a range only of the version the client has part of; else all of it.
    if_range = request.headers.get("if-range")
    try:
        wanted = byte_range(request.headers.get("range"), size)
    except Unsatisfiable:
        return Response(
            b"", status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"}
        )
    if wanted is None or (if_range is not None and if_range.strip() != etag):
        wanted, status = (0, size - 1), 200
    else:
        status = 206
        headers["Content-Range"] = f"bytes {wanted[0]}-{wanted[1]}/{size}"
    headers["Content-Length"] = str(wanted[1] - wanted[0] + 1 if size else 0)
    # A HEAD request gets the same headers, and the file is not read for it.
    empty = not size or request.scope.get("state", {}).get(HEAD_STATE_KEY, False)
    return Stream(
        iter(()) if empty else file_chunks(stored, *wanted),
        status_code=status,
        media_type=asset.media_type,
        headers=headers,
    )


def inline_disposition(name: str) -> str:
    """``Content-Disposition: inline`` with the name, also when it is not ASCII (RFC 6266)."""
    fallback = "".join(char if char.isascii() and char.isprintable() else "_" for char in name)
    fallback = fallback.replace("\\", "_").replace('"', "_")
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
