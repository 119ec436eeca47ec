"""What the rest of caseapi sees of a catalog: a reader and a writer, and what they exchange.

The API reads through ``CatalogReader``; the indexer writes through
``CatalogWriter``. SQLite (``reader.py``, ``writer.py``) is the embedded
implementation; another backend implements the same two Protocols, and
neither ``api/`` nor ``indexing/`` changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Literal, Protocol

import msgspec

from caseapi.models import Asset, Collection, ContentProblem, Document, FileStamp, WordCount

SortKey = Literal["date", "-date", "title", "-title"]


class Generation(msgspec.Struct, kw_only=True):
    """Which build of the content the catalog holds, and when it changed."""

    number: int
    changed_at: dt.datetime
    schema_version: int
    # Where the search index built with this generation lives.
    search_folder: str | None = None


class Filters(msgspec.Struct, kw_only=True, frozen=True):
    """List filters; every key compares folded (case and accents ignored)."""

    tag: str | None = None
    client: str | None = None
    work: str | None = None
    author: str | None = None
    year: int | None = None

    def __post_init__(self) -> None:
        # "?tag=" is what a form sends for "any tag": an empty filter filters nothing.
        for name in ("tag", "client", "work", "author"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                msgspec.structs.force_setattr(self, name, None)


class TagCount(msgspec.Struct, kw_only=True):
    """A tag with how many public documents of each collection carry it."""

    tag: str
    slug: str
    count: int
    assignments: int
    posts: int


class CatalogState(msgspec.Struct, kw_only=True):
    """What an incremental update needs to know of the catalog, read in one go."""

    search_folder: str | None
    # Paths with errors now: they may load differently once other files change.
    failing: set[str]
    # The documents served now for the paths asked about (and the failing ones).
    served: dict[str, Document]
    # Which path serves each (collection, slug) now.
    owners: dict[tuple[str, str], str]
    # Which path each alias, (collection, old slug) or ("", old path), redirects to now.
    alias_owners: dict[tuple[str, str], str] = {}
    # Documents that link to one of the paths asked about: their warnings and image
    # sizes depend on those files.
    dependents: set[str] = set()


class Redirect(msgspec.Struct, kw_only=True, frozen=True):
    """An alias of a public document: an old slug of its collection or an old-site path."""

    collection: str
    alias: str
    target_collection: Collection
    target_slug: str


class ContentPaths(msgspec.Struct, kw_only=True):
    """What each path in the content folder serves: for turning stored links into URLs."""

    # Path -> (collection, slug), drafts included: a link may point at one.
    documents: dict[str, tuple[str, str]]
    assets: dict[str, Asset]


class PathChange(msgspec.Struct, kw_only=True):
    """What one changed path means for the catalog."""

    path: str
    # The file as now on disk; None when it is gone.
    stamp: FileStamp | None
    # Serve this document, or this file, for the path from now on.
    document: Document | None = None
    asset: Asset | None = None
    # Stop serving whatever the path served (deleted, or now a draft of nothing).
    remove: bool = False
    problems: list[ContentProblem] = []


class WordDelta(msgspec.Struct, array_like=True, frozen=True):
    """How many more (or fewer) documents have a word, and when the added ones release it."""

    documents: int
    release: dt.datetime | None


class CatalogReader(Protocol):
    """Read-only access to one catalog; every answer is of one generation."""

    async def generation(self) -> Generation: ...

    async def vocabulary(self) -> dict[str, WordCount]: ...

    async def get_document(
        self, collection: Collection, slug: str, now: dt.datetime
    ) -> Document | None: ...

    async def find_document(self, collection: Collection, slug: str) -> Document | None: ...

    async def neighbours(
        self, document: Document, now: dt.datetime
    ) -> tuple[Document | None, Document | None]: ...

    async def redirects(
        self, now: dt.datetime, collection: str | None = None, alias: str | None = None
    ) -> list[Redirect]: ...

    async def sitemap(
        self, now: dt.datetime, offset: int, limit: int
    ) -> tuple[list[tuple[Collection, str, dt.datetime]], int]: ...

    async def list_documents(
        self,
        collection: Collection | None,
        filters: Filters,
        sort: SortKey,
        offset: int,
        limit: int,
        now: dt.datetime,
    ) -> tuple[list[Document], int]: ...

    async def tags(self, now: dt.datetime) -> list[TagCount]: ...

    async def counts(self, now: dt.datetime) -> dict[str, int]: ...

    async def next_publication(self, after: dt.datetime) -> dt.datetime | None: ...

    async def problems(self) -> list[ContentProblem]: ...

    async def content_paths(self) -> ContentPaths: ...

    async def close(self) -> None: ...


class CatalogWriter(Protocol):
    """The one writer; each change it makes is one new generation, committed whole."""

    async def generation(self) -> int: ...

    async def file_stamps(self) -> dict[str, FileStamp]: ...

    async def read_state(self, paths: Iterable[str]) -> CatalogState: ...

    async def replace_all(
        self,
        documents: Sequence[Document],
        assets: Sequence[Asset],
        problems: Iterable[ContentProblem],
        files: Mapping[str, FileStamp],
        vocabulary: Mapping[str, WordCount],
        search_folder: str,
    ) -> int: ...

    async def apply(
        self,
        changes: Sequence[PathChange],
        vocabulary: Mapping[str, WordDelta],
        before_commit: Callable[[], Awaitable[object]] | None = None,
    ) -> int: ...

    async def close(self) -> None: ...
