"""The SQLite catalog on disk: its tables, how documents are stored, and what a file holds.

Documents are stored whole as msgpack; the columns beside them exist only to
filter, sort and count. Reader and writer both build on this module; neither
restates a table.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import msgspec

from caseapi.content.claims import alias_key
from caseapi.models import Asset, Document, FileStamp
from caseapi.publication import last_change, public_from, year_span
from caseapi.slugs import fold, slugify

# Bump when the schema or the stored Document shape changes: older catalogs are rebuilt.
SCHEMA_VERSION = 9

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
    -- publication.public_from: NULL for a draft, which is never public.
    public_from TEXT,
    -- publication.last_change: the sitemap's lastmod, without reading bodies.
    changed TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (collection, slug)
) WITHOUT ROWID;
-- Lists filter, count and sort on these alone: the rows, with their large bodies,
-- are read only for the page being served.
CREATE INDEX documents_listing ON documents (
    collection, date, public_from, title_key, year_from, year_to, author_key
);
-- Whether a document is public, by its key without its body (tags join on this).
CREATE INDEX documents_visibility ON documents (collection, slug, public_from);
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
-- Files beside the content that are served (an Asset, as msgpack).
CREATE TABLE assets (path TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
-- Which paths a document's links, images and cover point at: when one of them
-- appears, changes or goes, the document is loaded again (its warnings, its sizes).
CREATE TABLE links (source TEXT NOT NULL, target TEXT NOT NULL);
CREATE INDEX links_by_target ON links (target);
CREATE INDEX links_by_source ON links (source);
-- Old URLs that redirect to a document: an old slug of its collection, or an
-- old-site path (collection '').
CREATE TABLE aliases (
    collection TEXT NOT NULL,
    alias TEXT NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (collection, alias)
) WITHOUT ROWID;
CREATE INDEX aliases_by_path ON aliases (path);
CREATE TABLE vocabulary (
    word TEXT PRIMARY KEY,
    documents INTEGER NOT NULL,
    visible_from TEXT
) WITHOUT ROWID;
"""

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Document)
_asset_decoder = msgspec.msgpack.Decoder(Asset)


def encode_document(document: Document) -> bytes:
    """A document as stored in the catalog."""
    return _encoder.encode(document)


def decode_document(data: bytes) -> Document:
    """A document as read back from the catalog."""
    return _decoder.decode(data)


def encode_asset(asset: Asset) -> bytes:
    """An asset's row body."""
    return _encoder.encode(asset)


def decode_asset(data: bytes) -> Asset:
    """An asset read back from the catalog."""
    return _asset_decoder.decode(data)


def alias_rows(document: Document) -> list[tuple[str, str, str]]:
    """The ``aliases`` rows of ``document`` (its claimed aliases only)."""
    return [(*alias_key(document.collection, alias), document.path) for alias in document.aliases]


def link_rows(document: Document) -> list[tuple[str, str]]:
    """The ``links`` rows of ``document``."""
    return [(document.path, target) for target in document.links]


def utc_text(moment: dt.datetime) -> str:
    """A fixed-width UTC timestamp that sorts as text."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def optional_utc_text(moment: dt.datetime | None) -> str | None:
    """``utc_text``, keeping ``None``."""
    return utc_text(moment) if moment is not None else None


def match_key(value: str) -> str:
    """What a filter value and a stored name are compared by: case and accents ignored."""
    return slugify(value) or fold(value)


def document_row(document: Document) -> tuple[Any, ...]:
    """The ``documents`` row of ``document``."""
    year_from, year_to = year_span(document)
    return (
        document.collection,
        document.slug,
        document.path,
        fold(document.title),
        utc_text(document.date),
        year_from,
        year_to,
        match_key(document.author) if document.author else None,
        optional_utc_text(public_from(document)),
        utc_text(last_change(document)),
        encode_document(document),
    )


DOCUMENT_COLUMNS = 11


def key_rows(document: Document) -> list[tuple[str, str, str, str, str]]:
    """The ``document_keys`` rows of ``document``: its tags, clients and kinds of work."""
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


class IndexState(msgspec.Struct, kw_only=True):
    """What an existing catalog holds, as far as deciding whether to rebuild goes."""

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
