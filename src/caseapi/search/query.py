"""What a visitor typed -> words, phrases and exclusions; never an exception they caused.

The syntax is the one people already know from web search: words (all must
match), ``"a phrase"``, ``-word`` and ``-"a phrase"`` to exclude, and ``word*``
for a prefix. Anything else is read as plain words: stray operators and
unbalanced quotes are forgiven, not reported.
"""

from __future__ import annotations

import re
import unicodedata

import msgspec

MAX_QUERY_LENGTH = 500
MAX_QUERY_PARTS = 32

_PART = re.compile(r'(?P<sign>[-+]?)"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_OPERATORS = frozenset({"AND", "OR", "NOT", "&&", "||", "!"})
_EDGE_PUNCTUATION = "-+!?.,;:()[]{}<>~^=|\\/&%$#@`"


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for the visitor."""


class Part(msgspec.Struct, frozen=True):
    """One searchable part: a word or a phrase, possibly a prefix."""

    text: str
    phrase: bool = False
    prefix: bool = False


class ParsedQuery(msgspec.Struct, frozen=True):
    """A query split into what must match and what must not."""

    include: tuple[Part, ...]
    exclude: tuple[Part, ...]

    def text(self) -> str:
        """The query as a visitor would type it: what ``parse_query`` reads back as this."""
        included = [
            f'"{part.text}"' if part.phrase else f"{part.text}*" if part.prefix else part.text
            for part in self.include
        ]
        excluded = [f'-"{part.text}"' if part.phrase else f"-{part.text}" for part in self.exclude]
        return " ".join(included + excluded)


def clean(text: str) -> str:
    """Drop control and format characters and angle brackets (keep letters and emoji)."""
    # A control character separates words, like the space it usually stands for.
    kept = (
        " " if char.isspace() or unicodedata.category(char) in _INVISIBLE else char for char in text
    )
    # Angle brackets never make a word; dropping them keeps typed markup out of
    # everything that echoes the query (the "did you mean" suggestion).
    return " ".join("".join(kept).replace("<", " ").replace(">", " ").split())


def parse_query(text: str) -> ParsedQuery:
    """Split ``text`` into parts; a ``QueryError`` only when nothing can be searched."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The query is {len(text)} characters long; at most {MAX_QUERY_LENGTH} are searched."
        )
    cleaned = clean(text)
    include: list[Part] = []
    exclude: list[Part] = []
    for match in _PART.finditer(cleaned):
        if match.group("phrase") is not None:
            words = match.group("phrase").split()
            if not words:
                continue
            part = Part(text=" ".join(words), phrase=len(words) > 1)
            (exclude if match.group("sign") == "-" else include).append(part)
            continue
        word = match.group("word")
        if word in _OPERATORS:
            continue
        negative = word.startswith("-") and len(word) > 1
        prefix = word.endswith("*")
        word = word.strip(_EDGE_PUNCTUATION + "*")
        if not word:
            continue
        part = Part(text=word, prefix=prefix and not negative)
        (exclude if negative else include).append(part)
    if len(include) + len(exclude) > MAX_QUERY_PARTS:
        raise QueryError(f"The query has more than {MAX_QUERY_PARTS} words; use fewer.")
    if not include:
        if exclude:
            raise QueryError("The query only excludes words; add a word to search for.")
        raise QueryError("The query has no words to search for.")
    return ParsedQuery(include=tuple(include), exclude=tuple(exclude))
