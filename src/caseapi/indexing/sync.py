"""Incremental updates: only the files that changed -> catalog and search index.

The folder is compared with the stamps (size, mtime) the catalog recorded,
so any kind of change — a save, an atomic rename-over, a deleted or moved
file, a folder moved in or out — is found the same way, whatever events the
watcher saw. A file that fails to load keeps its last good version served;
only a file that is gone stops being served.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from pathlib import Path

import msgspec

from caseapi.catalog.writer import CatalogWriter, IncrementalWrites, PathChange
from caseapi.content.loader import LoadResult, load_file, stamp_folder
from caseapi.indexing.locks import write_lock
from caseapi.indexing.openfiles import open_for_writing
from caseapi.models import ContentProblem, Document, FileStamp
from caseapi.search.vocabulary import document_words
from caseapi.search.writer import document_key, remove_unfinished_indexes, update_search_index
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
        writer = await CatalogWriter.open(settings.catalog_path)
        try:
            return await _sync(settings, IncrementalWrites(writer), started)
        finally:
            await writer.close()


async def _sync(settings: Settings, writes: IncrementalWrites, started: float) -> SyncReport | None:
    indexed = await writes.files()
    folder = await writes.search_folder()
    if folder is not None:  # what a killed build left (we hold the lock: none is running)
        await asyncio.to_thread(remove_unfinished_indexes, settings.index_dir, folder)
    current = await _settled_stamps(settings.content_dir, indexed)
    changed = {path for path, stamp in current.items() if indexed.get(path) != stamp}
    removed = set(indexed) - set(current)
    if not changed and not removed:
        return None
    # Files failing now may load once others changed (a duplicate slug freed up).
    changed |= (await writes.failing_paths()) & set(current)
    results = await asyncio.to_thread(_load, settings.content_dir, sorted(changed))
    served = await writes.documents_at(changed | removed)
    plan = await _plan(writes, results, served, removed, current)

    async def update_search() -> None:
        if folder is not None:
            await asyncio.to_thread(
                update_search_index, settings.index_dir / folder, plan.upserts, plan.removed_keys
            )

    # The search index commits last, inside the catalog's transaction: a catalog
    # change that fails leaves both as they were, and readers switch to the new
    # generation only once both hold it.
    generation = await writes.apply(plan.changes, plan.vocabulary, before_commit=update_search)
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
        try:
            stat = (content_dir / path).stat()
        except OSError:
            del fresh[path]
            continue
        fresh[path] = FileStamp(stat.st_size, stat.st_mtime_ns)
    return fresh


def _load(content_dir: Path, paths: list[str]) -> dict[str, LoadResult]:
    return {path: load_file(content_dir, Path(path)) for path in paths}


class _Plan(msgspec.Struct, kw_only=True):
    changes: list[PathChange]
    upserts: list[Document]
    removed_keys: list[str]
    vocabulary: dict[str, tuple[int, dt.datetime | None]]


async def _plan(
    writes: IncrementalWrites,
    results: dict[str, LoadResult],
    served: dict[str, Document],
    removed: set[str],
    current: dict[str, FileStamp],
) -> _Plan:
    """Decide, per path, what to serve; first path (sorted) wins a contested slug."""
    now = dt.datetime.now(dt.UTC)
    words = _WordDeltas(now)
    changes: list[PathChange] = []
    upserts: list[Document] = []
    removed_keys: list[str] = []
    for path in sorted(removed):
        changes.append(PathChange(path=path, stamp=None, remove=True))
        if path in served:
            removed_keys.append(_key(served[path]))
            words.remove(served[path])
    # The slug each changed path will serve, to know who frees or takes which slug.
    new_keys = {path: _key(result.document) for path, result in results.items() if result.document}
    claimed: dict[str, str] = {}
    for path, result in sorted(results.items()):
        document = result.document
        old = served.get(path)
        if document is None:
            # Broken now: the last good version (if any) stays served.
            changes.append(PathChange(path=path, stamp=current[path], problems=result.problems))
            continue
        key = new_keys[path]
        owner = claimed.get(key) or await _owner(writes, document, removed, new_keys, served)
        if owner is not None and owner != path:
            problem = ContentProblem(
                path=path,
                line=result.slug_line,
                field="slug",
                message=(
                    f"The slug '{document.slug}' is already used by {owner}; "
                    "rename this file or set a different 'slug:'."
                ),
            )
            changes.append(
                PathChange(path=path, stamp=current[path], problems=[*result.problems, problem])
            )
            continue
        claimed[key] = path
        changes.append(
            PathChange(path=path, stamp=current[path], document=document, problems=result.problems)
        )
        upserts.append(document)
        if old is not None:
            words.remove(old)
            if _key(old) != key:
                removed_keys.append(_key(old))
        words.add(document)
    return _Plan(
        changes=changes, upserts=upserts, removed_keys=removed_keys, vocabulary=words.deltas()
    )


async def _owner(
    writes: IncrementalWrites,
    document: Document,
    removed: set[str],
    new_keys: dict[str, str],
    served: dict[str, Document],
) -> str | None:
    """Who serves this document's slug after this update, apart from the document itself."""
    owner = await writes.slug_owner(document.collection, document.slug)
    if owner is None or owner in removed:
        return None
    key = _key(document)
    # An owner changed in this same update keeps the slug only if its new version does.
    if owner in new_keys and new_keys[owner] != key:
        return None
    if owner in served and owner not in new_keys and _key(served[owner]) != key:
        return None
    return owner


def _key(document: Document) -> str:
    return document_key(document.collection, document.slug)


class _WordDeltas:
    """How the vocabulary's document counts change, and when new words may be shown."""

    def __init__(self, now: dt.datetime) -> None:
        self._now = now
        self._counts: Counter[str] = Counter()
        self._release: dict[str, dt.datetime | None] = {}

    def add(self, document: Document) -> None:
        if document.draft:
            return
        publish = document.publish_at
        scheduled = publish if publish is not None and publish > self._now else None
        for word in document_words(document):
            self._counts[word] += 1
            if word not in self._release or scheduled is None:
                self._release[word] = scheduled if word not in self._release else None
            else:
                earlier = self._release[word]
                self._release[word] = None if earlier is None else min(earlier, scheduled)

    def remove(self, document: Document) -> None:
        if document.draft:
            return
        for word in document_words(document):
            self._counts[word] -= 1

    def deltas(self) -> dict[str, tuple[int, dt.datetime | None]]:
        return {
            word: (delta, self._release.get(word))
            for word, delta in self._counts.items()
            if delta != 0
        }
