"""A hostile content folder, built by the test, every file with its expected outcome.

Complements ``test_bad_files.py`` (one ordinary mistake per test: encodings, a PNG, a file
just over 5 MiB, nested YAML, aliases, links out of the folder) with what an attacker, a
broken tool or a careless sync would leave: a 50 MB file, a named pipe, link loops, YAML
that runs code or expands, hostile file names, slugs that differ only by case or accents,
and script in every field that ends up in HTML. All of it lies in one folder next to good
documents, the way it would on a real server, and the app must start and serve the good
ones, refuse the bad ones with a message for the editor, and leave every script inert.
"""

from __future__ import annotations

import os
import tracemalloc
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from caseapi.content.loader import load_file, load_folder
from caseapi.content.markdown import render_markdown
from tests.api_helpers import Serve
from tests.conftest import ContentFolder
from tests.inert import assert_inert

FIFTY_MB = 50 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """What must become of one file: served under ``slug``, refused, or not seen at all."""

    served: str | None = None
    error_words: tuple[str, ...] = ()
    ignored: bool = False


def front(*lines: str, body: str = "Tekst.") -> str:
    return "---\n" + "".join(f"{line}\n" for line in lines) + "---\n" + body + "\n"


BILLION_LAUGHS = front(
    "title: Lachen",
    "date: 2024-05-01",
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    *(
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    ),
)
MERGE_KEY_ALIAS = front("defaults: &d {title: Gedeeld, date: 2024-05-01}", "<<: *d")
PYTHON_TAG = front(
    "title: !!python/object/apply:os.system ['touch /tmp/caseapi-pwned']", "date: 2024-05-01"
)
# Block indentation rather than brackets (those are refused before parsing, see
# test_bad_files.py): 150 levels, well within the 64 KiB front matter limit.
BLOCK_NESTED = front(
    "title: Diep", "date: 2024-05-01", *(f"{'  ' * depth}n{depth}:" for depth in range(150))
)


def hostile_corpus(content: ContentFolder, tmp_path: Path) -> dict[str, Outcome]:
    """Write the corpus; returns each path's expected outcome."""
    outcomes: dict[str, Outcome] = {}

    def write(relative: str, text: str, outcome: Outcome) -> None:
        content.write_bytes(relative, text.encode("utf-8"))
        outcomes[relative] = outcome

    # Size: sparse, so 50 MB costs no disk and no time to write; refused before reading.
    with (content.root / "posts" / "vijftig.md").open("wb") as file:
        file.write(front("title: Groot", "date: 2024-05-01").encode())
        file.truncate(FIFTY_MB)
    outcomes["posts/vijftig.md"] = Outcome(error_words=("50.0 MiB", "at most 5 MiB"))
    # Not files: a named pipe (reading it would wait forever), link loops, a dangling link.
    os.mkfifo(content.root / "posts" / "pijp.md")
    outcomes["posts/pijp.md"] = Outcome(error_words=("not a regular file",))
    os.symlink("zelf.md", content.root / "posts" / "zelf.md")
    outcomes["posts/zelf.md"] = Outcome(error_words=("could not be read", "symbolic links"))
    os.symlink("nergens.md", content.root / "posts" / "weg.md")
    outcomes["posts/weg.md"] = Outcome(error_words=("could not be read",))
    os.symlink("..", content.root / "posts" / "lus", target_is_directory=True)  # never walked
    # A link out of the folder into a system file, and one into a device.
    os.symlink("/etc/passwd", content.root / "posts" / "wachtwoorden.md")
    outcomes["posts/wachtwoorden.md"] = Outcome(error_words=("outside the content folder",))
    os.symlink("/dev/zero", content.root / "assignments" / "nullen.md")
    outcomes["assignments/nullen.md"] = Outcome(error_words=("outside the content folder",))

    # YAML that would expand, run code or recurse.
    write("posts/lachen.md", BILLION_LAUGHS, Outcome(error_words=("anchors or aliases",)))
    write("posts/samenvoegen.md", MERGE_KEY_ALIAS, Outcome(error_words=("anchors or aliases",)))
    write("posts/python.md", PYTHON_TAG, Outcome(error_words=("cannot be read",)))
    write("posts/blokdiep.md", BLOCK_NESTED, Outcome(error_words=("nested too deeply",)))

    valid = front("title: Gewoon", "date: 2024-05-01")
    # File names: spaces, accents, other scripts, dots; the slug comes from the name.
    write("posts/mijn bericht.md", valid, Outcome(error_words=("rename it to 'mijn-bericht.md'",)))
    write("posts/café.md", valid, Outcome(error_words=("rename it to 'cafe.md'",)))
    write("posts/cafe.md", valid, Outcome(served="cafe"))
    write("posts/Bericht.md", valid, Outcome(error_words=("not a valid slug",)))
    write("posts/bericht.md", valid, Outcome(served="bericht"))
    write("posts/日本語.md", valid, Outcome(error_words=("not a valid slug",)))
    write("posts/a..b.md", valid, Outcome(error_words=("not a valid slug",)))
    write("posts/..md", valid, Outcome(ignored=True))  # a hidden file, like '.md'
    write("posts/...md", valid, Outcome(ignored=True))
    write(
        "posts/met spatie.md",
        front("title: Spatie", "date: 2024-05-01", "slug: met-spatie"),
        Outcome(served="met-spatie"),
    )
    # Slugs from front matter: case, accents, traversal; and a clash differing by case only.
    for name, slug in [
        ("hoofdletters", "Hoofdletters"),
        ("accent", "naïef"),
        ("omhoog", "../../etc/passwd"),
        ("schuin", "a/b"),
    ]:
        write(
            f"posts/{name}.md",
            front("title: Slug", "date: 2024-05-01", f"slug: '{slug}'"),
            Outcome(error_words=("slug",)),
        )
    write(
        "assignments/Opdracht.md",
        front("title: Hoofdletter", "summary: Kort.", "clients: [Visio]", "slug: opdracht"),
        Outcome(served="opdracht"),
    )
    write(
        "assignments/opdracht.md",
        front("title: Klein", "summary: Kort.", "clients: [Visio]"),
        Outcome(error_words=("already used by assignments/Opdracht.md",)),
    )
    return outcomes


def problems_by_path(client: TestClient) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for problem in client.get("/content-errors").json()["data"]:
        found.setdefault(problem["path"], []).append(problem)
    return found


def test_hostile_corpus_each_file_gets_its_outcome(
    content: ContentFolder, serve: Serve, tmp_path: Path
) -> None:
    content.post("goed-bericht", title="Een goed bericht")
    content.assignment("goede-opdracht", title="Een goede opdracht")
    outcomes = hostile_corpus(content, tmp_path)
    client = serve()

    problems = problems_by_path(client)
    served_posts = {item["slug"] for item in client.get("/posts?limit=100").json()["data"]}
    served_assignments = {
        item["slug"] for item in client.get("/assignments?limit=100").json()["data"]
    }
    served = served_posts | served_assignments
    for path, outcome in outcomes.items():
        if outcome.served is not None:
            assert outcome.served in served, (path, problems.get(path))
            assert path not in problems or all(
                problem["severity"] == "warning" for problem in problems[path]
            ), problems[path]
        elif outcome.ignored:
            assert path not in problems, problems[path]
        else:
            errors = [
                problem for problem in problems.get(path, []) if problem["severity"] == "error"
            ]
            assert errors, f"{path} should be refused; problems: {sorted(problems)}"
            message = " ".join(problem["message"] for problem in errors)
            for word in outcome.error_words:
                assert word.lower() in message.lower(), (path, word, message)
    expected_posts = {"goed-bericht"} | {
        outcome.served
        for path, outcome in outcomes.items()
        if outcome.served and path.startswith("posts/")
    }
    assert served_posts == expected_posts
    assert served_assignments == {"goede-opdracht", "opdracht"}
    # Nothing outside the folder was read, nothing ran, nothing was walked twice.
    assert not Path("/tmp/caseapi-pwned").exists()
    assert not any(path.startswith("posts/lus/") for path in problems), sorted(problems)
    assert "root:" not in client.get("/content-errors").text
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["documents"] == {
        "posts": len(expected_posts),
        "assignments": len(served_assignments),
    }


def test_a_50_mb_file_is_refused_without_being_read(content: ContentFolder) -> None:
    with (content.root / "posts" / "vijftig.md").open("wb") as file:
        file.truncate(FIFTY_MB)
    tracemalloc.start()
    try:
        result = load_file(content.root, Path("posts/vijftig.md"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.document is None
    assert "50.0 MiB" in result.problems[0].message
    assert peak < 1024 * 1024, peak


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(content: ContentFolder) -> None:
    """Opening a pipe to read it waited for a writer forever: every build hung on it."""
    os.mkfifo(content.root / "posts" / "pijp.md")
    content.post("goed-bericht")
    folder = load_folder(content.root)
    assert [document.slug for document in folder.documents] == ["goed-bericht"]
    (problem,) = folder.problems
    assert (problem.path, problem.severity) == ("posts/pijp.md", "error")
    assert "not a regular file" in problem.message


def test_a_link_loop_is_refused_not_a_crash(content: ContentFolder) -> None:
    """``Path.resolve()`` raised on the loop, and the exception stopped the whole build."""
    os.symlink("zelf.md", content.root / "posts" / "zelf.md")
    os.symlink("b.md", content.root / "posts" / "a.md")
    os.symlink("a.md", content.root / "posts" / "b.md")
    content.post("goed-bericht")
    folder = load_folder(content.root)
    assert [document.slug for document in folder.documents] == ["goed-bericht"]
    assert sorted(problem.path for problem in folder.problems) == [
        "posts/a.md",
        "posts/b.md",
        "posts/zelf.md",
    ]
    assert all("symbolic links" in problem.message for problem in folder.problems)


@pytest.mark.parametrize(
    "path",
    [
        "/posts/..%2F..%2Fetc%2Fpasswd",
        "/posts/%2e%2e",
        "/posts/..",
        "/assignments/..%2fposts%2fgoed-bericht",
        "/posts/goed-bericht%00",
        "/posts/GOED-BERICHT",
        "/posts/go%C3%A9d-bericht",
    ],
)
def test_hostile_slugs_in_urls_find_nothing(
    content: ContentFolder, serve: Serve, path: str
) -> None:
    content.post("goed-bericht", title="Een goed bericht")
    client = serve()
    response = client.get(path)
    if response.url.path == "/":
        # The client resolved '/posts/..' to '/' before sending: the API's index, not a post.
        assert "html" not in response.json()
        return
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "root:" not in response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- script in every field that ends up in HTML --------------------------------------------

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    '<a href="javascript:alert(4)">klik</a>',
    "<iframe src=//evil.example></iframe>",
    '"><script>alert(5)</script>',
    "</title><script>alert(6)</script>",
    "]]><script>alert(7)</script>",
]
HOSTILE_BODY = """\
## Vraag <script>alert(10)</script> xsskop

Gewone tekst over xsswoord.

<script>alert(11)</script>
<img src=x onerror=alert(12)>
<a href="javascript:alert(13)">klik xsswoord</a>
<a href="JaVaScRiPt&colon;alert(14)">klik</a>
<a href=" &#106;avascript:alert(15)">klik</a>
<iframe srcdoc="<script>alert(16)</script>"></iframe>
<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNyk8L3NjcmlwdD4="></object>
<math><mtext><table><mglyph><style><img src=x onerror=alert(18)>
<form action="javascript:alert(19)"><button>x</button></form>
<div style="background:url(javascript:alert(20))">xsswoord</div>
<svg><animate onbegin=alert(21) attributeName=x dur=1s>

[link](javascript:alert(22)) [data](data:text/html,<script>alert(23)</script>)
![img](x" onerror="alert(24))
<https://example.nl/"onmouseover="alert(25)>

```html
<script>alert(26)</script>
```

## Resultaat

`<script>alert(27)</script>` en xsswoord.
"""


def yaml_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def write_xss_documents(content: ContentFolder) -> None:
    joined = " xsswoord ".join(VECTORS)
    content.write(
        "posts/xss-bericht.md",
        front(
            f"title: {yaml_text('xsstitel ' + joined)}",
            "date: 2024-05-01",
            f"author: {yaml_text(VECTORS[1])}",
            f"summary: {yaml_text('xsswoord ' + joined)}",
            f"tags: [{', '.join(yaml_text(vector) for vector in VECTORS[:3])}, xsstag]",
            f"onbekend: {yaml_text(VECTORS[0])}",
            body=HOSTILE_BODY,
        ),
    )
    content.write(
        "assignments/xss-opdracht.md",
        front(
            f"title: {yaml_text('xsstitel ' + joined)}",
            f"summary: {yaml_text('xsswoord ' + joined)}",
            f"clients: [{yaml_text(VECTORS[2])}]",
            f"work: [{yaml_text(VECTORS[3])}]",
            f"contact: {yaml_text(VECTORS[4])}",
            f"publications: [{{title: {yaml_text(VECTORS[0])}, url: 'https://example.nl/r'}}]",
            "tags: [xsstag]",
            body=HOSTILE_BODY,
        ),
    )


def html_in_atom(body: bytes) -> list[str]:
    namespace = {"atom": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(body)
    found = []
    for entry in root.findall("atom:entry", namespace):
        for element in entry:
            if element.get("type") == "html":
                found.append(element.text or "")
            elif element.tag.endswith(("title", "summary")):
                # type="text": a reader shows it as text, whatever it looks like.
                assert element.get("type") == "text", element.tag
    return found


def html_in_rss(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    found = []
    for item in root.iter("item"):
        found.append(item.findtext("description") or "")
        found.append(item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or "")
    return found


def test_script_in_content_comes_out_inert_everywhere(content: ContentFolder, serve: Serve) -> None:
    write_xss_documents(content)
    client = serve()
    # Served, both: the only problems are warnings about links to files that do not exist.
    problems = client.get("/content-errors").json()["data"]
    assert {problem["severity"] for problem in problems} == {"warning"}
    assert all("does not exist" in problem["message"] for problem in problems), problems
    pieces: list[str] = []
    for path in ("/posts/xss-bericht", "/assignments/xss-opdracht"):
        detail = client.get(path).json()
        assert detail["html"].count("<h2") == 2, detail["html"]
        pieces.append(detail["html"])
        pieces.extend(section["html"] for section in detail["sections"])
        # Text fields are text: the markup is kept as typed, for the frontend to escape.
        assert detail["title"].startswith("xsstitel <script>alert(1)</script>")
    for kind in ("posts", "assignments", "all"):
        feed = client.get(f"/feeds/{kind}.json").json()
        pieces.extend(item["content_html"] for item in feed["items"])
        assert feed["items"], kind
        pieces.extend(html_in_atom(client.get(f"/feeds/{kind}.atom").content))
        pieces.extend(html_in_rss(client.get(f"/feeds/{kind}.rss").content))
    for query in ("xsswoord", "xsstitel", "script alert", "xsskop", "onerror", "javascript"):
        body = client.get("/search", params={"q": query}).json()
        for hit in body["data"]:
            pieces.append(hit["title_html"])
            pieces.extend(hit["snippets"])
            # Only <mark> is markup in search results; everything else is escaped text.
            for html in (hit["title_html"], *hit["snippets"]):
                assert "<" not in html.replace("<mark>", "").replace("</mark>", ""), html
    assert len(pieces) > 20
    for html in pieces:
        assert_inert(html)


def test_thousands_of_equal_headings_get_unique_ids_in_one_pass() -> None:
    """Numbering restarted at 2 for every repeat: 10,000 equal headings took minutes."""
    count = 20_000
    rendered = render_markdown("## Stap\n\ntekst\n\n" * count + "## stap-3\n")
    ids = [section.id for section in rendered.sections]
    assert ids[:3] == ["stap", "stap-2", "stap-3"]
    assert len(set(ids)) == count + 1
    assert ids[-1] == "stap-3-2"  # a literal 'stap-3' heading after the numbered ones
