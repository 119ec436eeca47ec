"""Incremental updates: only the files that changed -> catalog and search index.

The folder is compared with the stamps (size, mtime) the catalog recorded,
so any kind of change — a save, an atomic rename-over, a deleted or moved
file, a folder moved in or out — is found the same way, whatever events the
watcher saw. Then: the catalog's state is read once, a plan is made without
any I/O (``plan.py``), and the plan is applied in one transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

import msgspec

from caseapi.catalog.interface import CatalogWriter
from caseapi.catalog.writer import SqliteCatalogWriter
from caseapi.content.files import stamp_folder
from caseapi.content.loader import LoadResult
from caseapi.indexing.loading import FileLoader, file_loader
from caseapi.indexing.locks import write_lock
from caseapi.indexing.openfiles import open_for_writing
from caseapi.indexing.plan import plan_sync
from caseapi.models import FileStamp
from caseapi.search.interface import SearchWriter
from caseapi.search.writer import WhooshSearchWriter
from caseapi.settings import Settings

# A changed file must be this quiet (and closed) before it is loaded: it may be mid-save.
SETTLE_SECONDS = 0.15
MAX_SETTLE_SECONDS = 2.0


class SyncReport(msgspec.Struct, kw_only=True):
    """What an incremental update did."""

    generation: int
    changed: int
    removed: int
    errors: int
    seconds: float


async def sync_index(settings: Settings) -> SyncReport | None:
    """Bring catalog and search index up to date with the folder; ``None`` if nothing changed."""
    started = time.perf_counter()
    async with write_lock(settings.index_dir):
        catalog = await SqliteCatalogWriter.open(settings.catalog_path)
        try:
            search = WhooshSearchWriter(settings.index_dir)
            return await _sync(file_loader(settings), catalog, search, started)
        finally:
            await catalog.close()


async def _sync(
    loader: FileLoader, catalog: CatalogWriter, search: SearchWriter, started: float
) -> SyncReport | None:
    content_dir = loader.content_dir
    indexed = await catalog.file_stamps()
    current = await _settled_stamps(content_dir, indexed)
    changed = {path for path, stamp in current.items() if indexed.get(path) != stamp}
    removed = set(indexed) - set(current)
    state = await catalog.read_state(changed | removed)
    folder = state.search_folder
    if folder is not None:  # what a killed build left (we hold the lock: none is running)
        await asyncio.to_thread(search.remove_unfinished, folder)
    if not changed and not removed:
        return None
    # Files failing now may load once others changed (a duplicate slug freed up), and
    # documents linking to a changed file have warnings and image sizes to look at again.
    changed |= (state.failing | state.dependents) & set(current)
    results = await asyncio.to_thread(_load, loader, sorted(changed))
    plan = plan_sync(state, results, removed, current, dt.datetime.now(dt.UTC))

    async def update_search() -> None:
        if folder is not None:
            await asyncio.to_thread(search.update, folder, plan.upserts, plan.removed_keys)

    # The search index commits last, inside the catalog's transaction: a catalog
    # change that fails leaves both as they were, and readers switch to the new
    # generation only once both hold it.
    generation = await catalog.apply(plan.changes, plan.vocabulary, before_commit=update_search)
    return SyncReport(
        generation=generation,
        changed=len(changed),
        removed=len(removed),
        errors=sum(
            problem.severity == "error" for change in plan.changes for problem in change.problems
        ),
        seconds=round(time.perf_counter() - started, 3),
    )


async def _settled_stamps(content_dir: Path, indexed: dict[str, FileStamp]) -> dict[str, FileStamp]:
    """Stamps of the folder once no changed file is in the middle of being written.

    A changed file counts as settled when nobody holds it open for writing and it
    has not changed for ``SETTLE_SECONDS``. One still being written when we stop
    waiting keeps the stamp it had (or stays out, when new): a later update, which
    its next write or the watcher's rescan brings, loads it whole.
    """
    deadline = time.monotonic() + MAX_SETTLE_SECONDS
    stamps = await asyncio.to_thread(stamp_folder, content_dir)
    while True:
        changed = [path for path, stamp in stamps.items() if indexed.get(path) != stamp]
        writing = await asyncio.to_thread(open_for_writing, content_dir, changed)
        newest = max((stamps[path].mtime_ns for path in changed), default=0)
        quiet = time.time_ns() - newest >= SETTLE_SECONDS * 1e9
        if (quiet and not writing) or time.monotonic() >= deadline:
            break
        await asyncio.sleep(SETTLE_SECONDS)
        # Only the changed files again: the whole folder is 10,000 stats at that size.
        again = await asyncio.to_thread(_restamp, content_dir, stamps, changed)
        if again == stamps and not writing:
            break
        stamps = again
    for path in writing:
        if path in indexed:
            stamps[path] = indexed[path]
        else:
            del stamps[path]
    return stamps


def _restamp(
    content_dir: Path, stamps: dict[str, FileStamp], paths: list[str]
) -> dict[str, FileStamp]:
    """``stamps`` with ``paths`` looked at again (and left out when gone)."""
    fresh = dict(stamps)
    for path in paths:
        if "\ufffd" in path:
            continue  # a name that is not UTF-8, shown as text: refused by the loader anyway
        try:
            stat = (content_dir / path).stat()
        except OSError:
            del fresh[path]
            continue
        fresh[path] = FileStamp(stat.st_size, stat.st_mtime_ns)
    return fresh


def _load(loader: FileLoader, paths: list[str]) -> dict[str, LoadResult]:
    return {path: loader.load(Path(path)) for path in paths}
