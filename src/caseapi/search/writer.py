"""Writing the Whoosh index: one folder per full build, changed in place by live updates.

Each full build writes a fresh folder (``index/search-<generation>``); the
catalog records which folder belongs to its generation, so readers switch
catalog and index together.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter

from caseapi.models import Document
from caseapi.publication import is_searchable
from caseapi.search.schema import document_key, index_fields, schema


class WhooshSearchWriter:
    """The search index folders inside ``index_dir``; only the holder of the write lock writes."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir

    @staticmethod
    def folder_name(generation: int) -> str:
        """The folder of a generation's index, relative to the index folder."""
        return f"search-{generation}"

    def build(self, folder: str, documents: Iterable[Document], processes: int = 1) -> int:
        """Write a fresh index of ``documents`` into ``folder``; returns how many.

        With ``processes`` > 1 Whoosh analyses and writes in that many processes, each
        its own segment (no merge at the end: readers search segments side by side).
        Whoosh forks them; the children only write their segment and exit.
        """
        directory = self.index_dir / folder
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        index = whoosh_index.create_in(str(directory), schema())
        writer: Any
        if processes > 1:
            writer = MpWriter(index, procs=processes, limitmb=512, multisegment=True)
        else:
            # A pool this size sorts postings in memory at 10,000 documents (smaller pools
            # spill sorted runs to disk and merge them back, a fifth of the build time).
            writer = index.writer(limitmb=1024)
        count = 0
        for document in documents:
            if is_searchable(document):
                writer.add_document(**index_fields(document))
                count += 1
        writer.commit()
        return count

    def update(
        self, folder: str, documents: Iterable[Document], removed_keys: Iterable[str]
    ) -> None:
        """Change an existing index in place: Whoosh commits atomically, readers reopen it."""
        index = whoosh_index.open_dir(str(self.index_dir / folder))
        writer = index.writer(limitmb=64)
        try:
            for key in removed_keys:
                writer.delete_by_term("key", key)
            for document in documents:
                if is_searchable(document):
                    writer.update_document(**index_fields(document))
                else:
                    writer.delete_by_term("key", document_key(document.collection, document.slug))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        index.close()

    def exists(self, folder: str) -> bool:
        """True when ``folder`` holds a committed index that can be opened."""
        directory = self.index_dir / folder
        try:
            return directory.is_dir() and bool(whoosh_index.exists_in(str(directory)))
        except Exception:  # a damaged table of contents raises instead of answering
            return False

    def remove_stale(self, keep: Iterable[str]) -> None:
        """Delete search folders of older generations (readers keep theirs open)."""
        kept = set(keep)
        for directory in self.index_dir.glob("search-*"):
            if directory.name not in kept and directory.is_dir():
                shutil.rmtree(directory, ignore_errors=True)

    def remove_unfinished(self, current: str) -> None:
        """Delete search folders of builds that never finished (killed before their commit).

        Their numbers are above the current folder's: every finished build named its
        folder after a generation the catalog then committed. Only call this holding
        the write lock, so that no build is writing one of them right now.
        """
        newest = _folder_number(current)
        for directory in self.index_dir.glob("search-*"):
            number = _folder_number(directory.name)
            unfinished = newest is not None and number is not None and number > newest
            if unfinished and directory.is_dir():
                shutil.rmtree(directory, ignore_errors=True)


def _folder_number(name: str) -> int | None:
    _, _, number = name.partition("search-")
    return int(number) if number.isdigit() else None
