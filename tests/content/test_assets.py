"""Files beside the content and the links to them, through the real loader of a real folder."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from caseapi.content.loader import FolderLoad, load_folder
from caseapi.models import Asset, ContentProblem, Document
from tests.conftest import ContentFolder

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'


def image(kind: str = "JPEG", size: tuple[int, int] = (1200, 800), mode: str = "RGB") -> bytes:
    data = io.BytesIO()
    Image.new(mode, size, "white").save(data, kind)
    return data.getvalue()


def post(content: ContentFolder, slug: str, body: str, *front: str) -> None:
    lines = "".join(f"{line}\n" for line in front)
    content.write(f"posts/{slug}.md", f"---\ntitle: {slug}\ndate: 2024-05-01\n{lines}---\n{body}\n")


def asset(loaded: FolderLoad, path: str) -> Asset:
    (found,) = [item for item in loaded.assets if item.path == path]
    return found


def document(loaded: FolderLoad, slug: str) -> Document:
    (found,) = [item for item in loaded.documents if item.slug == slug]
    return found


def problems(loaded: FolderLoad, path: str) -> list[ContentProblem]:
    return [problem for problem in loaded.problems if problem.path == path]


def test_files_in_a_documents_folder_and_in_media_are_assets(content: ContentFolder) -> None:
    content.write_bytes("posts/team.jpg", image())
    content.write_bytes("media/rapport.pdf", PDF)
    content.write_bytes("media/logo.svg", SVG)
    content.write_bytes("assignments/2024/grafiek.png", image("PNG", (300, 200)))
    loaded = load_folder(content.root)
    assert loaded.problems == []
    team = asset(loaded, "posts/team.jpg")
    assert (team.media_type, team.width, team.height) == ("image/jpeg", 1200, 800)
    assert team.size == len(image())
    assert len(team.digest) == 32
    assert asset(loaded, "media/rapport.pdf").media_type == "application/pdf"
    assert asset(loaded, "media/logo.svg").media_type == "image/svg+xml"
    assert asset(loaded, "assignments/2024/grafiek.png").width == 300


@pytest.mark.parametrize(
    ("path", "data", "words"),
    [
        pytest.param("posts/script.js", b"alert(1)", ["'.js'", "not served", "pdf"], id="js"),
        pytest.param("media/pagina.html", b"<html></html>", ["'.html'", "not served"], id="html"),
        pytest.param("media/archief.zip", b"PK\x03\x04", ["'.zip'", "not served"], id="zip"),
        pytest.param("media/README", b"lees mij", ["'README'", "not served"], id="no-suffix"),
        pytest.param(
            "posts/foto.png", b"<html><script>alert(1)</script>", [".png", "not a PNG"], id="html"
        ),
        pytest.param("posts/foto.jpg", image("PNG"), [".jpg", "not a JPG", "image/png"], id="png"),
        pytest.param("media/rapport.pdf", b"<html>", [".pdf", "not a PDF"], id="fake-pdf"),
        pytest.param("media/tekening.svg", b"<html><body>", [".svg", "not a SVG"], id="fake-svg"),
        pytest.param("media/data.csv", b"a,b\n\x00\x01", [".csv", "not a CSV"], id="binary-csv"),
        pytest.param("posts/kapot.jpg", b"\xff\xd8\xff\xe0kapot", ["cannot be read"], id="broken"),
        pytest.param(
            "posts/bom.png",
            image("PNG", (8000, 6000), "1"),
            ["too many pixels", "8000 × 6000", "40 million"],
            id="decompression-bomb",
        ),
        pytest.param("posts/notes.txt", b"tekst", ["only markdown", ".md", "rename"], id="txt"),
    ],
)
def test_refused_files_get_one_clear_error(
    content: ContentFolder, path: str, data: bytes, words: list[str]
) -> None:
    content.write_bytes(path, data)
    loaded = load_folder(content.root)
    (problem,) = problems(loaded, path)
    assert problem.severity == "error"
    for word in words:
        assert word.lower() in problem.message.lower(), (word, problem.message)
    assert loaded.assets == []


def test_files_over_the_size_setting_are_refused(content: ContentFolder) -> None:
    content.write_bytes("media/groot.pdf", PDF + b"0" * (2 * 1024 * 1024))
    content.write_bytes("media/klein.pdf", PDF)
    loaded = load_folder(content.root, max_asset_bytes=1024 * 1024)
    (problem,) = problems(loaded, "media/groot.pdf")
    assert "2.0 MiB" in problem.message
    assert "at most 1 MiB" in problem.message
    assert [item.path for item in loaded.assets] == ["media/klein.pdf"]


def test_a_link_to_a_file_outside_the_folder_is_refused(
    content: ContentFolder, tmp_path: Path
) -> None:
    outside = tmp_path / "geheim.png"
    outside.write_bytes(image("PNG"))
    os.symlink(outside, content.root / "posts" / "geheim.png")
    loaded = load_folder(content.root)
    (problem,) = problems(loaded, "posts/geheim.png")
    assert "outside the content folder" in problem.message
    assert loaded.assets == []


def test_relative_links_and_images_are_stored_by_content_path_with_sizes(
    content: ContentFolder,
) -> None:
    content.write_bytes("posts/team.jpg", image())
    content.write_bytes("media/rapport.pdf", PDF)
    post(content, "ander", "Tekst.")
    post(
        content,
        "met-foto",
        "![Het team](team.jpg)\n\n"
        "[rapport](../media/rapport.pdf#page=2) [ander](ander.md) [logo](/media/rapport.pdf)\n\n"
        "[site](/over-ons) [web](https://example.nl/a.png) [kop](#vraag)",
    )
    loaded = load_folder(content.root)
    html = document(loaded, "met-foto").html
    assert '<img src="caseapi:/posts/team.jpg" alt="Het team" width="1200" height="800">' in html
    assert 'href="caseapi:/media/rapport.pdf#page=2"' in html
    assert 'href="caseapi:/posts/ander.md"' in html
    assert html.count('href="caseapi:/media/rapport.pdf') == 2
    # Paths of the site, web addresses and anchors stay as written.
    assert 'href="/over-ons"' in html
    assert 'href="https://example.nl/a.png"' in html
    assert 'href="#vraag"' in html
    assert document(loaded, "met-foto").links == [
        "posts/team.jpg",
        "media/rapport.pdf",
        "posts/ander.md",
    ]
    assert problems(loaded, "posts/met-foto.md") == []


def test_raw_html_images_are_resolved_too(content: ContentFolder) -> None:
    content.write_bytes("posts/team.jpg", image())
    post(content, "html", 'Tekst <img src="team.jpg" alt="team"> en <a href="team.jpg">x</a>.')
    html = document(load_folder(content.root), "html").html
    assert 'src="caseapi:/posts/team.jpg"' in html
    assert 'href="caseapi:/posts/team.jpg"' in html


def test_missing_and_escaping_targets_are_warnings_with_their_line(
    content: ContentFolder,
) -> None:
    post(
        content,
        "kapotte-links",
        "Eerste alinea.\n\n![weg](weg.jpg)\n\n[ontsnapt](../../etc/passwd)\n\n[script](x.exe)",
        "image: omslag.jpg",
    )
    loaded = load_folder(content.root)
    found = {(p.line, p.severity, p.message) for p in problems(loaded, "posts/kapotte-links.md")}
    assert found == {
        (
            4,
            "warning",
            "The cover image 'omslag.jpg' points at posts/omslag.jpg, which does not exist.",
        ),
        (8, "warning", "The image 'weg.jpg' points at posts/weg.jpg, which does not exist."),
        (
            10,
            "warning",
            "The link '../../etc/passwd' points outside the content folder; it was left out.",
        ),
        (12, "warning", "The link 'x.exe' points at posts/x.exe, which does not exist."),
    }
    kept = document(loaded, "kapotte-links")
    assert "etc/passwd" not in kept.html
    assert kept.image is not None
    assert kept.image.src == "caseapi:/posts/omslag.jpg"


def test_a_cover_from_media_or_the_web(content: ContentFolder) -> None:
    content.write_bytes("media/team.jpg", image())
    post(content, "gedeeld", "Tekst.", "image: /media/team.jpg", "image_alt: Het team")
    post(content, "web", "Tekst.", "image: https://example.nl/foto.jpg")
    loaded = load_folder(content.root)
    shared = document(loaded, "gedeeld").image
    assert shared is not None
    assert (shared.src, shared.alt) == ("caseapi:/media/team.jpg", "Het team")
    web = document(loaded, "web").image
    assert web is not None
    assert web.src == "https://example.nl/foto.jpg"
    assert loaded.problems == []


def test_a_cover_that_is_not_a_file_or_web_address_is_an_error(content: ContentFolder) -> None:
    post(content, "script", "Tekst.", "image: javascript:alert(1)")
    loaded = load_folder(content.root)
    (problem,) = problems(loaded, "posts/script.md")
    assert (problem.field, problem.line, problem.severity) == ("image", 4, "error")
    assert "https://" in problem.message


def test_reading_minutes_and_table_of_contents(content: ContentFolder) -> None:
    words = " ".join(["woord"] * 450)
    post(content, "lang", f"{words}\n\n## Vraag\n\n### Eerst\n\n### Dan\n\n## Resultaat\n\nKlaar.")
    lang = document(load_folder(content.root), "lang")
    assert lang.reading_minutes == 3
    assert [(entry.id, [child.id for child in entry.children]) for entry in lang.toc] == [
        ("vraag", ["eerst", "dan"]),
        ("resultaat", []),
    ]


def test_raw_image_sizes_are_kept_only_when_usable(content: ContentFolder) -> None:
    post(
        content,
        "maten",
        '<img src="https://x.nl/a.png" width="999999" height="-1"> '
        '<img src="https://x.nl/b.png" width="640" height="400">',
    )
    html = document(load_folder(content.root), "maten").html
    assert 'width="999999"' not in html
    assert 'height="-1"' not in html
    assert 'width="640" height="400"' in html


def test_a_protocol_relative_cover_is_refused(content: ContentFolder) -> None:
    post(content, "ander-domein", "Tekst.", "image: //elders.example/x.jpg")
    (problem,) = load_folder(content.root).problems
    assert (problem.field, problem.severity) == ("image", "error")


def test_a_summary_from_a_long_first_paragraph_is_cut_at_a_word(content: ContentFolder) -> None:
    post(content, "lang", " ".join(["vakmanschap"] * 200))
    summary = document(load_folder(content.root), "lang").summary
    assert len(summary) <= 301
    assert summary.endswith("vakmanschap…")
