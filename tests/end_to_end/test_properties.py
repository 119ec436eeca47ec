"""Property-based tests: whatever an editor saves or a visitor types, nothing escapes.

- Any text or bytes in a content file ends as a document or as problems an editor can read,
  never as an exception (which would take the file's neighbours down with it).
- Any search query is parsed or refused with ``QueryError``; over HTTP it is a 200 or a
  400 problem, never a 500.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from caseapi.api.app import create_app
from caseapi.content.loader import load_file, parse_document, resolve_slugs
from caseapi.models import Collection, ContentProblem, Document
from caseapi.search.query import MAX_QUERY_LENGTH, QueryError, parse_query
from caseapi.settings import Settings
from tests.api_helpers import PROBLEM
from tests.conftest import ContentFolder
from tests.inert import assert_inert

MODIFIED = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
FUZZ = settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Pieces of front matter and Markdown, so that generated files reach the YAML reader, the
# validator and the renderer instead of stopping at "does not start with ---".
_KEYS = ["title", "date", "summary", "clients", "tags", "slug", "draft", "period", "publish_at"]
_KEYS += ["publications", "lang", "work", "author", "updated", "tittle", "x", "? a", "- b"]
_VALUES = [
    "Titel",
    "2024-05-01",
    "01-05-2024",
    "2024-02-30",
    "2024-05-01T09:00:00",
    "yes",
    "no",
    "true",
    "null",
    "~",
    "010",
    "12:30",
    "[a, b]",
    "[",
    "{start: 2003-10, end: 2004-12}",
    "{start: 2004-13}",
    "&a [x]",
    "*a",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGFsbG8=",
    "|\n  blok\n  tekst",
    ">-\n  gevouwen",
    '"quoted: value"',
    "'single'",
    "<script>alert(1)</script>",
    "[{title: Rapport, url: javascript:alert(1)}]",
    "\t tab",
    "é ü ß 中文 🙂",
    "%YAML 1.1",
    "---",
    "...",
    "",
]
_BODY = [
    "## Vraag\n",
    "Tekst van *de* pagina.\n",
    "<script>alert(1)</script>\n",
    "[link](javascript:alert(1))\n",
    "<img src=x onerror=alert(1)>\n",
    "```\ncode\n```\n",
    "- een\n- twee\n",
    "# Kop\n",
    "> citaat\n",
    "| a | b |\n|---|---|\n",
    "\r\n",
]
printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
front_matter_line = st.one_of(
    st.builds(
        lambda indent, key, value: f"{indent}{key}: {value}",
        st.sampled_from(["", "", "", "  ", "- ", "\t"]),
        st.sampled_from(_KEYS),
        st.one_of(st.sampled_from(_VALUES), printable),
    ),
    printable,
    st.text(max_size=30),
)
# Required fields first, most of the time: then the other lines decide what becomes of it.
_REQUIRED = {
    "posts": "title: Een bericht\ndate: 2024-05-01\n",
    "assignments": "title: Een opdracht\nsummary: Kort.\nclients: [Visio]\n",
}


def content_text_for(collection: Collection) -> st.SearchStrategy[str]:
    """Whole files: mostly well-formed, with hostile lines in the front matter and body."""
    return st.builds(
        lambda opening, required, lines, closing, body: (
            opening + required + "\n".join(lines) + closing + body
        ),
        st.sampled_from(["---\n", "---\n", "---\n", "---\r\n", "\ufeff---\n", "--- \n", ""]),
        st.sampled_from([_REQUIRED[collection], _REQUIRED[collection], ""]),
        st.lists(front_matter_line, max_size=6),
        st.sampled_from(["\n---\n", "\n---\n", "\n---\n", "\n...\n", "\n", ""]),
        st.lists(
            st.one_of(st.sampled_from(_BODY), printable, st.text(max_size=40)), max_size=8
        ).map("".join),
    )


content_text = st.one_of(content_text_for("posts"), content_text_for("assignments"))
any_text = st.one_of(content_text, st.text())
any_bytes = st.one_of(
    st.binary(),
    st.builds(
        lambda prefix, text, tail: prefix + text + tail,
        st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"---\n"]),
        content_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.binary(max_size=16),
    ),
    content_text.map(lambda text: text.encode("cp1252", "replace")),
    content_text.map(lambda text: text.encode("utf-16")),
)


def assert_document_or_problems(
    result_document: Document | None, problems: list[ContentProblem], path: str, raw: bytes
) -> None:
    """The promise of the loader, for any input."""
    if result_document is None:
        assert any(problem.severity == "error" for problem in problems), problems
    else:
        assert all(problem.severity == "warning" for problem in problems), problems
        assert result_document.path == path
        # What the catalog stores must encode (and so the API can serve it).
        msgspec.json.decode(msgspec.json.encode(result_document), type=Document)
        assert_inert(result_document.html, stored=True)
    lines = raw.count(b"\n") + 1
    for problem in problems:
        assert problem.path == path
        assert problem.message.strip()
        assert problem.line is None or 1 <= problem.line <= lines, (problem, lines)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    """One content folder for all examples (Hypothesis runs many per test)."""
    with tempfile.TemporaryDirectory(prefix="caseapi-properties-") as name:
        root = Path(name)
        for collection in ("assignments", "posts"):
            (root / collection).mkdir()
        yield root


@pytest.mark.parametrize("collection", ["assignments", "posts"])
@FUZZ
@given(text=any_text)
@example(text="---\ntitle: [\n---\n")
@example(text="---\na: &a [x]\nb: [*a, *a]\n---\n")
@example(text="---\n" + "[" * 10_000 + "\n---\n")
def test_any_text_becomes_a_document_or_problems(
    folder: Path, collection: Collection, text: str
) -> None:
    relative = Path(collection) / "fuzz.md"
    raw = text.encode("utf-8", "surrogatepass")
    (folder / relative).write_bytes(raw)
    result = load_file(folder, relative)
    assert_document_or_problems(result.document, result.problems, relative.as_posix(), raw)
    resolve_slugs([result])


@pytest.mark.parametrize("collection", ["assignments", "posts"])
@FUZZ
@given(raw=any_bytes)
@example(raw=b"\x89PNG\r\n\x1a\n\x00\x00")
@example(raw=b"---\ntitle: caf\xe9\ndate: 2024-05-01\n---\n")
def test_any_bytes_become_a_document_or_problems(
    folder: Path, collection: Collection, raw: bytes
) -> None:
    relative = Path(collection) / "bytes.md"
    (folder / relative).write_bytes(raw)
    result = load_file(folder, relative)
    assert_document_or_problems(result.document, result.problems, relative.as_posix(), raw)


@FUZZ
@given(text=content_text, name=st.text(min_size=1, max_size=30))
def test_any_file_name_becomes_a_document_or_problems(text: str, name: str) -> None:
    """The name only reaches ``parse_document`` (slugs come from it), not the disk."""
    relative = Path("posts") / f"{name.replace('/', '_')}.md"
    raw = text.encode("utf-8", "surrogatepass")
    result = parse_document("posts", relative, raw, MODIFIED)
    assert_document_or_problems(result.document, result.problems, relative.as_posix(), raw)


# --- search queries --------------------------------------------------------------------------

_QUERY_PIECES = ['"', "-", "*", "+", "(", ")", "AND", "OR", "NOT", ":", "~", "^", "\\", "'"]
_QUERY_PIECES += ["vakmanschap", "cliënten", "zorg", "dilemma's", "<mark>", "&amp;", " ", "\x00"]
query_text = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(_QUERY_PIECES), st.text(max_size=5)), max_size=20).map(
        "".join
    ),
    st.text(min_size=MAX_QUERY_LENGTH - 5, max_size=MAX_QUERY_LENGTH + 5),
)


@FUZZ
@given(text=query_text)
def test_any_query_parses_or_is_refused(text: str) -> None:
    try:
        parsed = parse_query(text)
    except QueryError as error:
        refusal = str(error)
    else:
        refusal = None
    if refusal is not None:
        assert refusal.strip()
        return
    assert parsed.include
    for part in (*parsed.include, *parsed.exclude):
        assert part.text.strip()
        assert "<" not in part.text
        assert ">" not in part.text


@pytest.fixture(scope="module")
def search_client() -> Iterator[TestClient]:
    """The app over a few documents, shared by all examples."""
    with tempfile.TemporaryDirectory(prefix="caseapi-search-properties-") as name:
        root = Path(name)
        content = ContentFolder(root / "content")
        content.post("wat-is-vakmanschap", title="Wat is vakmanschap?", tags="vakmanschap")
        content.post("dilemmas", title="Dilemma's in de zorg", body="Cliënten en zorgteams.")
        content.assignment("vraagsturing", title="Vraaggestuurde professionaliteit")
        settings = Settings(content_dir=content.root, index_dir=root / "index")
        with TestClient(app=create_app(settings)) as client:
            yield client


@FUZZ
@given(q=query_text, extra=st.sampled_from(["", "&limit=1", "&type=post", "&page=2", "&tag=x"]))
def test_any_query_is_a_200_or_a_400_problem(search_client: TestClient, q: str, extra: str) -> None:
    for path in ("/search", "/search/suggest"):
        response = search_client.get(path, params={"q": q}, headers={"Accept": "*/*"})
        if response.status_code == 200:
            assert isinstance(response.json()["data"], list)
            continue
        assert response.status_code == 400, (q, response.status_code, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["detail"]
    response = search_client.get(f"/search?{extra}", params={"q": q})
    assert response.status_code in (200, 400), (q, extra, response.text)
