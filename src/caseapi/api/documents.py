"""Documents from the catalog -> API shapes of each collection, with absolute URLs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caseapi.api.http.conditional import http_date
from caseapi.api.schemas import (
    AssignmentDetail,
    AssignmentItem,
    CoverImage,
    Neighbour,
    PostDetail,
    PostItem,
)
from caseapi.api.urls import ContentUrls
from caseapi.models import AMSTERDAM, Document, Section
from caseapi.publication import document_url


def local(moment: dt.datetime) -> dt.datetime:
    """Times are shown in Amsterdam, with their offset (the catalog stores UTC)."""
    return moment.astimezone(AMSTERDAM)


def last_modified_header(document: Document) -> dict[str, str]:
    """``Last-Modified`` of a document's own page: its file's change, or its publication."""
    changed = max(filter(None, (document.modified, document.publish_at)))
    return {"Last-Modified": http_date(changed)}


def cover_image(document: Document, urls: ContentUrls) -> CoverImage | None:
    """The cover, with its size and type when it is a file in the content folder."""
    found = urls.cover(document.image)
    if found is None or document.image is None:
        return None
    url, asset = found
    return CoverImage(
        url=url,
        alt=document.image.alt,
        width=asset.width if asset else None,
        height=asset.height if asset else None,
        type=asset.media_type if asset else None,
    )


def _common_fields(document: Document, urls: ContentUrls) -> dict[str, Any]:
    return {
        "slug": document.slug,
        "url": document_url(urls.base_url, document.collection, document.slug),
        "title": document.title,
        "summary": document.summary,
        "tags": document.tags,
        "date": local(document.date),
        "lang": document.lang,
        "image": cover_image(document, urls),
    }


def assignment_fields(document: Document, urls: ContentUrls) -> dict[str, Any]:
    """Every list field of an assignment."""
    return {
        "type": "assignment",
        **_common_fields(document, urls),
        "clients": document.clients,
        "period": document.period,
        "work": document.work,
        "contact": document.contact,
    }


def post_fields(document: Document, urls: ContentUrls) -> dict[str, Any]:
    """Every list field of a post."""
    return {
        "type": "post",
        **_common_fields(document, urls),
        "author": document.author,
        "updated": local(document.updated) if document.updated else None,
    }


def assignment_item(
    document: Document, urls: ContentUrls, fields: frozenset[str] | None
) -> AssignmentItem:
    """An assignment for a list, with only ``fields`` when given."""
    values = assignment_fields(document, urls)
    if fields is not None:
        values = {key: value for key, value in values.items() if key in fields}
    return AssignmentItem(**values)


def post_item(document: Document, urls: ContentUrls, fields: frozenset[str] | None) -> PostItem:
    """A post for a list, with only ``fields`` when given."""
    values = post_fields(document, urls)
    if fields is not None:
        values = {key: value for key, value in values.items() if key in fields}
    return PostItem(**values)


class Neighbours:
    """The next newer and older public documents of a document's collection."""

    def __init__(self, newer: Document | None, older: Document | None) -> None:
        self.newer = newer
        self.older = older

    def fields(self, urls: ContentUrls) -> dict[str, Any]:
        return {"newer": _neighbour(self.newer, urls), "older": _neighbour(self.older, urls)}


def _neighbour(document: Document | None, urls: ContentUrls) -> Neighbour | None:
    if document is None:
        return None
    return Neighbour(
        slug=document.slug,
        title=document.title,
        url=document_url(urls.base_url, document.collection, document.slug),
        date=local(document.date),
    )


def _body_fields(document: Document, urls: ContentUrls) -> dict[str, Any]:
    # The body is its sections one after the other: their links are made absolute once.
    sections = [
        Section(heading=s.heading, id=s.id, html=urls.html(s.html), text=s.text)
        for s in document.sections
    ]
    return {
        "modified": local(document.modified),
        "html": "".join(section.html for section in sections),
        "text": document.text,
        "sections": sections,
        "reading_minutes": document.reading_minutes,
        "toc": document.toc,
        "extra": document.extra,
    }


def assignment_detail(
    document: Document, urls: ContentUrls, neighbours: Neighbours
) -> AssignmentDetail:
    """Everything about one assignment."""
    return AssignmentDetail(
        **assignment_fields(document, urls),
        publications=document.publications,
        **_body_fields(document, urls),
        **neighbours.fields(urls),
    )


def post_detail(document: Document, urls: ContentUrls, neighbours: Neighbours) -> PostDetail:
    """Everything about one post."""
    return PostDetail(
        **post_fields(document, urls), **_body_fields(document, urls), **neighbours.fields(urls)
    )
