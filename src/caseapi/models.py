"""The content model: the documents the loader produces, and what every package shares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import msgspec

# The consultancy's time zone: times without an offset are read, and all times shown, here.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

Collection = Literal["assignments", "posts"]
COLLECTIONS: tuple[Collection, ...] = ("assignments", "posts")
# What one document of a collection is called in API answers ("type") and search filters.
DocumentType = Literal["assignment", "post"]
DOCUMENT_TYPES: dict[Collection, DocumentType] = {"assignments": "assignment", "posts": "post"}
Language = Literal["nl", "en"]
Severity = Literal["error", "warning"]

YearMonth = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Period(msgspec.Struct, forbid_unknown_fields=True):
    """When an assignment ran, as year-months; no ``end`` means it is ongoing."""

    start: YearMonth
    end: YearMonth | None = None


class Publication(msgspec.Struct, forbid_unknown_fields=True):
    """A publication that came out of an assignment."""

    title: str
    url: str | None = None


class Section(msgspec.Struct, kw_only=True):
    """One ``##`` section of a body; text before the first heading has no heading."""

    heading: str | None
    id: str | None
    html: str
    text: str


class TocEntry(msgspec.Struct, kw_only=True):
    """A heading in the table of contents, with the headings below it."""

    id: str
    title: str
    level: int
    children: list[TocEntry]


class Cover(msgspec.Struct, kw_only=True):
    """A document's cover: a file inside the content folder or a web address."""

    src: str
    alt: str | None = None


class Document(msgspec.Struct, kw_only=True):
    """A served document of either collection, as stored in the catalog.

    One shape for both collections keeps the catalog and indexer simple; the
    API decides which fields each collection shows.
    """

    collection: Collection
    slug: str
    path: str
    title: str
    summary: str
    tags: list[str]
    date: dt.datetime
    updated: dt.datetime | None = None
    modified: dt.datetime
    lang: Language
    draft: bool
    publish_at: dt.datetime | None = None
    html: str
    text: str
    sections: list[Section]
    toc: list[TocEntry] = []
    reading_minutes: int = 1
    image: Cover | None = None
    # Paths inside the content folder that links, images and the cover point at.
    links: list[str] = []
    aliases: list[str] = []
    extra: dict[str, Any] = {}
    checksum: str
    # Assignments only.
    clients: list[str] = []
    period: Period | None = None
    work: list[str] = []
    contact: str | None = None
    publications: list[Publication] = []
    # Posts only.
    author: str | None = None


class Asset(msgspec.Struct, kw_only=True, frozen=True):
    """A servable file: where it is, what it is, and a digest of its exact bytes."""

    path: str
    media_type: str
    size: int
    digest: str
    width: int | None = None
    height: int | None = None
    # The widths of the resized copies kept beside it (``?w=``), once stored.
    widths: tuple[int, ...] = ()


class ContentProblem(msgspec.Struct, kw_only=True, omit_defaults=False):
    """Something wrong with a content file, written for the editor who has to fix it."""

    path: str
    line: int | None
    field: str | None
    message: str
    severity: Severity = "error"


class WordCount(msgspec.Struct, kw_only=True):
    """In how many documents a word occurs, and from when (scheduled posts) it is public."""

    documents: int
    visible_from: dt.datetime | None = None


class FileStamp(msgspec.Struct, frozen=True, array_like=True):
    """Size and modification time of an indexed file: enough to notice an edit."""

    size: int
    mtime_ns: int
