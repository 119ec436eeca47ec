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

from caseapi.content.fields import Converted, convert_fields, period_end_date
from caseapi.content.frontmatter import FrontMatterError, split
from caseapi.content.markdown import render_markdown
from caseapi.models import AMSTERDAM, COLLECTIONS, Collection, ContentProblem, Document, FileStamp
from caseapi.slugs import slugify

MAX_FILE_BYTES = 5 * 1024 * 1024
# Editors' temporary and backup files: never content, never an error.
_TEMPORARY_SUFFIXES = (".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload", "~")
_TEMPORARY_PREFIXES = (".", "#", "~$")
_TEMPORARY_NAMES = {"4913"}  # vim's write test file


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


def is_ignored(relative: Path) -> bool:
    """Hidden, temporary and backup files, and folders, are not content."""
    return _ignored_name(relative.as_posix())


def _ignored_name(relative: str) -> bool:
    for part in relative.split("/"):
        if part.startswith(_TEMPORARY_PREFIXES) or part in _TEMPORARY_NAMES:
            return True
    return relative.endswith(_TEMPORARY_SUFFIXES)


def real_path(path: Path) -> Path:
    """Where ``path`` really is, links followed.

    Not ``Path.resolve()``: it raises on a link loop (``posts/a.md -> a.md``), and one
    such link crashed every build; a loop is then refused when the file is opened.
    """
    return Path(os.path.realpath(path))


def content_files(content_dir: Path) -> list[Path]:
    """Every candidate file below ``content_dir``, relative, sorted.

    Symlinks are followed only while they stay inside the folder, so an editor
    cannot publish ``/etc/passwd`` by linking to it.
    """
    return [Path(name) for name in _content_names(content_dir)]


def _content_names(content_dir: Path) -> list[str]:
    """``content_files`` as relative POSIX strings: every live update lists the folder,
    and at 10,000 files path objects cost more than the listing itself."""
    root = os.path.realpath(content_dir)
    found: list[str] = []
    # os.walk does not descend into linked folders, so a link cannot pull a tree in.
    for folder, subfolders, files in os.walk(root):
        base = os.path.relpath(folder, root)
        prefix = "" if base == "." else base.replace(os.sep, "/") + "/"
        subfolders[:] = sorted(name for name in subfolders if not _ignored_name(name))
        for name in subfolders:
            linked = os.path.join(folder, name)
            if os.path.islink(linked) and not Path(real_path(Path(linked))).is_relative_to(root):
                found.append(prefix + name)  # reported by load_file, not skipped in silence
        for name in files:
            relative = prefix + name
            if not _ignored_name(relative):
                found.append(relative)
    # Sorted as the paths would be: part by part.
    return sorted(found, key=lambda name: name.split("/"))


def stamp_folder(content_dir: Path) -> dict[str, FileStamp]:
    """Size and mtime of every content file, to notice edits since the last build."""
    stamps: dict[str, FileStamp] = {}
    for relative in _content_names(content_dir):
        try:
            stat = os.stat(os.path.join(content_dir, relative))
        except OSError:
            continue
        stamps[relative] = FileStamp(stat.st_size, stat.st_mtime_ns)
    return stamps


def load_folder(content_dir: Path) -> FolderLoad:
    """Load every file; the first file (by path) to claim a slug keeps it."""
    results = [load_file(content_dir, relative) for relative in content_files(content_dir)]
    return resolve_slugs(results)


def resolve_slugs(results: list[LoadResult]) -> FolderLoad:
    """Turn per-file results into a folder load, refusing duplicate slugs."""
    documents: list[Document] = []
    problems: list[ContentProblem] = []
    owners: dict[tuple[str, str], str] = {}
    for result in sorted(results, key=lambda item: item.path):
        problems.extend(result.problems)
        document = result.document
        if document is None:
            continue
        key = (document.collection, document.slug)
        if key in owners:
            problems.append(
                ContentProblem(
                    path=result.path,
                    line=result.slug_line,
                    field="slug",
                    message=(
                        f"The slug '{document.slug}' is already used by {owners[key]}; "
                        "rename this file or set a different 'slug:'."
                    ),
                )
            )
            continue
        owners[key] = result.path
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
