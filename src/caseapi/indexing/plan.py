"""Planning an incremental update: what the files became + the catalog's state -> the writes.

Pure: no file or catalog is touched here. ``sync.py`` reads the state once,
asks for a plan, and applies it in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import msgspec

from caseapi.catalog.interface import CatalogState, PathChange, WordDelta
from caseapi.content.claims import AliasClaims, SlugClaims, slug_key
from caseapi.content.loader import LoadResult
from caseapi.models import Document, FileStamp
from caseapi.publication import earliest_release, is_searchable, pending_release
from caseapi.search.schema import document_key
from caseapi.search.vocabulary import document_words


class SyncPlan(msgspec.Struct, kw_only=True):
    """What an incremental update writes: catalog changes, search changes, word counts."""

    changes: list[PathChange]
    # Documents to (re)write in the search index, and search keys to delete.
    upserts: list[Document]
    removed_keys: list[str]
    vocabulary: dict[str, WordDelta]


def plan_sync(
    state: CatalogState,
    results: dict[str, LoadResult],
    removed: set[str],
    current: dict[str, FileStamp],
    now: dt.datetime,
) -> SyncPlan:
    """Decide, per path, what to serve.

    A file that fails to load keeps its last good version served; only a file
    that is gone stops being served. A slug stays with the file serving it
    unless that file is gone or now wants another slug (``content/claims.py``).
    """
    words = _WordDeltas(now)
    changes: list[PathChange] = []
    upserts: list[Document] = []
    removed_keys: list[str] = []
    served = state.served
    for path in sorted(removed):
        changes.append(PathChange(path=path, stamp=None, remove=True))
        if path in served:
            removed_keys.append(_search_key(served[path]))
            words.remove(served[path])
    wanted = {
        path: slug_key(result.document) for path, result in results.items() if result.document
    }
    claims = SlugClaims(
        {
            key: path
            for key, path in state.owners.items()
            if path not in removed and wanted.get(path, key) == key
        }
    )
    accepted: list[tuple[str, LoadResult, Document]] = []
    for path, result in sorted(results.items()):
        if result.asset is not None:
            changes.append(
                PathChange(
                    path=path, stamp=current[path], asset=result.asset, problems=result.problems
                )
            )
            continue
        document = result.document
        taken = None if document is None else claims.claim(path, document, result.slug_line)
        if document is None or taken is not None:
            # Broken, or its slug is taken: the last good version (if any) stays served.
            problems = [*result.problems, taken] if taken is not None else result.problems
            changes.append(PathChange(path=path, stamp=current[path], problems=problems))
            continue
        accepted.append((path, result, document))
    # Aliases after every slug; the aliases of the documents loaded now are claimed again.
    aliases = AliasClaims(
        claims.owners,
        {
            key: path
            for key, path in state.alias_owners.items()
            if path not in results and path not in removed
        },
    )
    for path, result, loaded in accepted:
        document, refused = aliases.claim(path, loaded, result.alias_lines)
        changes.append(
            PathChange(
                path=path,
                stamp=current[path],
                document=document,
                problems=[*result.problems, *refused],
            )
        )
        upserts.append(document)
        old = served.get(path)
        if old is not None:
            words.remove(old)
            if slug_key(old) != slug_key(document):
                removed_keys.append(_search_key(old))
        words.add(document)
    return SyncPlan(
        changes=changes, upserts=upserts, removed_keys=removed_keys, vocabulary=words.deltas()
    )


def _search_key(document: Document) -> str:
    return document_key(document.collection, document.slug)


class _WordDeltas:
    """How the vocabulary's document counts change, and when added words may be shown."""

    def __init__(self, now: dt.datetime) -> None:
        self._now = now
        self._counts: Counter[str] = Counter()
        self._release: dict[str, dt.datetime | None] = {}

    def add(self, document: Document) -> None:
        if not is_searchable(document):
            return
        pending = pending_release(document, self._now)
        for word in document_words(document):
            self._counts[word] += 1
            known = word in self._release
            self._release[word] = (
                earliest_release(self._release[word], pending) if known else pending
            )

    def remove(self, document: Document) -> None:
        if not is_searchable(document):
            return
        for word in document_words(document):
            self._counts[word] -= 1

    def deltas(self) -> dict[str, WordDelta]:
        return {
            word: WordDelta(delta, self._release.get(word))
            for word, delta in self._counts.items()
            if delta != 0
        }
