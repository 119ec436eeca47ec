"""Builds: content folder -> catalog, as one new generation."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from caseapi.catalog import SCHEMA_VERSION, CatalogWriter, FileStamp, read_index_state
from caseapi.content import LoadResult, content_files, load_file, resolve_slugs
from caseapi.search_index import (
    build_search_index,
    remove_stale_indexes,
    search_folder_name,
    search_index_exists,
)
from caseapi.settings import Settings
from caseapi.vocabulary import count_words

Progress = Callable[[int, int], None]


class BuildReport(msgspec.Struct, kw_only=True):
    """What a build did."""

    generation: int
    documents: int
    errors: int
    warnings: int
    seconds: float


def stamp_folder(content_dir: Path) -> dict[str, FileStamp]:
    """Size and mtime of every content file, to notice edits since the last build."""
    stamps: dict[str, FileStamp] = {}
    for relative in content_files(content_dir):
        try:
            stat = (content_dir / relative).stat()
        except OSError:
            continue
        stamps[relative.as_posix()] = FileStamp(stat.st_size, stat.st_mtime_ns)
    return stamps


def load_all(content_dir: Path, on_progress: Progress | None = None) -> list[LoadResult]:
    """Load every file, reporting progress as (done, total)."""
    files = content_files(content_dir)
    results = []
    for done, relative in enumerate(files, start=1):
        results.append(load_file(content_dir, relative))
        if on_progress is not None:
            on_progress(done, len(files))
    return results


async def build_index(settings: Settings, on_progress: Progress | None = None) -> BuildReport:
    """Rebuild the catalog from the content folder."""
    started = time.perf_counter()
    stamps = stamp_folder(settings.content_dir)
    # Parsing and rendering is CPU work: keep it off the event loop of a running server.
    results = await asyncio.to_thread(load_all, settings.content_dir, on_progress)
    folder = resolve_slugs(results)
    writer = await CatalogWriter.open(settings.catalog_path)
    try:
        # The search index of the coming generation is complete on disk before the
        # catalog names it, so readers that see the new generation find its index.
        search_folder = search_folder_name(await writer.generation() + 1)
        await asyncio.to_thread(
            build_search_index, settings.index_dir / search_folder, folder.documents
        )
        vocabulary = count_words(folder.documents, dt.datetime.now(dt.UTC))
        generation = await writer.replace_all(
            folder.documents, folder.problems, stamps, vocabulary, search_folder
        )
    finally:
        await writer.close()
    # Keep the previous generation's index: a reader may still be searching it.
    remove_stale_indexes(
        settings.index_dir, keep={search_folder, search_folder_name(generation - 1)}
    )
    errors = sum(problem.severity == "error" for problem in folder.problems)
    return BuildReport(
        generation=generation,
        documents=len(folder.documents),
        errors=errors,
        warnings=len(folder.problems) - errors,
        seconds=round(time.perf_counter() - started, 3),
    )


async def index_is_current(settings: Settings) -> bool:
    """True when catalog and search index exist, have our schema and match the folder."""
    state = await read_index_state(settings.catalog_path)
    return (
        state.schema_version == SCHEMA_VERSION
        and state.search_folder is not None
        and search_index_exists(settings.index_dir / state.search_folder)
        and state.files == stamp_folder(settings.content_dir)
    )


async def ensure_index(settings: Settings) -> BuildReport | None:
    """Build the index when it is missing or stale; ``None`` when it was current."""
    if await index_is_current(settings):
        return None
    return await build_index(settings)
