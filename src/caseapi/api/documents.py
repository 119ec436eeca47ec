"""Documents from the catalog -> API shapes of each collection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caseapi.api.http.conditional import http_date
from caseapi.api.schemas import AssignmentDetail, AssignmentItem, PostDetail, PostItem
from caseapi.models import AMSTERDAM, Document
from caseapi.publication import document_url


def local(moment: dt.datetime) -> dt.datetime:
    """Times are shown in Amsterdam, with their offset (the catalog stores UTC)."""
    return moment.astimezone(AMSTERDAM)


def last_modified_header(document: Document) -> dict[str, str]:
    """``Last-Modified`` of a document's own page: its file's change, or its publication."""
    changed = max(filter(None, (document.modified, document.publish_at)))
    return {"Last-Modified": http_date(changed)}


def assignment_fields(document: Document, base_url: str) -> dict[str, Any]:
    """Every list field of an assignment."""
    return {
        "type": "assignment",
        "slug": document.slug,
        "url": document_url(base_url, document.collection, document.slug),
        "title": document.title,
        "summary": document.summary,
        "clients": document.clients,
        "period": document.period,
        "work": document.work,
        "contact": document.contact,
        "tags": document.tags,
        "date": local(document.date),
        "lang": document.lang,
    }


def post_fields(document: Document, base_url: str) -> dict[str, Any]:
    """Every list field of a post."""
    return {
        "type": "post",
        "slug": document.slug,
        "url": document_url(base_url, document.collection, document.slug),
        "title": document.title,
        "summary": document.summary,
        "author": document.author,
        "tags": document.tags,
        "date": local(document.date),
        "updated": local(document.updated) if document.updated else None,
        "lang": document.lang,
    }


def assignment_item(
    document: Document, base_url: str, fields: frozenset[str] | None
) -> AssignmentItem:
    """An assignment for a list, with only ``fields`` when given."""
    values = assignment_fields(document, base_url)
    if fields is not None:
        values = {key: value for key, value in values.items() if key in fields}
    return AssignmentItem(**values)


def post_item(document: Document, base_url: str, fields: frozenset[str] | None) -> PostItem:
    """A post for a list, with only ``fields`` when given."""
    values = post_fields(document, base_url)
    if fields is not None:
        values = {key: value for key, value in values.items() if key in fields}
    return PostItem(**values)


def _body_fields(document: Document) -> dict[str, Any]:
    return {
        "modified": local(document.modified),
        "html": document.html,
        "text": document.text,
        "sections": document.sections,
        "extra": document.extra,
    }


def assignment_detail(document: Document, base_url: str) -> AssignmentDetail:
    """Everything about one assignment."""
    return AssignmentDetail(
        **assignment_fields(document, base_url),
        publications=document.publications,
        **_body_fields(document),
    )


def post_detail(document: Document, base_url: str) -> PostDetail:
    """Everything about one post."""
    return PostDetail(**post_fields(document, base_url), **_body_fields(document))
