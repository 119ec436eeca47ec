"""Writing the SQLite catalog: the one connection that writes, one transaction per generation.

Readers use read-only connections in WAL mode, so each transaction here
becomes visible to them whole, as one new generation: a full replacement
(``replace_all``) or the changes an incremental update planned (``apply``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from caseapi.catalog.interface import CatalogState, PathChange, WordDelta
from caseapi.catalog.schema import (
    DOCUMENT_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    alias_rows,
    decode_document,
    document_row,
    encode_asset,
    key_rows,
    link_rows,
    optional_utc_text,
    utc_text,
)
from caseapi.models import Asset, ContentProblem, Document, FileStamp, WordCount
from caseapi.publication import earliest_release

_INSERT_DOCUMENT = f"INSERT INTO documents VALUES ({', '.join('?' * DOCUMENT_COLUMNS)})"
_INSERT_KEY = "INSERT INTO document_keys VALUES (?, ?, ?, ?, ?)"
_INSERT_PROBLEM = "INSERT INTO problems VALUES (?, ?, ?, ?, ?)"
_INSERT_ASSET = "INSERT OR REPLACE INTO assets VALUES (?, ?)"
_INSERT_LINK = "INSERT INTO links VALUES (?, ?)"
_INSERT_ALIAS = "INSERT INTO aliases VALUES (?, ?, ?)"
# SQLite's default limit of host parameters per statement is 999 (older builds).
_CHUNK = 500
# What a full build replaces: everything but the generation's own meta rows.
_CONTENT_TABLES = (
    "documents",
    "document_keys",
    "links",
    "aliases",
    "assets",
    "problems",
    "files",
    "vocabulary",
)


class SqliteCatalogWriter:
    """The one connection that writes; used by the indexer only."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    @classmethod
    async def open(cls, path: Path) -> SqliteCatalogWriter:
        """Open (creating if needed) the catalog at ``path`` for writing."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = await cls._connect(path)
        except sqlite3.DatabaseError:
            # Not a database (damaged, truncated): it is derived data, so start afresh.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            connection = await cls._connect(path)
        writer = cls(connection)
        if await writer._schema_version() != SCHEMA_VERSION:
            await writer._create_schema()
        return writer

    @staticmethod
    async def _connect(path: Path) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(path)
        try:
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError:
            await connection.close()
            raise
        return connection

    async def close(self) -> None:
        """Close the connection."""
        await self._connection.close()

    async def _fetch(self, sql: str, parameters: Any = ()) -> list[Any]:
        async with self._connection.execute(sql, parameters) as cursor:
            return list(await cursor.fetchall())

    async def _fetch_in(self, sql: str, values: Iterable[str]) -> list[Any]:
        """``sql`` ending in a column, for every value ``IN`` ``values``, a chunk at a time."""
        wanted = sorted(values)
        rows: list[Any] = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows += await self._fetch(f"{sql} IN ({', '.join('?' * len(chunk))})", chunk)
        return rows

    async def _schema_version(self) -> int | None:
        try:
            rows = await self._fetch("SELECT value FROM meta WHERE key = 'schema_version'")
        except sqlite3.DatabaseError:
            return None
        return int(rows[0][0]) if rows else None

    async def _create_schema(self) -> None:
        tables = await self._fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
        for (table,) in tables:
            await self._connection.execute(f'DROP TABLE IF EXISTS "{table}"')
        await self._connection.executescript(SCHEMA)
        await self._connection.execute(
            "INSERT INTO meta VALUES ('schema_version', ?), ('generation', '0'), ('changed_at', ?)",
            (str(SCHEMA_VERSION), utc_text(dt.datetime.now(dt.UTC))),
        )
        await self._connection.commit()

    async def generation(self) -> int:
        """The generation the catalog holds now."""
        rows = await self._fetch("SELECT value FROM meta WHERE key = 'generation'")
        return int(rows[0][0]) if rows else 0

    async def file_stamps(self) -> dict[str, FileStamp]:
        """The file stamps the catalog was last brought up to date with."""
        rows = await self._fetch("SELECT path, size, mtime_ns FROM files")
        return {path: FileStamp(size, mtime) for path, size, mtime in rows}

    async def read_state(self, paths: Iterable[str]) -> CatalogState:
        """Everything an incremental update of ``paths`` plans with (see ``CatalogState``)."""
        failing = {
            str(row[0])
            for row in await self._fetch(
                "SELECT DISTINCT path FROM problems WHERE severity = 'error'"
            )
        }
        folder = await self._fetch("SELECT value FROM meta WHERE key = 'search_folder'")
        owners = {
            (str(collection), str(slug)): str(path)
            for collection, slug, path in await self._fetch(
                "SELECT collection, slug, path FROM documents"
            )
        }
        asked = set(paths)
        dependents = {
            str(row[0])
            for row in await self._fetch_in("SELECT DISTINCT source FROM links WHERE target", asked)
        }
        rows = await self._fetch_in(
            "SELECT path, body FROM documents WHERE path", asked | failing | dependents
        )
        served = {path: decode_document(body) for path, body in rows}
        alias_owners = {
            (str(collection), str(alias)): str(path)
            for collection, alias, path in await self._fetch(
                "SELECT collection, alias, path FROM aliases"
            )
        }
        return CatalogState(
            alias_owners=alias_owners,
            search_folder=str(folder[0][0]) if folder else None,
            failing=failing,
            served=served,
            owners=owners,
            dependents=dependents,
        )

    async def replace_all(
        self,
        documents: Sequence[Document],
        assets: Sequence[Asset],
        problems: Iterable[ContentProblem],
        files: Mapping[str, FileStamp],
        vocabulary: Mapping[str, WordCount],
        search_folder: str,
    ) -> int:
        """Replace everything in one transaction; returns the new generation number."""
        connection = self._connection
        try:
            await connection.execute("BEGIN IMMEDIATE")
            for table in _CONTENT_TABLES:
                await connection.execute(f"DELETE FROM {table}")
            await connection.executemany(
                _INSERT_DOCUMENT, [document_row(document) for document in documents]
            )
            await connection.executemany(
                _INSERT_KEY, [row for document in documents for row in key_rows(document)]
            )
            await connection.executemany(
                _INSERT_LINK, [row for document in documents for row in link_rows(document)]
            )
            await connection.executemany(
                _INSERT_ALIAS, [row for document in documents for row in alias_rows(document)]
            )
            await connection.executemany(
                _INSERT_ASSET, [(asset.path, encode_asset(asset)) for asset in assets]
            )
            await connection.executemany(_INSERT_PROBLEM, [_problem_row(p) for p in problems])
            await connection.executemany(
                "INSERT INTO files VALUES (?, ?, ?)",
                [(path, stamp.size, stamp.mtime_ns) for path, stamp in files.items()],
            )
            await connection.executemany(
                "INSERT INTO vocabulary VALUES (?, ?, ?)",
                [
                    (word, count.documents, optional_utc_text(count.visible_from))
                    for word, count in vocabulary.items()
                ],
            )
            await connection.execute(
                "INSERT OR REPLACE INTO meta VALUES ('search_folder', ?)", (search_folder,)
            )
            generation = await self._next_generation()
            await connection.commit()
        except BaseException:
            await connection.rollback()
            raise
        return generation

    async def apply(
        self,
        changes: Sequence[PathChange],
        vocabulary: Mapping[str, WordDelta],
        before_commit: Callable[[], Awaitable[object]] | None = None,
    ) -> int:
        """Apply planned ``changes`` and word count deltas as one new generation.

        ``before_commit`` runs once every row is written but nothing is committed
        (the search index's update): if it fails, the catalog stays as it was.
        """
        connection = self._connection
        try:
            await connection.execute("BEGIN IMMEDIATE")
            # Every row that goes first, then every row that comes: a slug one file gives
            # up may be taken by another file in the same update, in any path order.
            for change in changes:
                if change.remove or change.document is not None or change.asset is not None:
                    await self._remove_served(change.path)
            for change in changes:
                await self._write_change(change)
            await self._apply_vocabulary(vocabulary)
            generation = await self._next_generation()
            if before_commit is not None:
                await before_commit()
            await connection.commit()
        except BaseException:
            await connection.rollback()
            raise
        return generation

    async def _next_generation(self) -> int:
        rows = await self._fetch(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation' "
            "RETURNING value"
        )
        await self._connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'changed_at'",
            (utc_text(dt.datetime.now(dt.UTC)),),
        )
        return int(rows[0][0])

    async def _remove_served(self, path: str) -> None:
        await self._connection.execute(
            "DELETE FROM document_keys WHERE (collection, slug) IN "
            "(SELECT collection, slug FROM documents WHERE path = ?)",
            (path,),
        )
        await self._connection.execute("DELETE FROM documents WHERE path = ?", (path,))
        await self._connection.execute("DELETE FROM links WHERE source = ?", (path,))
        await self._connection.execute("DELETE FROM aliases WHERE path = ?", (path,))
        await self._connection.execute("DELETE FROM assets WHERE path = ?", (path,))

    async def _write_change(self, change: PathChange) -> None:
        connection = self._connection
        await connection.execute("DELETE FROM problems WHERE path = ?", (change.path,))
        await connection.executemany(_INSERT_PROBLEM, [_problem_row(p) for p in change.problems])
        if change.stamp is None:
            await connection.execute("DELETE FROM files WHERE path = ?", (change.path,))
        else:
            await connection.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                (change.path, change.stamp.size, change.stamp.mtime_ns),
            )
        if change.document is not None:
            await connection.execute(_INSERT_DOCUMENT, document_row(change.document))
            await connection.executemany(_INSERT_KEY, key_rows(change.document))
            await connection.executemany(_INSERT_LINK, link_rows(change.document))
            await connection.executemany(_INSERT_ALIAS, alias_rows(change.document))
        if change.asset is not None:
            await connection.execute(_INSERT_ASSET, (change.path, encode_asset(change.asset)))

    async def _apply_vocabulary(self, deltas: Mapping[str, WordDelta]) -> None:
        words = sorted(deltas)
        rows = await self._fetch_in(
            "SELECT word, documents, visible_from FROM vocabulary WHERE word", words
        )
        current = {
            word: (count, dt.datetime.fromisoformat(moment) if moment else None)
            for word, count, moment in rows
        }
        kept: list[tuple[str, int, str | None]] = []
        gone: list[tuple[str]] = []
        for word in words:
            delta = deltas[word]
            count, release = current.get(word, (0, delta.release))
            if delta.documents > 0 and word in current:
                release = earliest_release(release, delta.release)
            count += delta.documents
            if count > 0:
                kept.append((word, count, optional_utc_text(release)))
            else:
                gone.append((word,))
        await self._connection.executemany(
            "INSERT OR REPLACE INTO vocabulary VALUES (?, ?, ?)", kept
        )
        await self._connection.executemany("DELETE FROM vocabulary WHERE word = ?", gone)


def _problem_row(problem: ContentProblem) -> tuple[str, int | None, str | None, str, str]:
    return (problem.path, problem.line, problem.field, problem.message, problem.severity)
