"""The Whoosh index on disk: its schema, and writing documents into it.

Each full build writes a fresh index folder (``index/search-<generation>``);
the catalog records which folder belongs to its generation, so readers switch
catalog and index together. Whoosh is only ever touched through this module
(writing) and ``search.py`` (reading).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec
from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.multiproc import MpWriter

from caseapi.models import AMSTERDAM, Document
from caseapi.search.analysis import dutch_analyzer, english_analyzer

# Field weights: a word in the title says more than one in the summary, which
# says more than one in the body. Tags, clients and kinds of work sit in
# "keywords", weighted like the summary.
TITLE_BOOST = 4.0
SUMMARY_BOOST = 2.0
KEYWORDS_BOOST = 2.0

DUTCH_FIELDS = ("title", "summary", "keywords", "body")
ENGLISH_FIELDS = ("title_en", "summary_en", "keywords", "body_en")
# How much text a hit keeps for snippets: enough for a good window, little to analyse.
SNIPPET_SOURCE_CHARS = 1600


class HitFacts(msgspec.Struct, array_like=True, frozen=True):
    """What a hit shows and filters on, stored beside each indexed document."""

    collection: str
    slug: str
    title: str
    date: str
    tags: tuple[str, ...]
    year_from: int
    year_to: int | None
    publish_at: float | None
    lang: str
    text: str


_facts_encoder = msgspec.msgpack.Encoder()
facts_decoder = msgspec.msgpack.Decoder(HitFacts)


def schema() -> Schema:
    """The index schema; analyzers are stored with it by Whoosh."""
    dutch = dutch_analyzer()
    english = english_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        facts=STORED(),
        title=TEXT(analyzer=dutch, field_boost=TITLE_BOOST),
        summary=TEXT(analyzer=dutch, field_boost=SUMMARY_BOOST),
        keywords=TEXT(analyzer=dutch, field_boost=KEYWORDS_BOOST),
        body=TEXT(analyzer=dutch),
        title_en=TEXT(analyzer=english, field_boost=TITLE_BOOST),
        summary_en=TEXT(analyzer=english, field_boost=SUMMARY_BOOST),
        body_en=TEXT(analyzer=english),
    )


def document_key(collection: str, slug: str) -> str:
    """The unique key of a document in the index."""
    return f"{collection}/{slug}"


def searchable(document: Document) -> bool:
    """Drafts never enter the index; scheduled posts do, hidden until their time."""
    return not document.draft


def index_fields(document: Document) -> dict[str, Any]:
    """The fields Whoosh stores and indexes for ``document``."""
    if document.period is not None:
        year_from = int(document.period.start[:4])
        year_to = int(document.period.end[:4]) if document.period.end else None
    else:
        year_from = year_to = document.date.astimezone(AMSTERDAM).year
    facts = HitFacts(
        collection=document.collection,
        slug=document.slug,
        title=document.title,
        date=document.date.astimezone(AMSTERDAM).isoformat(),
        tags=tuple(document.tags),
        year_from=year_from,
        year_to=year_to,
        publish_at=document.publish_at.timestamp() if document.publish_at else None,
        lang=document.lang,
        text=_snippet_source(document),
    )
    # Who wrote or led it is searchable too: people look for "Henk Wedman".
    people = [name for name in (document.author, document.contact) if name]
    keywords = " ".join([*document.tags, *document.clients, *document.work, *people])
    suffix = "_en" if document.lang == "en" else ""
    return {
        "key": document_key(document.collection, document.slug),
        "facts": _facts_encoder.encode(facts),
        f"title{suffix}": document.title,
        f"summary{suffix}": document.summary,
        "keywords": keywords,
        f"body{suffix}": document.text,
    }


def _snippet_source(document: Document) -> str:
    """Summary and the start of the body, without saying the first paragraph twice."""
    body = document.text
    if " ".join(body[: len(document.summary) + 200].split()).startswith(document.summary):
        return body[:SNIPPET_SOURCE_CHARS]
    return f"{document.summary}\n{body}"[:SNIPPET_SOURCE_CHARS]


def build_search_index(directory: Path, documents: Iterable[Document], processes: int = 1) -> int:
    """Write a fresh index of ``documents`` into ``directory``; returns how many.

    With ``processes`` > 1 Whoosh analyses and writes in that many processes, each
    its own segment (no merge at the end: readers search segments side by side).
    Whoosh forks them; the children only write their segment and exit.
    """
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    index = whoosh_index.create_in(str(directory), schema())
    writer: Any
    if processes > 1:
        writer = MpWriter(index, procs=processes, limitmb=512, multisegment=True)
    else:
        # A pool this size sorts postings in memory at 10,000 documents (smaller pools
        # spill sorted runs to disk and merge them back, a fifth of the build time).
        writer = index.writer(limitmb=1024)
    count = 0
    for document in documents:
        if searchable(document):
            writer.add_document(**index_fields(document))
            count += 1
    writer.commit()
    return count


def update_search_index(
    directory: Path, documents: Iterable[Document], removed_keys: Iterable[str]
) -> None:
    """Change an existing index in place: Whoosh commits atomically, readers reopen it."""
    index = whoosh_index.open_dir(str(directory))
    writer = index.writer(limitmb=64)
    try:
        for key in removed_keys:
            writer.delete_by_term("key", key)
        for document in documents:
            if searchable(document):
                writer.update_document(**index_fields(document))
            else:
                writer.delete_by_term("key", document_key(document.collection, document.slug))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    index.close()


def search_index_exists(directory: Path) -> bool:
    """True when ``directory`` holds a committed Whoosh index that can be opened."""
    try:
        return directory.is_dir() and bool(whoosh_index.exists_in(str(directory)))
    except Exception:  # a damaged table of contents raises instead of answering
        return False


def remove_stale_indexes(index_dir: Path, keep: Iterable[str]) -> None:
    """Delete search folders of older generations (readers keep theirs open)."""
    kept = set(keep)
    for folder in index_dir.glob("search-*"):
        if folder.name not in kept and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def remove_unfinished_indexes(index_dir: Path, current: str) -> None:
    """Delete search folders of builds that never finished (killed before their commit).

    Their numbers are above the current folder's: every finished build named its
    folder after a generation the catalog then committed. Only call this holding
    the write lock, so that no build is writing one of them right now.
    """
    newest = _folder_number(current)
    for folder in index_dir.glob("search-*"):
        number = _folder_number(folder.name)
        if newest is not None and number is not None and number > newest and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def _folder_number(name: str) -> int | None:
    _, _, number = name.partition("search-")
    return int(number) if number.isdigit() else None


def search_folder_name(generation: int) -> str:
    """The folder of a generation's index, relative to the index folder."""
    return f"search-{generation}"


def now_timestamp() -> float:
    """Seconds since the epoch, for comparing with ``HitFacts.publish_at``."""
    return dt.datetime.now(dt.UTC).timestamp()
