"""``/health``, ``/content-errors`` and the locally served ``/schema``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from caseapi.api.app import create_app
from caseapi.settings import Settings
from tests.api_helpers import assert_problem
from tests.conftest import ContentFolder

Serve = Callable[[], TestClient]

# A post with a misspelt optional key: served, with a warning.
MISSPELT = """\
---
title: Met een tikfout
date: 2024-05-01
sumary: Bedoeld als samenvatting.
---
Tekst.
"""

# An assignment without clients: not served, an error on the clients line.
NO_CLIENTS = """\
---
title: Zonder opdrachtgever
summary: Iets.
clients: []
---
Tekst.
"""


def test_health(content: ContentFolder, serve: Serve) -> None:
    content.assignment("a1")
    content.assignment("a2")
    content.post("p1")
    started = dt.datetime.now(dt.UTC)
    response = serve().get("/health")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "status",
        "documents",
        "generation",
        "last_change",
        "content_errors",
        "content_warnings",
    }
    assert body["status"] == "ok"
    assert body["documents"] == {"assignments": 2, "posts": 1}
    assert body["generation"] >= 1
    assert body["content_errors"] == 0
    assert body["content_warnings"] == 0
    last_change = dt.datetime.fromisoformat(body["last_change"])
    assert last_change.tzinfo is not None
    assert started - dt.timedelta(seconds=5) <= last_change <= dt.datetime.now(dt.UTC)


def test_health_counts_exclude_drafts_and_scheduled(content: ContentFolder, serve: Serve) -> None:
    content.post("openbaar")
    content.write(
        "posts/concept.md", "---\ntitle: Concept\ndate: 2024-05-01\ndraft: true\n---\nTekst.\n"
    )
    content.write(
        "posts/gepland.md",
        "---\ntitle: Gepland\ndate: 2024-05-01\npublish_at: 2099-01-01\n---\nTekst.\n",
    )
    body = serve().get("/health").json()
    assert body["documents"] == {"assignments": 0, "posts": 1}
    assert body["content_errors"] == 0


def test_health_counts_content_errors_and_keeps_serving(
    content: ContentFolder, serve: Serve
) -> None:
    content.assignment("goed")
    content.write("assignments/zonder-klant.md", NO_CLIENTS)
    content.write("posts/tikfout.md", MISSPELT)
    content.write("posts/geen-front-matter.md", "Alleen tekst.\n")
    body = serve().get("/health").json()
    assert body["status"] == "ok"
    assert body["documents"] == {"assignments": 1, "posts": 1}
    assert body["content_errors"] == 2
    assert body["content_warnings"] == 1


def test_generation_survives_a_restart_and_grows_after_an_edit(
    content: ContentFolder, settings: Settings
) -> None:
    content.post("p1")
    with TestClient(app=create_app(settings)) as client:
        first = client.get("/health").json()["generation"]
    with TestClient(app=create_app(settings)) as client:
        # Nothing changed: the catalog is reused, not rebuilt.
        assert client.get("/health").json()["generation"] == first
    content.post("p2")
    with TestClient(app=create_app(settings)) as client:
        body = client.get("/health").json()
        assert body["generation"] == first + 1
        assert body["documents"]["posts"] == 2


def test_content_errors_shape(content: ContentFolder, serve: Serve) -> None:
    content.assignment("goed")
    content.write("assignments/zonder-klant.md", NO_CLIENTS)
    content.write("posts/tikfout.md", MISSPELT)
    response = serve().get("/content-errors")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "errors", "warnings"}
    assert body["errors"] == 1
    assert body["warnings"] == 1
    for problem in body["data"]:
        assert set(problem) == {"path", "line", "field", "message", "severity"}
    # Errors come first.
    error, warning = body["data"]
    assert error["path"] == "assignments/zonder-klant.md"
    assert error["severity"] == "error"
    assert error["field"] == "clients"
    assert error["line"] == 4
    assert "client" in error["message"]
    assert warning["path"] == "posts/tikfout.md"
    assert warning["severity"] == "warning"
    assert warning["field"] == "sumary"
    assert warning["line"] == 4
    assert "summary" in warning["message"]


def test_content_errors_lists_unreadable_files(content: ContentFolder, serve: Serve) -> None:
    content.write_bytes("posts/latin1.md", "---\ntitle: Cliënt\n---\n".encode("latin-1"))
    content.write("posts/notities.txt", "geen markdown\n")
    content.write("elders/los.md", "---\ntitle: Los\n---\n")
    body = serve().get("/content-errors").json()
    assert body["errors"] == 3
    assert body["warnings"] == 0
    by_path = {problem["path"]: problem for problem in body["data"]}
    assert set(by_path) == {"posts/latin1.md", "posts/notities.txt", "elders/los.md"}
    assert by_path["posts/latin1.md"]["line"] == 2
    assert "UTF-8" in by_path["posts/latin1.md"]["message"]


def test_content_errors_empty_for_a_clean_folder(content: ContentFolder, serve: Serve) -> None:
    content.post("p1")
    assert serve().get("/content-errors").json() == {"data": [], "errors": 0, "warnings": 0}


# --- /schema -----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/schema", "/schema/swagger"])
def test_schema_page_uses_only_local_assets(
    content: ContentFolder, serve: Serve, page: str
) -> None:
    client = serve()
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    scripts = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", html)
    stylesheets = re.findall(r"<link[^>]*\bhref=[\"']([^\"']+)", html)
    assert scripts, "the Swagger UI page loads no scripts"
    assert stylesheets
    for url in scripts + stylesheets:
        assert url.startswith("/schema/assets/"), url
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", html)
    for url in scripts + stylesheets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/schema/assets/swagger-ui-bundle.js", "javascript"),
        ("/schema/assets/swagger-ui-standalone-preset.js", "javascript"),
        ("/schema/assets/swagger-ui.css", "text/css"),
    ],
)
def test_schema_assets_are_served(
    content: ContentFolder, serve: Serve, path: str, content_type: str
) -> None:
    response = serve().get(path)
    assert response.status_code == 200
    assert content_type in response.headers["content-type"]


@pytest.mark.parametrize(
    "path",
    [
        "/schema/assets/bestaat-niet.js",
        "/schema/assets/%00",
        "/schema/assets/..%2f..%2fpyproject.toml",
        "/schema/assets/../../index/catalog.sqlite",
        # In the package, but not what the page loads: not served.
        "/schema/assets/swagger-editor-bundle.js",
        "/schema/assets/oauth2-redirect.html",
        "/schema/assets/",
    ],
)
def test_only_the_files_the_schema_page_loads_are_served(
    content: ContentFolder, serve: Serve, path: str
) -> None:
    assert_problem(serve().get(path), 404)


def test_the_oauth2_redirect_page_is_not_served(content: ContentFolder, serve: Serve) -> None:
    # Swagger UI's plugin adds it; this API has no OAuth2 (Litestar's own 404 page answers).
    assert serve().get("/schema/oauth2-redirect.html").status_code == 404


def test_the_schema_page_loads_swagger_ui_5(content: ContentFolder, serve: Serve) -> None:
    response = serve().get("/schema/assets/swagger-ui-bundle.js")
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    bundle = response.text
    # Swagger UI 4 cannot read OpenAPI 3.1: it showed "Unable to render this definition".
    assert re.search(r'"5\.\d+\.\d+"', bundle)


def test_openapi_json_is_served(content: ContentFolder, serve: Serve) -> None:
    response = serve().get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "caseapi"
    assert {"/assignments", "/posts", "/tags", "/health", "/content-errors"} <= set(schema["paths"])


def test_unknown_path_is_a_404_problem(content: ContentFolder, serve: Serve) -> None:
    response = serve().get("/bestaat-niet")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404
