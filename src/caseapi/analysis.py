"""Text analysis for search: Dutch (and English) tokens as Whoosh should index them.

Order matters: tokens are lowercased, lose their apostrophe endings
(``dilemma's`` -> ``dilemma``), are accent-folded (``cliënten`` ->
``clienten``), lose stop words, gain their compound parts (index side only:
a query for the whole compound should still match the whole compound), and
are stemmed last so every part is stemmed too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    PyStemmerFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.analysis.acore import Token
from whoosh.support.charset import accent_map

from caseapi.compounds import split_compound

# Words joined by apostrophes stay one token, so the filter below sees "dilemma's".
TOKEN_PATTERN = r"\w+(?:['’]\w+)*"

# Snowball's Dutch stop list (BSD). Whoosh's StopFilter(lang="nl") also adds
# English stop words, which would drop Dutch words such as "die" or "had".
DUTCH_STOP_WORDS = frozenset(
    """
    de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om
    hem dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar
    naar heb hoe heeft hebben deze u want nog zal me zij nu ge geen omdat iets worden toch al
    waren veel meer doen toen moet ben zonder kan hun dus alles onder ja eens hier wie werd
    altijd doch wordt wezen kunnen ons zelf tegen na reeds wil kon niets uw iemand geweest
    andere
    """.split()  # noqa: SIM905 - a word list reads best as words
)

ENGLISH_STOP_WORDS = frozenset(
    """
    a an and are as at be by for from has he in is it its of on that the to was were will with
    this these those or not but
    """.split()  # noqa: SIM905 - a word list reads best as words
)

_APOSTROPHE_ENDING = re.compile(r"['’](?:s|n|t|je|tje|jes)?$")


class ApostropheFilter(Filter):  # type: ignore[misc]
    """``dilemma's`` -> ``dilemma``, ``auto’s`` -> ``auto``; other apostrophes vanish."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            text = token.text
            if "'" in text or "’" in text:
                token.text = _APOSTROPHE_ENDING.sub("", text).replace("'", "").replace("’", "")
            yield token


class CompoundFilter(Filter):  # type: ignore[misc]
    """Adds the parts of a Dutch compound at the compound's own position (index side)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            # Downstream filters rewrite token.text in place: read it before yielding.
            parts = split_compound(token.text) if token.mode == "index" else ()
            yield token
            for part in parts:
                token.text = part
                yield token


def dutch_analyzer() -> Analyzer:
    """The analyzer of Dutch text fields."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | ApostropheFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=DUTCH_STOP_WORDS, minsize=2)
        | CompoundFilter()
        | PyStemmerFilter("dutch")
    )


def english_analyzer() -> Analyzer:
    """The analyzer of English text fields (``lang: en`` documents)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | ApostropheFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=ENGLISH_STOP_WORDS, minsize=2)
        | PyStemmerFilter("english")
    )


def terms(analyzer: Analyzer, text: str, **kwargs: Any) -> list[str]:
    """The terms ``analyzer`` makes of ``text`` (query side unless ``mode`` is given)."""
    options = {"mode": "query", **kwargs}
    return [token.text for token in analyzer(text, **options)]
