"""Response shapes of the API, as msgspec Structs (they also drive the OpenAPI schema).

List items make every field optional (``UNSET``) because ``fields=`` lets a client
choose which ones come back; a field left out is absent, not ``null``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from caseapi.catalog.interface import TagCount
from caseapi.models import ContentProblem, Language, Period, Publication, Section, TocEntry


class PageMeta(msgspec.Struct, kw_only=True):
    """Pagination of a list: page numbers, not cursors (content sets are small)."""

    page: int
    limit: int
    pages: int
    total: int
    next: int | None
    prev: int | None


class CoverImage(msgspec.Struct, kw_only=True):
    """A document's cover image: ``image:`` and ``image_alt:`` in its front matter."""

    url: str
    alt: str | None
    # Known for images in the content folder, so a page can reserve the space.
    width: int | None
    height: int | None
    type: str | None


class Neighbour(msgspec.Struct, kw_only=True):
    """The next newer or older public document of the same collection."""

    slug: str
    title: str
    url: str
    date: dt.datetime


class AssignmentItem(msgspec.Struct, kw_only=True):
    """An assignment in a list."""

    type: Literal["assignment"] | UnsetType = UNSET
    slug: str | UnsetType = UNSET
    url: str | UnsetType = UNSET
    title: str | UnsetType = UNSET
    summary: str | UnsetType = UNSET
    clients: list[str] | UnsetType = UNSET
    period: Period | UnsetType | None = UNSET
    work: list[str] | UnsetType = UNSET
    contact: str | UnsetType | None = UNSET
    tags: list[str] | UnsetType = UNSET
    date: dt.datetime | UnsetType = UNSET
    lang: Language | UnsetType = UNSET
    image: CoverImage | UnsetType | None = UNSET


class PostItem(msgspec.Struct, kw_only=True):
    """A post in a list."""

    type: Literal["post"] | UnsetType = UNSET
    slug: str | UnsetType = UNSET
    url: str | UnsetType = UNSET
    title: str | UnsetType = UNSET
    summary: str | UnsetType = UNSET
    author: str | UnsetType | None = UNSET
    tags: list[str] | UnsetType = UNSET
    date: dt.datetime | UnsetType = UNSET
    updated: dt.datetime | UnsetType | None = UNSET
    lang: Language | UnsetType = UNSET
    image: CoverImage | UnsetType | None = UNSET


class AssignmentPage(msgspec.Struct, kw_only=True):
    """``GET /assignments``."""

    data: list[AssignmentItem]
    meta: PageMeta


class PostPage(msgspec.Struct, kw_only=True):
    """``GET /posts``."""

    data: list[PostItem]
    meta: PageMeta


class AssignmentDetail(msgspec.Struct, kw_only=True):
    """``GET /assignments/{slug}``: everything about one assignment."""

    type: Literal["assignment"]
    slug: str
    url: str
    title: str
    summary: str
    clients: list[str]
    period: Period | None
    work: list[str]
    contact: str | None
    publications: list[Publication]
    tags: list[str]
    date: dt.datetime
    modified: dt.datetime
    lang: Language
    html: str
    text: str
    sections: list[Section]
    image: CoverImage | None
    reading_minutes: int
    toc: list[TocEntry]
    newer: Neighbour | None
    older: Neighbour | None
    extra: dict[str, Any]


class PostDetail(msgspec.Struct, kw_only=True):
    """``GET /posts/{slug}``: everything about one post."""

    type: Literal["post"]
    slug: str
    url: str
    title: str
    summary: str
    author: str | None
    tags: list[str]
    date: dt.datetime
    updated: dt.datetime | None
    modified: dt.datetime
    lang: Language
    html: str
    text: str
    sections: list[Section]
    image: CoverImage | None
    reading_minutes: int
    toc: list[TocEntry]
    newer: Neighbour | None
    older: Neighbour | None
    extra: dict[str, Any]


class TagList(msgspec.Struct, kw_only=True):
    """``GET /tags``."""

    data: list[TagCount]


class DocumentCounts(msgspec.Struct, kw_only=True):
    """Public documents per collection."""

    assignments: int
    posts: int


class Health(msgspec.Struct, kw_only=True):
    """``GET /health``."""

    status: Literal["ok"]
    documents: DocumentCounts
    generation: int
    last_change: dt.datetime
    content_errors: int
    content_warnings: int


class ContentErrorList(msgspec.Struct, kw_only=True):
    """``GET /content-errors``: every problem in the content folder."""

    data: list[ContentProblem]
    errors: int
    warnings: int


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An RFC 9457 problem details body."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None
