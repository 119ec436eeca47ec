"""Bad content files, one kind per case, through the real loader of a real folder.

Every case writes a valid post and a valid assignment next to the bad file and loads
the folder as a build does. The bad file must get exactly one problem that tells an
editor what to change (path, line, field, the words of the message), and the good
documents must still be loaded. ``tests/api/test_content_errors.py`` checks over HTTP
that these problems reach ``/content-errors`` and ``/health`` and nothing else stops.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import EllipsisType

import msgspec
import pytest

from caseapi.content.loader import FolderLoad, load_folder
from caseapi.models import AMSTERDAM, ContentProblem, Document
from tests.conftest import ContentFolder

GOOD_POST = "goed-bericht"
GOOD_ASSIGNMENT = "goede-opdracht"


def post_text(*lines: str, body: str = "Tekst van het bericht.") -> str:
    """A post file: front matter from ``lines`` (line 2 onwards), then ``body``."""
    return "---\n" + "".join(f"{line}\n" for line in lines) + "---\n" + body + "\n"


def assignment_text(*lines: str) -> str:
    """An assignment whose front matter starts with title, summary, clients (lines 2-4)."""
    return post_text("title: Periode", "summary: Een opdracht.", "clients: [Visio]", *lines)


@pytest.fixture
def folder(content: ContentFolder) -> ContentFolder:
    """The content folder with one valid post and one valid assignment in it."""
    content.post(GOOD_POST, title="Een goed bericht")
    content.assignment(GOOD_ASSIGNMENT, title="Een goede opdracht")
    return content


def problems_of(loaded: FolderLoad, path: str) -> list[ContentProblem]:
    """What the load says about ``path``."""
    return [problem for problem in loaded.problems if problem.path == path]


def the_problem(
    loaded: FolderLoad,
    path: str,
    *,
    line: int | EllipsisType | None,
    field: str | None,
    words: Iterable[str],
    severity: str = "error",
) -> ContentProblem:
    """The one problem reported for ``path``, checked; its message contains ``words``.

    ``line=...`` leaves the line unchecked (a separate test covers it).
    """
    problems = problems_of(loaded, path)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.severity == severity
    if line is not ...:
        assert problem.line == line
    assert problem.field == field
    message = problem.message.lower()
    for word in words:
        assert word.lower() in message, (word, problem.message)
    return problem


def document(loaded: FolderLoad, collection: str, slug: str) -> Document:
    (found,) = [d for d in loaded.documents if (d.collection, d.slug) == (collection, slug)]
    return found


def assert_still_loaded(
    loaded: FolderLoad,
    *,
    errors: int = 1,
    warnings: int = 0,
    posts: Iterable[str] = (),
    assignments: Iterable[str] = (),
) -> None:
    """The good documents (and exactly the extra ones given) are loaded; problems counted."""
    loaded_posts = {d.slug for d in loaded.documents if d.collection == "posts"}
    loaded_assignments = {d.slug for d in loaded.documents if d.collection == "assignments"}
    assert loaded_posts == {GOOD_POST, *posts}
    assert loaded_assignments == {GOOD_ASSIGNMENT, *assignments}
    assert document(loaded, "posts", GOOD_POST).title == "Een goed bericht"
    assert document(loaded, "assignments", GOOD_ASSIGNMENT).title == "Een goede opdracht"
    found_errors = sum(problem.severity == "error" for problem in loaded.problems)
    assert (found_errors, len(loaded.problems) - found_errors) == (errors, warnings)


@dataclass(frozen=True)
class Refused:
    """One bad file: where it goes, what it holds, and the one problem it must get."""

    path: str
    text: str | bytes
    line: int | EllipsisType | None
    field: str | None
    words: tuple[str, ...]
    severity: str = "error"
    # A warning leaves the file loaded: under these slugs.
    posts: tuple[str, ...] = field(default=())


def cp1252(text: str) -> bytes:
    return text.encode("cp1252")


REFUSED = {
    # --- required fields
    "post without title": Refused(
        "posts/zonder-titel.md",
        post_text("date: 2024-05-01"),
        None,
        "title",
        ("title", "missing", "required"),
    ),
    "post without date": Refused(
        "posts/zonder-datum.md",
        post_text("title: Zonder datum"),
        None,
        "date",
        ("date", "missing", "required"),
    ),
    "assignment without clients": Refused(
        "assignments/zonder-klant.md",
        post_text("title: Zonder klant", "summary: Een opdracht zonder opdrachtgever."),
        None,
        "clients",
        ("clients", "missing", "required"),
    ),
    "assignment with clients: []": Refused(
        "assignments/lege-klanten.md",
        post_text("title: Lege klanten", "summary: Geen opdrachtgevers.", "clients: []"),
        4,
        "clients",
        ("at least one client",),
    ),
    "assignment with clients empty": Refused(
        "assignments/lege-klanten.md",
        post_text("title: Lege klanten", "summary: Geen opdrachtgevers.", "clients: "),
        4,
        "clients",
        ("at least one client",),
    ),
    # --- dates
    "impossible date": Refused(
        "posts/schrikkel.md",
        post_text("title: Schrikkel", "date: 2024-02-30"),
        3,
        "date",
        ("2024-02-30", "not a real date"),
    ),
    "impossible date in an assignment": Refused(
        "assignments/schrikkel.md",
        post_text("title: Schrikkel", "summary: S.", "clients: [Visio]", "date: 2023-02-29"),
        5,
        "date",
        ("2023-02-29", "not a real date"),
    ),
    "Dutch date order gets the ISO spelling suggested": Refused(
        "posts/nederlands.md",
        post_text("title: Nederlands", "date: 01-05-2024"),
        3,
        "date",
        ("01-05-2024", "day-month-year", "2024-05-01"),
    ),
    "text in a date": Refused(
        "posts/gisteren.md",
        post_text("title: Gisteren", "date: gisteren"),
        3,
        "date",
        ("gisteren", "not a date", "YYYY-MM-DD"),
    ),
    # --- YAML 1.1 surprises and types
    "title: yes is text, with a warning": Refused(
        "posts/ja.md",
        post_text("title: yes", "date: 2024-05-01"),
        2,
        "title",
        ("'yes'", "true/false", "quotes", '"yes"'),
        severity="warning",
        posts=("ja",),
    ),
    "title: true is not text": Refused(
        "posts/waar.md",
        post_text("title: true", "date: 2024-05-01"),
        2,
        "title",
        ("expected text", "true/false", "quotes"),
    ),
    # --- where the file is
    "an unknown collection folder": Refused(
        "news/nieuwtje.md",
        post_text("title: Nieuwtje", "date: 2024-05-01"),
        None,
        None,
        ("'news'", "not a content folder", "assignments/", "posts/"),
    ),
    "a file at the content root": Refused(
        "los-bericht.md",
        post_text("title: Los", "date: 2024-05-01"),
        None,
        None,
        ("los-bericht.md", "assignments/", "posts/"),
    ),
    "not Markdown in posts/": Refused(
        "posts/notes.txt",
        "Aantekeningen voor het volgende bericht.\n",
        None,
        None,
        ("only markdown", ".md", "rename"),
    ),
    # --- slugs
    "a file name that is not a slug": Refused(
        "posts/Mijn Post.md",
        post_text("title: Mijn post", "date: 2024-05-01"),
        None,
        "slug",
        ("'Mijn Post.md'", "not a valid slug", "mijn-post.md", "slug:"),
    ),
    "an invalid slug value": Refused(
        "posts/goede-naam.md",
        post_text("title: Slechte slug", "date: 2024-05-01", "slug: Mijn Slug!"),
        4,
        "slug",
        ("'Mijn Slug!'", "not a valid slug", "lowercase"),
    ),
    # --- encodings
    "Windows-1252": Refused(
        "posts/cafe.md",
        cp1252(post_text("title: Cafe", "date: 2024-05-01", "author: José Jansen")),
        4,
        None,
        ("not valid utf-8", "0xE9", "line 4", "Windows-1252", "save it as utf-8"),
    ),
    "UTF-16": Refused(
        "posts/zestien.md",
        post_text("title: Zestien", "date: 2024-05-01").encode("utf-16"),
        1,
        None,
        ("UTF-16", "save it as UTF-8"),
    ),
    "a UTF-8 byte order mark, with a warning": Refused(
        "posts/bom.md",
        b"\xef\xbb\xbf" + post_text("title: Met BOM", "date: 2024-05-01").encode(),
        1,
        None,
        ("byte order mark", "ignored"),
        severity="warning",
        posts=("bom",),
    ),
    # --- front matter structure
    "no front matter": Refused(
        "posts/kaal.md",
        "# Kaal bericht\n\nGeen front matter.\n",
        1,
        None,
        ("does not start with front matter", "'---'", "title:"),
    ),
    "unclosed front matter": Refused(
        "posts/open.md",
        "---\ntitle: Open\ndate: 2024-05-01\n\nDe tekst.\n",
        1,
        None,
        ("never closed", "'---'"),
    ),
    "invalid YAML": Refused(
        "posts/dubbele-punt.md",
        post_text("date: 2024-05-01", "title: Vraag: wat nu?"),
        3,
        None,
        ("cannot be read", "quotes"),
    ),
    "front matter that is a list": Refused(
        "posts/lijst.md",
        post_text("- title: Lijst", "- date: 2024-05-01"),
        2,
        None,
        ("'field: value'",),
    ),
    "a key twice": Refused(
        "posts/twee-titels.md",
        post_text("title: Eerste", "date: 2024-05-01", "title: Tweede"),
        4,
        None,
        ("'title'", "appears twice", "lines 2 and 4", "keep one"),
    ),
    # The line of the anchor ('&a') that the first alias repeats.
    "YAML aliases": Refused(
        "posts/lachen.md",
        post_text(
            "title: Lachen",
            "date: 2024-05-01",
            "a: &a [ha, ha, ha, ha, ha, ha, ha, ha, ha]",
            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
            "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
        ),
        4,
        None,
        ("anchors or aliases", "not supported", "write each value out"),
    ),
    "deeply nested YAML": Refused(
        "posts/diep.md",
        post_text("title: Diep", "date: 2024-05-01", f"tags: {'[' * 50}x{']' * 50}"),
        4,
        None,
        ("nested too deeply",),
    ),
    # --- periods and publications
    "a period that ends before it starts": Refused(
        "assignments/terug.md",
        assignment_text("period:", "  start: 2004-12", "  end: 2003-10"),
        7,
        "period.end",
        ("2003-10", "2004-12", "before it starts"),
    ),
    "month 13": Refused(
        "assignments/dertien.md",
        assignment_text("period:", "  start: 2003-13", "  end: 2004-12"),
        6,
        "period.start",
        ("year and month", "2003-10", "'2003-13'"),
    ),
    "an unknown key in a period": Refused(
        "assignments/eind.md",
        assignment_text("period:", "  start: 2003-10", "  eind: 2004-12"),
        7,
        "period.eind",
        ("'start'", "'end'", "'eind'"),
    ),
    "a publication URL that is not http": Refused(
        "assignments/publicatie.md",
        assignment_text("publications:", "  - title: Eindrapport", "    url: www.example.nl/r"),
        7,
        "publications[0].url",
        ("www.example.nl/r", "https://"),
    ),
    # --- unknown keys
    "a misspelt key, with a warning": Refused(
        "posts/tikfout.md",
        post_text("title: Tikfout", "tittle: Oude titel", "date: 2024-05-01"),
        3,
        "tittle",
        ("unknown field", "did you mean 'title'", "extra"),
        severity="warning",
        posts=("tikfout",),
    ),
    # --- not text at all
    "a binary file": Refused(
        "posts/plaatje.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        None,
        None,
        ("binary", "not markdown"),
    ),
    "a file over 5 MiB": Refused(
        "posts/groot.md",
        post_text("title: Groot", "date: 2024-05-01").encode() + b"a" * (5 * 1024 * 1024),
        None,
        None,
        ("MiB", "at most 5 MiB"),
    ),
    "an empty file": Refused("posts/leeg.md", b"", 1, None, ("empty",)),
}


@pytest.mark.parametrize("case", list(REFUSED.values()), ids=list(REFUSED))
def test_a_bad_file_gets_one_clear_problem_and_the_rest_loads(
    folder: ContentFolder, case: Refused
) -> None:
    if isinstance(case.text, bytes):
        folder.write_bytes(case.path, case.text)
    else:
        folder.write(case.path, case.text)
    loaded = load_folder(folder.root)
    the_problem(
        loaded,
        case.path,
        line=case.line,
        field=case.field,
        words=case.words,
        severity=case.severity,
    )
    errors = 1 if case.severity == "error" else 0
    assert_still_loaded(loaded, errors=errors, warnings=1 - errors, posts=case.posts)


def test_a_warned_file_is_loaded_as_written(folder: ContentFolder) -> None:
    folder.write("posts/ja.md", post_text("title: yes", "date: 2024-05-01"))
    folder.write(
        "posts/tikfout.md", post_text("title: Tikfout", "tittle: Oude titel", "date: 2024-05-01")
    )
    loaded = load_folder(folder.root)
    assert document(loaded, "posts", "ja").title == "yes"
    tikfout = document(loaded, "posts", "tikfout")
    assert tikfout.title == "Tikfout"
    assert tikfout.extra == {"tittle": "Oude titel"}


def test_bom_file_keeps_its_title(folder: ContentFolder) -> None:
    text = post_text("title: Met BOM", "date: 2024-05-01")
    folder.write_bytes("posts/bom.md", b"\xef\xbb\xbf" + text.encode())
    assert document(load_folder(folder.root), "posts", "bom").title == "Met BOM"


def test_quoted_iso_date_is_accepted(folder: ContentFolder) -> None:
    folder.write("posts/aanhalingstekens.md", post_text("title: Met quotes", 'date: "2024-05-01"'))
    loaded = load_folder(folder.root)
    assert problems_of(loaded, "posts/aanhalingstekens.md") == []
    assert_still_loaded(loaded, errors=0, posts=["aanhalingstekens"])
    moment = document(loaded, "posts", "aanhalingstekens").date
    assert moment.astimezone(AMSTERDAM).isoformat() == "2024-05-01T00:00:00+02:00"


def test_draft_yes_is_a_draft(folder: ContentFolder) -> None:
    folder.write("posts/concept.md", post_text("title: Concept", "date: 2024-05-01", "draft: yes"))
    loaded = load_folder(folder.root)
    assert problems_of(loaded, "posts/concept.md") == []
    assert document(loaded, "posts", "concept").draft is True


def test_crlf_line_endings(folder: ContentFolder) -> None:
    text = post_text(
        "title: Windows regels",
        "date: 2024-05-01",
        body="Eerste alinea.\n\n## Vraag\n\nWat nu?\n\n## Resultaat\n\nDit.",
    )
    folder.write_bytes("posts/crlf.md", text.replace("\n", "\r\n").encode())
    loaded = load_folder(folder.root)
    assert problems_of(loaded, "posts/crlf.md") == []
    assert_still_loaded(loaded, errors=0, posts=["crlf"])
    crlf = document(loaded, "posts", "crlf")
    assert crlf.title == "Windows regels"
    assert crlf.summary == "Eerste alinea."
    assert [section.heading for section in crlf.sections] == [None, "Vraag", "Resultaat"]
    assert [section.text for section in crlf.sections] == ["Eerste alinea.", "Wat nu?", "Dit."]
    assert b"\\r" not in msgspec.json.encode(crlf)


# --- slugs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("winner", "loser", "line"),
    [
        # The file named after the slug comes first by path and keeps it; the loser's
        # line is its 'slug:' field.
        pytest.param("posts/dubbel.md", "posts/zz-ander.md", 4, id="file-name-first"),
        # The file that sets 'slug:' comes first and keeps it; the loser has no slug line.
        pytest.param("posts/aa-ander.md", "posts/dubbel.md", None, id="slug-field-first"),
    ],
)
def test_duplicate_slug_first_by_path_keeps_it(
    folder: ContentFolder, winner: str, loser: str, line: int | None
) -> None:
    other = "posts/zz-ander.md" if winner == "posts/dubbel.md" else "posts/aa-ander.md"
    folder.write("posts/dubbel.md", post_text("title: Naar de naam", "date: 2024-05-01"))
    folder.write(other, post_text("title: Via slug", "date: 2024-05-02", "slug: dubbel"))
    loaded = load_folder(folder.root)
    the_problem(loaded, loser, line=line, field="slug", words=["'dubbel'", "already used", winner])
    assert problems_of(loaded, winner) == []
    assert_still_loaded(loaded, posts=["dubbel"])
    expected_title = "Naar de naam" if winner == "posts/dubbel.md" else "Via slug"
    assert document(loaded, "posts", "dubbel").title == expected_title


def test_same_slug_in_both_collections_is_fine(folder: ContentFolder) -> None:
    folder.post("gedeeld", title="Gedeeld bericht")
    folder.assignment("gedeeld", title="Gedeelde opdracht")
    loaded = load_folder(folder.root)
    assert_still_loaded(loaded, errors=0, posts=["gedeeld"], assignments=["gedeeld"])
    assert document(loaded, "posts", "gedeeld").title == "Gedeeld bericht"
    assert document(loaded, "assignments", "gedeeld").title == "Gedeelde opdracht"


def test_file_name_with_slug_field_is_fine(folder: ContentFolder) -> None:
    folder.write(
        "posts/Mijn Post.md", post_text("title: Mijn post", "date: 2024-05-01", "slug: mijn-post")
    )
    loaded = load_folder(folder.root)
    assert problems_of(loaded, "posts/Mijn Post.md") == []
    assert_still_loaded(loaded, errors=0, posts=["mijn-post"])


# --- files that are not content, and links -------------------------------------------------


def test_editor_and_hidden_files_are_ignored(folder: ContentFolder) -> None:
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
    loaded = load_folder(folder.root)
    assert loaded.problems == []
    assert_still_loaded(loaded, errors=0)


def test_symlink_to_file_outside_content_folder(folder: ContentFolder, tmp_path: Path) -> None:
    outside = tmp_path / "elders" / "geheim.md"
    outside.parent.mkdir()
    outside.write_text(post_text("title: Geheim", "date: 2024-05-01"), encoding="utf-8")
    os.symlink(outside, folder.root / "posts" / "geheim.md")
    loaded = load_folder(folder.root)
    the_problem(
        loaded,
        "posts/geheim.md",
        line=None,
        field=None,
        words=["link", "outside the content folder", "not served"],
    )
    assert_still_loaded(loaded)


def test_symlink_inside_content_folder_is_served(folder: ContentFolder) -> None:
    target = folder.write("posts/origineel.md", post_text("title: Origineel", "date: 2024-05-01"))
    os.symlink(target, folder.root / "posts" / "kopie.md")
    loaded = load_folder(folder.root)
    assert loaded.problems == []
    assert_still_loaded(loaded, errors=0, posts=["origineel", "kopie"])
    assert document(loaded, "posts", "kopie").title == "Origineel"


def test_symlinked_folder_outside_content_is_reported_not_loaded(
    folder: ContentFolder, tmp_path: Path
) -> None:
    outside = tmp_path / "elders"
    outside.mkdir()
    (outside / "geheim.md").write_text(
        post_text("title: Geheim", "date: 2024-05-01"), encoding="utf-8"
    )
    os.symlink(outside, folder.root / "posts" / "elders", target_is_directory=True)
    loaded = load_folder(folder.root)
    assert {d.slug for d in loaded.documents if d.collection == "posts"} == {GOOD_POST}
    assert any(problem.path.startswith("posts/elders") for problem in loaded.problems)


def test_file_over_5_mib_message_does_not_contradict_itself(folder: ContentFolder) -> None:
    head = post_text("title: Groot", "date: 2024-05-01").encode()
    folder.write_bytes("posts/groot.md", head + b"a" * (5 * 1024 * 1024))
    (problem,) = problems_of(load_folder(folder.root), "posts/groot.md")
    assert "The file is 5 MiB" not in problem.message


_DEEP_NESTING_SCRIPT = """
import json, sys
from pathlib import Path
import msgspec
from caseapi.content.loader import load_folder

print(msgspec.json.encode(load_folder(Path(sys.argv[1])).problems).decode())
"""


def test_very_deeply_nested_yaml_does_not_crash(folder: ContentFolder) -> None:
    depth = 30_000
    nested = "[" * depth + "]" * depth
    folder.write("posts/bodemloos.md", post_text("title: Diep", "date: 2024-05-01", f"x: {nested}"))
    # In a child process: a crash must fail this test, not kill the test run.
    result = subprocess.run(
        [sys.executable, "-c", _DEEP_NESTING_SCRIPT, str(folder.root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    problems = json.loads(result.stdout)
    assert [problem["path"] for problem in problems] == ["posts/bodemloos.md"]
    assert "nested too deeply" in problems[0]["message"]


# --- drafts and several problems at once ---------------------------------------------------


def test_draft_is_loaded_as_a_draft_and_not_an_error(folder: ContentFolder) -> None:
    folder.write(
        "posts/in-de-maak.md", post_text("title: In de maak", "date: 2024-05-01", "draft: true")
    )
    folder.write("assignments/in-de-maak.md", assignment_text("draft: true"))
    loaded = load_folder(folder.root)
    assert loaded.problems == []
    assert document(loaded, "posts", "in-de-maak").draft
    assert document(loaded, "assignments", "in-de-maak").draft


def test_several_errors_in_one_file_are_all_reported(folder: ContentFolder) -> None:
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
    loaded = load_folder(folder.root)
    problems = problems_of(loaded, "posts/rommel.md")
    found = {(p.field, p.line, p.severity) for p in problems}
    assert found == {
        ("title", 2, "error"),
        ("date", 3, "error"),
        ("lang", 4, "error"),
        ("draft", 5, "error"),
        ("tags[1]", 8, "error"),
        ("slug", 9, "error"),
        ("auhtor", 10, "warning"),
    }
    messages = {p.field: p.message for p in problems}
    assert "expected text" in messages["title"]
    assert "not a real date" in messages["date"]
    assert "nl or en" in messages["lang"]
    assert "true or false" in messages["draft"]
    assert "did you mean 'author'" in messages["auhtor"]
    assert_still_loaded(loaded, errors=6, warnings=1)


def test_several_errors_in_one_assignment(folder: ContentFolder) -> None:
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
    loaded = load_folder(folder.root)
    problems = problems_of(loaded, "assignments/rommel.md")
    found = {(p.field, p.line) for p in problems}
    assert found == {
        ("clients", 3),
        ("period.start", 4),
        ("publications[1].url", 9),
        ("title", None),
    }
    assert all(p.severity == "error" for p in problems)
    assert_still_loaded(loaded, errors=4)


def test_a_file_name_that_is_not_utf8_is_refused_and_the_rest_loads(
    folder: ContentFolder,
) -> None:
    for name in (b"posts/\xff\xfe.md", b"media/caf\xe9.jpg"):
        path = os.fsencode(folder.root) + b"/" + name
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(post_text("title: Vreemd", "date: 2024-05-01").encode())
    loaded = load_folder(folder.root)
    shown = {problem.path: problem.message for problem in loaded.problems}
    assert set(shown) == {"posts/\ufffd\ufffd.md", "media/caf\ufffd.jpg"}
    assert all("not UTF-8" in message for message in shown.values())
    assert_still_loaded(loaded, errors=2)
