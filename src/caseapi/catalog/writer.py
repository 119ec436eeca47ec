"""The catalog's one writer: full replacement and incremental changes, each one transaction.

Readers (``catalog.Catalog``) use read-only connections in WAL mode, so each
transaction here becomes visible to them whole, as one new generation.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite
import msgspec

from caseapi.catalog.reader import (
    SCHEMA,
    SCHEMA_VERSION,
    decode_document,
    encode_document,
    match_key,
    utc_text,
    year_range,
)
from caseapi.models import ContentProblem, Document, FileStamp, WordCount
from caseapi.slugs import fold


class CatalogWriter:
    """The one connection that writes; used by the indexer only."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    @property
    def connection(self) -> aiosqlite.Connection:
        """The writing connection (for ``IncrementalWrites``)."""
        return self._connection

    @classmethod
    async def open(cls, path: Path) -> CatalogWriter:
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

    async def _schema_version(self) -> int | None:
        try:
            async with self._connection.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ) as cursor:
                row = await cursor.fetchone()
        except sqlite3.DatabaseError:
            return None
        return int(row[0]) if row else None

    async def _create_schema(self) -> None:
        async with self._connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        ) as cursor:
            tables = [row[0] for row in await cursor.fetchall()]
        for table in tables:
            await self._connection.execute(f'DROP TABLE IF EXISTS "{table}"')
        await self._connection.executescript(SCHEMA)
        await self._connection.execute(
            "INSERT INTO meta VALUES ('schema_version', ?), ('generation', '0'), ('changed_at', ?)",
            (str(SCHEMA_VERSION), utc_text(dt.datetime.now(dt.UTC))),
        )
        await self._connection.commit()

    async def replace_all(
        self,
        documents: Sequence[Document],
        problems: Iterable[ContentProblem],
        files: dict[str, FileStamp],
        vocabulary: dict[str, WordCount],
        search_folder: str,
    ) -> int:
        """Replace everything in one transaction; returns the new generation number."""
        connection = self._connection
        try:
            await connection.execute("BEGIN IMMEDIATE")
            for table in ("documents", "document_keys", "problems", "files", "vocabulary"):
                await connection.execute(f"DELETE FROM {table}")
            await connection.executemany(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [self.document_row(document) for document in documents],
            )
            await connection.executemany(
                "INSERT INTO document_keys VALUES (?, ?, ?, ?, ?)",
                [row for document in documents for row in self.key_rows(document)],
            )
            await connection.executemany(
                "INSERT INTO problems VALUES (?, ?, ?, ?, ?)",
                [
                    (problem.path, problem.line, problem.field, problem.message, problem.severity)
                    for problem in problems
                ],
            )
            await connection.executemany(
                "INSERT INTO files VALUES (?, ?, ?)",
                [(path, stamp.size, stamp.mtime_ns) for path, stamp in files.items()],
            )
            await connection.executemany(
                "INSERT INTO vocabulary VALUES (?, ?, ?)",
                [
                    (
                        word,
                        count.documents,
                        utc_text(count.visible_from) if count.visible_from else None,
                    )
                    for word, count in vocabulary.items()
                ],
            )
            await connection.execute(
                "INSERT OR REPLACE INTO meta VALUES ('search_folder', ?)", (search_folder,)
            )
            generation = await self.next_generation()
            await connection.commit()
        except BaseException:
            await connection.rollback()
            raise
        return generation

    async def generation(self) -> int:
        """The generation the catalog holds now."""
        async with self._connection.execute(
            "SELECT value FROM meta WHERE key = 'generation'"
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def next_generation(self) -> int:
        async with self._connection.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation' "
            "RETURNING value"
        ) as cursor:
            row = await cursor.fetchone()
        await self._connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'changed_at'",
            (utc_text(dt.datetime.now(dt.UTC)),),
        )
        assert row is not None
        return int(row[0])

    @staticmethod
    def document_row(document: Document) -> tuple[Any, ...]:
        year_from, year_to = year_range(document)
        return (
            document.collection,
            document.slug,
            document.path,
            fold(document.title),
            utc_text(document.date),
            year_from,
            year_to,
            match_key(document.author) if document.author else None,
            int(document.draft),
            utc_text(document.publish_at) if document.publish_at else None,
            utc_text(document.modified),
            encode_document(document),
        )

    @staticmethod
    def key_rows(document: Document) -> list[tuple[str, str, str, str, str]]:
        rows: dict[tuple[str, str], tuple[str, str, str, str, str]] = {}
        for kind, names in (
            ("tag", document.tags),
            ("client", document.clients),
            ("work", document.work),
        ):
            for name in names:
                # Two spellings of one key ("cliënt", "client") count once per document.
                row = (document.collection, document.slug, kind, match_key(name), name)
                rows.setdefault((kind, row[3]), row)
        return list(rows.values())


class PathChange(msgspec.Struct, kw_only=True):
    """What one changed path means for the catalog."""

    path: str
    # The file as now on disk; None when it is gone.
    stamp: FileStamp | None
    # Serve this document for the path from now on.
    document: Document | None = None
    # Stop serving whatever the path served (deleted, or now a draft of nothing).
    remove: bool = False
    problems: list[ContentProblem] = []


async def _fetch(connection: aiosqlite.Connection, sql: str, parameters: Any = ()) -> list[Any]:
    async with connection.execute(sql, parameters) as cursor:
        return list(await cursor.fetchall())


class IncrementalWrites:
    """Reading what an incremental change needs, and applying it in one transaction."""

    def __init__(self, writer: CatalogWriter) -> None:
        self._connection = writer.connection
        self._writer = writer

    async def files(self) -> dict[str, FileStamp]:
        """The file stamps the catalog was last brought up to date with."""
        rows = await _fetch(self._connection, "SELECT path, size, mtime_ns FROM files")
        return {path: FileStamp(size, mtime) for path, size, mtime in rows}

    async def search_folder(self) -> str | None:
        """The search index folder of the current generation."""
        rows = await _fetch(self._connection, "SELECT value FROM meta WHERE key = 'search_folder'")
        return str(rows[0][0]) if rows else None

    async def documents_at(self, paths: Iterable[str]) -> dict[str, Document]:
        """The documents served now for ``paths``."""
        wanted = list(paths)
        found: dict[str, Document] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = await _fetch(
                self._connection,
                f"SELECT path, body FROM documents WHERE path IN ({marks})",
                chunk,
            )
            found.update({path: decode_document(body) for path, body in rows})
        return found

    async def slug_owner(self, collection: str, slug: str) -> str | None:
        """The path that serves ``slug`` in ``collection`` now, if any."""
        rows = await _fetch(
            self._connection,
            "SELECT path FROM documents WHERE collection = ? AND slug = ?",
            (collection, slug),
        )
        return str(rows[0][0]) if rows else None

    async def failing_paths(self) -> set[str]:
        """Paths with errors now: they may load differently once other files change."""
        rows = await _fetch(
            self._connection, "SELECT DISTINCT path FROM problems WHERE severity = 'error'"
        )
        return {str(row[0]) for row in rows}

    async def apply(
        self,
        changes: Sequence[PathChange],
        vocabulary: dict[str, tuple[int, dt.datetime | None]],
        before_commit: Callable[[], Awaitable[object]] | None = None,
    ) -> int:
        """Apply ``changes`` and word count deltas as one new generation.

        ``before_commit`` runs once every row is written but nothing is committed
        (the search index's update): if it fails, the catalog stays as it was.
        """
        connection = self._connection
        try:
            await connection.execute("BEGIN IMMEDIATE")
            # Every row that goes first, then every row that comes: a slug one file gives
            # up may be taken by another file in the same update, in any path order.
            for change in changes:
                await self._remove_served(change)
            for change in changes:
                await self._apply_one(change)
            await self._apply_vocabulary(vocabulary)
            generation = await self._writer.next_generation()
            if before_commit is not None:
                await before_commit()
            await connection.commit()
        except BaseException:
            await connection.rollback()
            raise
        return generation

    async def _remove_served(self, change: PathChange) -> None:
        if not (change.remove or change.document is not None):
            return  # broken now: its last good version stays served
        connection = self._connection
        await connection.execute(
            "DELETE FROM document_keys WHERE (collection, slug) IN "
            "(SELECT collection, slug FROM documents WHERE path = ?)",
            (change.path,),
        )
        await connection.execute("DELETE FROM documents WHERE path = ?", (change.path,))

    async def _apply_one(self, change: PathChange) -> None:
        connection = self._connection
        await connection.execute("DELETE FROM problems WHERE path = ?", (change.path,))
        await connection.executemany(
            "INSERT INTO problems VALUES (?, ?, ?, ?, ?)",
            [
                (problem.path, problem.line, problem.field, problem.message, problem.severity)
                for problem in change.problems
            ],
        )
        if change.stamp is None:
            await connection.execute("DELETE FROM files WHERE path = ?", (change.path,))
        else:
            await connection.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                (change.path, change.stamp.size, change.stamp.mtime_ns),
            )
        document = change.document
        if document is not None:
            await connection.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                CatalogWriter.document_row(document),
            )
            await connection.executemany(
                "INSERT INTO document_keys VALUES (?, ?, ?, ?, ?)", CatalogWriter.key_rows(document)
            )

    async def _apply_vocabulary(self, deltas: dict[str, tuple[int, dt.datetime | None]]) -> None:
        connection = self._connection
        for word, (delta, scheduled) in deltas.items():
            if delta > 0:
                # A public occurrence makes the word public; a scheduled one keeps the earliest.
                await connection.execute(
                    "INSERT INTO vocabulary VALUES (?, ?, ?) ON CONFLICT (word) DO UPDATE SET "
                    "documents = documents + excluded.documents, "
                    "visible_from = CASE WHEN visible_from IS NULL "
                    "OR excluded.visible_from IS NULL THEN NULL "
                    "ELSE min(visible_from, excluded.visible_from) END",
                    (word, delta, utc_text(scheduled) if scheduled else None),
                )
            elif delta < 0:
                await connection.execute(
                    "UPDATE vocabulary SET documents = documents + ? WHERE word = ?", (delta, word)
                )
        await connection.execute("DELETE FROM vocabulary WHERE documents <= 0")
