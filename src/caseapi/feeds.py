"""Feeds of recent documents: JSON Feed 1.1, Atom (RFC 4287) and RSS 2.0, as bytes.

Pure functions: the caller picks the documents (public, newest first) and
describes the feed; this module only writes each format. XML is built with
ElementTree so that every value is escaped by the serializer, never by hand.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from email.utils import format_datetime
from typing import Literal, Protocol

import msgspec
from msgspec import UNSET, UnsetType

from caseapi.models import AMSTERDAM, Asset, Cover, Document
from caseapi.publication import document_url, last_change

FeedFormat = Literal["json", "atom", "rss"]
FEED_FORMATS: tuple[FeedFormat, ...] = ("json", "atom", "rss")
MEDIA_TYPES: dict[FeedFormat, str] = {
    "json": "application/feed+json",
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
}

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GENERATOR = "caseapi"

# ElementTree names prefixes from a process-wide map; without these it writes ns0:, ns1:,
# which is valid XML but not what RSS readers' authors test against.
ET.register_namespace("atom", ATOM)
ET.register_namespace("content", CONTENT)
ET.register_namespace("dc", DUBLIN_CORE)

# Atom requires <updated> even on a feed that has no entries (yet): a fixed moment keeps
# the bytes, and so the ETag, of an empty feed stable.
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# Characters XML 1.0 cannot carry, not even escaped; one would make the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class FeedInfo(msgspec.Struct, kw_only=True, frozen=True):
    """What a feed says about itself; every URL is absolute."""

    title: str
    description: str
    # The frontend page the feed belongs to.
    home_page_url: str
    # The feed's identity: its first page, which stays the same from page to page.
    feed_url: str
    # The address of this page of the feed (rel="self").
    self_url: str
    next_url: str | None = None
    # Where the frontend shows documents: ``{base_url}/{collection}/{slug}``.
    base_url: str
    # The feed's author, and the author of every item that names none.
    site_name: str
    language: str = "nl"


class Links(Protocol):
    """How stored links become URLs (``api/urls.ContentUrls``): HTML, and covers."""

    def html(self, html: str) -> str: ...

    def cover(self, cover: Cover | None) -> tuple[str, Asset | None] | None: ...


class JsonFeedAuthor(msgspec.Struct, kw_only=True):
    """A JSON Feed author object."""

    name: str


class JsonFeedItem(msgspec.Struct, kw_only=True):
    """One item of a JSON Feed 1.1."""

    id: str
    url: str
    title: str
    content_html: str
    summary: str
    image: str | UnsetType = UNSET
    date_published: str
    date_modified: str
    authors: list[JsonFeedAuthor]
    tags: list[str]
    language: str


class JsonFeed(msgspec.Struct, kw_only=True):
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1); ``version`` comes first."""

    version: str = JSON_FEED_VERSION
    title: str
    home_page_url: str
    feed_url: str
    description: str
    next_url: str | UnsetType = UNSET
    authors: list[JsonFeedAuthor]
    language: str
    items: list[JsonFeedItem]


_json_encoder = msgspec.json.Encoder()


def item_url(base_url: str, document: Document) -> str:
    """The frontend URL of ``document``; also its feed id, which an edit never changes."""
    return document_url(base_url, document.collection, document.slug)


def newest_change(documents: Sequence[Document]) -> dt.datetime | None:
    """The latest change of any of ``documents``; ``None`` when there are none."""
    return max((last_change(document) for document in documents), default=None)


def author_name(document: Document, site_name: str) -> str:
    """A post's author or an assignment's contact person, else the site itself."""
    person = document.author if document.collection == "posts" else document.contact
    return person or site_name


def rfc3339(moment: dt.datetime) -> str:
    """RFC 3339 in Amsterdam time with its offset, to the second."""
    return moment.astimezone(AMSTERDAM).replace(microsecond=0).isoformat()


def rfc822(moment: dt.datetime) -> str:
    """The RFC 822 date RSS 2.0 requires, in Amsterdam time with its offset."""
    return format_datetime(moment.astimezone(AMSTERDAM).replace(microsecond=0))


def render_feed(
    feed_format: FeedFormat, documents: Sequence[Document], info: FeedInfo, links: Links
) -> bytes:
    """``documents`` as a feed in ``feed_format``; their links made absolute by ``links``."""
    if feed_format == "json":
        return json_feed(documents, info, links)
    if feed_format == "atom":
        return atom_feed(documents, info, links)
    return rss_feed(documents, info, links)


def json_feed(documents: Sequence[Document], info: FeedInfo, links: Links) -> bytes:
    """JSON Feed 1.1."""
    feed = JsonFeed(
        title=info.title,
        home_page_url=info.home_page_url,
        feed_url=info.feed_url,
        description=info.description,
        next_url=info.next_url if info.next_url is not None else UNSET,
        authors=[JsonFeedAuthor(name=info.site_name)],
        language=info.language,
        items=[
            JsonFeedItem(
                id=item_url(info.base_url, document),
                url=item_url(info.base_url, document),
                title=document.title,
                content_html=links.html(document.html),
                summary=document.summary,
                image=_cover_url(document, links),
                date_published=rfc3339(document.date),
                date_modified=rfc3339(last_change(document)),
                authors=[JsonFeedAuthor(name=author_name(document, info.site_name))],
                tags=list(document.tags),
                language=document.lang,
            )
            for document in documents
        ],
    )
    return _json_encoder.encode(feed)


def atom_feed(documents: Sequence[Document], info: FeedInfo, links: Links) -> bytes:
    """Atom (RFC 4287)."""
    # Unprefixed Atom elements: the namespace is declared as the default one on the root.
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: info.language})
    _add(feed, "id", info.feed_url)
    _add(feed, "title", info.title, type="text")
    _add(feed, "subtitle", info.description, type="text")
    _add(feed, "link", rel="alternate", type="text/html", href=info.home_page_url)
    _add(feed, "link", rel="self", type=MEDIA_TYPES["atom"], href=info.self_url)
    if info.next_url is not None:
        # RFC 5005 paging, the Atom counterpart of JSON Feed's next_url.
        _add(feed, "link", rel="next", type=MEDIA_TYPES["atom"], href=info.next_url)
    _add(feed, "updated", rfc3339(newest_change(documents) or NEVER))
    author = _add(feed, "author")
    _add(author, "name", info.site_name)
    _add(author, "uri", info.home_page_url)
    _add(feed, "generator", GENERATOR)
    for document in documents:
        url = item_url(info.base_url, document)
        entry = _add(feed, "entry", **{XML_LANG: document.lang})
        _add(entry, "id", url)
        _add(entry, "title", document.title, type="text")
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        enclosure = _enclosure(document, links)
        if enclosure is not None:
            _add(entry, "link", rel="enclosure", **enclosure)
        _add(entry, "published", rfc3339(document.date))
        _add(entry, "updated", rfc3339(last_change(document)))
        entry_author = _add(entry, "author")
        _add(entry_author, "name", author_name(document, info.site_name))
        for tag in document.tags:
            _add(entry, "category", term=tag)
        _add(entry, "summary", document.summary, type="text")
        _add(entry, "content", links.html(document.html), type="html")
    return _serialize(feed)


def rss_feed(documents: Sequence[Document], info: FeedInfo, links: Links) -> bytes:
    """RSS 2.0, with the usual content:encoded, dc:creator and atom:link extensions."""
    rss = ET.Element("rss", version="2.0")
    channel = _add(rss, "channel")
    _add(channel, "title", info.title)
    _add(channel, "link", info.home_page_url)
    _add(channel, "description", info.description)
    _add(channel, "language", info.language)
    _add(channel, f"{{{ATOM}}}link", rel="self", type=MEDIA_TYPES["rss"], href=info.self_url)
    if info.next_url is not None:
        _add(channel, f"{{{ATOM}}}link", rel="next", type=MEDIA_TYPES["rss"], href=info.next_url)
    newest = newest_change(documents)
    if newest is not None:
        _add(channel, "lastBuildDate", rfc822(newest))
    _add(channel, "generator", GENERATOR)
    for document in documents:
        url = item_url(info.base_url, document)
        item = _add(channel, "item")
        _add(item, "title", document.title)
        _add(item, "link", url)
        _add(item, "guid", url, isPermaLink="true")
        _add(item, "pubDate", rfc822(document.date))
        _add(item, f"{{{DUBLIN_CORE}}}creator", author_name(document, info.site_name))
        for tag in document.tags:
            _add(item, "category", tag)
        # RSS reads <description> as HTML: the plain-text summary is escaped once for HTML
        # here, and once more for XML by the serializer.
        _add(item, "description", html.escape(document.summary, quote=False))
        _add(item, f"{{{CONTENT}}}encoded", links.html(document.html))
        enclosure = _enclosure(document, links)
        if enclosure is not None:
            _add(
                item,
                "enclosure",
                url=enclosure["href"],
                length=enclosure["length"],
                type=enclosure["type"],
            )
    return _serialize(rss)


def _cover_url(document: Document, links: Links) -> str | UnsetType:
    found = links.cover(document.image)
    return found[0] if found is not None else UNSET


def _enclosure(document: Document, links: Links) -> dict[str, str] | None:
    """A cover in the content folder as an enclosure; RSS needs its type and length."""
    found = links.cover(document.image)
    asset = found[1] if found is not None else None
    if found is None or asset is None:
        return None
    return {"href": found[0], "type": asset.media_type, "length": str(asset.size)}


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {key: _xml_safe(value) for key, value in attributes.items()}
    )
    if text is not None:
        element.text = _xml_safe(text)
    return element


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _serialize(root: ET.Element) -> bytes:
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
