"""The bytes of one Markdown file -> a document, or the problems an editor can fix.

Front matter is read (``frontmatter.py``), each field converted with its own
messages (``fields.py``), the body rendered (``markdown.py``) with its links
checked against the folder (``links.py``). Every problem is collected, so one
save shows the editor all of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path
from typing import Any

import msgspec

from caseapi.content.fields import Converted, convert_fields, period_end_date
from caseapi.content.frontmatter import FrontMatter, FrontMatterError, split
from caseapi.content.links import DocumentLinks
from caseapi.content.markdown import render_markdown
from caseapi.models import AMSTERDAM, Collection, ContentProblem, Cover, Document
from caseapi.slugs import slugify

# Words a reader gets through in a minute, for reading_minutes.
READING_WORDS_PER_MINUTE = 200
# A summary taken from the first paragraph stops about here: a list item, not the article.
DEFAULT_SUMMARY_CHARS = 300


class ParsedDocument(msgspec.Struct, kw_only=True):
    """What one Markdown file became: a document (possibly with warnings) or only problems."""

    document: Document | None
    problems: list[ContentProblem]
    # Where 'slug:' is set, so a duplicate slug can point at it.
    slug_line: int | None = None
    # The line of each alias, so a clashing one can be pointed at.
    alias_lines: dict[str, int] = {}


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
    collection: Collection,
    relative: Path,
    raw: bytes,
    modified: dt.datetime,
    content_dir: Path | None = None,
) -> ParsedDocument:
    """Turn the bytes of one file into a document or problems.

    With ``content_dir``, relative links are checked against the folder they lie in.
    """
    path_text = relative.as_posix()
    problems: list[ContentProblem] = []
    try:
        text, decode_warnings = decode(raw)
        front = split(text)
    except FrontMatterError as exc:
        problem = ContentProblem(path=path_text, line=exc.line, field=None, message=exc.message)
        return ParsedDocument(document=None, problems=[problem])
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
        return ParsedDocument(document=None, problems=problems)
    links = DocumentLinks(content_dir, path_text)
    document = _build_document(collection, path_text, slug, converted, front, raw, modified, links)
    return ParsedDocument(
        document=document,
        problems=problems + links.problems,
        slug_line=front.lines.get(("slug",)),
        alias_lines=_alias_lines(document, front),
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
    front: FrontMatter,
    raw: bytes,
    modified: dt.datetime,
    links: DocumentLinks,
) -> Document:
    values = converted.values
    rendered = render_markdown(front.body, links, front.body_line)
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
        "toc": rendered.toc,
        "reading_minutes": max(1, math.ceil(len(rendered.text.split()) / READING_WORDS_PER_MINUTE)),
        "image": _cover(values, front, links),
        "aliases": values.get("aliases", []),
        "extra": converted.extra,
        "checksum": checksum,
    }
    # Read after rendering and the cover: every link has been resolved by then.
    common["links"] = links.targets
    if collection == "posts":
        return Document(
            **common,
            date=values["date"],
            summary=values.get("summary") or _shortened(rendered.first_paragraph),
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


def _shortened(paragraph: str) -> str:
    """A summary made of the first paragraph: whole, or cut at a word near the limit."""
    text = " ".join(paragraph.split())
    if len(text) <= DEFAULT_SUMMARY_CHARS:
        return text
    cut = text.rfind(" ", 0, DEFAULT_SUMMARY_CHARS)
    return text[: cut if cut > 0 else DEFAULT_SUMMARY_CHARS].rstrip(" ,;:") + "…"


def _cover(values: dict[str, Any], front: FrontMatter, links: DocumentLinks) -> Cover | None:
    """``image:`` and ``image_alt:``: a file in the folder (checked as links are) or a URL."""
    written = values.get("image")
    if written is None:
        return None
    resolved = links.resolve(written, front.lines.get(("image",)), "cover image")
    if resolved == "":
        return None
    return Cover(src=written if resolved is None else resolved, alt=values.get("image_alt"))


def _alias_lines(document: Document, front: FrontMatter) -> dict[str, int]:
    lines = {}
    for index, alias in enumerate(document.aliases):
        line = front.lines.get(("aliases", index)) or front.lines.get(("aliases",))
        if line is not None:
            lines[alias] = line
    return lines
