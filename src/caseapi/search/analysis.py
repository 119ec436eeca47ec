"""Text analysis for search: Dutch (and English) words as Whoosh should index them.

A word is lowercased, loses its apostrophe ending (``dilemma's`` ->
``dilemma``), is accent-folded (``cliënten`` -> ``clienten``), is dropped
when it is a stop word, gains its compound parts (index side only: a query
for the whole compound should still match the whole compound), and is
stemmed last so every part is stemmed too.

This is one analyzer, not a chain of Whoosh filters: a chain costs a Python
generator per filter per token, and a full build spent most of its time there.
Here each distinct word is analysed once and remembered, so indexing text is
mostly one regex match and one dict lookup per word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import Stemmer
from whoosh.analysis import Analyzer
from whoosh.analysis.acore import Token

from caseapi.search.compounds import split_compound
from caseapi.slugs import fold

# Words joined by apostrophes stay one token, so the filter below sees "dilemma's".
TOKEN_PATTERN = r"\w+(?:['’]\w+)*"

# Snowball's Dutch stop list (BSD), plus the short forms of its verbs ("doe" beside
# "doen"). Whoosh's StopFilter(lang="nl") also adds English stop words, which
# would drop Dutch words such as "die" or "had".
DUTCH_STOP_WORDS = frozenset(
    """
    de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om
    hem dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar
    naar heb hoe heeft hebben deze u want nog zal me zij nu ge geen omdat iets worden toch al
    waren veel meer doen toen moet ben zonder kan hun dus alles onder ja eens hier wie werd
    altijd doch wordt wezen kunnen ons zelf tegen na reeds wil kon niets uw iemand geweest
    andere doe doet kun kunt wilt zult hebt bent
    """.split()  # noqa: SIM905 - a word list reads best as words
)

ENGLISH_STOP_WORDS = frozenset(
    """
    a an and are as at be by for from has he in is it its of on that the to was were will with
    this these those or not but
    """.split()  # noqa: SIM905 - a word list reads best as words
)

_APOSTROPHE_ENDING = re.compile(r"['’](?:s|n|t|je|tje|jes)?$")
WORD = re.compile(TOKEN_PATTERN)
_CACHE_LIMIT = 500_000


class WordAnalyzer(Analyzer):  # type: ignore[misc]
    """Tokenizes, normalises, decompounds (Dutch) and stems, with a per-word cache."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._setup()

    def _setup(self) -> None:
        dutch = self.language == "nl"
        self._stemmer = Stemmer.Stemmer("dutch" if dutch else "english")
        self._stop_words = DUTCH_STOP_WORDS if dutch else ENGLISH_STOP_WORDS
        self._decompound = dutch
        self._cache: dict[tuple[str, bool], tuple[str, ...]] = {}

    # Whoosh pickles analyzers into the index's schema: store the language, not the cache.
    def __getstate__(self) -> dict[str, Any]:
        return {"language": self.language}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.language = state["language"]
        self._setup()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordAnalyzer) and other.language == self.language

    def __hash__(self) -> int:
        return hash(("WordAnalyzer", self.language))

    def __repr__(self) -> str:
        return f"WordAnalyzer({self.language!r})"

    def terms_of(self, word: str, index: bool) -> tuple[str, ...]:
        """The terms one word becomes: none for a stop word, more for a compound."""
        key = (word, index)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        text = word.lower()
        if "'" in text or "’" in text:
            text = _APOSTROPHE_ENDING.sub("", text).replace("'", "").replace("’", "")
        text = fold(text)
        if len(text) < 2 or text in self._stop_words:
            result: tuple[str, ...] = ()
        else:
            parts = split_compound(text) if index and self._decompound else ()
            result = tuple(self._stemmer.stemWords([text, *parts]))
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[key] = result
        return result

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        index = mode == "index"
        for position, match in enumerate(WORD.finditer(value)):
            for term in self.terms_of(match.group(), index):
                token.text = term
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = match.group()
                if positions:
                    token.pos = start_pos + position
                if chars:
                    token.startchar = start_char + match.start()
                    token.endchar = start_char + match.end()
                yield token


def dutch_analyzer() -> WordAnalyzer:
    """The analyzer of Dutch text fields."""
    return WordAnalyzer("nl")


def english_analyzer() -> WordAnalyzer:
    """The analyzer of English text fields (``lang: en`` documents)."""
    return WordAnalyzer("en")


def terms(analyzer: Analyzer, text: str, **kwargs: Any) -> list[str]:
    """The terms ``analyzer`` makes of ``text`` (query side unless ``mode`` is given)."""
    options = {"mode": "query", **kwargs}
    return [token.text for token in analyzer(text, **options)]
