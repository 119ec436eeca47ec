from __future__ import annotations

from collections.abc import Callable

from litestar.testing import TestClient

from tests.conftest import ContentFolder


def test_lists_posts(content: ContentFolder, serve: Callable[[], TestClient]) -> None:
    content.post("actieonderzoek-uitgelegd")
    client = serve()
    response = client.get("/posts")
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["data"]] == ["actieonderzoek-uitgelegd"]
