"""The text layer of legacy pages: bytes -> lines, scraping debris out, plain text -> Markdown.

``legacy.py`` knows what the labels mean; this module knows only encodings,
mojibake, what a scraper leaves behind (breadcrumbs, sidebars, garbled copies
of the title, stray words) and how bullets and plain text become Markdown.
Whatever it drops is returned as ``(line, message)`` so it can be reported.
"""

from __future__ import annotations

import codecs
import difflib
import itertools
import re

from charset_normalizer import from_bytes

from caseapi.slugs import fold

Line = tuple[int, str]  # (1-based line number in the old page, cleaned text)
Dropped = list[tuple[int, str]]  # (line, what was dropped and why)

BULLET = re.compile(r"^(?:[•·▪◦–]\s*|[-*]\s+)(?P<text>\S.*)$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # not str.splitlines: it also splits on U+0085
_SPACES = re.compile(r"[\s\u200b\ufeff]+")  # \s covers no-break spaces too
_BREADCRUMB = re.compile(r"\s[>»›]\s")
_SIDEBAR = re.compile(r"^(?:recent(?:e)? (?:posts|berichten)|laatste berichten)$", re.IGNORECASE)
_STRAY_WORD = re.compile(r"^[a-zà-ÿ]{1,20}$")
_INLINE_MARKUP = re.compile(r"([\\`*_<\[\]])")
# What cp1252/latin-1 make of the second byte of a UTF-8 sequence ('Ã©' for 'é').
_CONTINUATION = bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore") + "".join(
    map(chr, range(0x80, 0xC0))
)
_MOJIBAKE = re.compile(
    f"[ÃÂ][{re.escape(_CONTINUATION)}]|â€.?"
    # Control characters, the replacement character, and letters Dutch never uses
    # (Latin Extended-A/B except ĳ): 'Eťn' and 'cliŽnten' in the first seed page.
    "|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\u0100-\u0131\u0134-\u024f\u02c6\u02dc]"
)


class LegacyPageError(Exception):
    """The page cannot be imported at all."""


def decode_page(raw: bytes) -> tuple[str, str]:
    """The page's text and encoding: UTF-8, else cp1252 or latin-1 as charset-normalizer says."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw[:8192]:
        raise LegacyPageError("this is UTF-16 or binary, not a text page; save it as UTF-8")
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Unrestricted, charset-normalizer reads short Dutch text as cp1250 ('Eťn'); the old
    # site was written on Windows and Western European systems, so only these two apply.
    best = from_bytes(raw, cp_isolation=["cp1252", "latin_1"]).best()
    if best is None:
        raise LegacyPageError("the page is neither UTF-8, cp1252 nor latin-1 text")
    # Without bytes 0x80-0x9F both decode alike: call it latin-1, cp1252's plain subset.
    windows_only = any(0x80 <= byte <= 0x9F for byte in raw)
    encoding = "cp1252" if best.encoding == "cp1252" and windows_only else "latin-1"
    return raw.decode(encoding), encoding


def numbered_lines(text: str) -> list[Line]:
    """Every line with its number, whitespace (no-break spaces too) collapsed."""
    return [
        (number, _SPACES.sub(" ", line).strip())
        for number, line in enumerate(_LINE_BREAK.split(text), start=1)
    ]


def suspected_mojibake(text: str) -> list[tuple[int, str]]:
    """(line, message) for each line with characters that look like a broken encoding."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        words: dict[str, None] = {}
        characters: dict[str, None] = {}
        for match in _MOJIBAKE.finditer(line):
            start = line.rfind(" ", 0, match.start()) + 1
            end = line.find(" ", match.end())
            words[line[start : end if end >= 0 else None].strip(".,;:!?()\"'")] = None
            characters.update(dict.fromkeys(match.group()))
        if words:
            codes = ", ".join(f"{char!r} U+{ord(char):04X}" for char in characters)
            found.append(
                (
                    number,
                    f"suspected mojibake in {', '.join(map(repr, words))} ({codes}); left as "
                    "it is: compare with the old site and correct it by hand",
                )
            )
    return found


def cut_sidebar(lines: list[Line], dropped: Dropped) -> list[Line]:
    """The page up to a 'Recent Posts' sidebar: the site's menu, not this page."""
    for index, (number, text) in enumerate(lines):
        if _SIDEBAR.match(text):
            rest = sum(1 for _, later in lines[index + 1 :] if later)
            extra = f" and the {rest} lines after it" if rest else ""
            message = f"sidebar '{text}'{extra} dropped"
            dropped.append((number, message))
            return lines[:index]
    return lines


def drop_stray_ending(lines: list[Line], dropped: Dropped) -> None:
    """A lone lowercase word ending the page ('hallo') is debris, not content."""
    filled = [index for index, (_, text) in enumerate(lines) if text]
    if len(filled) < 2:
        return
    last, before = filled[-1], filled[-2]
    number, text = lines[last]
    if _STRAY_WORD.match(text) and before < last - 1:
        dropped.append((number, f"stray line '{text}' at the end of the page dropped"))
        del lines[last]


def find_title(prelude: list[Line], dropped: Dropped) -> tuple[str | None, list[Line]]:
    """The title, and the introduction after it; breadcrumbs and debris are dropped."""
    kept: list[Line] = []
    for number, text in prelude:
        if _BREADCRUMB.search(text):
            dropped.append((number, f"breadcrumb '{text}' dropped"))
        else:
            kept.append((number, text))
    # The title is among the short lines the page opens with (at most three).
    candidates: list[Line] = []
    for number, text in kept:
        if not text:
            continue
        if len(candidates) == 3 or not _looks_like_heading(text):
            break
        candidates.append((number, text))
    gone: set[int] = set()
    for number, text in candidates[:-1]:
        if _STRAY_WORD.match(text):
            dropped.append((number, f"stray line '{text}' before the title dropped"))
            gone.add(number)
    candidates = [line for line in candidates if line[0] not in gone]
    if not candidates:
        return None, [line for line in kept if line[0] not in gone]
    copies = [line for line in candidates if _similar(line[1], candidates[0][1])]
    # Of several copies, the one without breaks like 'Vakmanschaps- ontwikkeling' wins.
    title_number, title = min(copies, key=lambda line: (_garbled(line[1]), -line[0]))
    for number, text in copies:
        if number != title_number:
            message = f"'{text}' dropped: a garbled copy of the title '{title}'"
            dropped.append((number, message))
            gone.add(number)
    first = candidates[0][0]
    intro = [line for line in kept if line[0] > first and line[0] not in gone]
    return title, [line for line in intro if line[0] != title_number]


def _looks_like_heading(text: str) -> bool:
    return (
        len(text) <= 120
        and len(text.split()) <= 15
        and not text.endswith((".", ":", ";", ","))  # a title may be a question
        and not BULLET.match(text)
    )


def _similar(first: str, second: str) -> bool:
    a, b = ("".join(char for char in fold(text) if char.isalnum()) for text in (first, second))
    if a == b or (min(len(a), len(b)) >= 8 and (a in b or b in a)):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def _garbled(text: str) -> int:
    return len(re.findall(r"\w- \w|[a-z][A-Z]", text))


def paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Runs of non-empty lines."""
    groups = itertools.groupby(lines, key=lambda line: bool(line[1]))
    return [list(group) for filled, group in groups if filled]


def plain_text(paragraph: list[Line]) -> str:
    """A paragraph as one line of text, bullets removed."""
    return " ".join(unbullet(text) for _, text in paragraph)


def unbullet(text: str) -> str:
    """The text of a bullet line without its bullet."""
    match = BULLET.match(text)
    return match.group("text") if match else text


def to_markdown(lines: list[Line]) -> list[str]:
    """Plain-text lines as Markdown blocks: bullets become lists, and so do line-per-item runs."""
    blocks: list[str] = []
    for paragraph in paragraphs(lines):
        units: list[tuple[bool, str]] = []
        for _, text in paragraph:
            bullet = BULLET.match(text)
            if bullet:
                units.append((True, bullet.group("text")))
            elif units and _continues(units[-1][1], text):
                units[-1] = (units[-1][0], f"{units[-1][1]} {text}")
            else:
                units.append((False, text))
        # Old pages put one item per line without bullets ('Resultaat' in the first seed).
        if len(units) > 1 and not any(is_item for is_item, _ in units):
            units = [(True, text) for _, text in units]
        for is_item, group in itertools.groupby(units, key=lambda unit: unit[0]):
            texts = [escape_markdown(text) for _, text in group]
            blocks.extend(["\n".join(f"- {text}" for text in texts)] if is_item else texts)
    return blocks


def _continues(previous: str, text: str) -> bool:
    """Whether ``text`` continues a line that was wrapped mid-sentence."""
    return not previous.endswith((".", "!", "?", ":", ";")) or text[:1].islower()


def escape_markdown(text: str) -> str:
    """Plain text that Markdown shows as written, not as emphasis, a heading or a list."""
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    text = re.sub(r"^(\d+)([.)])(\s)", r"\1\\\2\3", text)
    return "\\" + text if text.startswith(("#", ">", "+", "-", "=", "|")) else text
