"""One old-website page -> the front matter and Markdown of a content file (nothing written).

Legacy pages are messy: scraped breadcrumbs and sidebars, garbled copies of
the title, stray words, mojibake. Nothing is repaired by guessing: whatever is
dropped or doubtful becomes a ``Finding`` with its line in the old page.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import msgspec

from caseapi.content.frontmatter import write_file
from caseapi.legacy.dates import PeriodError, parse_period
from caseapi.legacy.text import (
    Dropped,
    LegacyPageError,
    Line,
    cut_sidebar,
    decode_page,
    drop_stray_ending,
    escape_markdown,
    find_title,
    numbered_lines,
    paragraphs,
    plain_text,
    suspected_mojibake,
    to_markdown,
    unbullet,
)
from caseapi.models import AMSTERDAM, Collection
from caseapi.slugs import slugify

FindingKind = Literal["dropped", "mojibake", "todo", "check", "note"]
# Kinds an editor has to act on; the others only say what happened.
FLAGGING_KINDS: frozenset[str] = frozenset({"mojibake", "todo", "check"})
UNKNOWN_CLIENT = "Onbekend"

FIELD_LABELS = {
    "korte omschrijving": "summary",
    "omschrijving": "summary",
    "opdrachtgevers": "clients",
    "opdrachtgever": "clients",
    "looptijd": "period",
    "aard werkzaamheden": "work",
    "aard van de werkzaamheden": "work",
    "informatie": "contact",
    "contactpersoon": "contact",
    "publicaties": "publications",
    "publicatie": "publications",
}
SECTION_LABELS = ("vraag", "aanpak", "resultaat", "resultaten", "verloop van het project")
_LABEL = re.compile(
    r"^(?P<label>"
    + "|".join(sorted((*FIELD_LABELS, *SECTION_LABELS), key=len, reverse=True))
    + r")\s*(?::\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+")
_NONE_PUBLISHED = re.compile(r"^geen\b", re.IGNORECASE)
_LEADING_NAME = re.compile(
    r"^(?P<name>[A-Z][A-Z0-9&]{1,9}|[A-Z][\w&'.-]*(?: [A-Z][\w&'.-]*){0,3})"
    r" (?:is|was|zijn|waren|heeft|had|wil|wilde|vroeg|zocht)\b"
)
_NOT_A_NAME = {"de", "het", "een", "dit", "deze", "die", "dat", "wij", "we", "zij", "ze", "hij"}


class Finding(msgspec.Struct, frozen=True):
    """Something done to, or doubtful about, a legacy page; ``line`` is in the old page."""

    line: int | None
    kind: FindingKind
    message: str


class ImportedPage(msgspec.Struct, kw_only=True):
    """A legacy page turned into a content file that has not been written yet."""

    source: str
    encoding: str
    collection: Collection
    slug: str
    front_matter: dict[str, Any]
    body: str
    findings: list[Finding]

    def render(self) -> str:
        """The content file: front matter (with the to-dos as YAML comments) and body."""
        comments = [f"Imported by 'caseapi import' from {self.source} ({self.encoding})."]
        for finding in self.findings:
            if finding.kind in FLAGGING_KINDS:
                where = f"old page line {finding.line}: " if finding.line else ""
                comments.append(" ".join(f"TODO {where}{finding.message}".split()))
        return write_file(self.front_matter, self.body, comments)


class _Block(msgspec.Struct):
    """A labelled part of the page: the label, the text after its colon, its lines."""

    label: str
    heading: str
    line: int
    rest: str | None
    lines: list[Line]


def convert_page(
    raw: bytes,
    source: str,
    modified: dt.datetime,
    collection: Collection = "assignments",
    old_path: str | None = None,
) -> ImportedPage:
    """Turn one legacy page into front matter and a Markdown body (nothing is written).

    ``old_path``, the page's path on the old site, becomes an alias: it redirects here.
    """
    text, encoding = decode_page(raw)
    if not text.strip():
        raise LegacyPageError("the page is empty")
    findings = [Finding(line, "mojibake", message) for line, message in suspected_mojibake(text)]
    if encoding != "utf-8":
        findings.append(Finding(None, "note", f"read as {encoding}; written as UTF-8"))
    dropped: Dropped = []
    prelude, blocks = _split_blocks(cut_sidebar(numbered_lines(text), dropped))
    drop_stray_ending(blocks[-1].lines if blocks else prelude, dropped)
    title, intro = find_title(prelude, dropped)
    findings.extend(Finding(line, "dropped", message) for line, message in dropped)
    if title is None:
        title = Path(source).stem.replace("_", " ").strip() or "Zonder titel"
        findings.append(Finding(None, "todo", f"no title found; using '{title}': correct it"))
    if not blocks:
        message = (
            "no labels (Korte omschrijving, Opdrachtgevers, Vraag, ...) on this page: "
            "imported as a post, not an assignment"
        )
        findings.append(Finding(None, "todo", message))
        collection = "posts"
    if collection == "posts":
        front, body = _post(title, intro, blocks, modified)
        message = (
            f"date {front['date']} is the modification date of the old page's file; "
            "correct it if the post is older"
        )
        findings.append(Finding(None, "todo", message))
    else:
        front, body = _assignment(title, intro, blocks, findings)
    if old_path is not None:
        front = _with_alias(front, old_path)
        findings.append(Finding(None, "note", f"the old address {old_path} redirects here"))
    slug = slugify(title)[:80].strip("-") or slugify(Path(source).stem) or "pagina"
    findings.sort(key=lambda finding: finding.line or 0)
    return ImportedPage(
        source=Path(source).name,
        encoding=encoding,
        collection=collection,
        slug=slug,
        front_matter=front,
        body=body,
        findings=findings,
    )


def _with_alias(front: dict[str, Any], old_path: str) -> dict[str, Any]:
    """``front`` with ``aliases:`` after the tags, where an editor looks for it."""
    ordered: dict[str, Any] = {}
    for key, value in front.items():
        if key == "draft":
            ordered["aliases"] = [old_path]
        ordered[key] = value
    ordered.setdefault("aliases", [old_path])
    return ordered


def old_site_path(prefix: str, source: str, extension: str = ".html") -> str:
    """The path a page had on the old site: ``prefix`` (a path or URL) and its file's name."""
    if prefix.startswith(("http://", "https://")):
        prefix = urlsplit(prefix).path
    folder = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    return folder + Path(source).stem + extension


def _split_blocks(lines: list[Line]) -> tuple[list[Line], list[_Block]]:
    """The lines before the first label, and one block per label."""
    prelude: list[Line] = []
    blocks: list[_Block] = []
    for number, text in lines:
        match = _LABEL.match(text)
        if match:
            label = " ".join(match.group("label").lower().split())
            heading = label[0].upper() + label[1:]
            rest = (match.group("rest") or "").strip() or None
            blocks.append(_Block(label=label, heading=heading, line=number, rest=rest, lines=[]))
        elif blocks:
            blocks[-1].lines.append((number, text))
        else:
            prelude.append((number, text))
    return prelude, blocks


def _post(
    title: str, intro: list[Line], blocks: list[_Block], modified: dt.datetime
) -> tuple[dict[str, Any], str]:
    parts = to_markdown(intro)
    for block in blocks:
        parts.extend(_section(block))
    front = {
        "title": title,
        "date": modified.astimezone(AMSTERDAM).date(),
        "tags": [],
        "draft": False,
    }
    return front, _join(parts)


def _join(blocks: list[str]) -> str:
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _block_lines(block: _Block) -> list[Line]:
    """The block's text, including what follows the label's colon ('Looptijd: 2003')."""
    first = [(block.line, block.rest)] if block.rest else []
    return first + block.lines


def _section(block: _Block) -> list[str]:
    """A ``##`` section; a subtitle ('Vraag: vakmanschap') becomes an italic first line."""
    if block.label not in SECTION_LABELS or not block.rest:
        return [f"## {block.heading}", *to_markdown(_block_lines(block))]
    subtitle = escape_markdown(block.rest[0].upper() + block.rest[1:])
    return [f"## {block.heading}", f"*{subtitle}*", *to_markdown(block.lines)]


def _assignment(
    title: str, intro: list[Line], blocks: list[_Block], findings: list[Finding]
) -> tuple[dict[str, Any], str]:
    fields: dict[str, list[Line]] = {}
    for block in blocks:
        if block.label in FIELD_LABELS:
            fields.setdefault(FIELD_LABELS[block.label], []).extend([*_block_lines(block), (0, "")])
    intro_paragraphs = paragraphs(intro)
    described = paragraphs(fields.get("summary", []))
    summary_paragraphs = described or intro_paragraphs
    body_lines = [line for paragraph in intro_paragraphs for line in [*paragraph, (0, "")]]
    sections = [block for block in blocks if block.label in SECTION_LABELS]
    if summary_paragraphs:
        summary = plain_text(summary_paragraphs[0])
        rest = [line for paragraph in summary_paragraphs[1:] for line in [*paragraph, (0, "")]]
        # The introduction stays in the body unless its first paragraph became the summary.
        body_lines = body_lines + rest if described else rest
    elif sections and paragraphs(sections[0].lines):
        first = paragraphs(sections[0].lines)[0]
        summary = plain_text(first)
        message = (
            f"no Korte omschrijving: the summary is the first paragraph of {sections[0].heading}"
        )
        findings.append(Finding(first[0][0], "check", message))
    else:
        summary = title
        findings.append(Finding(None, "todo", "no summary found; the title stands in for it"))
    front: dict[str, Any] = {"title": title, "summary": summary}
    front["clients"] = _clients(fields, intro_paragraphs, blocks, findings)
    if "period" in fields:
        period_lines = [line for line in fields["period"] if line[1]]
        period_text = plain_text(period_lines)
        try:
            period = parse_period(period_text)
            # No 'end' at all for ongoing work, as an editor would write it.
            front["period"] = {
                key: value for key, value in msgspec.structs.asdict(period).items() if value
            }
        except PeriodError as error:
            line = period_lines[0][0] if period_lines else None
            findings.append(Finding(line, "todo", f"Looptijd not read, fill in 'period': {error}"))
    if "work" in fields:
        listed = ", ".join(unbullet(text) for _, text in fields["work"] if text)
        words = re.split(r",|;|&|/|\ben\b", listed.lower())
        front["work"] = list(dict.fromkeys(w.strip(" .") for w in words if w.strip(" .")))
    if "contact" in fields:
        front["contact"] = ", ".join(
            unbullet(text).rstrip(".") for _, text in fields["contact"] if text
        )
    if "publications" in fields:
        front["publications"] = _publications(fields["publications"])
    front["tags"] = []
    front["draft"] = front["clients"] == [UNKNOWN_CLIENT] or summary == title
    parts = to_markdown(body_lines)
    for block in blocks:
        if block.label in SECTION_LABELS:
            parts.extend(_section(block))
    return front, _join(parts)


def _clients(
    fields: dict[str, list[Line]],
    intro: list[list[Line]],
    blocks: list[_Block],
    findings: list[Finding],
) -> list[str]:
    clients = [
        unbullet(part).strip(" .")
        for _, text in fields.get("clients", [])
        for part in text.split(";")
        if part.strip(" .")
    ]
    if clients:
        return list(dict.fromkeys(clients))
    match = _LEADING_NAME.match(plain_text(intro[0])) if intro else None
    if match and match.group("name").split()[0].lower() not in _NOT_A_NAME:
        name = match.group("name")
        everything = " ".join(text for block in blocks for _, text in block.lines)
        # An acronym ('CIZ is ...') is clear; a capitalised name must come back later on.
        if name.isupper() or name in everything:
            message = f"client '{name}' taken from the introduction; check it"
            findings.append(Finding(intro[0][0][0], "check", message))
            return [name]
    findings.append(
        Finding(
            None,
            "todo",
            f"no client found (no Opdrachtgevers label, none clear in the introduction): "
            f"written as a draft with clients: [{UNKNOWN_CLIENT}]; fill in the client and "
            "set draft: false",
        )
    )
    return [UNKNOWN_CLIENT]


def _publications(lines: list[Line]) -> list[Any]:
    """Titles, or ``{title, url}``; 'Geen openbare publicatie beschikbaar' means none."""
    result: list[Any] = []
    for _, text in lines:
        text = unbullet(text).strip()
        if not text or _NONE_PUBLISHED.match(text):
            continue
        url = _URL.search(text)
        title = _URL.sub("", text).strip(" -:–,.") if url else text.rstrip(".")
        if url:
            result.append({"title": title or url.group().rstrip("."), "url": url.group()})
        else:
            result.append(title)
    return result
