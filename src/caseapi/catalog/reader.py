"""The SQLite catalog: its schema and the read-only readers (datasette's model).

One writer (``catalog_writer.py``) changes content inside single
transactions, so a reader (in WAL mode) sees either the old generation or the
new one, never a mix. Documents are stored whole as msgpack; the columns
beside them exist only to filter, sort and count.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import aiosqlite
import msgspec

from caseapi.models import AMSTERDAM, Collection, ContentProblem, Document, FileStamp, WordCount
from caseapi.slugs import fold, slugify

# Bump when the schema or the stored Document shape changes: older catalogs are rebuilt.
SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    collection TEXT NOT NULL,
    slug TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    title_key TEXT NOT NULL,
    date TEXT NOT NULL,
    year_from INTEGER NOT NULL,
    year_to INTEGER,
    author_key TEXT,
    draft INTEGER NOT NULL,
    publish_at TEXT,
    modified TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (collection, slug)
) WITHOUT ROWID;
-- Lists filter, count and sort on these alone: the rows, with their large bodies,
-- are read only for the page being served.
CREATE INDEX documents_listing ON documents (
    collection, date, draft, publish_at, title_key, year_from, year_to, author_key
);
-- Whether a document is public, by its key without its body (tags join on this).
CREATE INDEX documents_visibility ON documents (collection, slug, draft, publish_at);
CREATE TABLE document_keys (
    collection TEXT NOT NULL,
    slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX document_keys_by_key ON document_keys (kind, key, collection);
CREATE INDEX document_keys_by_document ON document_keys (collection, slug);
CREATE TABLE problems (
    path TEXT NOT NULL,
    line INTEGER,
    field TEXT,
    message TEXT NOT NULL,
    severity TEXT NOT NULL
);
CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
CREATE TABLE vocabulary (
    word TEXT PRIMARY KEY,
    documents INTEGER NOT NULL,
    visible_from TEXT
) WITHOUT ROWID;
"""


def _visible(table: str = "documents") -> str:
    """A document is public when it is not a draft and its publish time (if any) has come."""
    return f"{table}.draft = 0 AND ({table}.publish_at IS NULL OR {table}.publish_at <= :now)"


_VISIBLE = _visible()

SortKey = Literal["date", "-date", "title", "-title"]
_ORDER_BY: dict[str, str] = {
    "date": "{t}.date ASC, {t}.slug ASC",
    "-date": "{t}.date DESC, {t}.slug ASC",
    "title": "{t}.title_key ASC, {t}.slug ASC",
    "-title": "{t}.title_key DESC, {t}.slug ASC",
}

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Document)


def encode_document(document: Document) -> bytes:
    """A document as stored in the catalog."""
    return _encoder.encode(document)


def decode_document(data: bytes) -> Document:
    """A document as read back from the catalog."""
    return _decoder.decode(data)


class Generation(msgspec.Struct, kw_only=True):
    """Which build of the content the catalog holds, and when it changed."""

    number: int
    changed_at: dt.datetime
    schema_version: int
    # The Whoosh index folder (inside the index folder) built with this generation.
    search_folder: str | None = None


class Filters(msgspec.Struct, kw_only=True, frozen=True):
    """List filters; every key compares folded (case and accents ignored)."""

    tag: str | None = None
    client: str | None = None
    work: str | None = None
    author: str | None = None
    year: int | None = None

    def __post_init__(self) -> None:
        # "?tag=" is what a form sends for "any tag": an empty filter filters nothing.
        for name in ("tag", "client", "work", "author"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                msgspec.structs.force_setattr(self, name, None)


class TagCount(msgspec.Struct, kw_only=True):
    """A tag with how many public documents of each collection carry it."""

    tag: str
    slug: str
    count: int
    assignments: int
    posts: int


def utc_text(moment: dt.datetime) -> str:
    """A fixed-width UTC timestamp that sorts as text."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def match_key(value: str) -> str:
    return slugify(value) or fold(value)


def year_range(document: Document) -> tuple[int, int | None]:
    if document.period is not None:
        start = int(document.period.start[:4])
        # Ongoing (no end): running until today, which the query knows and we do not.
        end = int(document.period.end[:4]) if document.period.end else None
        return start, end
    # The year readers see: the date as shown, in Amsterdam.
    year = document.date.astimezone(AMSTERDAM).year
    return year, year


class Catalog:
    """Read-only access through a small pool of connections, one thread each."""

    def __init__(self, connections: list[aiosqlite.Connection]) -> None:
        self._connections = connections
        self._pool: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for connection in connections:
            self._pool.put_nowait(connection)

    @classmethod
    async def open(cls, path: Path, size: int = 2) -> Catalog:
        """Open ``size`` read-only connections to an existing catalog."""
        connections = []
        for _ in range(size):
            connection = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True)
            await connection.execute("PRAGMA query_only=ON")
            connections.append(connection)
        return cls(connections)

    async def close(self) -> None:
        """Close every connection."""
        for connection in self._connections:
            await connection.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[aiosqlite.Connection]:
        connection = await self._pool.get()
        try:
            yield connection
        finally:
            self._pool.put_nowait(connection)

    async def _fetch(self, sql: str, parameters: dict[str, Any] | Sequence[Any] = ()) -> list[Any]:
        async with self._connection() as connection, connection.execute(sql, parameters) as cursor:
            return list(await cursor.fetchall())

    async def generation(self) -> Generation:
        """The generation currently visible to readers."""
        rows = dict(await self._fetch("SELECT key, value FROM meta"))
        return Generation(
            number=int(rows["generation"]),
            changed_at=dt.datetime.fromisoformat(rows["changed_at"]),
            schema_version=int(rows["schema_version"]),
            search_folder=rows.get("search_folder"),
        )

    async def vocabulary(self) -> dict[str, WordCount]:
        """Every word of the non-draft content: in how many documents, public from when."""
        rows = await self._fetch("SELECT word, documents, visible_from FROM vocabulary")
        return {
            word: WordCount(
                documents=documents,
                visible_from=dt.datetime.fromisoformat(visible_from) if visible_from else None,
            )
            for word, documents, visible_from in rows
        }

    async def get_document(
        self, collection: Collection, slug: str, now: dt.datetime
    ) -> Document | None:
        """One public document, or ``None``."""
        rows = await self._fetch(
            "SELECT body FROM documents WHERE collection = :collection AND slug = :slug "
            f"AND {_VISIBLE}",
            {"collection": collection, "slug": slug, "now": utc_text(now)},
        )
        return decode_document(rows[0][0]) if rows else None

    async def list_documents(
        self,
        collection: Collection | None,
        filters: Filters,
        sort: SortKey,
        offset: int,
        limit: int,
        now: dt.datetime,
    ) -> tuple[list[Document], int]:
        """One page of public documents and the total that match."""
        where = [_VISIBLE]
        parameters: dict[str, Any] = {"now": utc_text(now), "limit": limit, "offset": offset}
        if collection is not None:
            where.append("collection = :collection")
            parameters["collection"] = collection
        for kind in ("tag", "client", "work"):
            value = getattr(filters, kind)
            if value is not None:
                where.append(
                    "EXISTS (SELECT 1 FROM document_keys AS k "
                    "WHERE k.collection = documents.collection "
                    f"AND k.slug = documents.slug AND k.kind = '{kind}' AND k.key = :{kind})"
                )
                parameters[kind] = match_key(value)
        if filters.author is not None:
            where.append("author_key = :author")
            parameters["author"] = match_key(filters.author)
        if filters.year is not None:
            where.append(
                "year_from <= :year AND (year_to >= :year OR (year_to IS NULL AND :year <= :today))"
            )
            parameters["year"] = filters.year
            parameters["today"] = now.astimezone(AMSTERDAM).year
        condition = " AND ".join(where)
        async with self._connection() as connection:
            async with connection.execute(
                f"SELECT count(*) FROM documents WHERE {condition}", parameters
            ) as cursor:
                total_row = await cursor.fetchone()
            # The page is chosen from the index alone; only its bodies are read. Sorting
            # whole rows instead costs seconds at 10,000 documents.
            async with connection.execute(
                "SELECT d.body FROM (SELECT collection, slug, date, title_key FROM documents "
                f"WHERE {condition} ORDER BY {_ORDER_BY[sort].format(t='documents')} "
                "LIMIT :limit OFFSET :offset) AS page JOIN documents AS d "
                "ON d.collection = page.collection AND d.slug = page.slug "
                f"ORDER BY {_ORDER_BY[sort].format(t='page')}",
                parameters,
            ) as cursor:
                rows = await cursor.fetchall()
        total = int(total_row[0]) if total_row else 0
        return [decode_document(row[0]) for row in rows], total

    async def tags(self, now: dt.datetime) -> list[TagCount]:
        """Tags of public documents with counts per collection, most used first."""
        rows = await self._fetch(
            "SELECT k.key, min(k.name), "
            "sum(k.collection = 'assignments'), sum(k.collection = 'posts') "
            "FROM document_keys AS k JOIN documents AS d "
            "ON d.collection = k.collection AND d.slug = k.slug "
            f"WHERE k.kind = 'tag' AND {_visible('d')} "
            "GROUP BY k.key ORDER BY count(*) DESC, k.key ASC",
            {"now": utc_text(now)},
        )
        return [
            TagCount(
                tag=name, slug=key, count=assignments + posts, assignments=assignments, posts=posts
            )
            for key, name, assignments, posts in rows
        ]

    async def counts(self, now: dt.datetime) -> dict[str, int]:
        """How many public documents each collection has."""
        rows = await self._fetch(
            f"SELECT collection, count(*) FROM documents WHERE {_VISIBLE} GROUP BY collection",
            {"now": utc_text(now)},
        )
        counts = {"assignments": 0, "posts": 0}
        counts.update({collection: int(count) for collection, count in rows})
        return counts

    async def next_publication(self, after: dt.datetime) -> dt.datetime | None:
        """The earliest ``publish_at`` later than ``after`` of a non-draft document.

        Until that moment what is public stays as it is (within one generation),
        so whatever was rendered from it may be kept until then.
        """
        rows = await self._fetch(
            "SELECT min(publish_at) FROM documents WHERE draft = 0 AND publish_at > :after",
            {"after": utc_text(after)},
        )
        value = rows[0][0] if rows else None
        return dt.datetime.fromisoformat(value) if value else None

    async def problems(self) -> list[ContentProblem]:
        """Every content problem of the current generation, errors first."""
        rows = await self._fetch(
            "SELECT path, line, field, message, severity FROM problems "
            "ORDER BY severity = 'warning', path, line"
        )
        return [
            ContentProblem(path=path, line=line, field=field, message=message, severity=severity)
            for path, line, field, message, severity in rows
        ]


class IndexState(msgspec.Struct, kw_only=True):
    """What an existing index holds, as far as deciding whether to rebuild goes."""

    schema_version: int | None = None
    search_folder: str | None = None
    files: dict[str, FileStamp] = {}


async def read_index_state(path: Path) -> IndexState:
    """The state of the catalog at ``path``; an empty state when missing or unusable."""
    if not path.exists():
        return IndexState()
    try:
        async with aiosqlite.connect(f"file:{path}?mode=ro", uri=True) as connection:
            async with connection.execute("SELECT key, value FROM meta") as cursor:
                meta = {str(row[0]): str(row[1]) for row in await cursor.fetchall()}
            async with connection.execute("SELECT path, size, mtime_ns FROM files") as cursor:
                files = {
                    name: FileStamp(size, mtime) for name, size, mtime in await cursor.fetchall()
                }
    except sqlite3.Error:
        return IndexState()
    version = meta.get("schema_version")
    return IndexState(
        schema_version=int(version) if version else None,
        search_folder=meta.get("search_folder"),
        files=files,
    )
