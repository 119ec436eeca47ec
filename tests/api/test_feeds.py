"""``/feeds/*``: JSON Feed 1.1, Atom and RSS 2.0 that readers accept, over the real app.

feedparser (the parser behind many readers and integrations) reads the Atom and
RSS feeds; its released versions cannot read JSON Feed, so JSON feeds are held
to the JSON Feed 1.1 schema in ``tests/data`` and decoded strictly instead.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import httpx
import jsonschema
import msgspec
import pytest
from litestar.testing import TestClient

from caseapi.api.app import create_app
from caseapi.api.http.conditional import http_date
from caseapi.cli import openapi_json
from caseapi.feeds import MEDIA_TYPES, FeedFormat, JsonFeed
from caseapi.settings import Settings
from tests.api_helpers import Serve, assert_problem
from tests.conftest import ContentFolder
from tests.paths import DATA, ROOT

SCHEMA = json.loads((DATA / "jsonfeed-1.1.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

NAMES = ("posts", "assignments", "all")
FORMATS: tuple[FeedFormat, ...] = ("json", "atom", "rss")
XML_FORMATS: tuple[FeedFormat, ...] = ("atom", "rss")
SITE = "https://www.example.nl"
API = "https://api.example.nl"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339_AMSTERDAM = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00")


def write_post(
    content: ContentFolder,
    slug: str,
    *,
    title: str | None = None,
    date: str = "2024-05-01",
    author: str | None = "Henk Wedman",
    tags: str = "[actieonderzoek]",
    more: str = "",
    body: str = "Eerste alinea van het bericht.\n\n## Meer\n\nTweede alinea.\n",
) -> Path:
    """A post whose front matter the test controls field by field."""
    lines = ["---", f"title: {title or slug.replace('-', ' ').capitalize()}", f"date: {date}"]
    lines.append(f"tags: {tags}")
    if author is not None:
        lines.append(f"author: {author}")
    lines.extend(line for line in more.splitlines() if line)
    lines.append("---")
    return content.write(f"posts/{slug}.md", "\n".join(lines) + "\n" + body)


def write_assignment_without_contact(content: ContentFolder, slug: str) -> Path:
    return content.write(
        f"assignments/{slug}.md",
        """\
        ---
        title: Zonder contactpersoon
        summary: Een opdracht zonder contactpersoon.
        clients: [Gemeente Utrecht]
        period: {start: 2010-01, end: 2011-06}
        tags: [burgerparticipatie]
        ---
        ## Vraag

        Hoe betrek je bewoners?
        """,
    )


def touch(path: Path, moment: dt.datetime) -> None:
    """Give a content file a known modification time."""
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def get_feed(client: TestClient, name: str, feed_format: str, **params: Any) -> httpx.Response:
    """A feed that must answer 200 with its own media type."""
    response = client.get(f"/feeds/{name}.{feed_format}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPES[feed_format]  # type: ignore[index]
    return response


def read_json_feed(response: httpx.Response) -> dict[str, Any]:
    """A JSON feed, valid against the JSON Feed 1.1 schema and our Structs."""
    body: dict[str, Any] = response.json()
    errors = [error.message for error in VALIDATOR.iter_errors(body)]
    assert not errors, errors
    msgspec.json.decode(response.content, type=JsonFeed, strict=True)
    return body


def read_xml_feed(response: httpx.Response) -> Any:
    """An Atom or RSS feed as feedparser reads it: it must not complain (no bozo)."""
    parsed = feedparser.parse(
        response.content, response_headers={"content-type": response.headers["content-type"]}
    )
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def item_ids(response: httpx.Response, feed_format: str) -> list[str]:
    if feed_format == "json":
        return [item["id"] for item in read_json_feed(response)["items"]]
    return [entry.id for entry in read_xml_feed(response).entries]


def item_titles(response: httpx.Response, feed_format: str) -> list[str]:
    if feed_format == "json":
        return [item["title"] for item in read_json_feed(response)["items"]]
    return [entry.title for entry in read_xml_feed(response).entries]


def xml_entries(response: httpx.Response, feed_format: str) -> list[ET.Element]:
    root = ET.fromstring(response.content)
    if feed_format == "atom":
        return root.findall(f"{ATOM}entry")
    return root.findall("channel/item")


@pytest.fixture
def site(content: ContentFolder) -> ContentFolder:
    """Posts and assignments, with a draft and a scheduled post of each kind that must not leak."""
    write_post(content, "actieonderzoek-uitgelegd", tags="[actieonderzoek, gedeeld]")
    write_post(content, "winterbericht", date="2024-01-15T09:30:00", author=None, tags="[winter]")
    write_post(content, "english-post", date="2023-06-01", more="lang: en")
    content.assignment("vraaggestuurde-professionaliteit", tags="vraagsturing, gedeeld")
    write_assignment_without_contact(content, "zonder-contact")
    write_post(content, "concept", title="Geheim concept", more="draft: true")
    write_post(
        content,
        "gepland",
        title="Gepland bericht",
        date="2024-06-01",
        more="publish_at: 2999-01-01T09:00:00+01:00",
    )
    content.write(
        "assignments/geheime-opdracht.md",
        """\
        ---
        title: Geheime opdracht
        summary: Nog niet af.
        clients: [Geheim]
        draft: true
        ---
        Tekst.
        """,
    )
    return content


POSTS = [
    f"{SITE}/posts/actieonderzoek-uitgelegd",
    f"{SITE}/posts/winterbericht",
    f"{SITE}/posts/english-post",
]
ASSIGNMENTS = [
    f"{SITE}/assignments/zonder-contact",
    f"{SITE}/assignments/vraaggestuurde-professionaliteit",
]
EXPECTED_IDS = {"posts": POSTS, "assignments": ASSIGNMENTS, "all": POSTS + ASSIGNMENTS}


# --- every feed is read by real parsers -------------------------------------------------------


@pytest.mark.parametrize("feed_format", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_every_feed_is_accepted_newest_first(
    site: ContentFolder, serve: Serve, name: str, feed_format: str
) -> None:
    response = get_feed(serve(), name, feed_format)
    assert item_ids(response, feed_format) == EXPECTED_IDS[name]


@pytest.mark.parametrize("feed_format", XML_FORMATS)
def test_feedparser_recognises_the_format(
    site: ContentFolder, serve: Serve, feed_format: str
) -> None:
    parsed = read_xml_feed(get_feed(serve(), "posts", feed_format))
    assert parsed.version == {"atom": "atom10", "rss": "rss20"}[feed_format]


@pytest.mark.parametrize("name", NAMES)
def test_json_feeds_are_valid_json_feed_1_1(site: ContentFolder, serve: Serve, name: str) -> None:
    client = serve()
    for params in ({}, {"tag": "gedeeld"}, {"tag": "bestaat-niet"}, {"page": 9}):
        body = read_json_feed(get_feed(client, name, "json", **params))
        assert body["version"] == "https://jsonfeed.org/version/1.1"
        assert next(iter(body)) == "version", "version should come first"


def test_the_schema_refuses_what_json_feed_forbids() -> None:
    """The schema in tests/data is not vacuous."""
    good = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Voorbeeld",
        "items": [
            {
                "id": "1",
                "content_html": "<p>Hallo</p>",
                "date_published": "2024-05-01T00:00:00+02:00",
            }
        ],
    }
    assert VALIDATOR.is_valid(good)
    assert VALIDATOR.is_valid({**good, "_caseapi": {"about": "extension"}})
    item = good["items"][0]  # type: ignore[index]
    bad_feeds = [
        {key: value for key, value in good.items() if key != "title"},
        {**good, "version": "https://jsonfeed.org/version/2"},
        {**good, "items": [{"id": "1"}]},
        {**good, "items": [{**item, "id": 1}]},
        {**good, "items": [{**item, "date_published": "01-05-2024"}]},
        {**good, "items": [{**item, "date_publish": "2024-05-01T00:00:00+02:00"}]},
        {**good, "authors": [{}]},
        {**good, "language": "Nederlands"},
    ]
    for bad in bad_feeds:
        assert not VALIDATOR.is_valid(bad), bad


# --- what a feed says about itself and its items ----------------------------------------------


def test_json_feed_metadata_and_items(site: ContentFolder, serve: Serve) -> None:
    client = serve()
    body = read_json_feed(get_feed(client, "posts", "json"))
    assert body["title"] == "caseapi: Berichten"
    assert body["home_page_url"] == SITE
    assert body["feed_url"] == f"{API}/feeds/posts.json"
    assert body["authors"] == [{"name": "caseapi"}]
    assert body["language"] == "nl"
    assert "next_url" not in body
    first = body["items"][0]
    detail = client.get("/posts/actieonderzoek-uitgelegd").json()
    assert first == {
        "id": f"{SITE}/posts/actieonderzoek-uitgelegd",
        "url": f"{SITE}/posts/actieonderzoek-uitgelegd",
        "title": "Actieonderzoek uitgelegd",
        "content_html": detail["html"],
        "summary": "Eerste alinea van het bericht.",
        "date_published": "2024-05-01T00:00:00+02:00",
        "date_modified": first["date_modified"],
        "authors": [{"name": "Henk Wedman"}],
        "tags": ["actieonderzoek", "gedeeld"],
        "language": "nl",
    }
    assert RFC3339_AMSTERDAM.fullmatch(first["date_modified"])


@pytest.mark.parametrize("feed_format", FORMATS)
def test_authors_fall_back_to_the_site_name(
    site: ContentFolder, serve: Serve, feed_format: str
) -> None:
    response = get_feed(serve(), "all", feed_format)
    if feed_format == "json":
        authors = [item["authors"][0]["name"] for item in read_json_feed(response)["items"]]
    else:
        authors = [entry.author for entry in read_xml_feed(response).entries]
    # Post with author, post without, English post; assignment without contact, with contact.
    assert authors == ["Henk Wedman", "caseapi", "Henk Wedman", "caseapi", "Henk Wedman"]


def test_atom_links_ids_and_languages(site: ContentFolder, serve: Serve) -> None:
    response = get_feed(serve(), "posts", "atom")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.get(XML_LANG) == "nl"
    assert root.findtext(f"{ATOM}id") == f"{API}/feeds/posts.atom"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"alternate": SITE, "self": f"{API}/feeds/posts.atom"}
    entries = root.findall(f"{ATOM}entry")
    assert [entry.get(XML_LANG) for entry in entries] == ["nl", "nl", "en"]
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == f"{SITE}/posts/actieonderzoek-uitgelegd"
    parsed = read_xml_feed(response)
    assert parsed.feed.title == "caseapi: Berichten"
    assert parsed.feed.language == "nl"
    assert [tag.term for tag in parsed.entries[0].tags] == ["actieonderzoek", "gedeeld"]


def test_rss_channel_and_items(site: ContentFolder, serve: Serve) -> None:
    response = get_feed(serve(), "assignments", "rss")
    channel = ET.fromstring(response.content).find("channel")
    assert channel is not None
    assert channel.findtext("link") == SITE
    assert channel.findtext("language") == "nl"
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == f"{API}/feeds/assignments.rss"
    item = channel.findall("item")[1]
    guid = item.find("guid")
    assert guid is not None
    assert guid.text == f"{SITE}/assignments/vraaggestuurde-professionaliteit"
    assert guid.get("isPermaLink") == "true"
    assert item.findtext(f"{DC}creator") == "Henk Wedman"
    assert [category.text for category in item.findall("category")] == [
        "vraagsturing",
        "gedeeld",
    ]
    parsed = read_xml_feed(response)
    assert parsed.feed.title == "caseapi: Uitgevoerde opdrachten"
    assert parsed.entries[1].link == f"{SITE}/assignments/vraaggestuurde-professionaliteit"


# --- escaping ---------------------------------------------------------------------------------

TITLE = 'Tom & Jerry <script>alert("x")</script> it\'s 🎉'
AUTHOR = "Jansen & Zn. <redactie> 🦆"
SUMMARY = 'Kort: a < b && "c" > d 🎉'


@pytest.fixture
def awkward(content: ContentFolder) -> ContentFolder:
    """A post with every character that can break a feed, in every field."""
    write_post(
        content,
        "lastige-tekens",
        title="'Tom & Jerry <script>alert(\"x\")</script> it''s 🎉'",
        author="'Jansen & Zn. <redactie> 🦆'",
        tags="['r&d', '<html>', '\"quotes\"']",
        more=f"summary: '{SUMMARY}'",
        body=(
            "Tekst met & en <em>nadruk</em>, \"aanhalingstekens\", 'apostrof' en 🎉.\n\n"
            "<script>alert(1)</script>\n\n"
            "Stuurtekens\x0bdie XML\x0cniet kent.\n"
        ),
    )
    return content


@pytest.mark.parametrize("feed_format", FORMATS)
def test_titles_and_bodies_are_escaped(
    awkward: ContentFolder, serve: Serve, feed_format: str
) -> None:
    client = serve()
    detail = client.get("/posts/lastige-tekens").json()
    assert detail["title"] == TITLE
    assert detail["summary"] == SUMMARY
    tags = ["r&d", "<html>", '"quotes"']
    response = get_feed(client, "posts", feed_format)
    assert "🎉".encode() in response.content
    if feed_format == "json":
        item = read_json_feed(response)["items"][0]
        assert item["title"] == TITLE
        assert item["summary"] == SUMMARY
        assert item["content_html"] == detail["html"]
        assert item["authors"] == [{"name": AUTHOR}]
        assert item["tags"] == tags
        return
    assert b"<script>" not in response.content
    assert b"&lt;script&gt;" in response.content
    # What readers show: feedparser reads back exactly what the editor wrote.
    entry = read_xml_feed(response).entries[0]
    assert entry.title == TITLE
    assert entry.author == AUTHOR
    assert [tag.term for tag in entry.tags] == tags
    # What the XML carries: the sanitised HTML, minus characters XML 1.0 cannot hold.
    expected_html = detail["html"].replace("\x0b", "").replace("\x0c", "")
    assert expected_html != detail["html"], "the body should reach the feed with its control chars"
    (element,) = xml_entries(response, feed_format)
    if feed_format == "atom":
        assert element.findtext(f"{ATOM}title") == TITLE
        assert element.findtext(f"{ATOM}summary") == SUMMARY
        assert element.findtext(f"{ATOM}content") == expected_html
        assert element.findtext(f"{ATOM}author/{ATOM}name") == AUTHOR
    else:
        assert element.findtext("title") == TITLE
        assert element.findtext("description") == html.escape(SUMMARY, quote=False)
        assert html.unescape(entry.summary) == SUMMARY
        assert element.findtext(f"{CONTENT}encoded") == expected_html
        assert element.findtext(f"{DC}creator") == AUTHOR


def test_a_tag_with_markup_is_escaped_in_the_feed_title(site: ContentFolder, serve: Serve) -> None:
    site.post("markup", tags="'<b>&</b>'")
    client = serve()
    for feed_format in XML_FORMATS:
        parsed = read_xml_feed(get_feed(client, "posts", feed_format, tag="<b>&</b>"))
        assert parsed.feed.title == "caseapi: Berichten (<b>&</b>)"
        assert [entry.id for entry in parsed.entries] == [f"{SITE}/posts/markup"]
    body = read_json_feed(get_feed(client, "posts", "json", tag="<b>&</b>"))
    assert body["feed_url"] == f"{API}/feeds/posts.json?tag=%3Cb%3E%26%3C%2Fb%3E"


# --- freshness, stable ids, visibility -------------------------------------------------------


def test_a_new_post_appears_first_in_every_format(site: ContentFolder, serve: Serve) -> None:
    before = serve()
    for feed_format in FORMATS:
        assert item_ids(get_feed(before, "posts", feed_format), feed_format) == POSTS
    write_post(site, "het-nieuwste-bericht", date="2024-11-20T08:00:00")
    after = serve()
    newest = f"{SITE}/posts/het-nieuwste-bericht"
    for feed_format in FORMATS:
        assert item_ids(get_feed(after, "posts", feed_format), feed_format) == [newest, *POSTS]
        assert item_ids(get_feed(after, "all", feed_format), feed_format)[0] == newest


def test_ids_stay_the_same_when_a_post_is_edited(site: ContentFolder, serve: Serve) -> None:
    before = serve()
    ids = {fmt: item_ids(get_feed(before, "all", fmt), fmt) for fmt in FORMATS}
    write_post(
        site,
        "actieonderzoek-uitgelegd",
        title="Actieonderzoek opnieuw uitgelegd",
        tags="[actieonderzoek, gedeeld]",
        body="Een heel andere eerste alinea.\n",
    )
    after = serve()
    for feed_format in FORMATS:
        response = get_feed(after, "all", feed_format)
        assert item_ids(response, feed_format) == ids[feed_format]
        assert item_titles(response, feed_format)[0] == "Actieonderzoek opnieuw uitgelegd"
    assert ids["json"] == ids["atom"] == ids["rss"] == EXPECTED_IDS["all"]


@pytest.mark.parametrize("feed_format", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_drafts_and_scheduled_documents_never_leak(
    site: ContentFolder, serve: Serve, name: str, feed_format: str
) -> None:
    client = serve()
    for params in ({}, {"tag": "actieonderzoek"}):
        response = get_feed(client, name, feed_format, **params)
        for secret in (b"concept", b"Geheim", b"gepland", b"Gepland", b"geheime-opdracht"):
            assert secret not in response.content


def test_a_post_whose_publish_time_has_passed_is_in_the_feed(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(content, "verschenen", more="publish_at: 2024-05-02T09:00:00+02:00")
    response = get_feed(serve(), "posts", "json")
    assert item_ids(response, "json") == [f"{SITE}/posts/verschenen"]


# --- ?tag= ------------------------------------------------------------------------------------


@pytest.mark.parametrize("feed_format", FORMATS)
def test_tag_narrows_every_feed(site: ContentFolder, serve: Serve, feed_format: str) -> None:
    client = serve()
    shared = [f"{SITE}/posts/actieonderzoek-uitgelegd", ASSIGNMENTS[1]]
    expected = {"posts": shared[:1], "assignments": shared[1:], "all": shared}
    for name in NAMES:
        # Case and accents are ignored, as in the list filters.
        for tag in ("gedeeld", "Gedeeld", "gedéeld"):
            response = get_feed(client, name, feed_format, tag=tag)
            assert item_ids(response, feed_format) == expected[name]
        assert item_ids(get_feed(client, name, feed_format, tag="onbekend"), feed_format) == []
        # "?tag=" with nothing is what a form sends for "any tag".
        everything = item_ids(get_feed(client, name, feed_format, tag=""), feed_format)
        assert everything == EXPECTED_IDS[name]


def test_a_tagged_feed_has_its_own_identity(site: ContentFolder, serve: Serve) -> None:
    client = serve()
    body = read_json_feed(get_feed(client, "all", "json", tag="gedeeld"))
    assert body["feed_url"] == f"{API}/feeds/all.json?tag=gedeeld"
    assert body["title"] == "caseapi: Berichten en uitgevoerde opdrachten (gedeeld)"
    root = ET.fromstring(get_feed(client, "all", "atom", tag="gedeeld").content)
    assert root.findtext(f"{ATOM}id") == f"{API}/feeds/all.atom?tag=gedeeld"


# --- dates ------------------------------------------------------------------------------------

SUMMER = dt.datetime(2024, 7, 1, 12, 0, 0, 654321, tzinfo=dt.UTC)
AUTUMN = dt.datetime(2024, 8, 1, 12, 0, tzinfo=dt.UTC)
SPRING = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def dated(content: ContentFolder) -> ContentFolder:
    """Files with known modification times; one post with a newer ``updated`` than its file."""
    touch(write_post(content, "zomer", date="2024-05-01"), SUMMER)
    touch(
        write_post(
            content, "winter", date="2024-01-15T09:30:00", more="updated: 2024-09-01T08:00:00"
        ),
        SPRING,
    )
    touch(content.assignment("opdracht"), AUTUMN)
    return content


def test_dates_are_rfc3339_with_the_amsterdam_offset(dated: ContentFolder, serve: Serve) -> None:
    client = serve()
    items = read_json_feed(get_feed(client, "all", "json"))["items"]
    assert [(item["date_published"], item["date_modified"]) for item in items] == [
        ("2024-05-01T00:00:00+02:00", "2024-07-01T14:00:00+02:00"),  # summer time, mtime
        ("2024-01-15T09:30:00+01:00", "2024-09-01T08:00:00+02:00"),  # winter time; updated
        ("2004-12-31T00:00:00+01:00", "2024-08-01T14:00:00+02:00"),  # assignment: period end
    ]
    entries = xml_entries(get_feed(client, "all", "atom"), "atom")
    assert [
        (entry.findtext(f"{ATOM}published"), entry.findtext(f"{ATOM}updated")) for entry in entries
    ] == [(item["date_published"], item["date_modified"]) for item in items]
    rss_items = xml_entries(get_feed(client, "all", "rss"), "rss")
    assert [item.findtext("pubDate") for item in rss_items] == [
        "Wed, 01 May 2024 00:00:00 +0200",
        "Mon, 15 Jan 2024 09:30:00 +0100",
        "Fri, 31 Dec 2004 00:00:00 +0100",
    ]


def test_feed_updated_is_the_newest_entry_change(dated: ContentFolder, serve: Serve) -> None:
    client = serve()
    expected = {"posts": "2024-09-01T08:00:00+02:00", "assignments": "2024-08-01T14:00:00+02:00"}
    for name, updated in expected.items():
        atom = get_feed(client, name, "atom")
        assert ET.fromstring(atom.content).findtext(f"{ATOM}updated") == updated
        changed = dt.datetime.fromisoformat(updated)
        # The HTTP Last-Modified is not the entries' date: the content's last change
        # (tests/api/http/test_caching.py shows why).
        assert parsedate_to_datetime(atom.headers["last-modified"]) > changed
        rss = get_feed(client, name, "rss")
        channel = ET.fromstring(rss.content).find("channel")
        assert channel is not None
        assert parsedate_to_datetime(channel.findtext("lastBuildDate") or "") == changed
        assert read_xml_feed(atom).feed.updated == updated


def test_an_empty_feed_is_still_valid(content: ContentFolder, serve: Serve) -> None:
    client = serve()
    for name in NAMES:
        for feed_format in FORMATS:
            response = get_feed(client, name, feed_format)
            assert item_ids(response, feed_format) == []
            assert "etag" in response.headers
            # No newest item to date it by: the moment the content last changed.
            assert parsedate_to_datetime(response.headers["last-modified"]) is not None


# --- paging -----------------------------------------------------------------------------------


@pytest.fixture
def five_posts(content: ContentFolder) -> list[str]:
    for month in range(1, 6):
        write_post(content, f"bericht-{month}", date=f"2024-0{month}-01", tags="[reeks]")
    return [f"{SITE}/posts/bericht-{month}" for month in range(5, 0, -1)]


def small_feeds(settings: Settings) -> TestClient:
    return TestClient(app=create_app(msgspec.structs.replace(settings, feed_size=2)))


@pytest.mark.parametrize("tag", [None, "reeks"])
def test_json_feed_next_url_pages_through_everything(
    five_posts: list[str], settings: Settings, tag: str | None
) -> None:
    first = f"{API}/feeds/posts.json" + (f"?tag={tag}" if tag else "")
    seen: list[str] = []
    next_urls: list[str] = []
    with small_feeds(settings) as client:
        url: str | None = first
        while url is not None:
            assert url.startswith(API)
            body = read_json_feed(client.get(url.removeprefix(API)))
            assert body["feed_url"] == first
            assert len(body["items"]) <= 2
            seen.extend(item["id"] for item in body["items"])
            url = body.get("next_url")
            if url is not None:
                assert url not in next_urls
                assert url != first
                next_urls.append(url)
    assert seen == five_posts
    separator = "&" if tag else "?"
    assert next_urls == [f"{first}{separator}page=2", f"{first}{separator}page=3"]


def test_atom_and_rss_link_to_the_next_page(five_posts: list[str], settings: Settings) -> None:
    with small_feeds(settings) as client:
        for feed_format, namespace in (("atom", ATOM), ("rss", ATOM)):
            for page, expected_next in ((1, "?page=2"), (2, "?page=3"), (3, None)):
                response = get_feed(client, "posts", feed_format, page=page)
                assert len(read_xml_feed(response).entries) == (1 if page == 3 else 2)
                root = ET.fromstring(response.content)
                links = {
                    link.get("rel"): link.get("href") for link in root.iter(f"{namespace}link")
                }
                base = f"{API}/feeds/posts.{feed_format}"
                assert links["self"] == (base if page == 1 else f"{base}?page={page}")
                assert links.get("next") == (f"{base}{expected_next}" if expected_next else None)


def test_a_page_past_the_end_is_empty_and_a_bad_page_is_a_problem(
    five_posts: list[str], serve: Serve
) -> None:
    client = serve()
    body = read_json_feed(get_feed(client, "posts", "json", page=2))
    assert body["items"] == []
    assert "next_url" not in body
    for bad in ("0", "-1", "twee", "10001"):
        assert_problem(client.get("/feeds/posts.atom", params={"page": bad}), 400)
    assert_problem(client.get("/feeds/posts.rss", params={"tag": "x" * 201}), 400)


def test_the_feed_size_defaults_to_twenty(content: ContentFolder, serve: Serve) -> None:
    for day in range(1, 22):
        write_post(content, f"dag-{day}", date=f"2024-05-{day:02d}")
    client = serve()
    body = read_json_feed(get_feed(client, "posts", "json"))
    assert len(body["items"]) == 20
    assert body["items"][0]["id"] == f"{SITE}/posts/dag-21"
    assert body["next_url"] == f"{API}/feeds/posts.json?page=2"
    assert len(read_xml_feed(get_feed(client, "posts", "rss")).entries) == 20


# --- conditional GET --------------------------------------------------------------------------


@pytest.mark.parametrize("feed_format", FORMATS)
def test_conditional_get_answers_304(site: ContentFolder, serve: Serve, feed_format: str) -> None:
    client = serve()
    path = f"/feeds/posts.{feed_format}"
    response = get_feed(client, "posts", feed_format)
    etag = response.headers["etag"]
    last_modified = response.headers["last-modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}(-br|-gzip)?"', etag)
    assert get_feed(client, "posts", feed_format).headers["etag"] == etag, "ETag must be stable"

    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"iets-anders", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": last_modified},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ):
        not_modified = client.get(path, headers=headers)
        assert not_modified.status_code == 304, headers
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == etag
        assert not_modified.headers["last-modified"] == last_modified

    earlier = http_date(parsedate_to_datetime(last_modified) - dt.timedelta(seconds=1))
    for headers in (
        {"If-None-Match": '"iets-anders"'},
        {"If-Modified-Since": earlier},
        {"If-Modified-Since": "gisteren"},
        # If-None-Match wins over a matching If-Modified-Since.
        {"If-None-Match": '"iets-anders"', "If-Modified-Since": last_modified},
    ):
        full = client.get(path, headers=headers)
        assert full.status_code == 200, headers
        assert full.content == response.content


def test_each_feed_and_query_has_its_own_etag(site: ContentFolder, serve: Serve) -> None:
    client = serve()
    etags = {
        get_feed(client, name, feed_format, **params).headers["etag"]
        for name in NAMES
        for feed_format in FORMATS
        for params in ({}, {"tag": "gedeeld"})
    }
    assert len(etags) == len(NAMES) * len(FORMATS) * 2


def test_the_etag_changes_when_content_changes(site: ContentFolder, serve: Serve) -> None:
    before = serve()
    old = {fmt: get_feed(before, "posts", fmt).headers["etag"] for fmt in FORMATS}
    write_post(site, "winterbericht", title="Winterbericht, herzien", date="2024-01-15T09:30:00")
    after = serve()
    for feed_format in FORMATS:
        response = after.get(
            f"/feeds/posts.{feed_format}", headers={"If-None-Match": old[feed_format]}
        )
        assert response.status_code == 200
        assert response.headers["etag"] != old[feed_format]
        assert "Winterbericht, herzien" in item_titles(response, feed_format)
    # A change in another collection leaves this feed, and its ETag, alone.
    unchanged = after.get("/feeds/assignments.json")
    assert unchanged.headers["etag"] == before.get("/feeds/assignments.json").headers["etag"]


# --- settings, documentation, OpenAPI ---------------------------------------------------------


def test_feed_settings_come_from_the_environment() -> None:
    assert Settings.from_env({}).feed_size == 20
    assert Settings.from_env({}).site_name == "caseapi"
    settings = Settings.from_env({"CASEAPI_FEED_SIZE": "5", "CASEAPI_SITE_NAME": " Adviesbureau "})
    assert settings.feed_size == 5
    assert settings.site_name == "Adviesbureau"
    for bad in ("0", "101", "twintig"):
        with pytest.raises(ValueError, match="CASEAPI_FEED_SIZE"):
            Settings.from_env({"CASEAPI_FEED_SIZE": bad})
    # Set but empty is not set, as for every other variable.
    assert Settings.from_env({"CASEAPI_FEED_SIZE": ""}).feed_size == 20


def test_the_site_name_names_the_feed(content: ContentFolder, settings: Settings) -> None:
    content.assignment("opdracht")
    named = msgspec.structs.replace(settings, site_name="Bureau & Co")
    with TestClient(app=create_app(named)) as client:
        body = read_json_feed(get_feed(client, "assignments", "json"))
        assert body["title"] == "Bureau & Co: Uitgevoerde opdrachten"
        assert body["authors"] == [{"name": "Bureau & Co"}]
        assert read_xml_feed(get_feed(client, "all", "atom")).feed.author == "Bureau & Co"


def test_the_readme_documents_feeds_and_their_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable in ("CASEAPI_FEED_SIZE", "CASEAPI_SITE_NAME"):
        assert re.search(rf"^\| `{variable}` \|", readme, re.MULTILINE), variable
    for name in NAMES:
        assert f"/feeds/{name}." in readme


def test_openapi_lists_every_feed_with_its_media_type() -> None:
    paths = json.loads(openapi_json())["paths"]
    for name in NAMES:
        for feed_format in FORMATS:
            operation = paths[f"/feeds/{name}.{feed_format}"]["get"]
            assert MEDIA_TYPES[feed_format] in operation["responses"]["200"]["content"]
            assert "304" in operation["responses"]
            assert {parameter["name"] for parameter in operation["parameters"]} == {"tag", "page"}
