"""``/sitemap.xml`` against the sitemaps.org schema, the API's index, and reading aids."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from lxml import etree

from caseapi.settings import Settings
from tests.api_helpers import Serve, assert_problem
from tests.conftest import ContentFolder, Start
from tests.paths import DATA

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def valid(response: httpx.Response, schema: str) -> Any:
    """The parsed XML of ``response``, checked against the schema in tests/data."""
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    validator = etree.XMLSchema(etree.parse(str(DATA / schema)))
    assert validator.validate(document), validator.error_log
    return document


def lastmods(body: bytes) -> dict[str, str]:
    """Each URL of a sitemap with its lastmod."""
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in etree.fromstring(body).iter(f"{SITEMAP}url")
    }


@pytest.fixture
def site(content: ContentFolder) -> ContentFolder:
    content.post("een", date="2024-05-01")
    content.post("twee", date="2024-06-01")
    content.assignment("opdracht")
    content.write("posts/concept.md", "---\ntitle: C\ndate: 2024-05-01\ndraft: true\n---\nx\n")
    content.write(
        "posts/later.md", "---\ntitle: L\ndate: 2024-05-01\npublish_at: 2099-01-01\n---\nx\n"
    )
    return content


def test_the_sitemap_lists_every_public_document_and_is_valid(
    site: ContentFolder, serve: Serve
) -> None:
    client = serve()
    document = valid(client.get("/sitemap.xml"), "sitemap.xsd")
    locations = [element.text for element in document.iter(f"{SITEMAP}loc")]
    assert locations == [
        "https://www.example.nl/assignments/opdracht",
        "https://www.example.nl/posts/een",
        "https://www.example.nl/posts/twee",
    ]
    lastmods = [element.text for element in document.iter(f"{SITEMAP}lastmod")]
    assert len(lastmods) == 3
    assert all(value.endswith("Z") for value in lastmods)


def test_lastmod_moves_only_when_the_document_does(
    site: ContentFolder, settings: Settings, serve: Serve
) -> None:
    client = serve()
    first = client.get("/sitemap.xml").content
    assert client.get("/sitemap.xml").content == first
    # A post that names its last change: that date, whatever its file's time.
    site.write(
        "posts/een.md",
        "---\ntitle: Een\ndate: 2024-05-01\nupdated: 2024-07-01T12:00:00+02:00\n---\nTekst.\n",
    )
    later = time.time() + 5
    os.utime(site.root / "posts" / "een.md", (later, later))
    changed = lastmods(serve().get("/sitemap.xml").content)
    assert changed["https://www.example.nl/posts/een"] == "2024-07-01T10:00:00Z"
    unchanged = lastmods(first)
    for url in ("https://www.example.nl/posts/twee", "https://www.example.nl/assignments/opdracht"):
        assert changed[url] == unchanged[url]


def test_past_the_size_the_sitemap_is_an_index_of_parts(site: ContentFolder, start: Start) -> None:
    client = start(sitemap_size=2)
    index = valid(client.get("/sitemap.xml"), "siteindex.xsd")
    parts = [element.text for element in index.iter(f"{SITEMAP}loc")]
    assert parts == ["https://api.example.nl/sitemaps/1", "https://api.example.nl/sitemaps/2"]
    urls = []
    for part in parts:
        document = valid(client.get(part.removeprefix("https://api.example.nl")), "sitemap.xsd")
        urls += [element.text for element in document.iter(f"{SITEMAP}loc")]
    assert len(urls) == len(set(urls)) == 3
    assert_problem(client.get("/sitemaps/3"), 404)
    for wrong in ("0", "-1", "１", "1.0", "100000"):
        assert_problem(client.get(f"/sitemaps/{wrong}"), 400)


def test_the_index_names_every_entry_point(site: ContentFolder, serve: Serve) -> None:
    client = serve()
    body = client.get("/").json()
    assert body["docs"] == "https://api.example.nl/schema"
    assert body["sitemap"] == "https://api.example.nl/sitemap.xml"
    assert body["feeds"]["posts"]["atom"] == "https://api.example.nl/feeds/posts.atom"
    for key in ("assignments", "posts", "tags", "redirects", "health", "content_errors"):
        path = body[key].removeprefix("https://api.example.nl")
        assert client.get(path).status_code == 200, key


def test_detail_answers_carry_reading_aids(site: ContentFolder, serve: Serve) -> None:
    client: TestClient = serve()
    newest = client.get("/posts/twee").json()
    assert newest["newer"] is None
    assert newest["older"]["slug"] == "een"
    assert newest["older"]["url"] == "https://www.example.nl/posts/een"
    older = client.get("/posts/een").json()
    assert older["newer"]["slug"] == "twee"
    # Drafts and scheduled posts are nobody's neighbours.
    assert older["older"] is None
    assert older["reading_minutes"] == 1
    assert [entry["id"] for entry in older["toc"]] == ["meer"]
