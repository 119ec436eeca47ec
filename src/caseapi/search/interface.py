"""What the rest of caseapi sees of search: a reader and a writer, and what they exchange.

The API searches through ``SearchReader``; the indexer writes through
``SearchWriter``. Whoosh (``searcher.py``, ``writer.py``) is the embedded
implementation; another backend implements the same two Protocols, and
neither ``api/`` nor ``indexing/`` changes. Presentation (URLs, highlighted
titles) is the API's: a ``Match`` says what matched, not how to show it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, Protocol

import msgspec

from caseapi.models import Document, DocumentType
from caseapi.search.query import ParsedQuery
from caseapi.search.schema import HitFacts
from caseapi.search.vocabulary import Vocabulary

HitType = DocumentType


class SearchFilters(msgspec.Struct, frozen=True, kw_only=True):
    """Filters of ``/search``."""

    type: HitType | None = None
    tag: str | None = None
    year: int | None = None


class FacetCount(msgspec.Struct):
    """A facet value and how many matching documents have it."""

    value: str
    count: int


class YearCount(msgspec.Struct):
    """A year and how many matching documents belong to it."""

    value: int
    count: int


class Facets(msgspec.Struct, kw_only=True):
    """Counts over every matching document, not only the current page."""

    type: list[FacetCount]
    tags: list[FacetCount]
    year: list[YearCount]


class Match(msgspec.Struct, kw_only=True):
    """One matching document: its facts, its score, a snippet, and the terms that matched."""

    facts: HitFacts
    score: float
    snippet: str
    terms: frozenset[str]


class SearchResult(msgspec.Struct, kw_only=True):
    """What a search found: one page of matches, and facts about all of them."""

    matches: list[Match]
    total: int
    facets: Facets
    suggestion: str | None
    fuzzy: bool


class Completion(msgspec.Struct, kw_only=True):
    """An as-you-type completion: a query to run, or a document to open."""

    text: str
    kind: Literal["word", "title"]
    count: int | None = None
    type: HitType | None = None
    slug: str | None = None


class SearchReader(Protocol):
    """Searching one generation of the index at a time."""

    @property
    def folder(self) -> Path | None: ...

    async def load(self, folder: Path, vocabulary: Vocabulary) -> None: ...

    async def search(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        offset: int,
        limit: int,
        now: dt.datetime,
    ) -> SearchResult: ...

    async def suggest(self, text: str, limit: int, now: dt.datetime) -> list[Completion]: ...

    async def close(self) -> None: ...


class SearchWriter(Protocol):
    """Writing the index; only the holder of the write lock calls it."""

    def folder_name(self, generation: int) -> str: ...

    def build(self, folder: str, documents: Iterable[Document], processes: int = 1) -> int: ...

    def update(
        self, folder: str, documents: Iterable[Document], removed_keys: Iterable[str]
    ) -> None: ...

    def exists(self, folder: str) -> bool: ...

    def remove_stale(self, keep: Iterable[str]) -> None: ...

    def remove_unfinished(self, current: str) -> None: ...
