"""Full builds: the whole content folder -> catalog and search index, as one new generation."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import msgspec

from caseapi.catalog.files import FileStore
from caseapi.catalog.schema import SCHEMA_VERSION, read_index_state
from caseapi.catalog.writer import SqliteCatalogWriter
from caseapi.content.files import content_files, stamp_folder
from caseapi.content.loader import LoadResult, resolve_slugs
from caseapi.indexing.loading import FileLoader, file_loader
from caseapi.indexing.locks import write_lock
from caseapi.indexing.sync import SyncReport, sync_index
from caseapi.search.vocabulary import count_words, document_words
from caseapi.search.writer import WhooshSearchWriter
from caseapi.settings import Settings

Progress = Callable[[int, int], None]
logger = logging.getLogger("caseapi")
# Helper processes for a large build: this machine class has two cores.
MAX_PROCESSES = 4


class BuildReport(msgspec.Struct, kw_only=True):
    """What a build did."""

    generation: int
    documents: int
    errors: int
    warnings: int
    seconds: float


# Below this many files one process loads them sooner than starting helpers would.
PARALLEL_FROM = 2000
_CHUNK = 250


class FolderRead(msgspec.Struct, kw_only=True):
    """Every file loaded, and the words of the documents where they were already counted."""

    results: list[LoadResult]
    words: dict[str, frozenset[str]]


def load_all(loader: FileLoader, on_progress: Progress | None = None) -> FolderRead:
    """Load every file, reporting progress as (done, total); large folders on every core."""
    files = content_files(loader.content_dir)
    workers = min(cores(), MAX_PROCESSES)
    if len(files) < PARALLEL_FROM or workers < 2:
        results = []
        for done, relative in enumerate(files, start=1):
            results.append(loader.load(relative))
            if on_progress is not None:
                on_progress(done, len(files))
        return FolderRead(results=results, words={})
    chunks = [files[start : start + _CHUNK] for start in range(0, len(files), _CHUNK)]
    read = FolderRead(results=[], words={})
    # spawn, not fork: a server process has threads, and forking those is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for results, words in pool.map(_load_chunk, [loader] * len(chunks), chunks):
            read.results.extend(results)
            read.words.update(words)
            if on_progress is not None:
                on_progress(len(read.results), len(files))
    return read


def cores() -> int:
    """The CPU cores this process may use."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _load_chunk(
    loader: FileLoader, files: list[Path]
) -> tuple[list[LoadResult], dict[str, frozenset[str]]]:
    """Load some files and find their words (for the vocabulary) while they are at hand."""
    results = [loader.load(relative) for relative in files]
    words = {
        result.path: frozenset(document_words(result.document))
        for result in results
        if result.document is not None
    }
    return results, words


async def build_index(settings: Settings, on_progress: Progress | None = None) -> BuildReport:
    """Rebuild catalog and search index from the content folder, as one new generation."""
    async with write_lock(settings.index_dir):
        return await _build(settings, on_progress)


async def _build(settings: Settings, on_progress: Progress | None) -> BuildReport:
    started = time.perf_counter()
    stamps = stamp_folder(settings.content_dir)
    # Parsing and rendering is CPU work: keep it off the event loop of a running server.
    loader = file_loader(settings)
    read = await asyncio.to_thread(load_all, loader, on_progress)
    results = read.results
    folder = resolve_slugs(results)
    search = WhooshSearchWriter(settings.index_dir)
    catalog = await SqliteCatalogWriter.open(settings.catalog_path)
    try:
        # The search index of the coming generation is complete on disk before the
        # catalog names it, so readers that see the new generation find its index.
        search_folder = search.folder_name(await catalog.generation() + 1)
        # Live updates change the generation, not the folder: ask which one is in use.
        previous_folder = (await read_index_state(settings.catalog_path)).search_folder
        processes = min(cores(), MAX_PROCESSES) if len(results) >= PARALLEL_FROM else 1
        await asyncio.to_thread(search.build, search_folder, folder.documents, processes)
        vocabulary = count_words(folder.documents, dt.datetime.now(dt.UTC), read.words)
        generation = await catalog.replace_all(
            folder.documents, folder.assets, folder.problems, stamps, vocabulary, search_folder
        )
    finally:
        await catalog.close()
    # Keep the previous generation's index: a reader may still be searching it.
    search.remove_stale(keep={search_folder, previous_folder or search_folder})
    FileStore(loader.store_folder).remove_unreferenced(asset.digest for asset in folder.assets)
    errors = sum(problem.severity == "error" for problem in folder.problems)
    return BuildReport(
        generation=generation,
        documents=len(folder.documents),
        errors=errors,
        warnings=len(folder.problems) - errors,
        seconds=round(time.perf_counter() - started, 3),
    )


async def index_is_usable(settings: Settings) -> bool:
    """True when catalog and search index exist and have our schema (they may be stale)."""
    state = await read_index_state(settings.catalog_path)
    return (
        state.schema_version == SCHEMA_VERSION
        and state.search_folder is not None
        and WhooshSearchWriter(settings.index_dir).exists(state.search_folder)
    )


async def ensure_index(settings: Settings) -> BuildReport | SyncReport | None:
    """Open what is there: rebuild a missing, old or damaged index, update a stale one.

    Also what the watcher runs on every change: an update that fails becomes a full build.

    ``None`` when the index was current.
    """
    if not await index_is_usable(settings):
        return await build_index(settings)
    try:
        return await sync_index(settings)
    except Exception:
        # Nothing of a failed update was applied (catalog and search commit together).
        # It would fail again on the next change and hold up every later one, so start
        # over from the folder, which a full build can always read.
        logger.exception("the incremental update failed: rebuilding the index from the folder")
        return await build_index(settings)
