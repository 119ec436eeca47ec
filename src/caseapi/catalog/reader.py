"""Reading the SQLite catalog: read-only connections, one generation per answer.

Datasette's model: one writer (``writer.py``) changes content inside single
transactions, so a reader (in WAL mode) sees either the old generation or the
new one, never a mix.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from caseapi.catalog.interface import (
    ContentPaths,
    Filters,
    Generation,
    Redirect,
    SortKey,
    TagCount,
)
from caseapi.catalog.schema import decode_asset, decode_document, match_key, utc_text
from caseapi.models import Collection, ContentProblem, Document, WordCount
from caseapi.publication import this_year


def _public(table: str = "documents") -> str:
    """Public now: ``public_from`` has come (a draft's is NULL, which compares as false)."""
    return f"{table}.public_from <= :now"


_PUBLIC = _public()
# publication.last_year, for the rows: an ongoing assignment runs up to this year.
_RUNNING_IN_YEAR = "year_from <= :year AND :year <= coalesce(year_to, max(year_from, :this_year))"

_ORDER_BY: dict[str, str] = {
    "date": "{t}.date ASC, {t}.slug ASC",
    "-date": "{t}.date DESC, {t}.slug ASC",
    "title": "{t}.title_key ASC, {t}.slug ASC",
    "-title": "{t}.title_key DESC, {t}.slug ASC",
}


class SqliteCatalogReader:
    """Read-only access through a small pool of connections, one thread each."""

    def __init__(self, connections: list[aiosqlite.Connection]) -> None:
        self._connections = connections
        self._pool: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for connection in connections:
            self._pool.put_nowait(connection)

    @classmethod
    async def open(cls, path: Path, size: int = 2) -> SqliteCatalogReader:
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
            f"AND {_PUBLIC}",
            {"collection": collection, "slug": slug, "now": utc_text(now)},
        )
        return decode_document(rows[0][0]) if rows else None

    async def find_document(self, collection: Collection, slug: str) -> Document | None:
        """The document with this slug, public or not (a draft, a scheduled post)."""
        rows = await self._fetch(
            "SELECT body FROM documents WHERE collection = :collection AND slug = :slug",
            {"collection": collection, "slug": slug},
        )
        return decode_document(rows[0][0]) if rows else None

    async def neighbours(
        self, document: Document, now: dt.datetime
    ) -> tuple[Document | None, Document | None]:
        """The public documents just newer and just older than ``document`` in its collection.

        In the order of a list sorted by ``-date`` (newest first, then by slug).
        """
        parameters = {
            "collection": document.collection,
            "slug": document.slug,
            "date": utc_text(document.date),
            "now": utc_text(now),
        }
        found = []
        for after, order in (
            ("date > :date OR (date = :date AND slug < :slug)", "date ASC, slug DESC"),
            ("date < :date OR (date = :date AND slug > :slug)", "date DESC, slug ASC"),
        ):
            rows = await self._fetch(
                f"SELECT body FROM documents WHERE collection = :collection AND {_PUBLIC} "
                f"AND ({after}) ORDER BY {order} LIMIT 1",
                parameters,
            )
            found.append(decode_document(rows[0][0]) if rows else None)
        return found[0], found[1]

    async def sitemap(
        self, now: dt.datetime, offset: int, limit: int
    ) -> tuple[list[tuple[Collection, str, dt.datetime]], int]:
        """A page of the public documents' (collection, slug, last change), and how many."""
        async with self._connection() as connection:
            parameters = {"now": utc_text(now), "limit": limit, "offset": offset}
            async with connection.execute(
                f"SELECT count(*) FROM documents WHERE {_PUBLIC}", parameters
            ) as cursor:
                total_row = await cursor.fetchone()
            async with connection.execute(
                f"SELECT collection, slug, changed FROM documents WHERE {_PUBLIC} "
                "ORDER BY collection, slug LIMIT :limit OFFSET :offset",
                parameters,
            ) as cursor:
                rows = await cursor.fetchall()
        entries = [
            (collection, slug, dt.datetime.fromisoformat(changed))
            for collection, slug, changed in rows
        ]
        return entries, int(total_row[0]) if total_row else 0

    async def redirects(
        self, now: dt.datetime, collection: str | None = None, alias: str | None = None
    ) -> list[Redirect]:
        """Every alias of a public document (or the one asked for), but for served slugs."""
        only = "AND a.collection = :collection AND a.alias = :alias" if alias is not None else ""
        rows = await self._fetch(
            "SELECT a.collection, a.alias, d.collection, d.slug FROM aliases AS a "
            f"JOIN documents AS d ON d.path = a.path WHERE {_public('d')} {only} "
            "AND NOT EXISTS (SELECT 1 FROM documents AS s "
            "WHERE s.collection = a.collection AND s.slug = a.alias) "
            "ORDER BY a.collection, a.alias",
            {"now": utc_text(now), "collection": collection, "alias": alias},
        )
        return [
            Redirect(
                collection=collection,
                alias=alias,
                target_collection=target_collection,
                target_slug=target_slug,
            )
            for collection, alias, target_collection, target_slug in rows
        ]

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
        where = [_PUBLIC]
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
            where.append(_RUNNING_IN_YEAR)
            parameters["year"] = filters.year
            parameters["this_year"] = this_year(now)
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
            f"WHERE k.kind = 'tag' AND {_public('d')} "
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
            f"SELECT collection, count(*) FROM documents WHERE {_PUBLIC} GROUP BY collection",
            {"now": utc_text(now)},
        )
        counts = {"assignments": 0, "posts": 0}
        counts.update({collection: int(count) for collection, count in rows})
        return counts

    async def next_publication(self, after: dt.datetime) -> dt.datetime | None:
        """The earliest moment later than ``after`` at which a document becomes public.

        Until that moment what is public stays as it is (within one generation),
        so whatever was rendered from it may be kept until then.
        """
        rows = await self._fetch(
            "SELECT min(public_from) FROM documents WHERE public_from > :after",
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

    async def content_paths(self) -> ContentPaths:
        """What every path serves: documents by collection and slug, files as assets."""
        documents = await self._fetch("SELECT path, collection, slug FROM documents")
        assets = await self._fetch("SELECT body FROM assets")
        return ContentPaths(
            documents={path: (collection, slug) for path, collection, slug in documents},
            assets={asset.path: asset for asset in map(decode_asset, (row[0] for row in assets))},
        )
