"""Bad content files, one kind per test, through the real app over HTTP.

Every test writes a valid post and a valid assignment next to the bad file, starts
the app (which builds the index from the folder), and checks three things:
``/content-errors`` explains the bad file to an editor (path, line, field, message),
the good documents are still served, and ``/health`` counts the problem.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from types import EllipsisType
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.conftest import ContentFolder

Serve = Callable[[], TestClient]

GOOD_POST = "goed-bericht"
GOOD_ASSIGNMENT = "goede-opdracht"


@pytest.fixture
def folder(content: ContentFolder) -> ContentFolder:
    """The content folder with one valid post and one valid assignment in it."""
    content.post(GOOD_POST, title="Een goed bericht")
    content.assignment(GOOD_ASSIGNMENT, title="Een goede opdracht")
    return content


def problems_of(client: TestClient, path: str) -> list[dict[str, Any]]:
    """What ``/content-errors`` says about ``path``."""
    response = client.get("/content-errors")
    assert response.status_code == 200
    return [problem for problem in response.json()["data"] if problem["path"] == path]


def the_problem(
    client: TestClient,
    path: str,
    *,
    line: int | EllipsisType | None,
    field: str | None,
    words: Iterable[str],
    severity: str = "error",
) -> dict[str, Any]:
    """The one problem reported for ``path``, checked; its message contains ``words``.

    ``line=...`` leaves the line unchecked (a separate test covers it).
    """
    problems = problems_of(client, path)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem["severity"] == severity
    if line is not ...:
        assert problem["line"] == line
    assert problem["field"] == field
    message = problem["message"].lower()
    for word in words:
        assert word.lower() in message, (word, problem["message"])
    return problem


def slugs(client: TestClient, collection: str) -> set[str]:
    response = client.get(f"/{collection}")
    assert response.status_code == 200
    return {item["slug"] for item in response.json()["data"]}


def assert_still_served(
    client: TestClient,
    *,
    errors: int = 1,
    warnings: int = 0,
    posts: Iterable[str] = (),
    assignments: Iterable[str] = (),
) -> None:
    """The good documents (and exactly the extra ones given) are served; health counts."""
    expected_posts = {GOOD_POST, *posts}
    expected_assignments = {GOOD_ASSIGNMENT, *assignments}
    assert slugs(client, "posts") == expected_posts
    assert slugs(client, "assignments") == expected_assignments
    post = client.get(f"/posts/{GOOD_POST}")
    assert post.status_code == 200
    assert post.json()["title"] == "Een goed bericht"
    assignment = client.get(f"/assignments/{GOOD_ASSIGNMENT}")
    assert assignment.status_code == 200
    assert assignment.json()["title"] == "Een goede opdracht"
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["content_errors"] == errors
    assert health["content_warnings"] == warnings
    assert health["documents"] == {
        "posts": len(expected_posts),
        "assignments": len(expected_assignments),
    }
    listing = client.get("/content-errors").json()
    assert (listing["errors"], listing["warnings"]) == (errors, warnings)


def post_text(*lines: str, body: str = "Tekst van het bericht.") -> str:
    """A post file: front matter from ``lines`` (line 2 onwards), then ``body``."""
    return "---\n" + "".join(f"{line}\n" for line in lines) + "---\n" + body + "\n"


# --- required fields -----------------------------------------------------------------------


def test_post_without_title(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/zonder-titel.md", post_text("date: 2024-05-01"))
    client = serve()
    the_problem(
        client,
        "posts/zonder-titel.md",
        line=None,
        field="title",
        words=["title", "missing", "required"],
    )
    assert_still_served(client)
    assert client.get("/posts/zonder-titel").status_code == 404


def test_post_without_date(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/zonder-datum.md", post_text("title: Zonder datum"))
    client = serve()
    the_problem(
        client,
        "posts/zonder-datum.md",
        line=None,
        field="date",
        words=["date", "missing", "required"],
    )
    assert_still_served(client)


def test_assignment_without_clients(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "assignments/zonder-klant.md",
        post_text("title: Zonder klant", "summary: Een opdracht zonder opdrachtgever."),
    )
    client = serve()
    the_problem(
        client,
        "assignments/zonder-klant.md",
        line=None,
        field="clients",
        words=["clients", "missing", "required"],
    )
    assert_still_served(client)


@pytest.mark.parametrize("value", ["[]", ""])
def test_assignment_with_empty_clients(folder: ContentFolder, serve: Serve, value: str) -> None:
    folder.write(
        "assignments/lege-klanten.md",
        post_text("title: Lege klanten", "summary: Geen opdrachtgevers.", f"clients: {value}"),
    )
    client = serve()
    the_problem(
        client,
        "assignments/lege-klanten.md",
        line=4,
        field="clients",
        words=["at least one client"],
    )
    assert_still_served(client)


# --- dates ---------------------------------------------------------------------------------


def test_impossible_date(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/schrikkel.md", post_text("title: Schrikkel", "date: 2024-02-30"))
    client = serve()
    the_problem(
        client,
        "posts/schrikkel.md",
        line=3,
        field="date",
        words=["2024-02-30", "not a real date"],
    )
    assert_still_served(client)


def test_impossible_date_in_assignment(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "assignments/schrikkel.md",
        post_text("title: Schrikkel", "summary: S.", "clients: [Visio]", "date: 2023-02-29"),
    )
    client = serve()
    the_problem(
        client,
        "assignments/schrikkel.md",
        line=5,
        field="date",
        words=["2023-02-29", "not a real date"],
    )
    assert_still_served(client)


def test_dutch_order_date_suggests_iso(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/nederlands.md", post_text("title: Nederlands", "date: 01-05-2024"))
    client = serve()
    the_problem(
        client,
        "posts/nederlands.md",
        line=3,
        field="date",
        words=["01-05-2024", "day-month-year", "2024-05-01"],
    )
    assert_still_served(client)


def test_quoted_iso_date_is_accepted(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/aanhalingstekens.md", post_text("title: Met quotes", 'date: "2024-05-01"'))
    client = serve()
    assert problems_of(client, "posts/aanhalingstekens.md") == []
    assert_still_served(client, errors=0, posts=["aanhalingstekens"])
    detail = client.get("/posts/aanhalingstekens").json()
    assert detail["date"] == "2024-05-01T00:00:00+02:00"


def test_text_in_date(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/gisteren.md", post_text("title: Gisteren", "date: gisteren"))
    client = serve()
    the_problem(
        client,
        "posts/gisteren.md",
        line=3,
        field="date",
        words=["gisteren", "not a date", "YYYY-MM-DD"],
    )
    assert_still_served(client)


# --- YAML 1.1 surprises and types ----------------------------------------------------------


def test_title_yes_is_served_as_text_with_warning(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/ja.md", post_text("title: yes", "date: 2024-05-01"))
    client = serve()
    the_problem(
        client,
        "posts/ja.md",
        line=2,
        field="title",
        words=["'yes'", "true/false", "quotes", '"yes"'],
        severity="warning",
    )
    assert_still_served(client, errors=0, warnings=1, posts=["ja"])
    assert client.get("/posts/ja").json()["title"] == "yes"


def test_draft_yes_is_a_draft(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/concept.md", post_text("title: Concept", "date: 2024-05-01", "draft: yes"))
    client = serve()
    assert problems_of(client, "posts/concept.md") == []
    assert_still_served(client, errors=0)
    assert client.get("/posts/concept").status_code == 404


def test_title_true_is_not_text(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/waar.md", post_text("title: true", "date: 2024-05-01"))
    client = serve()
    the_problem(
        client,
        "posts/waar.md",
        line=2,
        field="title",
        words=["expected text", "true/false", "quotes"],
    )
    assert_still_served(client)


# --- where the file is ---------------------------------------------------------------------


def test_unknown_collection_folder(folder: ContentFolder, serve: Serve) -> None:
    folder.write("news/nieuwtje.md", post_text("title: Nieuwtje", "date: 2024-05-01"))
    client = serve()
    the_problem(
        client,
        "news/nieuwtje.md",
        line=None,
        field=None,
        words=["'news'", "not a content folder", "assignments/", "posts/"],
    )
    assert_still_served(client)
    assert client.get("/posts/nieuwtje").status_code == 404


def test_file_at_content_root(folder: ContentFolder, serve: Serve) -> None:
    folder.write("los-bericht.md", post_text("title: Los", "date: 2024-05-01"))
    client = serve()
    the_problem(
        client,
        "los-bericht.md",
        line=None,
        field=None,
        words=["los-bericht.md", "assignments/", "posts/"],
    )
    assert_still_served(client)
    assert client.get("/posts/los-bericht").status_code == 404


def test_non_markdown_file_in_posts(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/notes.txt", "Aantekeningen voor het volgende bericht.\n")
    client = serve()
    the_problem(
        client,
        "posts/notes.txt",
        line=None,
        field=None,
        words=["only markdown", ".md", "rename"],
    )
    assert_still_served(client)


# --- slugs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("winner", "loser", "line"),
    [
        # The file named after the slug comes first by path and keeps it; the loser's
        # line (its 'slug:' field) is checked by the xfail test below.
        pytest.param("posts/dubbel.md", "posts/zz-ander.md", ..., id="file-name-first"),
        # The file that sets 'slug:' comes first and keeps it; the loser has no slug line.
        pytest.param("posts/aa-ander.md", "posts/dubbel.md", None, id="slug-field-first"),
    ],
)
def test_duplicate_slug_first_by_path_keeps_it(
    folder: ContentFolder, serve: Serve, winner: str, loser: str, line: int | EllipsisType | None
) -> None:
    other = "posts/zz-ander.md" if winner == "posts/dubbel.md" else "posts/aa-ander.md"
    folder.write("posts/dubbel.md", post_text("title: Naar de naam", "date: 2024-05-01"))
    folder.write(other, post_text("title: Via slug", "date: 2024-05-02", "slug: dubbel"))
    client = serve()
    the_problem(
        client,
        loser,
        line=line,
        field="slug",
        words=["'dubbel'", "already used", winner],
    )
    assert problems_of(client, winner) == []
    assert_still_served(client, posts=["dubbel"])
    expected_title = "Naar de naam" if winner == "posts/dubbel.md" else "Via slug"
    assert client.get("/posts/dubbel").json()["title"] == expected_title
    assert client.get("/posts/zz-ander").status_code == 404
    assert client.get("/posts/aa-ander").status_code == 404


def test_duplicate_slug_from_front_matter_names_its_line(
    folder: ContentFolder, serve: Serve
) -> None:
    folder.write("posts/dubbel.md", post_text("title: Naar de naam", "date: 2024-05-01"))
    folder.write(
        "posts/zz-ander.md", post_text("title: Via slug", "date: 2024-05-02", "slug: dubbel")
    )
    client = serve()
    (problem,) = problems_of(client, "posts/zz-ander.md")
    assert problem["line"] == 4


def test_same_slug_in_both_collections_is_fine(folder: ContentFolder, serve: Serve) -> None:
    folder.post("gedeeld", title="Gedeeld bericht")
    folder.assignment("gedeeld", title="Gedeelde opdracht")
    client = serve()
    assert_still_served(client, errors=0, posts=["gedeeld"], assignments=["gedeeld"])
    assert client.get("/posts/gedeeld").json()["title"] == "Gedeeld bericht"
    assert client.get("/assignments/gedeeld").json()["title"] == "Gedeelde opdracht"


def test_file_name_is_not_a_slug(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/Mijn Post.md", post_text("title: Mijn post", "date: 2024-05-01"))
    client = serve()
    the_problem(
        client,
        "posts/Mijn Post.md",
        line=None,
        field="slug",
        words=["'Mijn Post.md'", "not a valid slug", "mijn-post.md", "slug:"],
    )
    assert_still_served(client)


def test_file_name_with_slug_field_is_fine(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "posts/Mijn Post.md", post_text("title: Mijn post", "date: 2024-05-01", "slug: mijn-post")
    )
    client = serve()
    assert problems_of(client, "posts/Mijn Post.md") == []
    assert_still_served(client, errors=0, posts=["mijn-post"])


def test_invalid_slug_value(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "posts/goede-naam.md",
        post_text("title: Slechte slug", "date: 2024-05-01", "slug: Mijn Slug!"),
    )
    client = serve()
    the_problem(
        client,
        "posts/goede-naam.md",
        line=4,
        field="slug",
        words=["'Mijn Slug!'", "not a valid slug", "lowercase"],
    )
    assert_still_served(client)
    assert client.get("/posts/goede-naam").status_code == 404


# --- encodings and line endings ------------------------------------------------------------


def test_windows_1252_file(folder: ContentFolder, serve: Serve) -> None:
    text = post_text("title: Cafe", "date: 2024-05-01", "author: José Jansen")
    folder.write_bytes("posts/cafe.md", text.encode("cp1252"))
    client = serve()
    the_problem(
        client,
        "posts/cafe.md",
        line=4,
        field=None,
        words=["not valid utf-8", "0xE9", "line 4", "Windows-1252", "save it as utf-8"],
    )
    assert_still_served(client)


def test_utf16_file(folder: ContentFolder, serve: Serve) -> None:
    text = post_text("title: Zestien", "date: 2024-05-01")
    folder.write_bytes("posts/zestien.md", text.encode("utf-16"))
    client = serve()
    the_problem(
        client, "posts/zestien.md", line=1, field=None, words=["UTF-16", "save it as UTF-8"]
    )
    assert_still_served(client)


def test_utf8_bom_is_served_with_warning(folder: ContentFolder, serve: Serve) -> None:
    text = post_text("title: Met BOM", "date: 2024-05-01")
    folder.write_bytes("posts/bom.md", b"\xef\xbb\xbf" + text.encode())
    client = serve()
    the_problem(
        client,
        "posts/bom.md",
        line=1,
        field=None,
        words=["byte order mark", "ignored"],
        severity="warning",
    )
    assert_still_served(client, errors=0, warnings=1, posts=["bom"])
    assert client.get("/posts/bom").json()["title"] == "Met BOM"


def test_crlf_line_endings(folder: ContentFolder, serve: Serve) -> None:
    text = post_text(
        "title: Windows regels",
        "date: 2024-05-01",
        body="Eerste alinea.\n\n## Vraag\n\nWat nu?\n\n## Resultaat\n\nDit.",
    )
    folder.write_bytes("posts/crlf.md", text.replace("\n", "\r\n").encode())
    client = serve()
    assert problems_of(client, "posts/crlf.md") == []
    assert_still_served(client, errors=0, posts=["crlf"])
    detail = client.get("/posts/crlf").json()
    assert detail["title"] == "Windows regels"
    assert detail["summary"] == "Eerste alinea."
    assert [section["heading"] for section in detail["sections"]] == [None, "Vraag", "Resultaat"]
    assert [section["text"] for section in detail["sections"]] == [
        "Eerste alinea.",
        "Wat nu?",
        "Dit.",
    ]
    assert "\r" not in json.dumps(detail)


# --- front matter structure ----------------------------------------------------------------


def test_no_front_matter(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/kaal.md", "# Kaal bericht\n\nGeen front matter.\n")
    client = serve()
    the_problem(
        client,
        "posts/kaal.md",
        line=1,
        field=None,
        words=["does not start with front matter", "'---'", "title:"],
    )
    assert_still_served(client)


def test_unclosed_front_matter(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/open.md", "---\ntitle: Open\ndate: 2024-05-01\n\nDe tekst.\n")
    client = serve()
    the_problem(client, "posts/open.md", line=1, field=None, words=["never closed", "'---'"])
    assert_still_served(client)


def test_invalid_yaml_syntax(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/dubbele-punt.md", post_text("date: 2024-05-01", "title: Vraag: wat nu?"))
    client = serve()
    the_problem(
        client,
        "posts/dubbele-punt.md",
        line=3,
        field=None,
        words=["cannot be read", "quotes"],
    )
    assert_still_served(client)


def test_front_matter_is_a_list(folder: ContentFolder, serve: Serve) -> None:
    folder.write("posts/lijst.md", post_text("- title: Lijst", "- date: 2024-05-01"))
    client = serve()
    the_problem(client, "posts/lijst.md", line=2, field=None, words=["'field: value'"])
    assert_still_served(client)


def test_duplicate_key(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "posts/twee-titels.md",
        post_text("title: Eerste", "date: 2024-05-01", "title: Tweede"),
    )
    client = serve()
    the_problem(
        client,
        "posts/twee-titels.md",
        line=4,
        field=None,
        words=["'title'", "appears twice", "lines 2 and 4", "keep one"],
    )
    assert_still_served(client)


def test_yaml_aliases_are_refused(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "posts/lachen.md",
        post_text(
            "title: Lachen",
            "date: 2024-05-01",
            "a: &a [ha, ha, ha, ha, ha, ha, ha, ha, ha]",
            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
            "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
        ),
    )
    client = serve()
    # The line of the anchor ('&a') that the first alias repeats.
    the_problem(
        client,
        "posts/lachen.md",
        line=4,
        field=None,
        words=["anchors or aliases", "not supported", "write each value out"],
    )
    assert_still_served(client)


def test_deeply_nested_yaml(folder: ContentFolder, serve: Serve) -> None:
    nested = "[" * 50 + "x" + "]" * 50
    folder.write("posts/diep.md", post_text("title: Diep", "date: 2024-05-01", f"tags: {nested}"))
    client = serve()
    the_problem(client, "posts/diep.md", line=4, field=None, words=["nested too deeply"])
    assert_still_served(client)


_DEEP_NESTING_SCRIPT = """
import json, sys
from pathlib import Path
from litestar.testing import TestClient
from caseapi.api.app import create_app
from caseapi.settings import Settings

settings = Settings(content_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]))
with TestClient(app=create_app(settings)) as client:
    print(json.dumps(client.get("/content-errors").json()))
"""


def test_very_deeply_nested_yaml_does_not_crash(folder: ContentFolder, tmp_path: Path) -> None:
    depth = 30_000
    nested = "[" * depth + "]" * depth
    folder.write("posts/bodemloos.md", post_text("title: Diep", "date: 2024-05-01", f"x: {nested}"))
    # In a child process: a crash must fail this test, not kill the test run.
    result = subprocess.run(
        [sys.executable, "-c", _DEEP_NESTING_SCRIPT, str(folder.root), str(tmp_path / "index")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    problems = json.loads(result.stdout)["data"]
    assert [problem["path"] for problem in problems] == ["posts/bodemloos.md"]
    assert "nested too deeply" in problems[0]["message"]


# --- periods and publications --------------------------------------------------------------


def assignment_text(*lines: str) -> str:
    """An assignment whose front matter starts with title, summary, clients (lines 2-4)."""
    return post_text("title: Periode", "summary: Een opdracht.", "clients: [Visio]", *lines)


def test_period_ends_before_it_starts(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "assignments/terug.md", assignment_text("period:", "  start: 2004-12", "  end: 2003-10")
    )
    client = serve()
    the_problem(
        client,
        "assignments/terug.md",
        line=7,
        field="period.end",
        words=["2003-10", "2004-12", "before it starts"],
    )
    assert_still_served(client)


def test_period_month_13(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "assignments/dertien.md", assignment_text("period:", "  start: 2003-13", "  end: 2004-12")
    )
    client = serve()
    the_problem(
        client,
        "assignments/dertien.md",
        line=6,
        field="period.start",
        words=["year and month", "2003-10", "'2003-13'"],
    )
    assert_still_served(client)


def test_period_unknown_key(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "assignments/eind.md", assignment_text("period:", "  start: 2003-10", "  eind: 2004-12")
    )
    client = serve()
    the_problem(
        client,
        "assignments/eind.md",
        line=7,
        field="period.eind",
        words=["'start'", "'end'", "'eind'"],
    )
    assert_still_served(client)


def test_publication_url_not_http(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "assignments/publicatie.md",
        assignment_text("publications:", "  - title: Eindrapport", "    url: www.example.nl/r"),
    )
    client = serve()
    the_problem(
        client,
        "assignments/publicatie.md",
        line=7,
        field="publications[0].url",
        words=["www.example.nl/r", "https://"],
    )
    assert_still_served(client)


# --- unknown keys --------------------------------------------------------------------------


def test_misspelt_key_is_a_warning_and_kept_under_extra(
    folder: ContentFolder, serve: Serve
) -> None:
    folder.write(
        "posts/tikfout.md",
        post_text("title: Tikfout", "tittle: Oude titel", "date: 2024-05-01"),
    )
    client = serve()
    the_problem(
        client,
        "posts/tikfout.md",
        line=3,
        field="tittle",
        words=["unknown field", "did you mean 'title'", "extra"],
        severity="warning",
    )
    assert_still_served(client, errors=0, warnings=1, posts=["tikfout"])
    detail = client.get("/posts/tikfout").json()
    assert detail["title"] == "Tikfout"
    assert detail["extra"] == {"tittle": "Oude titel"}


# --- not text at all -----------------------------------------------------------------------


def test_binary_file(folder: ContentFolder, serve: Serve) -> None:
    folder.write_bytes("posts/plaatje.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    client = serve()
    the_problem(client, "posts/plaatje.md", line=None, field=None, words=["binary", "not markdown"])
    assert_still_served(client)


def test_file_over_5_mib(folder: ContentFolder, serve: Serve) -> None:
    head = post_text("title: Groot", "date: 2024-05-01").encode()
    folder.write_bytes("posts/groot.md", head + b"a" * (5 * 1024 * 1024))
    client = serve()
    the_problem(client, "posts/groot.md", line=None, field=None, words=["MiB", "at most 5 MiB"])
    assert_still_served(client)


def test_file_over_5_mib_message_does_not_contradict_itself(
    folder: ContentFolder, serve: Serve
) -> None:
    head = post_text("title: Groot", "date: 2024-05-01").encode()
    folder.write_bytes("posts/groot.md", head + b"a" * (5 * 1024 * 1024))
    client = serve()
    (problem,) = problems_of(client, "posts/groot.md")
    assert "The file is 5 MiB" not in problem["message"]


def test_empty_file(folder: ContentFolder, serve: Serve) -> None:
    folder.write_bytes("posts/leeg.md", b"")
    client = serve()
    the_problem(client, "posts/leeg.md", line=1, field=None, words=["empty"])
    assert_still_served(client)


# --- files that are not content ------------------------------------------------------------


def test_editor_and_hidden_files_are_ignored(folder: ContentFolder, serve: Serve) -> None:
    valid = post_text("title: Niet publiceren", "date: 2024-05-01")
    folder.write_bytes("posts/bericht.md.swp", b"b0VIM 8.2\x00\x00\x00garbage")
    folder.write("posts/bericht.md~", valid)
    folder.write("posts/.#bericht.md", valid)
    folder.write("posts/#bericht.md#", valid)
    folder.write("posts/4913", "")
    folder.write("posts/.verborgen.md", valid)
    folder.write("posts/.obsidian/werk.md", valid)
    folder.write(".git/config", "[core]\n")
    folder.write("assignments/~$rapport.md", "garbage")
    folder.write("assignments/.DS_Store", "garbage")
    client = serve()
    assert client.get("/content-errors").json()["data"] == []
    assert_still_served(client, errors=0)
    for slug in ("bericht", "verborgen", "werk", "4913"):
        assert client.get(f"/posts/{slug}").status_code == 404


def test_symlink_to_file_outside_content_folder(
    folder: ContentFolder, serve: Serve, tmp_path: Path
) -> None:
    outside = tmp_path / "elders" / "geheim.md"
    outside.parent.mkdir()
    outside.write_text(post_text("title: Geheim", "date: 2024-05-01"), encoding="utf-8")
    os.symlink(outside, folder.root / "posts" / "geheim.md")
    client = serve()
    the_problem(
        client,
        "posts/geheim.md",
        line=None,
        field=None,
        words=["link", "outside the content folder", "not served"],
    )
    assert_still_served(client)
    assert client.get("/posts/geheim").status_code == 404


def test_symlink_inside_content_folder_is_served(folder: ContentFolder, serve: Serve) -> None:
    target = folder.write("posts/origineel.md", post_text("title: Origineel", "date: 2024-05-01"))
    os.symlink(target, folder.root / "posts" / "kopie.md")
    client = serve()
    assert client.get("/content-errors").json()["data"] == []
    assert_still_served(client, errors=0, posts=["origineel", "kopie"])
    assert client.get("/posts/kopie").json()["title"] == "Origineel"


def _outside_folder_link(folder: ContentFolder, tmp_path: Path) -> None:
    outside = tmp_path / "elders"
    outside.mkdir()
    (outside / "geheim.md").write_text(
        post_text("title: Geheim", "date: 2024-05-01"), encoding="utf-8"
    )
    os.symlink(outside, folder.root / "posts" / "elders", target_is_directory=True)


def test_symlinked_folder_outside_content_is_not_served(
    folder: ContentFolder, serve: Serve, tmp_path: Path
) -> None:
    _outside_folder_link(folder, tmp_path)
    client = serve()
    assert client.get("/posts/geheim").status_code == 404
    assert slugs(client, "posts") == {GOOD_POST}


def test_symlinked_folder_outside_content_is_reported(
    folder: ContentFolder, serve: Serve, tmp_path: Path
) -> None:
    _outside_folder_link(folder, tmp_path)
    client = serve()
    problems = client.get("/content-errors").json()["data"]
    assert any(problem["path"].startswith("posts/elders") for problem in problems), problems


# --- drafts and several problems at once ---------------------------------------------------


def test_draft_is_not_served_and_not_an_error(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "posts/in-de-maak.md", post_text("title: In de maak", "date: 2024-05-01", "draft: true")
    )
    folder.write(
        "assignments/in-de-maak.md",
        assignment_text("draft: true"),
    )
    client = serve()
    assert client.get("/content-errors").json()["data"] == []
    assert_still_served(client, errors=0)
    assert client.get("/posts/in-de-maak").status_code == 404
    assert client.get("/assignments/in-de-maak").status_code == 404


def test_several_errors_in_one_file_are_all_reported(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "posts/rommel.md",
        post_text(
            "title: true",  # 2
            "date: 2024-02-30",  # 3
            "lang: de",  # 4
            "draft: misschien",  # 5
            "tags:",  # 6
            "  - goed",  # 7
            "  - [fout]",  # 8
            "slug: Rommel",  # 9
            "auhtor: Henk",  # 10: a warning, not an error
        ),
    )
    client = serve()
    problems = problems_of(client, "posts/rommel.md")
    found = {(p["field"], p["line"], p["severity"]) for p in problems}
    assert found == {
        ("title", 2, "error"),
        ("date", 3, "error"),
        ("lang", 4, "error"),
        ("draft", 5, "error"),
        ("tags[1]", 8, "error"),
        ("slug", 9, "error"),
        ("auhtor", 10, "warning"),
    }
    messages = {p["field"]: p["message"] for p in problems}
    assert "expected text" in messages["title"]
    assert "not a real date" in messages["date"]
    assert "nl or en" in messages["lang"]
    assert "true or false" in messages["draft"]
    assert "did you mean 'author'" in messages["auhtor"]
    assert_still_served(client, errors=6, warnings=1)


def test_several_errors_in_one_assignment(folder: ContentFolder, serve: Serve) -> None:
    folder.write(
        "assignments/rommel.md",
        textwrap.dedent(
            """\
            ---
            summary: Een rommelige opdracht.
            clients: []
            period: {start: 2003-13}
            publications:
              - title: Goed
                url: https://example.nl/goed
              - title: Fout
                url: ftp://example.nl/fout
            ---
            Tekst.
            """
        ),
    )
    client = serve()
    problems = problems_of(client, "assignments/rommel.md")
    found = {(p["field"], p["line"]) for p in problems}
    assert found == {
        ("clients", 3),
        ("period.start", 4),
        ("publications[1].url", 9),
        ("title", None),
    }
    assert all(p["severity"] == "error" for p in problems)
    assert_still_served(client, errors=4)
