"""The peer engines, built from the same corpus: SQLite FTS5 (also served by Datasette), tantivy.

Both index title, summary, tags and body of every public document, with their own
tokenizers (FTS5: unicode61 with accents removed; tantivy: its default, lowercase).
Neither stems Dutch nor corrects typos, so they do less than caseapi: they are the
"what an embedded index costs" reference, not an equal.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import tantivy

FIELDS = ("title", "summary", "tags", "body")


def build_sqlite(documents: list[dict[str, str]], path: Path) -> None:
    """A SQLite file with a ``documents`` table and an FTS5 index Datasette finds by itself."""
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE documents (id INTEGER PRIMARY KEY, type TEXT, slug TEXT, "
            "title TEXT, summary TEXT, tags TEXT, body TEXT)"
        )
        # content="documents": Datasette's detect_fts() looks for exactly this spelling.
        db.execute(
            "CREATE VIRTUAL TABLE documents_fts USING fts5(title, summary, tags, body, "
            'content="documents", content_rowid="id", tokenize="unicode61 remove_diacritics 2")'
        )
        db.executemany(
            "INSERT INTO documents (type, slug, title, summary, tags, body) "
            "VALUES (:type, :slug, :title, :summary, :tags, :body)",
            documents,
        )
        db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")
        db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('optimize')")
    with sqlite3.connect(path) as db:
        db.execute("VACUUM")


def fts_query(text: str) -> str:
    """All words must match, each quoted (what Datasette's escape_fts does too)."""
    return " ".join('"' + word.replace('"', "") + '"' for word in text.split())


class Fts5Search:
    """Top hits by bm25 with a snippet, and the total: what a search page needs."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)

    def __call__(self, text: str, limit: int = 10) -> int:
        match = fts_query(text)
        rows = self.db.execute(
            "SELECT d.type, d.slug, d.title,"
            " snippet(documents_fts, 3, '<mark>', '</mark>', '…', 20)"
            " FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
            " WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?",
            (match, limit),
        ).fetchall()
        (total,) = self.db.execute(
            "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", (match,)
        ).fetchone()
        assert len(rows) <= total
        return int(total)


def build_tantivy(documents: list[dict[str, str]], folder: Path) -> tantivy.Index:
    """A tantivy index of the same documents (stored: type, slug, title)."""
    builder = tantivy.SchemaBuilder()
    for name in ("type", "slug"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    for name in FIELDS:
        builder.add_text_field(name, stored=name == "title")
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(builder.build(), path=str(folder))
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    for document in documents:
        writer.add_document(tantivy.Document(**document))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index


class TantivySearch:
    """Top hits by BM25 with stored fields, and the total."""

    def __init__(self, index: tantivy.Index) -> None:
        self.index = index
        self.searcher = index.searcher()

    def __call__(self, text: str, limit: int = 10) -> int:
        words = " ".join("+" + word for word in text.split())
        query = self.index.parse_query(words, list(FIELDS))
        result = self.searcher.search(query, limit, count=True)
        for _, address in result.hits:
            self.searcher.doc(address)
        return int(result.count or 0)
