"""The read side of one server process: catalog and search index, following generations.

Every worker process opens its own read-only catalog connections and Whoosh
searcher. A light poll of the catalog's generation number notices a new
build (from ``caseapi index``, the watcher or another worker) and switches
the searcher to that generation's index folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from caseapi.api.urls import ContentUrls
from caseapi.catalog.files import FileStore
from caseapi.catalog.interface import CatalogReader, ContentPaths
from caseapi.catalog.reader import SqliteCatalogReader
from caseapi.search.interface import SearchReader
from caseapi.search.searcher import WhooshSearcher
from caseapi.search.vocabulary import Vocabulary
from caseapi.settings import Settings

logger = logging.getLogger("caseapi")
# How often a worker that does not watch asks the catalog for a new generation: a
# one-row read, cheap enough to keep the delay from save to searchable well under 1 s.
POLL_SECONDS = 0.25


class Readers:
    """The catalog and search index a process serves from."""

    def __init__(self, settings: Settings, catalog: CatalogReader, search: SearchReader) -> None:
        self.settings = settings
        self.catalog = catalog
        self.search = search
        self.generation = -1
        # When the served generation was made: the catalog may already hold a newer one.
        self.changed_at: dt.datetime | None = None
        self.files = FileStore(settings.files_folder)
        self.urls = self._urls(ContentPaths(documents={}, assets={}))
        self._follower: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, settings: Settings) -> Readers:
        """Open the catalog and the index of its current generation."""
        catalog = await SqliteCatalogReader.open(settings.catalog_path)
        readers = cls(settings, catalog, WhooshSearcher())
        await readers.refresh()
        return readers

    async def refresh(self) -> bool:
        """Switch to the catalog's current generation if it changed; True when it did."""
        generation = await self.catalog.generation()
        if generation.number == self.generation or generation.search_folder is None:
            return False
        # Tens of thousands of words at 10,000 documents: not on the event loop.
        vocabulary = await asyncio.to_thread(Vocabulary, await self.catalog.vocabulary())
        await self.search.load(self.settings.index_dir / generation.search_folder, vocabulary)
        self.urls = self._urls(await self.catalog.content_paths())
        self.generation = generation.number
        self.changed_at = generation.changed_at
        return True

    def _urls(self, paths: ContentPaths) -> ContentUrls:
        return ContentUrls(paths, self.settings.base_url, self.settings.files_base_url)

    def follow(self) -> None:
        """Keep refreshing in the background until ``close``."""
        self._follower = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self.refresh()
            except Exception:  # a failed refresh must not stop the next one
                logger.exception("could not switch to the new index generation")

    async def close(self) -> None:
        """Stop following and close everything."""
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
        await self.search.close()
        await self.catalog.close()
