"""Building the catalog from real content folders, and noticing when it is stale."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from caseapi.catalog.interface import Filters
from caseapi.catalog.reader import SqliteCatalogReader
from caseapi.catalog.schema import SCHEMA_VERSION, read_index_state
from caseapi.content.files import stamp_folder
from caseapi.indexing.build import build_index, ensure_index, index_is_usable
from caseapi.indexing.sync import SyncReport
from caseapi.settings import Settings
from tests.conftest import ContentFolder


@pytest.fixture
def folder(content: ContentFolder) -> ContentFolder:
    content.assignment("vraaggestuurde-professionaliteit")
    content.post("actieonderzoek-uitgelegd")
    return content


async def public_slugs(settings: Settings) -> dict[str, list[str]]:
    """What a reader of the built catalog sees, per collection."""
    catalog = await SqliteCatalogReader.open(settings.catalog_path)
    try:
        now = dt.datetime.now(dt.UTC)
        result = {}
        for collection in ("assignments", "posts"):
            documents, _ = await catalog.list_documents(
                collection, Filters(), "title", offset=0, limit=100, now=now
            )
            result[collection] = [document.slug for document in documents]
        return result
    finally:
        await catalog.close()


async def index_is_current(settings: Settings) -> bool:
    """True when the index is usable and matches the folder's files."""
    if not await index_is_usable(settings):
        return False
    state = await read_index_state(settings.catalog_path)
    return state.files == stamp_folder(settings.content_dir)


def set_schema_version(path: Path, version: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    connection.close()


async def test_fresh_build_creates_the_catalog(folder: ContentFolder, settings: Settings) -> None:
    assert not settings.catalog_path.exists()
    assert not await index_is_current(settings)
    report = await build_index(settings)
    assert settings.catalog_path == settings.index_dir / "catalog.sqlite"
    assert settings.catalog_path.is_file()
    assert report.generation == 1
    assert report.documents == 2
    assert report.errors == 0
    assert report.warnings == 0
    assert report.seconds >= 0
    assert await index_is_current(settings)
    assert await public_slugs(settings) == {
        "assignments": ["vraaggestuurde-professionaliteit"],
        "posts": ["actieonderzoek-uitgelegd"],
    }


async def test_build_reports_errors_and_warnings(
    content: ContentFolder, settings: Settings
) -> None:
    content.post("goed")
    content.write("posts/kapot.md", "---\ntitle: Zonder datum\n---\nTekst.\n")
    content.write("posts/tikfout.md", "---\ntitle: T\ndate: 2024-05-01\nauhtor: Ik\n---\nTekst.\n")
    report = await build_index(settings)
    assert report.documents == 2
    assert report.errors == 1
    assert report.warnings == 1


async def test_build_of_an_empty_folder(content: ContentFolder, settings: Settings) -> None:
    report = await build_index(settings)
    assert report.documents == 0
    assert await index_is_current(settings)
    assert await public_slugs(settings) == {"assignments": [], "posts": []}


async def test_progress_is_reported(folder: ContentFolder, settings: Settings) -> None:
    calls: list[tuple[int, int]] = []
    await build_index(settings, on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


async def test_ensure_index_builds_once_then_is_a_no_op(
    folder: ContentFolder, settings: Settings
) -> None:
    first = await ensure_index(settings)
    assert first is not None
    assert first.generation == 1
    modified = settings.catalog_path.stat().st_mtime_ns
    assert await ensure_index(settings) is None
    assert await ensure_index(settings) is None
    assert settings.catalog_path.stat().st_mtime_ns == modified
    catalog = await SqliteCatalogReader.open(settings.catalog_path)
    try:
        assert (await catalog.generation()).number == 1
    finally:
        await catalog.close()


async def test_editing_a_file_makes_the_index_stale(
    folder: ContentFolder, settings: Settings
) -> None:
    await build_index(settings)
    folder.assignment("vraaggestuurde-professionaliteit", title="Een nieuwe, langere titel")
    assert not await index_is_current(settings)
    report = await ensure_index(settings)
    assert report is not None
    assert report.generation == 2
    assert await index_is_current(settings)
    catalog = await SqliteCatalogReader.open(settings.catalog_path)
    try:
        document = await catalog.get_document(
            "assignments", "vraaggestuurde-professionaliteit", dt.datetime.now(dt.UTC)
        )
    finally:
        await catalog.close()
    assert document is not None
    assert document.title == "Een nieuwe, langere titel"


async def test_touching_a_file_makes_the_index_stale(
    folder: ContentFolder, settings: Settings
) -> None:
    await build_index(settings)
    path = folder.root / "posts" / "actieonderzoek-uitgelegd.md"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert not await index_is_current(settings)
    assert await ensure_index(settings) is not None


async def test_adding_a_file_makes_the_index_stale(
    folder: ContentFolder, settings: Settings
) -> None:
    await build_index(settings)
    folder.post("tweede-bericht")
    assert not await index_is_current(settings)
    report = await ensure_index(settings)
    # A stale index is updated incrementally: only the new file is loaded.
    assert isinstance(report, SyncReport)
    assert (report.changed, report.removed) == (1, 0)
    assert (await public_slugs(settings))["posts"] == [
        "actieonderzoek-uitgelegd",
        "tweede-bericht",
    ]


async def test_adding_an_invalid_file_makes_the_index_stale(
    folder: ContentFolder, settings: Settings
) -> None:
    await build_index(settings)
    folder.write("posts/kapot.md", "geen front matter\n")
    assert not await index_is_current(settings)
    report = await ensure_index(settings)
    assert report is not None
    assert report.errors == 1
    assert await index_is_current(settings)


async def test_deleting_a_file_makes_the_index_stale(
    folder: ContentFolder, settings: Settings
) -> None:
    await build_index(settings)
    (folder.root / "posts" / "actieonderzoek-uitgelegd.md").unlink()
    assert not await index_is_current(settings)
    report = await ensure_index(settings)
    assert isinstance(report, SyncReport)
    assert (report.changed, report.removed) == (0, 1)
    assert await public_slugs(settings) == {
        "assignments": ["vraaggestuurde-professionaliteit"],
        "posts": [],
    }


async def test_ignored_files_do_not_make_the_index_stale(
    folder: ContentFolder, settings: Settings
) -> None:
    await build_index(settings)
    folder.write("posts/.actieonderzoek-uitgelegd.md.swp", "editor state")
    folder.write("posts/actieonderzoek-uitgelegd.md~", "backup")
    assert await index_is_current(settings)
    assert await ensure_index(settings) is None


async def test_a_catalog_with_an_old_schema_is_rebuilt(
    folder: ContentFolder, settings: Settings
) -> None:
    await build_index(settings)
    set_schema_version(settings.catalog_path, str(SCHEMA_VERSION - 1))
    assert not await index_is_current(settings)
    report = await ensure_index(settings)
    assert report is not None
    assert report.documents == 2
    assert await index_is_current(settings)
    catalog = await SqliteCatalogReader.open(settings.catalog_path)
    try:
        generation = await catalog.generation()
    finally:
        await catalog.close()
    assert generation.schema_version == SCHEMA_VERSION


async def test_a_catalog_without_our_tables_is_rebuilt(
    folder: ContentFolder, settings: Settings
) -> None:
    settings.index_dir.mkdir(parents=True)
    with sqlite3.connect(settings.catalog_path) as connection:
        connection.execute("CREATE TABLE iets_anders (x)")
    connection.close()
    assert not await index_is_current(settings)
    report = await ensure_index(settings)
    assert report is not None
    assert report.documents == 2
    assert await index_is_current(settings)


@pytest.mark.parametrize(
    "garbage",
    [b"dit is geen database" * 100, bytes(range(256)) * 64, b""],
    ids=["text", "binary", "empty"],
)
async def test_a_corrupt_catalog_is_rebuilt(
    folder: ContentFolder, settings: Settings, garbage: bytes
) -> None:
    await build_index(settings)
    settings.catalog_path.write_bytes(garbage)
    assert not await index_is_current(settings)
    report = await ensure_index(settings)
    assert report is not None
    assert report.documents == 2
    assert await index_is_current(settings)
    assert await public_slugs(settings) == {
        "assignments": ["vraaggestuurde-professionaliteit"],
        "posts": ["actieonderzoek-uitgelegd"],
    }


async def test_a_corrupt_catalog_from_the_start_is_replaced(
    folder: ContentFolder, settings: Settings
) -> None:
    settings.index_dir.mkdir(parents=True)
    settings.catalog_path.write_bytes(b"\x00garbage\xff" * 500)
    report = await ensure_index(settings)
    assert report is not None
    assert report.generation == 1
    assert await index_is_current(settings)


async def test_generation_increases_per_build(folder: ContentFolder, settings: Settings) -> None:
    numbers = [(await build_index(settings)).generation for _ in range(3)]
    assert numbers == [1, 2, 3]
    catalog = await SqliteCatalogReader.open(settings.catalog_path)
    try:
        generation = await catalog.generation()
    finally:
        await catalog.close()
    assert generation.number == 3
    assert generation.changed_at.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - generation.changed_at) < dt.timedelta(minutes=1)


async def test_a_reader_opened_before_a_rebuild_sees_the_new_generation(
    folder: ContentFolder, settings: Settings
) -> None:
    await build_index(settings)
    catalog = await SqliteCatalogReader.open(settings.catalog_path)
    try:
        now = dt.datetime.now(dt.UTC)
        before = await catalog.generation()
        assert before.number == 1
        assert await catalog.counts(now) == {"assignments": 1, "posts": 1}

        folder.post("tweede-bericht", tags="nieuw")
        report = await build_index(settings)
        assert report.generation == 2

        after = await catalog.generation()
        assert after.number == 2
        assert after.changed_at >= before.changed_at
        assert await catalog.counts(now) == {"assignments": 1, "posts": 2}
        assert "nieuw" in [tag.slug for tag in await catalog.tags(now)]
        assert await catalog.get_document("posts", "tweede-bericht", now) is not None
    finally:
        await catalog.close()


async def test_a_reader_survives_a_rebuild_after_a_schema_change(
    folder: ContentFolder, settings: Settings
) -> None:
    await build_index(settings)
    catalog = await SqliteCatalogReader.open(settings.catalog_path)
    try:
        set_schema_version(settings.catalog_path, "0")
        report = await ensure_index(settings)
        assert report is not None
        now = dt.datetime.now(dt.UTC)
        assert await catalog.counts(now) == {"assignments": 1, "posts": 1}
        assert (await catalog.generation()).schema_version == SCHEMA_VERSION
    finally:
        await catalog.close()


async def _served(settings: Settings) -> tuple[list[tuple[str, str]], dict[str, int], set[str]]:
    """What a worker would serve: documents, vocabulary counts, search hits for a word."""
    from caseapi.api.readers import Readers
    from caseapi.search.interface import SearchFilters
    from caseapi.search.query import parse_query

    readers = await Readers.open(settings)
    try:
        now = dt.datetime.now(dt.UTC)
        documents, _ = await readers.catalog.list_documents(
            None, Filters(), "title", offset=0, limit=100, now=now
        )
        words = await readers.catalog.vocabulary()
        search = readers.search
        outcome = await search.search(parse_query("vakmanschap"), SearchFilters(), 0, 100, now)
        return (
            [(document.collection, document.slug) for document in documents],
            {word: count.documents for word, count in words.items()},
            {match.facts.slug for match in outcome.matches},
        )
    finally:
        await readers.close()


async def test_a_large_folder_is_built_on_every_core_to_the_same_result(
    content: ContentFolder, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(40):
        content.post(f"bericht-{number}", body=f"Vakmanschapsontwikkeling deel {number}.")
        content.assignment(f"opdracht-{number}")
    serial = await build_index(settings)
    expected = await _served(settings)
    assert len(expected[0]) == 80
    assert len(expected[2]) == 40
    # The same folder again, with the threshold for helper processes lowered.
    monkeypatch.setattr("caseapi.indexing.build.PARALLEL_FROM", 10)
    parallel_settings = Settings(content_dir=settings.content_dir, index_dir=tmp_path / "parallel")
    parallel = await build_index(parallel_settings)
    assert (parallel.documents, parallel.errors) == (serial.documents, serial.errors)
    assert await _served(parallel_settings) == expected
