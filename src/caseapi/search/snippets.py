"""Highlighted snippets: the best short window of a hit's text, with ``<mark>``.

Whoosh's highlighter re-reads and re-analyses whole documents (about 60 ms
for ten hits at 10,000 documents); we analyse only the short text stored with
each hit, analyse each distinct word once, and mark every token whose analysed form
matches a query term — so ``cliënten`` is marked for ``clienten`` and
``vakmanschapsontwikkeling`` for ``vakmanschap``.
"""

from __future__ import annotations

from collections.abc import Collection
from html import escape

from caseapi.search.analysis import WORD, dutch_analyzer, english_analyzer

SNIPPET_CHARS = 220
_CONTEXT_BEFORE = 60
_ANALYZERS = {"nl": dutch_analyzer(), "en": english_analyzer()}

Span = tuple[str, int, int]


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` HTML-escaped, with each span wrapped in ``<mark>``."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted(set(spans)):
        if start < position:
            continue
        pieces.append(escape(text[position:start], quote=False))
        pieces.append(f"<mark>{escape(text[start:end], quote=False)}</mark>")
        position = end
    pieces.append(escape(text[position:], quote=False))
    return "".join(pieces)


def matching_spans(text: str, lang: str, terms: Collection[str]) -> list[Span]:
    """The spans of ``text`` whose analysed term is one of ``terms``.

    Each distinct word is analysed once, and only words that match are located:
    ten hits' texts are a few thousand words, most of them repeats and misses.
    """
    terms_of = _ANALYZERS.get(lang, _ANALYZERS["nl"]).terms_of
    wanted: dict[str, list[str]] = {}
    for word in set(WORD.findall(text)):
        found = [term for term in terms_of(word, True) if term in terms]
        if found:
            wanted[word] = found
    if not wanted:
        return []
    return [
        (term, match.start(), match.end())
        for match in WORD.finditer(text)
        for term in wanted.get(match.group(), ())
    ]


def highlight_title(title: str, lang: str, terms: Collection[str]) -> str:
    """The whole title, escaped, with matching words marked."""
    return mark(title, [(start, end) for _, start, end in matching_spans(title, lang, terms)])


def snippet(text: str, lang: str, terms: Collection[str], size: int = SNIPPET_CHARS) -> str:
    """The window of about ``size`` characters with the most distinct matching terms."""
    matches = matching_spans(text, lang, terms)[:200]
    if not matches:
        return _cut(text, 0, size, [])
    best_start, best_score = 0, -1
    for _, match_start, _ in matches:
        start = max(0, match_start - _CONTEXT_BEFORE)
        inside = {term for term, begin, end in matches if begin >= start and end <= start + size}
        if len(inside) > best_score:
            best_start, best_score = start, len(inside)
    return _cut(text, best_start, size, [(begin, end) for _, begin, end in matches])


def _cut(text: str, start: int, size: int, spans: list[tuple[int, int]]) -> str:
    """Cut ``text`` to whole words around [start, start + size) and mark ``spans`` in it."""
    if start > 0:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    window = text[start:end]
    inner = [
        (begin - start, stop - start) for begin, stop in spans if begin >= start and stop <= end
    ]
    body = " ".join(mark(window, inner).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
