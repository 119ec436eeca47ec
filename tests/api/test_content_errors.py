"""Bad files over HTTP: each kind of outcome reaches ``/content-errors`` and ``/health``.

``tests/content/test_bad_files.py`` checks every kind of bad file against the loader;
here the real app builds its index from a folder with one of each outcome (an error,
a warning, a lost slug, a link out of the folder, a draft) and must explain them to
an editor while serving every good document.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api_helpers import Serve
from tests.conftest import ContentFolder
from tests.content.test_bad_files import GOOD_ASSIGNMENT, GOOD_POST, post_text


@pytest.fixture
def client(content: ContentFolder, serve: Serve, tmp_path: Path) -> TestClient:
    content.post(GOOD_POST, title="Een goed bericht")
    content.assignment(GOOD_ASSIGNMENT, title="Een goede opdracht")
    content.write("posts/schrikkel.md", post_text("title: Schrikkel", "date: 2024-02-30"))
    content.write("posts/ja.md", post_text("title: yes", "date: 2024-05-01"))
    content.write("posts/dubbel.md", post_text("title: Naar de naam", "date: 2024-05-01"))
    content.write(
        "posts/zz-ander.md", post_text("title: Via slug", "date: 2024-05-02", "slug: dubbel")
    )
    content.write(
        "posts/in-de-maak.md", post_text("title: In de maak", "date: 2024-05-01", "draft: yes")
    )
    outside = tmp_path / "elders" / "geheim.md"
    outside.parent.mkdir()
    outside.write_text(post_text("title: Geheim", "date: 2024-05-01"), encoding="utf-8")
    os.symlink(outside, content.root / "posts" / "geheim.md")
    return serve()


def problems(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.get("/content-errors")
    assert response.status_code == 200
    return {problem["path"]: problem for problem in response.json()["data"]}


def test_every_problem_is_explained_with_file_line_and_field(client: TestClient) -> None:
    found = problems(client)
    assert set(found) == {
        "posts/schrikkel.md",
        "posts/ja.md",
        "posts/zz-ander.md",
        "posts/geheim.md",
    }
    date = found["posts/schrikkel.md"]
    assert (date["line"], date["field"], date["severity"]) == (3, "date", "error")
    assert "not a real date" in date["message"]
    yes = found["posts/ja.md"]
    assert (yes["line"], yes["field"], yes["severity"]) == (2, "title", "warning")
    slug = found["posts/zz-ander.md"]
    assert (slug["line"], slug["field"]) == (4, "slug")
    assert "already used by posts/dubbel.md" in slug["message"]
    assert "outside the content folder" in found["posts/geheim.md"]["message"]
    listing = client.get("/content-errors").json()
    assert (listing["errors"], listing["warnings"]) == (3, 1)


def test_the_good_documents_are_served_and_health_counts_the_problems(
    client: TestClient,
) -> None:
    listed = {item["slug"] for item in client.get("/posts").json()["data"]}
    assert listed == {GOOD_POST, "ja", "dubbel"}
    assert client.get(f"/posts/{GOOD_POST}").json()["title"] == "Een goed bericht"
    assert client.get(f"/assignments/{GOOD_ASSIGNMENT}").json()["title"] == "Een goede opdracht"
    # The warned file is served as written; the first file by path keeps the slug.
    assert client.get("/posts/ja").json()["title"] == "yes"
    assert client.get("/posts/dubbel").json()["title"] == "Naar de naam"
    for refused in ("schrikkel", "zz-ander", "geheim", "in-de-maak"):
        assert client.get(f"/posts/{refused}").status_code == 404
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert (health["content_errors"], health["content_warnings"]) == (3, 1)
    assert health["documents"] == {"posts": 3, "assignments": 1}
