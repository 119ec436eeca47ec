"""Shared by the live-update tests: a built index, its folder, and a worker's view of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from caseapi.api.readers import Readers
from caseapi.catalog.interface import Filters
from caseapi.indexing.build import build_index
from caseapi.indexing.sync import SyncReport, sync_index
from caseapi.models import Collection
from caseapi.search.interface import SearchFilters
from caseapi.search.query import parse_query
from caseapi.settings import Settings
from tests.conftest import ContentFolder

# Made-up words (no Dutch stem or compound parts, several edits apart): found only where written.
WORD_A = "qabzorit"
WORD_B = "vuxtriqa"
WORD_C = "jobnixal"
WORD_D = "plaxiruv"
WORD_E = "fexgroty"


def post(title: str, word: str, *, extra: str = "", date: str = "2024-05-01") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n{title} gaat over {word}.\n"


class Live:
    """A built index, the folder it came from, and a worker's view of it."""

    def __init__(self, settings: Settings, content: ContentFolder, readers: Readers) -> None:
        self.settings = settings
        self.content = content
        self.readers = readers

    def write(self, relative: str, text: str) -> Path:
        path = self.content.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    async def sync(self) -> SyncReport | None:
        """Update the index, and switch the reader to it as a worker would."""
        report = await sync_index(self.settings)
        await self.readers.refresh()
        return report

    async def generation(self) -> int:
        return (await self.readers.catalog.generation()).number

    async def titles(self, collection: Collection = "posts", **filters: str) -> dict[str, str]:
        """Slug -> title of the public documents (as a list endpoint shows them)."""
        documents, total = await self.readers.catalog.list_documents(
            collection, Filters(**filters), "title", offset=0, limit=100, now=now()
        )
        assert total == len(documents)
        return {document.slug: document.title for document in documents}

    async def found(self, query: str) -> list[str]:
        """Slugs a search finds (as ``/search`` does)."""
        search = self.readers.search
        outcome = await search.search(parse_query(query), SearchFilters(), 0, 50, now())
        return [match.facts.slug for match in outcome.matches]

    async def did_you_mean(self, query: str) -> str | None:
        search = self.readers.search
        outcome = await search.search(parse_query(query), SearchFilters(), 0, 50, now())
        return outcome.suggestion

    async def completions(self, prefix: str) -> dict[str, int | None]:
        """Word completions (``/search/suggest``) -> in how many documents."""
        search = self.readers.search
        return {
            completion.text: completion.count
            for completion in await search.suggest(prefix, 10, now())
            if completion.kind == "word"
        }

    async def problems(self) -> dict[str, list[str | None]]:
        """Path -> fields of its errors."""
        found: dict[str, list[str | None]] = {}
        for problem in await self.readers.catalog.problems():
            if problem.severity == "error":
                found.setdefault(problem.path, []).append(problem.field)
        return found

    def index_keys(self) -> list[str]:
        """Every document key in the Whoosh index of the current generation."""
        assert self.readers.search.folder is not None
        index = whoosh_index.open_dir(str(self.readers.search.folder))
        try:
            with index.searcher() as searcher:
                return sorted(fields["key"] for fields in searcher.all_stored_fields())
        finally:
            index.close()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
async def live(content: ContentFolder, settings: Settings) -> AsyncIterator[Live]:
    """Three posts and an assignment, built; the test changes the folder from there."""
    content.write("posts/alfa.md", post("Alfa", WORD_A))
    content.write("posts/bravo.md", post("Bravo", WORD_B))
    content.write("posts/charlie.md", post("Charlie", WORD_C))
    content.assignment("opdracht", client="Gemeente Zwolle")
    await build_index(settings)
    readers = await Readers.open(settings)
    try:
        yield Live(settings, content, readers)
    finally:
        await readers.close()
