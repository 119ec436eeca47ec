"""Markdown body -> sanitised HTML, plain text, ``##`` sections and a table of contents.

Relative links and images are resolved by ``links.py`` as the tokens are
rendered (with their line, for warnings); ``<img>`` gets the width and
height of its file, so pages do not jump while images load.
"""

from __future__ import annotations

import re
from functools import cache
from html import unescape

import msgspec
import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from caseapi.content.links import CONTENT_SCHEME, DocumentLinks
from caseapi.models import Section, TocEntry
from caseapi.slugs import slugify

# Headings keep their ids so frontends can link to a section.
_ALLOWED_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    **{f"h{level}": {"id"} for level in range(2, 7)},
    "code": {"class"},
}

# Our own scheme survives sanitising: it stands for a path inside the content folder.
_URL_SCHEMES = nh3.ALLOWED_URL_SCHEMES | {CONTENT_SCHEME.rstrip(":")}
_LINKING = frozenset({("a", "href"), ("img", "src")})
MAX_IMAGE_SIDE = 10_000
_HIDDEN_OPEN = re.compile(r"<(script|style)\b")
_HIDDEN_CLOSE = re.compile(r"</(script|style)\b")


class RenderedBody(msgspec.Struct, kw_only=True):
    """A rendered Markdown body."""

    html: str
    text: str
    sections: list[Section]
    first_paragraph: str
    toc: list[TocEntry]


@cache
def _markdown() -> MarkdownIt:
    # CommonMark plus tables and strikethrough; raw HTML is parsed, then sanitised by nh3.
    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(
    body: str, links: DocumentLinks | None = None, first_line: int = 1
) -> RenderedBody:
    """Render ``body``; sections split at ``##`` headings; ``first_line`` is the body's line."""
    markdown = _markdown()
    tokens = markdown.parse(body)
    _add_heading_ids(tokens)
    if links is not None:
        _resolve_links(tokens, links, first_line)
    sections: list[Section] = []
    for heading, section_tokens in _split_sections(tokens):
        raw_html = markdown.renderer.render(section_tokens, markdown.options, {})
        html = sanitise(raw_html, links)
        # A section's text leaves out its heading (heading_open, inline, heading_close).
        text = _plain_text(section_tokens[3:] if heading is not None else section_tokens)
        if heading is None and not text and not html.strip():
            continue
        sections.append(
            Section(
                heading=heading.content if heading is not None else None,
                id=heading.attrGet("id") if heading is not None else None,  # type: ignore[arg-type]
                html=html,
                text=text,
            )
        )
    return RenderedBody(
        html="".join(section.html for section in sections),
        text="\n\n".join(
            f"{section.heading}\n\n{section.text}" if section.heading else section.text
            for section in sections
        ),
        sections=sections,
        first_paragraph=_first_paragraph(tokens),
        toc=_table_of_contents(tokens),
    )


def sanitise(html: str, links: DocumentLinks | None = None) -> str:
    """Strip anything that could run in a reader's browser; resolve links in raw HTML too."""

    def resolve(element: str, attribute: str, value: str) -> str | None:
        if links is not None and (element, attribute) in _LINKING:
            resolved = links.resolve(value, None, "image" if element == "img" else "link")
            return value if resolved is None else resolved or None
        if element == "img" and attribute in ("width", "height"):
            # A size the page can use, or none: width="999999" only breaks layouts.
            return value if value.isdigit() and 0 < int(value) <= MAX_IMAGE_SIDE else None
        return value

    return nh3.clean(
        html,
        attributes=_ALLOWED_ATTRIBUTES,
        link_rel="noopener noreferrer",
        url_schemes=_URL_SCHEMES,
        attribute_filter=resolve,
    )


def _resolve_links(tokens: list[Token], links: DocumentLinks, first_line: int) -> None:
    """Markdown links and images -> stored URLs; images get their file's width and height."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = first_line + token.map[0] if token.map else None
        for child in token.children:
            attribute = {"image": "src", "link_open": "href"}.get(child.type)
            if attribute is None:
                continue
            resolved = links.resolve(
                str(child.attrGet(attribute) or ""),
                line,
                "image" if child.type == "image" else "link",
            )
            if resolved is None:
                continue
            if not resolved:
                child.attrs.pop(attribute, None)
                continue
            child.attrSet(attribute, resolved)
            size = links.image_size(resolved) if child.type == "image" else None
            if size is not None:
                child.attrSet("width", str(size[0]))
                child.attrSet("height", str(size[1]))


def _table_of_contents(tokens: list[Token]) -> list[TocEntry]:
    """The headings below the title, nested by level, with the ids they link to."""
    root: list[TocEntry] = []
    open_entries: list[TocEntry] = []
    for token in tokens:
        if token.type != "heading_open" or token.tag == "h1":
            continue
        level = int(token.tag[1])
        entry = TocEntry(id=str(token.attrGet("id")), title=token.content, level=level, children=[])
        while open_entries and open_entries[-1].level >= level:
            open_entries.pop()
        (open_entries[-1].children if open_entries else root).append(entry)
        open_entries.append(entry)
    return root


def _add_heading_ids(tokens: list[Token]) -> None:
    used: set[str] = set()
    # Where to go on numbering each base: counting up from 2 for every repeat made a file
    # of 10,000 equal headings take minutes (quadratic) and stalled the whole index build.
    next_number: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag == "h1":
            continue
        # The heading as readers see it: no Markdown marks, no HTML.
        heading_text = _inline_text(tokens[index + 1]).strip()
        base = slugify(heading_text) or "sectie"
        candidate, number = base, next_number.get(base, 2)
        while candidate in used:
            candidate, number = f"{base}-{number}", number + 1
        next_number[base] = number
        used.add(candidate)
        token.attrSet("id", candidate)
        token.content = heading_text


def _split_sections(tokens: list[Token]) -> list[tuple[Token | None, list[Token]]]:
    parts: list[tuple[Token | None, list[Token]]] = [(None, [])]
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h2":
            parts.append((token, []))
        parts[-1][1].append(token)
    return parts


def _plain_text(tokens: list[Token]) -> str:
    blocks: list[str] = []
    current: list[str] = []
    for token in tokens:
        if token.type == "inline":
            current.append(_inline_text(token))
        elif token.type in ("fence", "code_block"):
            current.append(token.content.rstrip("\n"))
        elif token.type == "html_block":
            current.append(_html_text(token.content))
        if token.block and token.nesting <= 0 and current:
            # A closing block ends a paragraph, heading or list item.
            blocks.append(" ".join(part for part in current if part).strip())
            current = []
    return "\n".join(block for block in blocks if block)


def _html_text(html: str) -> str:
    """The words of raw HTML; nh3 drops script and style contents entirely."""
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    hidden = False  # inside an inline <script> or <style>: code, not words
    for child in token.children or []:
        if child.type == "html_inline":
            tag = child.content.lower()
            if _HIDDEN_OPEN.match(tag):
                hidden = True
            elif _HIDDEN_CLOSE.match(tag):
                hidden = False
            continue
        if hidden:
            continue
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def _first_paragraph(tokens: list[Token]) -> str:
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            return _inline_text(tokens[index + 1]).strip()
    return ""
