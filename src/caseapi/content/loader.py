"""The content folder -> documents and files, or problems an editor can fix.

A bad file never stops the rest: every file ends as a document, as a file
beside the content (an asset), or as a list of problems, and the caller
decides what to serve. Files are opened so that what was checked is what is
read: no following a link out of the folder, not even one swapped in between.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path
from stat import S_ISREG

import msgspec

from caseapi.content.assets import MARKDOWN_LOOKALIKES, AssetRefused, identify, is_asset_name
from caseapi.content.claims import AliasClaims, SlugClaims
from caseapi.content.documents import parse_document
from caseapi.content.files import content_files, real_path
from caseapi.models import COLLECTIONS, Asset, Collection, ContentProblem, Document

MAX_FILE_BYTES = 5 * 1024 * 1024
_OUTSIDE = "This is a link to something outside the content folder; it is not served."
DEFAULT_MAX_ASSET_BYTES = 20 * 1024 * 1024


class LoadResult(msgspec.Struct):
    """What one file became: a document or an asset (possibly with warnings), or problems."""

    path: str
    document: Document | None
    problems: list[ContentProblem]
    # Where 'slug:' is set, so a duplicate slug can point at it.
    slug_line: int | None = None
    alias_lines: dict[str, int] = {}
    asset: Asset | None = None
    # The asset's bytes, until whoever stores them lets go.
    data: bytes | None = None


class FolderLoad(msgspec.Struct):
    """Everything in the content folder: servable documents and files, and all problems."""

    documents: list[Document]
    assets: list[Asset]
    problems: list[ContentProblem]


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_folder(content_dir: Path, max_asset_bytes: int = DEFAULT_MAX_ASSET_BYTES) -> FolderLoad:
    """Load every file; the first file (by path) to claim a slug keeps it."""
    results = [
        load_file(content_dir, relative, max_asset_bytes) for relative in content_files(content_dir)
    ]
    return resolve_slugs(results)


def resolve_slugs(results: list[LoadResult]) -> FolderLoad:
    """Turn per-file results into a folder load; the first file by path keeps a slug.

    Aliases are claimed after every slug, so that no alias can take a served slug.
    """
    accepted: list[LoadResult] = []
    assets: list[Asset] = []
    problems: list[ContentProblem] = []
    claims = SlugClaims()
    for result in sorted(results, key=lambda item: item.path):
        problems.extend(result.problems)
        if result.asset is not None:
            assets.append(result.asset)
        if result.document is None:
            continue
        taken = claims.claim(result.path, result.document, result.slug_line)
        if taken is not None:
            problems.append(taken)
            continue
        accepted.append(result)
    aliases = AliasClaims(claims.owners)
    documents: list[Document] = []
    for result in accepted:
        assert result.document is not None
        document, refused = aliases.claim(result.path, result.document, result.alias_lines)
        documents.append(document)
        problems.extend(refused)
    return FolderLoad(documents=documents, assets=assets, problems=problems)


def load_file(
    content_dir: Path, relative: Path, max_asset_bytes: int = DEFAULT_MAX_ASSET_BYTES
) -> LoadResult:
    """Load one file below ``content_dir``: a Markdown document or a file beside the content."""
    path_text = relative.as_posix()
    collection = _collection_of(relative)
    try:
        if "\ufffd" in path_text:
            raise _Refused(
                "The file name has characters that are not UTF-8 (shown as �); rename the file."
            )
        if is_asset_name(path_text):
            if collection is not None and relative.suffix.lower() in MARKDOWN_LOOKALIKES:
                raise _Refused(
                    "Only Markdown files ending in '.md' are content; rename or move this file."
                )
            data, _ = _read_inside(content_dir, relative, max_asset_bytes, "files beside it")
            asset = identify(path_text, data)
            return LoadResult(path=path_text, document=None, problems=[], asset=asset, data=data)
        if len(relative.parts) == 1:
            raise _Refused(
                f"Files directly in the content folder are not served: move '{relative.name}' "
                "into assignments/ or posts/."
            )
        if collection is None:
            raise _Refused(
                f"'{relative.parts[0]}' is not a content folder: put assignments in "
                "assignments/ and posts in posts/."
            )
        raw, modified = _read_inside(content_dir, relative, MAX_FILE_BYTES, "content files")
    except (_Refused, AssetRefused) as refused:
        message = refused.message if isinstance(refused, _Refused) else str(refused)
        problem = ContentProblem(path=path_text, line=None, field=None, message=message)
        return LoadResult(path=path_text, document=None, problems=[problem])
    parsed = parse_document(collection, relative, raw, modified, content_dir)
    return LoadResult(
        path=path_text,
        document=parsed.document,
        problems=parsed.problems,
        slug_line=parsed.slug_line,
        alias_lines=parsed.alias_lines,
    )


def _read_inside(
    content_dir: Path, relative: Path, limit: int, kind: str
) -> tuple[bytes, dt.datetime]:
    """The bytes and modification time of a regular file that really lies in the folder.

    Checked twice: the path is resolved and must lie inside, and then what was
    opened must lie inside too. Between the two a file may be swapped for a link
    to ``/etc/passwd`` (one attempt in tens of thousands wins that race): the
    resolved path is opened without following a link in its last part, and the
    kernel says where the opened file really is.
    """
    try:
        root = real_path(content_dir)
        inside = real_path(content_dir / relative)
    except OSError as exc:  # a link changed while it was followed
        raise _Refused(f"The file could not be read ({exc.strerror or exc}).") from None
    if not inside.is_relative_to(root):
        raise _Refused(_OUTSIDE)
    try:
        # Non-blocking: opening a named pipe for reading would otherwise wait for a writer,
        # and one 'mkfifo posts/x.md' stalled every build and the server's start for good.
        descriptor = os.open(inside, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        # A link where the resolved path was a file: swapped in since. (A link loop
        # resolves to a link, and cannot be read either way.)
        if exc.errno == errno.ELOOP and not os.path.islink(inside):
            raise _Refused(_OUTSIDE) from None
        raise _Refused(f"The file could not be read ({exc.strerror or exc}).") from None
    with os.fdopen(descriptor, "rb") as file:
        opened = _opened_path(file.fileno())
        if opened is not None and not Path(opened).is_relative_to(root):
            raise _Refused(_OUTSIDE)
        # The opened file's own stat: what was checked is what is read.
        stat = os.fstat(file.fileno())
        if not S_ISREG(stat.st_mode):
            raise _Refused(
                "This is not a regular file (a pipe, socket or device); only files are content."
            )
        if stat.st_size > limit:
            raise _Refused(_too_large(stat.st_size, limit, kind))
        try:
            # At most one byte over the limit, even when the file grows while being read.
            raw = file.read(limit + 1)
        except OSError as exc:
            raise _Refused(f"The file could not be read ({exc.strerror or exc}).") from None
    if len(raw) > limit:
        raise _Refused(_too_large(len(raw), limit, kind))
    return raw, dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)


def _opened_path(descriptor: int) -> str | None:
    """Where an open file really is (Linux tells through /proc); ``None`` elsewhere."""
    try:
        return os.readlink(f"/proc/self/fd/{descriptor}")
    except OSError:
        return None


def _too_large(size: int, limit: int, kind: str) -> str:
    return (
        f"The file is {size / (1024 * 1024):.1f} MiB; {kind} may be at most "
        f"{limit / (1024 * 1024):g} MiB."
    )


def _collection_of(relative: Path) -> Collection | None:
    if len(relative.parts) < 2:
        return None
    folder = relative.parts[0]
    for collection in COLLECTIONS:
        if folder == collection:
            return collection
    return None
