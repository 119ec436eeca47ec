"""``/files/{path}`` and absolute links to files, over HTTP from the real app."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from litestar.testing import TestClient
from PIL import Image

from caseapi.images import WIDTHS
from caseapi.settings import Settings
from tests.api_helpers import Serve, assert_problem
from tests.conftest import ContentFolder, Start
from tests.content.test_assets import PDF, SVG, image, post

FILES = "https://bestanden.example.nl"


@pytest.fixture
def client(content: ContentFolder, start: Start) -> TestClient:
    content.write_bytes("posts/team.jpg", image(size=(1200, 800)))
    content.write_bytes("media/rapport.pdf", PDF)
    content.write_bytes("media/logo.svg", SVG)
    content.write_bytes("media/klein.png", image("PNG", (100, 50)))
    post(content, "ander", "Tekst.")
    post(
        content,
        "met-foto",
        "Het team: ![Het team](team.jpg). Lees [het rapport](../media/rapport.pdf) en "
        "[de andere](ander.md).",
        "image: team.jpg",
        "image_alt: Het team aan tafel",
    )
    return start()


def files_of(client: TestClient) -> dict[str, str]:
    """Path -> the versioned URL the API gives out for it."""
    body = client.get("/posts/met-foto").json()
    return {
        "posts/team.jpg": body["image"]["url"],
        "media/rapport.pdf": body["html"].split('href="')[1].split('"')[0],
    }


def test_a_file_is_served_with_its_type_a_strong_etag_and_its_size(client: TestClient) -> None:
    response = client.get("/files/posts/team.jpg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content == image(size=(1200, 800))
    assert int(response.headers["content-length"]) == len(response.content)
    etag = response.headers["etag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert response.headers["cache-control"] == "public, max-age=3600, stale-while-revalidate=86400"
    again = client.get("/files/posts/team.jpg", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    head = client.head("/files/media/rapport.pdf")
    assert head.status_code == 200
    assert head.headers["content-type"] == "application/pdf"
    assert head.content == b""


def test_the_urls_the_api_gives_out_are_versioned_and_kept_for_a_year(
    client: TestClient,
) -> None:
    for url in files_of(client).values():
        assert url.startswith("https://api.example.nl/files/")
        path = url.removeprefix("https://api.example.nl")
        response = client.get(path)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_files_url_setting_is_used_for_links(content: ContentFolder, start: Start) -> None:
    content.write_bytes("posts/team.jpg", image())
    post(content, "met-foto", "![Het team](team.jpg)")
    settings_client = start(files_url=FILES)
    html = settings_client.get("/posts/met-foto").json()["html"]
    assert f'src="{FILES}/posts/team.jpg?v=' in html


def test_resized_copies_keep_the_aspect_ratio(client: TestClient) -> None:
    for width in WIDTHS:
        response = client.get("/files/posts/team.jpg", params={"w": width})
        assert response.status_code == 200
        size = Image.open(io.BytesIO(response.content)).size
        if width < 1200:
            assert size == (width, round(800 * width / 1200))
            assert response.headers["etag"].endswith(f'-w{width}"')
        else:  # never wider than the original: the original itself
            assert size == (1200, 800)
    small = client.get("/files/media/klein.png", params={"w": 640})
    assert Image.open(io.BytesIO(small.content)).size == (100, 50)


def test_a_width_outside_the_list_is_a_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/files/posts/team.jpg", params={"w": 641}), 400)
    assert "641" in body["detail"]
    assert "640" in body["detail"]
    assert_problem(client.get("/files/posts/team.jpg", params={"w": "breed"}), 400)


@pytest.mark.parametrize(
    "path",
    [
        "/files/posts/weg.jpg",
        "/files/%00",
        "/files/posts/../index/catalog.sqlite",
        "/files/..%2f..%2fetc%2fpasswd",
        "/files/posts/met-foto.md",
        "/files/",
    ],
)
def test_anything_else_is_a_404_problem(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 404)


def test_svg_is_served_so_that_scripts_cannot_run(client: TestClient) -> None:
    response = client.get("/files/media/logo.svg")
    assert response.headers["content-type"] == "image/svg+xml"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "script-src" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_links_in_documents_are_absolute_and_images_have_their_size(client: TestClient) -> None:
    body = client.get("/posts/met-foto").json()
    html = body["html"]
    assert "caseapi:" not in html
    assert '<img src="https://api.example.nl/files/posts/team.jpg?v=' in html
    assert 'width="1200" height="800"' in html
    assert 'href="https://www.example.nl/posts/ander"' in html
    assert all("caseapi:" not in section["html"] for section in body["sections"])


def test_the_cover_in_lists_detail_and_feeds(client: TestClient) -> None:
    cover: dict[str, Any] = client.get("/posts/met-foto").json()["image"]
    assert cover["alt"] == "Het team aan tafel"
    assert (cover["width"], cover["height"], cover["type"]) == (1200, 800, "image/jpeg")
    assert cover["url"].startswith("https://api.example.nl/files/posts/team.jpg?v=")
    listed = {item["slug"]: item["image"] for item in client.get("/posts").json()["data"]}
    assert listed == {"met-foto": cover, "ander": None}
    items = client.get("/feeds/posts.json").json()["items"]
    (item,) = [item for item in items if item["id"].endswith("/met-foto")]
    assert item["image"] == cover["url"]
    assert all("image" not in other for other in items if other is not item)
    assert "caseapi:" not in item["content_html"]
    rss = ET.fromstring(client.get("/feeds/posts.rss").content)
    enclosure = rss.find("channel/item/enclosure")
    assert enclosure is not None
    assert enclosure.attrib == {
        "url": cover["url"],
        "length": str(len(image(size=(1200, 800)))),
        "type": "image/jpeg",
    }
    atom = ET.fromstring(client.get("/feeds/posts.atom").content)
    links = atom.findall("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link")
    enclosures = [link.attrib for link in links if link.get("rel") == "enclosure"]
    assert enclosures == [
        {
            "rel": "enclosure",
            "href": cover["url"],
            "type": "image/jpeg",
            "length": enclosure.get("length"),
        }
    ]


def test_settings_defaults_put_files_under_the_api(settings: Settings) -> None:
    assert settings.files_base_url == "https://api.example.nl/files"


@pytest.mark.parametrize(
    ("range_header", "status", "part"),
    [
        ("bytes=0-9", 206, slice(0, 10)),
        ("bytes=10-", 206, slice(10, None)),
        ("bytes=-5", 206, slice(-5, None)),
        ("bytes=5-99999", 206, slice(5, None)),
        ("bytes=0-1, 4-5", 200, slice(None)),  # several ranges: all of it
        ("items=0-1", 200, slice(None)),
    ],
)
def test_byte_ranges(client: TestClient, range_header: str, status: int, part: slice) -> None:
    whole = client.get("/files/media/rapport.pdf").content
    response = client.get("/files/media/rapport.pdf", headers={"Range": range_header})
    assert response.status_code == status
    assert response.content == whole[part]
    assert response.headers["accept-ranges"] == "bytes"
    assert int(response.headers["content-length"]) == len(response.content)
    if status == 206:
        first = whole.index(response.content)
        last = first + len(response.content) - 1
        assert response.headers["content-range"] == f"bytes {first}-{last}/{len(whole)}"


def test_a_range_past_the_end_is_416_and_if_range_guards_the_version(client: TestClient) -> None:
    whole = client.get("/files/media/rapport.pdf")
    size = len(whole.content)
    past = client.get("/files/media/rapport.pdf", headers={"Range": f"bytes={size}-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{size}"
    other = {"Range": "bytes=0-3", "If-Range": '"een-andere-versie"'}
    assert client.get("/files/media/rapport.pdf", headers=other).status_code == 200
    same = {"Range": "bytes=0-3", "If-Range": whole.headers["etag"]}
    assert client.get("/files/media/rapport.pdf", headers=same).content == whole.content[:4]


def test_the_file_name_is_given_for_saving(client: TestClient, content: ContentFolder) -> None:
    disposition = client.get("/files/media/rapport.pdf").headers["content-disposition"]
    assert disposition == "inline; filename=\"rapport.pdf\"; filename*=UTF-8''rapport.pdf"


def test_the_stored_form_in_text_and_code_is_left_as_written(
    content: ContentFolder, serve: Serve
) -> None:
    post(
        content, "uitleg", "Schrijf `caseapi:/posts/x.md` niet zelf; caseapi:/media/y.png ook niet."
    )
    html = serve().get("/posts/uitleg").json()["html"]
    assert "<code>caseapi:/posts/x.md</code>" in html
    assert "caseapi:/media/y.png ook niet" in html
