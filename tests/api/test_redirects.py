"""Redirects from the old site and from renamed slugs: aliases, /redirects, /resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from caseapi.cli import main
from caseapi.content.loader import load_folder
from tests.api_helpers import Serve, assert_problem
from tests.conftest import ContentFolder
from tests.paths import DATA


def post(slug: str, *front: str, date: str = "2024-05-01") -> str:
    lines = "".join(f"{line}\n" for line in front)
    return f"---\ntitle: Bericht {slug}\ndate: {date}\n{lines}---\nTekst van {slug}.\n"


@pytest.fixture
def client(content: ContentFolder, serve: Serve) -> TestClient:
    # Renamed in place: the old slug kept as an alias, in one line.
    content.write(
        "posts/nieuwe-naam.md",
        post("nieuwe-naam", "aliases: [oude-naam, /oude-site/nieuws/bericht-12.html]"),
    )
    content.write(
        "posts/gepland.md", post("gepland", "aliases: [vroeger]", "publish_at: 2099-01-01")
    )
    content.assignment("opdracht")
    return serve()


def test_an_old_slug_answers_301_to_the_current_url(client: TestClient) -> None:
    response = client.get("/posts/oude-naam", params={"fields": "x"}, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "https://api.example.nl/posts/nieuwe-naam"
    assert response.headers["cache-control"].startswith("public, max-age=60")
    followed = client.get("/posts/oude-naam")
    assert followed.status_code == 200
    assert followed.json()["slug"] == "nieuwe-naam"
    # An old slug of a post is not one of an assignment.
    assert_problem(client.get("/assignments/oude-naam"), 404)


def test_redirects_lists_every_alias_of_a_public_document(client: TestClient) -> None:
    response = client.get("/redirects")
    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {
                "from": "/oude-site/nieuws/bericht-12.html",
                "to": "/posts/nieuwe-naam",
                "status": 301,
            },
            {"from": "/posts/oude-naam", "to": "/posts/nieuwe-naam", "status": 301},
        ]
    }


def test_a_scheduled_documents_aliases_are_not_given_away(client: TestClient) -> None:
    assert_problem(client.get("/posts/vroeger"), 404)
    assert_problem(client.get("/resolve", params={"path": "/posts/vroeger"}), 404)


@pytest.mark.parametrize(
    ("path", "status", "to"),
    [
        ("/oude-site/nieuws/bericht-12.html", 301, "/posts/nieuwe-naam"),
        ("https://oud.example.nl/oude-site/nieuws/bericht-12.html", 301, "/posts/nieuwe-naam"),
        ("/posts/oude-naam", 301, "/posts/nieuwe-naam"),
        ("https://www.example.nl/posts/oude-naam", 301, "/posts/nieuwe-naam"),
        ("/posts/nieuwe-naam", 200, "/posts/nieuwe-naam"),
        ("/assignments/opdracht", 200, "/assignments/opdracht"),
    ],
)
def test_resolve_says_where_a_path_lives_now(
    client: TestClient, path: str, status: int, to: str
) -> None:
    body = client.get("/resolve", params={"path": path}).json()
    assert (body["status"], body["to"]) == (status, to)
    assert body["url"] == f"https://www.example.nl{to}"
    assert body["slug"] == to.rsplit("/", 1)[1]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/bestaat/niet", 404),
        ("/posts/bestaat-niet", 404),
        ("geen-pad", 400),
        ("/a b", 400),
        ("https://[::1/x", 400),
    ],
)
def test_resolve_refuses_with_a_problem(client: TestClient, path: str, status: int) -> None:
    assert_problem(client.get("/resolve", params={"path": path}), status)


def test_clashing_aliases_are_errors_naming_both_files(content: ContentFolder) -> None:
    content.write("posts/a-eerste.md", post("a-eerste", "aliases: [gedeeld, /oud.html]"))
    content.write("posts/b-tweede.md", post("b-tweede", "aliases:", "  - gedeeld", "  - a-eerste"))
    content.write("posts/c-derde.md", post("c-derde", "aliases: [/oud.html, c-derde]"))
    loaded = load_folder(content.root)
    found = {(p.path, p.line, p.severity, p.message) for p in loaded.problems}
    assert found == {
        (
            "posts/b-tweede.md",
            5,
            "error",
            "The alias 'gedeeld' is also an alias of posts/a-eerste.md; keep it in one file.",
        ),
        (
            "posts/b-tweede.md",
            6,
            "error",
            "The alias 'a-eerste' is the slug of posts/a-eerste.md; remove it from 'aliases:'.",
        ),
        (
            "posts/c-derde.md",
            4,
            "error",
            "The alias '/oud.html' is also an alias of posts/a-eerste.md; keep it in one file.",
        ),
        ("posts/c-derde.md", 4, "warning", "'c-derde' is this document's own slug; leave it out."),
    }
    # Every document is still served under its own slug; only the clashing aliases go.
    aliases = {document.slug: document.aliases for document in loaded.documents}
    assert aliases == {"a-eerste": ["gedeeld", "/oud.html"], "b-tweede": [], "c-derde": []}


def test_a_slug_that_is_another_documents_alias_wins_whatever_the_order(
    content: ContentFolder,
) -> None:
    content.write("posts/a-oud.md", post("a-oud", "aliases: [zz-nieuw]"))
    content.write("posts/zz-nieuw.md", post("zz-nieuw"))
    loaded = load_folder(content.root)
    assert {document.slug for document in loaded.documents} == {"a-oud", "zz-nieuw"}
    (problem,) = loaded.problems
    assert problem.path == "posts/a-oud.md"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("'Oude Naam'", "neither a slug"),
        ("'/a b.html'", "neither a slug"),
        ("[oud, 'x y']", "neither a slug"),
        ("'https://[oud/pagina.html'", "not a web address"),
        ("/", "home page"),
        ("'https://oud.example.nl/'", "home page"),
        ("/posts/wat-is-vakmanschap", "write the old slug 'wat-is-vakmanschap' instead"),
        ("/assignments/x/", "write the old slug 'x' instead"),
    ],
)
def test_an_alias_that_is_no_slug_or_old_path_is_a_field_error(
    content: ContentFolder, value: str, words: str
) -> None:
    content.write("posts/fout.md", post("fout", f"aliases: {value}"))
    (problem,) = load_folder(content.root).problems
    assert problem.field is not None
    assert problem.field.startswith("aliases")
    assert words in problem.message


def test_a_draft_claims_no_alias(content: ContentFolder, serve: Serve) -> None:
    content.write("posts/aa-concept.md", post("aa-concept", "draft: true", "aliases: [oud]"))
    content.write("posts/zz-openbaar.md", post("zz-openbaar", "aliases: [oud]"))
    loaded = load_folder(content.root)
    assert loaded.problems == []
    client = serve()
    response = client.get("/posts/oud", follow_redirects=False)
    assert response.headers["location"].endswith("/posts/zz-openbaar")


def test_import_keeps_the_old_address_as_an_alias(
    tmp_path: Path, content: ContentFolder, serve: Serve
) -> None:
    seeds = DATA / "seeds"
    arguments = ["import", str(seeds), "--content", str(content.root)]
    prefix = ["--old-url-prefix", "https://www.oud.nl/wat-doen-we/uitgevoerde-opdrachten/"]
    assert main([*arguments, *prefix]) == 0
    client = serve()
    rules = client.get("/redirects").json()["data"]
    sources = sorted(rule["from"] for rule in rules)
    assert sources == [
        "/wat-doen-we/uitgevoerde-opdrachten/000_f6f1faf4d148963e.html",
        "/wat-doen-we/uitgevoerde-opdrachten/003_cb11d80b27be0f55.html",
    ]
    moved = client.get("/resolve", params={"path": sources[1]}).json()
    assert moved["to"] == "/assignments/vakmanschapsontwikkeling-door-actieonderzoek"
