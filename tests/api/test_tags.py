"""``/tags``: tags of public documents with counts per collection."""

from __future__ import annotations

from collections.abc import Callable

from litestar.testing import TestClient

from tests.conftest import ContentFolder

Serve = Callable[[], TestClient]


def test_tags_count_per_collection_most_used_first(content: ContentFolder, serve: Serve) -> None:
    content.assignment("a1", tags="vakmanschap, zorg")
    content.assignment("a2", tags="vakmanschap, onderwijs")
    content.post("p1", tags="vakmanschap, zorg")
    content.post("p2", tags="zorg")
    content.post("p3", tags="intervisie")
    response = serve().get("/tags")
    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {"tag": "vakmanschap", "slug": "vakmanschap", "count": 3, "assignments": 2, "posts": 1},
            {"tag": "zorg", "slug": "zorg", "count": 3, "assignments": 1, "posts": 2},
            # Equal counts: alphabetical.
            {"tag": "intervisie", "slug": "intervisie", "count": 1, "assignments": 0, "posts": 1},
            {"tag": "onderwijs", "slug": "onderwijs", "count": 1, "assignments": 1, "posts": 0},
        ]
    }


def test_tags_are_sorted_by_count(content: ContentFolder, serve: Serve) -> None:
    content.post("p1", tags="zeldzaam, vaak")
    for number in range(2, 6):
        content.post(f"p{number}", tags="vaak, middel" if number % 2 else "vaak")
    data = serve().get("/tags").json()["data"]
    counts = [tag["count"] for tag in data]
    assert counts == sorted(counts, reverse=True)
    assert [tag["slug"] for tag in data] == ["vaak", "middel", "zeldzaam"]
    assert counts == [5, 2, 1]


def test_tags_exclude_drafts_and_scheduled_posts(content: ContentFolder, serve: Serve) -> None:
    content.assignment("openbaar", tags="gedeeld")
    content.write(
        "assignments/concept.md",
        """\
        ---
        title: Concept
        summary: Nog niet af.
        clients: [Gemeente Utrecht]
        tags: [gedeeld, alleen-concept]
        draft: true
        ---
        Tekst.
        """,
    )
    content.post("post-openbaar", tags="gedeeld")
    content.write(
        "posts/gepland.md",
        """\
        ---
        title: Gepland
        date: 2024-05-01
        tags: [gedeeld, alleen-gepland]
        publish_at: 2099-01-01T09:00:00+01:00
        ---
        Tekst.
        """,
    )
    content.write(
        "posts/concept.md",
        """\
        ---
        title: Concept
        date: 2024-05-01
        tags: [gedeeld]
        draft: true
        ---
        Tekst.
        """,
    )
    data = serve().get("/tags").json()["data"]
    assert data == [
        {"tag": "gedeeld", "slug": "gedeeld", "count": 2, "assignments": 1, "posts": 1},
    ]


def test_tags_are_grouped_ignoring_case_and_accents(content: ContentFolder, serve: Serve) -> None:
    content.assignment("a1", tags="Cliëntgerichtheid")
    content.post("p1", tags="clientgerichtheid")
    data = serve().get("/tags").json()["data"]
    assert len(data) == 1
    assert data[0]["slug"] == "clientgerichtheid"
    assert data[0]["tag"] in ("cliëntgerichtheid", "clientgerichtheid")
    assert (data[0]["count"], data[0]["assignments"], data[0]["posts"]) == (2, 1, 1)


def test_tags_of_an_invalid_file_are_not_counted(content: ContentFolder, serve: Serve) -> None:
    content.post("goed", tags="zorg")
    content.write("posts/kapot.md", "---\ntitle: Zonder datum\ntags: [zorg, kapot]\n---\nTekst.\n")
    data = serve().get("/tags").json()["data"]
    assert data == [{"tag": "zorg", "slug": "zorg", "count": 1, "assignments": 0, "posts": 1}]


def test_no_content_no_tags(content: ContentFolder, serve: Serve) -> None:
    response = serve().get("/tags")
    assert response.status_code == 200
    assert response.json() == {"data": []}


def test_one_document_counts_once_for_two_spellings_of_a_tag(
    content: ContentFolder, serve: Serve
) -> None:
    content.post("p1", tags="cliëntgerichtheid, clientgerichtheid")
    content.post("p2", tags="zorg")
    data = serve().get("/tags").json()["data"]
    by_slug = {tag["slug"]: tag for tag in data}
    assert set(by_slug) == {"clientgerichtheid", "zorg"}
    assert by_slug["clientgerichtheid"]["count"] == 1
    assert by_slug["clientgerichtheid"]["posts"] == 1
