"""render_markdown: sections, ids, plain text, first paragraph, and sanitised HTML."""

from __future__ import annotations

import textwrap
from html.parser import HTMLParser

from caseapi.content.markdown import render_markdown

BODY = textwrap.dedent(
    """\
    Een korte *inleiding* over
    vraagsturing.

    Nog een alinea.

    ## Vraag

    Hoe geef je **vraagsturing** handen en voeten?

    ## Aanpak

    - Gesprekken met [cliënten](https://example.nl/clienten)
    - Werkplaatsen

    ### Details

    Meer detail.

    ## Resultaat

    Een eindrapport.
    """
)


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def test_sections_split_at_level_two_headings() -> None:
    rendered = render_markdown(BODY)
    assert [section.heading for section in rendered.sections] == [
        None,
        "Vraag",
        "Aanpak",
        "Resultaat",
    ]
    assert [section.id for section in rendered.sections] == [None, "vraag", "aanpak", "resultaat"]


def test_intro_before_first_heading_is_a_section_without_heading() -> None:
    intro = render_markdown(BODY).sections[0]
    assert intro.heading is None
    assert intro.id is None
    assert intro.text == "Een korte inleiding over vraagsturing.\nNog een alinea."
    assert intro.html.startswith("<p>Een korte <em>inleiding</em>")
    assert "<h2" not in intro.html


def test_no_intro_section_when_body_starts_with_heading() -> None:
    rendered = render_markdown("## Vraag\n\nWat?\n")
    assert [section.heading for section in rendered.sections] == ["Vraag"]


def test_section_html_and_text() -> None:
    sections = render_markdown(BODY).sections
    vraag, aanpak = sections[1], sections[2]
    assert vraag.html == (
        '<h2 id="vraag">Vraag</h2>\n'
        "<p>Hoe geef je <strong>vraagsturing</strong> handen en voeten?</p>\n"
    )
    # A section's text leaves out its own heading but keeps sub-headings and list items.
    assert vraag.text == "Hoe geef je vraagsturing handen en voeten?"
    assert aanpak.text == "Gesprekken met cliënten\nWerkplaatsen\nDetails\nMeer detail."
    assert '<h3 id="details">Details</h3>' in aanpak.html
    assert '<a href="https://example.nl/clienten" rel="noopener noreferrer">' in aanpak.html


def test_whole_html_and_text_join_the_sections() -> None:
    rendered = render_markdown(BODY)
    assert rendered.html == "".join(section.html for section in rendered.sections)
    assert rendered.text.startswith("Een korte inleiding over vraagsturing.\nNog een alinea.\n\n")
    assert "\n\nVraag\n\nHoe geef je vraagsturing handen en voeten?\n\n" in rendered.text
    assert rendered.text.endswith("Resultaat\n\nEen eindrapport.")


def test_duplicate_headings_get_unique_ids() -> None:
    body = "## Resultaat\n\na\n\n## Resultaat 2\n\nb\n\n## Resultaat\n\nc\n\n## Résultaat\n\nd\n"
    ids = [section.id for section in render_markdown(body).sections]
    assert ids == ["resultaat", "resultaat-2", "resultaat-3", "resultaat-4"]
    html = render_markdown(body).html
    assert all(f'id="{section_id}"' in html for section_id in ids)


def test_heading_without_letters_gets_an_id() -> None:
    (section,) = render_markdown("## ???\n\nTekst.\n").sections
    assert section.id == "sectie"


def test_first_paragraph() -> None:
    assert render_markdown(BODY).first_paragraph == "Een korte inleiding over vraagsturing."
    assert render_markdown("## Vraag\n\nEerst dit.\n\nDan dat.\n").first_paragraph == "Eerst dit."
    assert render_markdown("- een lijst\n").first_paragraph == ""
    assert render_markdown("").first_paragraph == ""


XSS = textwrap.dedent(
    """\
    Intro <script>alert(1)</script> tekst.

    <script>
    alert(2)
    </script>

    [klik](javascript:alert(3)) en [KLIK](JaVaScRiPt:alert(4))

    <a href="javascript:alert(5)">link</a> <a href="jav&#x09;ascript:alert(6)">tab</a>

    <img src="x.png" onerror="alert(7)"> <p onclick="alert(8)">klik</p>

    <iframe src="https://evil.example/"></iframe>

    <svg onload="alert(9)"></svg> <style>body{display:none}</style>

    <form action="https://evil.example/"><input name="x"></form>

    ## Kop <img src=x onerror=alert(10)>

    ![plaatje](javascript:alert(11))
    """
)


def test_xss_vectors_are_inert() -> None:
    html = render_markdown(XSS).html
    tags = Tags(html).found
    names = {name for name, _ in tags}
    assert names.isdisjoint({"script", "iframe", "svg", "style", "form", "input", "object"})
    for name, attrs in tags:
        for attr, value in attrs.items():
            assert not attr.startswith("on"), (name, attr)
            if attr in ("href", "src"):
                squashed = "".join((value or "").split()).lower()
                assert not squashed.startswith(("javascript:", "data:", "vbscript:")), (name, value)
    assert "alert(2)" not in html
    assert "body{display:none}" not in html


def test_safe_markup_survives_sanitising() -> None:
    html = render_markdown(
        "**vet** _schuin_ `code` [link](https://example.nl)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~weg~~\n\n```python\nx = 1\n```\n"
    ).html
    for fragment in (
        "<strong>vet</strong>",
        "<em>schuin</em>",
        "<code>code</code>",
        '<a href="https://example.nl" rel="noopener noreferrer">link</a>',
        "<table>",
        "<s>weg</s>",
        '<code class="language-python">x = 1',
    ):
        assert fragment in html


def test_text_has_no_html() -> None:
    rendered = render_markdown(
        "Dit is <b>vet</b> en <span class='x'>zo</span>.\n\n"
        "<script>alert(1)</script>\n\n## Vraag\n\n*Nadruk* en [link](https://example.nl)\n"
    )
    assert "<" not in rendered.text
    assert ">" not in rendered.text
    assert "alert" not in rendered.text
    assert "Dit is vet en zo." in rendered.text
    assert rendered.sections[1].text == "Nadruk en link"


def test_code_keeps_its_text() -> None:
    rendered = render_markdown("Gebruik `a < b`.\n\n```\nif a < b:\n    pass\n```\n")
    assert rendered.text == "Gebruik a < b.\nif a < b:\n    pass"
    assert "a &lt; b" in rendered.html


def test_heading_with_markup_is_plain_text() -> None:
    rendered = render_markdown("## Vraag *en* <em>antwoord</em>\n\nTekst.\n")
    (section,) = rendered.sections
    assert section.heading == "Vraag en antwoord"
    assert section.id == "vraag-en-antwoord"
    assert "<" not in rendered.text
    assert "*" not in rendered.text
    hostile = render_markdown("## Kop <img src=x onerror=alert(1)>\n\nTekst.\n")
    assert "onerror" not in (hostile.sections[0].heading or "")
    assert "onerror" not in hostile.text


def test_inline_script_and_style_code_is_not_in_text() -> None:
    rendered = render_markdown(
        "Intro <script>alert(1)</script> tekst <style>p{color:red}</style> eind.\n"
    )
    assert "alert" not in rendered.html
    assert "alert" not in rendered.text
    assert "color:red" not in rendered.text


def test_words_in_html_blocks_are_kept_in_text() -> None:
    rendered = render_markdown("Intro.\n\n<div>Belangrijk besluit</div>\n")
    assert "Belangrijk besluit" in rendered.html
    assert "Belangrijk besluit" in rendered.text
