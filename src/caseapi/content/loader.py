"""The content folder -> documents, or problems an editor can fix.

A bad file never stops the rest: every file ends as a document or as a list
of problems, and the caller decides what to serve.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from stat import S_ISREG
from typing import Any

import msgspec

from caseapi.content.claims import SlugClaims
from caseapi.content.fields import Converted, convert_fields, period_end_date
from caseapi.content.files import content_files, real_path
from caseapi.content.frontmatter import FrontMatterError, split
from caseapi.content.markdown import render_markdown
from caseapi.models import AMSTERDAM, COLLECTIONS, Collection, ContentProblem, Document
from caseapi.slugs import slugify

MAX_FILE_BYTES = 5 * 1024 * 1024


class LoadResult(msgspec.Struct):
    """What one file became: a document (possibly with warnings) or only problems."""

    path: str
    document: Document | None
    problems: list[ContentProblem]
    # Where 'slug:' is set, so a duplicate slug can point at it.
    slug_line: int | None = None


class FolderLoad(msgspec.Struct):
    """Everything in the content folder: servable documents and all problems."""

    documents: list[Document]
    problems: list[ContentProblem]


def load_folder(content_dir: Path) -> FolderLoad:
    """Load every file; the first file (by path) to claim a slug keeps it."""
    results = [load_file(content_dir, relative) for relative in content_files(content_dir)]
    return resolve_slugs(results)


def resolve_slugs(results: list[LoadResult]) -> FolderLoad:
    """Turn per-file results into a folder load; the first file by path keeps a slug."""
    documents: list[Document] = []
    problems: list[ContentProblem] = []
    claims = SlugClaims()
    for result in sorted(results, key=lambda item: item.path):
        problems.extend(result.problems)
        document = result.document
        if document is None:
            continue
        taken = claims.claim(result.path, document, result.slug_line)
        if taken is not None:
            problems.append(taken)
            continue
        documents.append(document)
    return FolderLoad(documents=documents, problems=problems)


def load_file(content_dir: Path, relative: Path) -> LoadResult:
    """Load one file below ``content_dir``."""
    path_text = relative.as_posix()

    def failed(message: str, line: int | None = None, field: str | None = None) -> LoadResult:
        problem = ContentProblem(path=path_text, line=line, field=field, message=message)
        return LoadResult(path=path_text, document=None, problems=[problem])

    collection = _collection_of(relative)
    if len(relative.parts) == 1:
        return failed(
            f"Files directly in the content folder are not served: move '{relative.name}' "
            "into assignments/ or posts/."
        )
    if collection is None:
        return failed(
            f"'{relative.parts[0]}' is not a content folder: put assignments in assignments/ "
            "and posts in posts/."
        )
    absolute = content_dir / relative
    if not real_path(absolute).is_relative_to(real_path(content_dir)):
        return failed("This is a link to something outside the content folder; it is not served.")
    if relative.suffix != ".md":
        return failed("Only Markdown files ending in '.md' are content; rename or move this file.")
    try:
        # Non-blocking: opening a named pipe for reading would otherwise wait for a writer,
        # and one 'mkfifo posts/x.md' stalled every build and the server's start for good.
        descriptor = os.open(absolute, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as file:
            # The opened file's own stat: what was checked is what is read.
            stat = os.fstat(file.fileno())
            if not S_ISREG(stat.st_mode):
                return failed(
                    "This is not a regular file (a pipe, socket or device); only Markdown "
                    "files are content."
                )
            if stat.st_size > MAX_FILE_BYTES:
                return failed(_too_large(stat.st_size))
            # At most one byte over the limit, even when the file grows while being read.
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return failed(f"The file could not be read ({exc.strerror or exc}).")
    if len(raw) > MAX_FILE_BYTES:
        return failed(_too_large(len(raw)))
    modified = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)
    return parse_document(collection, relative, raw, modified)


def _too_large(size: int) -> str:
    return (
        f"The file is {size / (1024 * 1024):.1f} MiB; content files may be at "
        f"most {MAX_FILE_BYTES // (1024 * 1024)} MiB."
    )


def _collection_of(relative: Path) -> Collection | None:
    if len(relative.parts) < 2:
        return None
    folder = relative.parts[0]
    for collection in COLLECTIONS:
        if folder == collection:
            return collection
    return None


def decode(raw: bytes) -> tuple[str, list[tuple[int | None, str]]]:
    """Bytes -> text with LF line endings, or a ``FrontMatterError`` for the editor."""
    warnings: list[tuple[int | None, str]] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FrontMatterError("The file is saved as UTF-16; save it as UTF-8.", line=1)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        warnings.append((1, "The file starts with a byte order mark (BOM); it was ignored."))
    if b"\x00" in raw[:8192]:
        raise FrontMatterError("This looks like a binary file, not Markdown text.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrontMatterError(
            f"The file is not valid UTF-8 (byte 0x{raw[exc.start]:02X} on line {line}); it was "
            "probably saved as Windows-1252 or Latin-1. Save it as UTF-8.",
            line=line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


def parse_document(
    collection: Collection, relative: Path, raw: bytes, modified: dt.datetime
) -> LoadResult:
    """Turn the bytes of one file into a document or problems."""
    path_text = relative.as_posix()
    problems: list[ContentProblem] = []
    try:
        text, decode_warnings = decode(raw)
        front = split(text)
    except FrontMatterError as exc:
        problem = ContentProblem(path=path_text, line=exc.line, field=None, message=exc.message)
        return LoadResult(path=path_text, document=None, problems=[problem])
    for line, message in decode_warnings:
        problems.append(
            ContentProblem(
                path=path_text, line=line, field=None, message=message, severity="warning"
            )
        )
    converted = convert_fields(collection, front.data)
    for subpath, message in converted.problems:
        problems.append(_field_problem(path_text, subpath, message, front.lines, "error"))
    for subpath, message in converted.warnings:
        problems.append(_field_problem(path_text, subpath, message, front.lines, "warning"))
    slug = converted.values.get("slug") or relative.stem
    if "slug" not in converted.values and slugify(relative.stem) != relative.stem:
        problems.append(
            ContentProblem(
                path=path_text,
                line=None,
                field="slug",
                message=(
                    f"The file name '{relative.name}' is not a valid slug; rename it to "
                    f"'{slugify(relative.stem) or 'name'}.md' or set 'slug:' in the front matter."
                ),
            )
        )
    if any(problem.severity == "error" for problem in problems):
        return LoadResult(path=path_text, document=None, problems=problems)
    document = _build_document(collection, path_text, slug, converted, front.body, raw, modified)
    return LoadResult(
        path=path_text,
        document=document,
        problems=problems,
        slug_line=front.lines.get(("slug",)),
    )


def _field_problem(
    path: str,
    subpath: tuple[str | int, ...],
    message: str,
    lines: dict[tuple[str | int, ...], int],
    severity: str,
) -> ContentProblem:
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in subpath)
    field = field.lstrip(".")
    # Editors count from one and do not read brackets: "publications, item 1, url".
    spoken = ", ".join(f"item {part + 1}" if isinstance(part, int) else part for part in subpath)
    line = None
    for end in range(len(subpath), 0, -1):
        line = lines.get(subpath[:end])
        if line is not None:
            break
    return ContentProblem(
        path=path,
        line=line,
        field=field,
        message=f"{spoken}: {message}",
        severity="warning" if severity == "warning" else "error",
    )


def _build_document(
    collection: Collection,
    path: str,
    slug: str,
    converted: Converted,
    body: str,
    raw: bytes,
    modified: dt.datetime,
) -> Document:
    values = converted.values
    rendered = render_markdown(body)
    checksum = hashlib.sha256(raw).hexdigest()[:20]
    common: dict[str, Any] = {
        "collection": collection,
        "slug": slug,
        "path": path,
        "title": values["title"],
        "tags": values.get("tags", []),
        "modified": modified,
        "lang": values.get("lang", "nl"),
        "draft": values.get("draft", False),
        "html": rendered.html,
        "text": rendered.text,
        "sections": rendered.sections,
        "extra": converted.extra,
        "checksum": checksum,
    }
    if collection == "posts":
        return Document(
            **common,
            date=values["date"],
            summary=values.get("summary") or " ".join(rendered.first_paragraph.split()),
            author=values.get("author"),
            publish_at=values.get("publish_at"),
            updated=values.get("updated"),
        )
    period = values.get("period")
    day: dt.date | None = values.get("date") or (period_end_date(period) if period else None)
    date = (
        dt.datetime.combine(day, dt.time(), tzinfo=AMSTERDAM)
        if day is not None
        else modified.astimezone(AMSTERDAM)
    )
    return Document(
        **common,
        date=date,
        summary=values["summary"],
        clients=values["clients"],
        period=period,
        work=values.get("work", []),
        contact=values.get("contact"),
        publications=values.get("publications", []),
    )
