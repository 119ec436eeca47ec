"""Draft preview: signed, expiring links to one document, by the CLI and the admin endpoint."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import TestClient

from caseapi.cli import main
from caseapi.preview import preview_token
from caseapi.settings import Settings
from tests.api_helpers import assert_problem
from tests.conftest import ContentFolder, Start

SECRET = "een-lang-geheim-voor-voorvertoningen"
ADMIN = "beheer-sleutel"
LATER = "2099-01-01T09:00:00+01:00"


@pytest.fixture
def drafts(content: ContentFolder) -> ContentFolder:
    content.post("openbaar", title="Openbaar bericht", body="Iedereen mag dit lezen.")
    content.write(
        "posts/concept.md",
        "---\ntitle: Geheim concept\ndate: 2024-05-01\ndraft: true\n---\n"
        "Nog niet af: zeldzaamwoord.\n",
    )
    content.write(
        "posts/gepland.md",
        f"---\ntitle: Gepland bericht\ndate: 2024-05-01\npublish_at: {LATER}\n---\nStraks.\n",
    )
    return content


@pytest.fixture
def client(drafts: ContentFolder, start: Start) -> TestClient:
    return start(preview_secret=SECRET, admin_token=ADMIN)


def token(
    slug: str, minutes: int = 60, secret: str = SECRET, now: dt.datetime | None = None
) -> str:
    moment = now or dt.datetime.now(dt.UTC)
    return preview_token(secret, "posts", slug, minutes, moment)[0]


def test_a_token_shows_the_draft_and_nobody_keeps_it(client: TestClient) -> None:
    assert client.get("/posts/concept").status_code == 404
    for _ in range(2):  # the second time too: not from the response cache
        response = client.get("/posts/concept", params={"preview": token("concept")})
        assert response.status_code == 200
        assert response.json()["title"] == "Geheim concept"
        assert response.headers["cache-control"] == "no-store"
    cache = client.app.state.response_cache
    assert not any("preview=" in key for key in cache._entries)
    scheduled = client.get("/posts/gepland", params={"preview": token("gepland")})
    assert scheduled.json()["title"] == "Gepland bericht"


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("onzin", id="garbage"),
        pytest.param(token("gepland"), id="other-document"),
        pytest.param(
            token("concept", now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)), id="expired"
        ),
        pytest.param(token("concept", secret="het-vorige-geheim"), id="rotated-key"),
        pytest.param(token("concept") + "x", id="tampered"),
    ],
)
def test_a_token_that_does_not_open_the_document_is_a_403_never_the_public_page(
    client: TestClient, bad: str
) -> None:
    assert_problem(client.get("/posts/concept", params={"preview": bad}), 403)
    # Not even for a published document: a bad token is refused, not ignored.
    assert_problem(client.get("/posts/openbaar", params={"preview": bad}), 403)


def test_without_a_secret_previews_are_off(drafts: ContentFolder, start: Start) -> None:
    client = start()
    body = assert_problem(client.get("/posts/concept", params={"preview": token("concept")}), 403)
    assert "CASEAPI_PREVIEW_SECRET" in body["detail"]


def test_lists_search_and_feeds_ignore_the_token(client: TestClient) -> None:
    preview = {"preview": token("concept")}
    listed = client.get("/posts", params=preview).json()["data"]
    assert [item["slug"] for item in listed] == ["openbaar"]
    assert client.get("/search", params={"q": "zeldzaamwoord", **preview}).json()["data"] == []
    feed = client.get("/feeds/posts.json", params=preview).json()
    assert [item["title"] for item in feed["items"]] == ["Openbaar bericht"]


def test_the_admin_endpoint_gives_a_link_that_works(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {ADMIN}"}
    response = client.post(
        "/admin/preview", json={"collection": "posts", "slug": "concept"}, headers=headers
    )
    assert response.status_code == 200
    link = response.json()
    assert link["url"].startswith("https://www.example.nl/posts/concept?preview=")
    assert link["api_url"].startswith("https://api.example.nl/posts/concept?preview=")
    expires = dt.datetime.fromisoformat(link["expires"])
    assert dt.timedelta(minutes=59) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)
    (given,) = parse_qs(urlsplit(link["api_url"]).query)["preview"]
    assert client.get("/posts/concept", params={"preview": given}).status_code == 200


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (
            {"collection": "posts", "slug": "bestaat-niet"},
            {"Authorization": f"Bearer {ADMIN}"},
            404,
        ),
        ({"collection": "posts", "slug": "concept"}, {}, 401),
        ({"collection": "posts", "slug": "concept"}, {"Authorization": "Bearer fout"}, 403),
        (
            {"collection": "posts", "slug": "concept", "minutes": 0},
            {"Authorization": f"Bearer {ADMIN}"},
            400,
        ),
        ({"collection": "nieuws", "slug": "x"}, {"Authorization": f"Bearer {ADMIN}"}, 400),
    ],
)
def test_the_admin_endpoint_refuses_with_a_problem(
    client: TestClient, body: dict[str, object], headers: dict[str, str], status: int
) -> None:
    assert_problem(client.post("/admin/preview", json=body, headers=headers), status)


def test_the_cli_prints_a_link(
    drafts: ContentFolder,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    start: Start,
) -> None:
    monkeypatch.setenv("CASEAPI_PREVIEW_SECRET", SECRET)
    monkeypatch.setenv("CASEAPI_BASE_URL", "https://www.example.nl")
    folders = ["--content", str(settings.content_dir), "--index", str(settings.index_dir)]
    assert main(["preview", "posts", "concept", "--minutes", "5", *folders]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://www.example.nl/posts/concept?preview=")
    (given,) = parse_qs(urlsplit(url).query)["preview"]
    client = start(preview_secret=SECRET)
    assert client.get("/posts/concept", params={"preview": given}).status_code == 200
    assert main(["preview", "posts", "bestaat-niet", *folders]) == 1
    assert "there is no document posts/bestaat-niet" in capsys.readouterr().err
    monkeypatch.delenv("CASEAPI_PREVIEW_SECRET")
    assert main(["preview", "posts", "concept", *folders]) == 2
    assert "CASEAPI_PREVIEW_SECRET" in capsys.readouterr().err


def test_the_token_is_checked_before_the_body_is_read(client: TestClient) -> None:
    deep = "[" * 30_000 + "]" * 30_000
    json = {"content-type": "application/json"}
    # Anonymous: refused without reading a byte of the body (it used to be a 500).
    assert_problem(client.post("/admin/preview", content=deep, headers=json), 401)
    admin = {**json, "Authorization": f"Bearer {ADMIN}"}
    body = assert_problem(client.post("/admin/preview", content=deep, headers=admin), 400)
    assert "nested too deeply" in body["detail"]
