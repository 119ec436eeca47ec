"""The SQLite catalog on its own: what the writer stores is what readers see, by the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from caseapi.catalog.interface import Filters, PathChange, WordDelta
from caseapi.catalog.reader import SqliteCatalogReader
from caseapi.catalog.writer import SqliteCatalogWriter
from caseapi.content.files import stamp_folder
from caseapi.content.loader import load_folder
from caseapi.models import Document, WordCount
from tests.conftest import ContentFolder

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
SOON = dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)


def post(content: ContentFolder, slug: str, *extra: str) -> None:
    lines = "".join(f"{line}\n" for line in extra)
    content.write(f"posts/{slug}.md", f"---\ntitle: {slug}\ndate: 2024-05-01\n{lines}---\nTekst.\n")


@pytest.fixture
async def catalog(
    content: ContentFolder, tmp_path: Path
) -> AsyncIterator[tuple[SqliteCatalogWriter, SqliteCatalogReader, list[Document]]]:
    post(content, "openbaar")
    post(content, "concept", "draft: true")
    post(content, "gepland", f"publish_at: {SOON.isoformat()}")
    post(content, "later", f"publish_at: {LATER.isoformat()}")
    loaded = load_folder(content.root)
    path = tmp_path / "index" / "catalog.sqlite"
    writer = await SqliteCatalogWriter.open(path)
    vocabulary = {"tekst": WordCount(documents=3, visible_from=None)}
    await writer.replace_all(
        loaded.documents, [], [], stamp_folder(content.root), vocabulary, "search-1"
    )
    reader = await SqliteCatalogReader.open(path)
    yield writer, reader, loaded.documents
    await reader.close()
    await writer.close()


async def slugs_at(reader: SqliteCatalogReader, moment: dt.datetime) -> set[str]:
    documents, total = await reader.list_documents("posts", Filters(), "title", 0, 10, moment)
    assert total == len(documents)
    return {document.slug for document in documents}


async def test_drafts_never_and_scheduled_documents_from_their_moment(
    catalog: tuple[SqliteCatalogWriter, SqliteCatalogReader, list[Document]],
) -> None:
    _, reader, _ = catalog
    assert await slugs_at(reader, NOW) == {"openbaar"}
    assert await slugs_at(reader, SOON) == {"openbaar", "gepland"}
    assert await slugs_at(reader, LATER) == {"openbaar", "gepland", "later"}
    assert await reader.get_document("posts", "concept", LATER) is None
    assert await reader.get_document("posts", "gepland", NOW) is None
    assert (await reader.counts(SOON))["posts"] == 2
    assert await reader.next_publication(NOW) == SOON
    assert await reader.next_publication(SOON) == LATER
    assert await reader.next_publication(LATER) is None


async def test_the_state_an_update_plans_with_is_read_in_one_go(
    catalog: tuple[SqliteCatalogWriter, SqliteCatalogReader, list[Document]],
) -> None:
    writer, _, _ = catalog
    state = await writer.read_state(["posts/openbaar.md", "posts/nieuw.md"])
    assert state.search_folder == "search-1"
    assert state.failing == set()
    assert set(state.served) == {"posts/openbaar.md"}
    # Drafts own their slug too: a second file cannot take it while the draft is there.
    assert state.owners[("posts", "concept")] == "posts/concept.md"
    assert len(state.owners) == 4


async def test_word_counts_change_by_delta_and_the_earliest_release_counts(
    catalog: tuple[SqliteCatalogWriter, SqliteCatalogReader, list[Document]],
) -> None:
    writer, reader, _ = catalog

    async def apply(**deltas: WordDelta) -> dict[str, WordCount]:
        await writer.apply([], deltas)
        return await reader.vocabulary()

    words = await apply(zomer=WordDelta(1, LATER))
    assert words["zomer"] == WordCount(documents=1, visible_from=LATER)
    words = await apply(zomer=WordDelta(1, SOON))
    assert words["zomer"] == WordCount(documents=2, visible_from=SOON)
    # A public document with the word shows it at once.
    words = await apply(zomer=WordDelta(1, None), tekst=WordDelta(-3, None))
    assert words["zomer"] == WordCount(documents=3, visible_from=None)
    assert "tekst" not in words


async def test_an_applied_change_is_one_new_generation(
    catalog: tuple[SqliteCatalogWriter, SqliteCatalogReader, list[Document]],
) -> None:
    writer, reader, documents = catalog
    before = (await reader.generation()).number
    (gone,) = [document for document in documents if document.slug == "openbaar"]
    generation = await writer.apply([PathChange(path=gone.path, stamp=None, remove=True)], {})
    assert generation == before + 1 == (await reader.generation()).number
    assert await slugs_at(reader, NOW) == set()
