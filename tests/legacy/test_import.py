"""``caseapi import``: old-website pages in, content files that ``caseapi check`` accepts out."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from caseapi.cli import main
from caseapi.content.frontmatter import split
from caseapi.content.loader import load_folder
from caseapi.legacy.dates import LegacyPeriod, PeriodError, month_number, parse_period
from caseapi.legacy.page import ImportedPage, convert_page
from caseapi.models import Document, Period
from tests.paths import DATA, ROOT

SEEDS = DATA / "seeds"
OLD_STYLE = SEEDS / "000_f6f1faf4d148963e.txt"
NEW_STYLE = SEEDS / "003_cb11d80b27be0f55.txt"
README = ROOT / "README.md"
MODIFIED = dt.datetime(2015, 6, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_settings_from_the_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the CASEAPI_* variables they set themselves."""
    for name in ("CASEAPI_CONTENT_DIR", "CASEAPI_INDEX_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """Where imports go; created by the import itself."""
    return tmp_path / "content"


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """The real CLI: exit status, standard output, and the report with whitespace collapsed."""
    status = main(list(arguments))
    captured = capsys.readouterr()
    return status, captured.out, " ".join(captured.err.split())


def legacy_page(
    tmp_path: Path, text: str, name: str = "pagina.txt", encoding: str = "utf-8"
) -> Path:
    """A legacy page on disk, outside the content folder."""
    folder = tmp_path / "oud"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def convert(text: str) -> ImportedPage:
    return convert_page(text.encode(), "pagina.txt", MODIFIED)


def front_matter(path: Path) -> dict[str, Any]:
    return split(path.read_text(encoding="utf-8")).data


def documents(content: Path) -> dict[str, Document]:
    """Load the folder like ``caseapi check`` does; no file may have a problem."""
    folder = load_folder(content)
    assert folder.problems == []
    return {document.slug: document for document in folder.documents}


def assignment(labels: str, title: str = "Een opdracht") -> str:
    """An old-style page with a summary and a client, plus ``labels``."""
    return (
        f"{title}\n\nKorte omschrijving\n\nWe deden iets.\n\n"
        f"Opdrachtgevers\n\nGemeente Ede\n\n{labels}\n"
    )


# --- the two seed pages, end to end ------------------------------------------------------------


def test_both_seed_pages_import_into_files_that_check_accepts(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, report = run(
        capsys, "import", str(OLD_STYLE), str(NEW_STYLE), "--content", str(content)
    )
    assert status == 0, report
    assert "2 imported, 0 skipped, 0 failed, 2 flagged to check" in report
    assert run(capsys, "check", "--content", str(content))[0] == 0

    loaded = documents(content)
    old = loaded["vraaggestuurde-professionaliteit"]
    assert old.title == "Vraaggestuurde professionaliteit"
    assert old.clients == ["Visio - Huis te Echten"]
    assert old.period == Period(start="2003-10", end="2004-12")
    assert old.work == ["advies", "coaching"]
    assert old.contact == "Henk Wedman"
    assert old.publications == []
    assert old.draft is False
    assert old.summary.startswith("Visio/Huis te Echten wilde het concept vraagsturing")
    assert old.summary.endswith("die je als professional ter plekke moet oplossen.")
    assert [section.heading for section in old.sections] == [
        None,
        "Verloop van het project",
        "Resultaat",
    ]
    assert old.sections[0].text.startswith("In dit project stonden we")  # later paragraphs
    assert old.sections[1].html.count("<li>") == 4
    assert old.sections[2].html.count("<li>") == 2
    assert "Eťn" in old.summary  # reported, not silently "fixed"
    for debris in ("Wat doen we?", "hallo", "Geen openbare publicatie"):
        assert debris not in old.text

    new = loaded["vakmanschapsontwikkeling-door-actieonderzoek"]
    assert new.title == "Vakmanschapsontwikkeling door actieonderzoek"
    assert new.clients == ["CIZ"]
    assert new.summary == (
        "CIZ is een uitvoeringsorganisatie van de overheid. "
        "Ze beoordelen wie er recht op toegang tot de WLZ krijgt."
    )
    assert [section.heading for section in new.sections] == ["Vraag", "Aanpak", "Resultaat"]
    assert "<em>Vakmanschapsontwikkeling</em>" in new.sections[0].html
    assert new.sections[1].html.count("<li>") == 6
    assert new.sections[2].html.count("<li>") == 3
    assert "\u00a0" not in new.text
    assert "Recent Posts" not in new.text
    assert "Vakmanschaps- ontwikkeling" not in new.text


def test_the_seed_pages_front_matter(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "import", str(SEEDS), "--content", str(content))[0] == 0
    old = front_matter(content / "assignments" / "vraaggestuurde-professionaliteit.md")
    assert old == {
        "title": "Vraaggestuurde professionaliteit",
        "summary": old["summary"],
        "clients": ["Visio - Huis te Echten"],
        "period": {"start": "2003-10", "end": "2004-12"},
        "work": ["advies", "coaching"],
        "contact": "Henk Wedman",
        "publications": [],
        "tags": [],
        "draft": False,
    }
    new = front_matter(content / "assignments" / "vakmanschapsontwikkeling-door-actieonderzoek.md")
    assert new == {
        "title": "Vakmanschapsontwikkeling door actieonderzoek",
        "summary": new["summary"],
        "clients": ["CIZ"],
        "tags": [],
        "draft": False,
    }


def test_the_report_names_every_dropped_line_and_flag(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, report = run(capsys, "import", str(OLD_STYLE), str(NEW_STYLE), "--content", str(content))
    for expected in (
        "breadcrumb 'Wat doen we? > Uitgevoerde opdrachten' dropped",
        "stray line 'hallo' at the end of the page dropped",
        "'Vakmanschaps- ontwikkeling door actieonderzoek' dropped: a garbled copy of the title",
        "sidebar 'Recent Posts' dropped",
        "client 'CIZ' taken from the introduction; check it",
        "suspected mojibake in 'Eťn', 'cliŽnten'",
    ):
        assert expected in report

    old = convert_page(OLD_STYLE.read_bytes(), OLD_STYLE.name, MODIFIED)
    assert [(finding.line, finding.kind) for finding in old.findings] == [
        (1, "dropped"),
        (7, "mojibake"),
        (45, "dropped"),
    ]
    new = convert_page(NEW_STYLE.read_bytes(), NEW_STYLE.name, MODIFIED)
    assert [(finding.line, finding.kind) for finding in new.findings] == [
        (1, "dropped"),
        (5, "check"),
        (27, "dropped"),
    ]


def test_flags_are_written_into_the_file_as_todo_comments(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(OLD_STYLE), "--content", str(content))
    text = (content / "assignments" / "vraaggestuurde-professionaliteit.md").read_text("utf-8")
    assert "# Imported by 'caseapi import' from 000_f6f1faf4d148963e.txt (utf-8)." in text
    assert "# TODO old page line 7: suspected mojibake in 'Eťn', 'cliŽnten'" in text


# --- each label --------------------------------------------------------------------------------


def test_korte_omschrijving_first_paragraph_is_the_summary_the_rest_the_body() -> None:
    page = convert(
        "Titel\n\nKorte omschrijving\n\nEerste alinea\nloopt door.\n\nTweede alinea.\n\n"
        "Opdrachtgevers\nGemeente Ede\n\nVraag\nWat nu?\n"
    )
    assert page.front_matter["summary"] == "Eerste alinea loopt door."
    assert page.body == "Tweede alinea.\n\n## Vraag\n\nWat nu?\n"
    # An introduction above Korte omschrijving opens the body.
    page = convert("Titel\n\nIntro.\n\nKorte omschrijving\nKort.\n\nOpdrachtgevers\nX\n")
    assert page.front_matter["summary"] == "Kort."
    assert page.body == "Intro.\n"


def test_opdrachtgevers_one_client_per_line() -> None:
    page = convert(
        "Titel\n\nKorte omschrijving\nIets.\n\nOpdrachtgevers\n\n"
        "• Gemeente Ede.\nProvincie Gelderland; Waterschap Vallei\n"
    )
    assert page.front_matter["clients"] == [
        "Gemeente Ede",
        "Provincie Gelderland",
        "Waterschap Vallei",
    ]
    assert page.front_matter["draft"] is False


def test_looptijd_becomes_the_period_and_ongoing_work_has_no_end() -> None:
    assert convert(assignment("Looptijd\n\nOktober 2003 - December 2004.")).front_matter[
        "period"
    ] == {"start": "2003-10", "end": "2004-12"}
    assert convert(assignment("Looptijd: maart 2019 - heden")).front_matter["period"] == {
        "start": "2019-03"
    }


def test_an_unreadable_looptijd_is_left_out_and_reported() -> None:
    page = convert(assignment("Looptijd\n\nvoorjaar 2004"))
    assert "period" not in page.front_matter
    todo = [finding for finding in page.findings if finding.kind == "todo"]
    assert len(todo) == 1
    assert todo[0].line == 13
    assert "'voorjaar 2004' is not a period" in todo[0].message


def test_aard_werkzaamheden_splits_on_commas_and_en() -> None:
    page = convert(assignment("Aard werkzaamheden\n\nAdvies, Training en coaching."))
    assert page.front_matter["work"] == ["advies", "training", "coaching"]
    page = convert(assignment("Aard werkzaamheden:\n• Onderzoek\n• Procesbegeleiding"))
    assert page.front_matter["work"] == ["onderzoek", "procesbegeleiding"]


def test_informatie_is_the_contact() -> None:
    assert convert(assignment("Informatie\n\nHenk Wedman")).front_matter["contact"] == (
        "Henk Wedman"
    )
    two_lines = convert(assignment("Informatie\nHenk Wedman\nhenk@example.nl"))
    assert two_lines.front_matter["contact"] == "Henk Wedman, henk@example.nl"


def test_publicaties() -> None:
    none = convert(assignment("Publicaties\n\nGeen openbare publicatie beschikbaar."))
    assert none.front_matter["publications"] == []
    some = convert(
        assignment(
            "Publicaties\n\n• Eindrapport vraagsturing.\n"
            "• Werken met dilemma's - https://example.nl/dilemmas.pdf"
        )
    )
    assert some.front_matter["publications"] == [
        "Eindrapport vraagsturing",
        {"title": "Werken met dilemma's", "url": "https://example.nl/dilemmas.pdf"},
    ]


@pytest.mark.parametrize("label", ["Vraag", "Aanpak", "Resultaat", "Verloop van het project"])
def test_section_labels_in_the_old_style(label: str) -> None:
    page = convert(assignment(f"{label}\n\nTekst van de sectie."))
    assert page.body == f"## {label}\n\nTekst van de sectie.\n"


def test_section_labels_in_the_new_style_keep_their_subtitle() -> None:
    page = convert(assignment("VRAAG: vakmanschap\nHoe groeit vakmanschap?"))
    assert page.body == "## Vraag\n\n*Vakmanschap*\n\nHoe groeit vakmanschap?\n"


@pytest.mark.parametrize("bullet", ["•", "-", "*", "·"])
def test_bullet_characters_become_markdown_lists(bullet: str) -> None:
    page = convert(assignment(f"Aanpak\n\nWe deden:\n\n  {bullet} Een\n  {bullet} Twee\n"))
    assert page.body == "## Aanpak\n\nWe deden:\n\n- Een\n- Twee\n"


def test_wrapped_lines_join_and_line_per_item_becomes_a_list() -> None:
    page = convert(
        assignment(
            "Resultaat\n\nEen zin die over\ntwee regels loopt.\n\n"
            "Eindrapportage met aanbevelingen.\nToerusten van managers."
        )
    )
    assert page.body == (
        "## Resultaat\n\nEen zin die over twee regels loopt.\n\n"
        "- Eindrapportage met aanbevelingen.\n- Toerusten van managers.\n"
    )


def test_plain_text_that_looks_like_markdown_stays_plain(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = legacy_page(
        tmp_path,
        assignment("Aanpak\n\n*Niet* vet, _niet_ schuin, <b>geen</b> html.\n\n# geen kop"),
    )
    assert run(capsys, "import", str(page), "--content", str(content))[0] == 0
    aanpak = documents(content)["een-opdracht"].sections[0]
    assert "<em>" not in aanpak.html
    assert "<b>" not in aanpak.html
    assert "<h1>" not in aanpak.html
    assert "*Niet* vet, _niet_ schuin, <b>geen</b> html." in aanpak.text


# --- the client of a page without Opdrachtgevers ----------------------------------------------


def test_a_garbled_copy_glued_to_debris_before_the_title_is_dropped() -> None:
    page = convert(
        "halloVakmanschaps- ontwikkeling door actieonderzoek\n\n"
        "Vakmanschapsontwikkeling door actieonderzoek\n\nCIZ is een organisatie.\n\n"
        "Vraag: vakmanschap\nHoe?\n"
    )
    assert page.front_matter["title"] == "Vakmanschapsontwikkeling door actieonderzoek"
    assert page.findings[0].line == 1
    assert "a garbled copy of the title" in page.findings[0].message


def test_no_clear_client_is_a_draft_with_an_unknown_client(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = legacy_page(
        tmp_path,
        "Samen leren\n\nDe gemeente wilde haar teams laten leren.\n\n"
        "Aanpak: intervisie\nWe deden.\n",
    )
    status, _, report = run(capsys, "import", str(page), "--content", str(content))
    assert status == 0
    assert "no client found" in report
    assert "clients: [Onbekend]" in report
    assert "1 imported, 0 skipped, 0 failed, 1 flagged to check" in report
    assert run(capsys, "check", "--content", str(content))[0] == 0
    document = documents(content)["samen-leren"]
    assert document.clients == ["Onbekend"]
    assert document.draft is True


def test_a_capitalised_name_is_a_client_only_when_the_page_repeats_it() -> None:
    repeated = convert("Titel\n\nVisio is een organisatie.\n\nVraag\nVisio wilde meer.\n")
    assert repeated.front_matter["clients"] == ["Visio"]
    once = convert("Titel\n\nVisio is een organisatie.\n\nVraag\nZij wilden meer.\n")
    assert once.front_matter["clients"] == ["Onbekend"]
    pronoun = convert("Titel\n\nDit is een organisatie.\n\nVraag\nDit wilden ze.\n")
    assert pronoun.front_matter["clients"] == ["Onbekend"]


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Oktober 2003 - December 2004.", "2003-10", "2004-12"),
        ("oktober 2003 – december 2004", "2003-10", "2004-12"),
        ("okt. 2003 t/m dec. 2004", "2003-10", "2004-12"),
        ("mrt 2010 tot sept 2011", "2010-03", "2011-09"),
        ("jan 2001 tot en met feb 2001", "2001-01", "2001-02"),
        ("Mei 2008 - Juni 2008", "2008-05", "2008-06"),
        ("October 2003 - March 2004", "2003-10", "2004-03"),
        ("Oktober - December 2004", "2004-10", "2004-12"),
        ("10-2003 - 12-2004", "2003-10", "2004-12"),
        ("2003-10 - 2004-12", "2003-10", "2004-12"),
        ("2003 - 2004", "2003-01", "2004-12"),
        ("2003-2004", "2003-01", "2004-12"),
        ("2004", "2004-01", "2004-12"),
        ("2004.", "2004-01", "2004-12"),
        ("Oktober 2003", "2003-10", "2003-10"),
        ("Oktober 2003 - heden", "2003-10", None),
        ("2019 - nu", "2019-01", None),
        ("maart 2021 - lopend", "2021-03", None),
        ("Vanaf oktober 2003", "2003-10", None),
        ("sinds 2019", "2019-01", None),
    ],
)
def test_dutch_periods(text: str, start: str, end: str | None) -> None:
    assert parse_period(text) == LegacyPeriod(start=start, end=end)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "voorjaar 2004",
        "December 2004 - Januari 2004",
        "heden",
        "jan - nu",
        "13-2004",
        "Oktober",
    ],
)
def test_periods_that_are_not_guessed(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


@pytest.mark.parametrize(
    ("word", "number"),
    [("jan", 1), ("Februari", 2), ("mrt", 3), ("maa", 3), ("mei", 5), ("okt.", 10), ("sept", 9)],
)
def test_month_names_and_abbreviations(word: str, number: int) -> None:
    assert month_number(word) == number


def test_ambiguous_or_unknown_month_words() -> None:
    assert month_number("ju") is None  # juni or juli
    assert month_number("voorjaar") is None


# --- encodings and mojibake --------------------------------------------------------------------


ACCENTED = "Vraag\n\nEén van de cliënten zei: ‘vraagsturing werkt’ – en dat bleek.\n"


@pytest.mark.parametrize(
    ("encoding", "text", "named"),
    [
        ("cp1252", ACCENTED + "\nResultaat\n\n• Eén\n• Twee €\n", "cp1252"),
        ("latin-1", ACCENTED.replace("‘", "'").replace("’", "'").replace("–", "-"), "latin-1"),
        ("utf-8", ACCENTED, "utf-8"),
        ("utf-8-sig", ACCENTED, "utf-8"),
    ],
)
def test_encodings_are_detected_and_written_as_utf8(
    tmp_path: Path,
    content: Path,
    capsys: pytest.CaptureFixture[str],
    encoding: str,
    text: str,
    named: str,
) -> None:
    # Pages saved on Windows have CRLF line endings too.
    newline = "\n" if named == "utf-8" else "\r\n"
    source = assignment(text, title="Eén opdracht").replace("\n", newline)
    page = legacy_page(tmp_path, source, encoding=encoding)
    status, _, report = run(capsys, "import", str(page), "--content", str(content))
    assert status == 0, report
    written = (content / "assignments" / "een-opdracht.md").read_bytes().decode("utf-8")
    assert f"from pagina.txt ({named})" in written
    assert written.count("Eén van de cliënten") == 1
    assert "mojibake" not in report
    if named != "utf-8":
        assert f"read as {named}; written as UTF-8" in report
    if encoding == "cp1252":
        assert "- Twee €" in written
    assert run(capsys, "check", "--content", str(content))[0] == 0


def test_an_empty_page_fails(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = legacy_page(tmp_path, " \n\n")
    status, _, report = run(capsys, "import", str(page), "--content", str(content))
    assert status == 1
    assert "the page is empty" in report


def test_utf16_and_binary_pages_fail_with_a_reason(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = legacy_page(tmp_path, assignment("Vraag\nWat?"), encoding="utf-16")
    status, _, report = run(capsys, "import", str(page), "--content", str(content))
    assert status == 1
    assert "failed" in report
    assert "UTF-16 or binary" in report
    assert not content.exists()


def test_mojibake_is_reported_with_its_line_and_left_alone() -> None:
    page = convert(
        assignment(
            "Vraag\n\nDe cliÃ«nten wilden meer.\n\nAanpak\n\nHet â€œnieuweâ€\x9d werken.\n"
            "Een kapot teken: \ufffd.\n"
        )
    )
    mojibake = [finding for finding in page.findings if finding.kind == "mojibake"]
    assert [finding.line for finding in mojibake] == [13, 17, 18]
    assert "'cliÃ«nten'" in mojibake[0].message
    assert "'Ã' U+00C3" in mojibake[0].message
    assert "'â€œnieuweâ€\\x9d'" in mojibake[1].message
    assert "U+FFFD" in mojibake[2].message
    assert "De cliÃ«nten wilden meer." in page.body
    assert "# TODO old page line 13: suspected mojibake" in page.render()


def test_dutch_letters_are_not_mojibake() -> None:
    page = convert(assignment("Vraag\n\nEén, cliënten, ĳs, café, reünie, Curaçao, naïef, “zo”."))
    assert [finding for finding in page.findings if finding.kind == "mojibake"] == []


# --- pages without labels become posts ---------------------------------------------------------


def test_a_page_without_labels_becomes_a_post_dated_by_its_mtime(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = legacy_page(
        tmp_path,
        "Nieuws > Blog\n\nTwintig jaar vraagsturing\n\n"
        "In 2004 begonnen we.\n\nNu kijken we terug.\n",
    )
    moment = dt.datetime(2015, 6, 1, 12, 0, tzinfo=dt.UTC).timestamp()
    os.utime(page, (moment, moment))
    status, _, report = run(capsys, "import", str(page), "--content", str(content))
    assert status == 0
    assert "posts/twintig-jaar-vraagsturing.md" in report
    assert "imported as a post" in report
    assert "date 2015-06-01 is the modification date" in report
    written = content / "posts" / "twintig-jaar-vraagsturing.md"
    assert front_matter(written) == {
        "title": "Twintig jaar vraagsturing",
        "date": "2015-06-01",
        "tags": [],
        "draft": False,
    }
    assert run(capsys, "check", "--content", str(content))[0] == 0
    post = documents(content)["twintig-jaar-vraagsturing"]
    assert post.collection == "posts"
    assert post.summary == "In 2004 begonnen we."
    assert "Nieuws > Blog" not in post.text


def test_collection_posts_imports_a_labelled_page_as_a_post(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["import", str(NEW_STYLE), "--collection", "posts", "--content", str(content)]
    assert run(capsys, *arguments)[0] == 0
    assert run(capsys, "check", "--content", str(content))[0] == 0
    post = documents(content)["vakmanschapsontwikkeling-door-actieonderzoek"]
    assert post.collection == "posts"
    assert [section.heading for section in post.sections] == [None, "Vraag", "Aanpak", "Resultaat"]


# --- titles that YAML would misread ------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Vraag en antwoord: een verkenning",
        "yes",
        "null",
        "010",
        "#1 in de zorg",
        "'Regels' en ruimte",
        "Samen {leren} & [werken] - 100% @thuis",
        "Wat is vakmanschap?",
        "2004-12-15",
    ],
)
def test_titles_survive_yaml(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    page = legacy_page(tmp_path, assignment("Vraag\nWat?", title=title))
    status, _, report = run(capsys, "import", str(page), "--content", str(content))
    assert status == 0, report
    assert run(capsys, "check", "--content", str(content))[0] == 0
    (document,) = documents(content).values()
    assert document.title == title


# --- writing: dry run, refusing to overwrite, --force --------------------------------------------


def test_dry_run_prints_the_files_and_writes_nothing(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, report = run(capsys, "import", str(SEEDS), "--dry-run", "--content", str(content))
    assert status == 0
    assert out.count("# Imported by 'caseapi import'") == 2
    assert out.startswith("---\n# Imported by 'caseapi import' from 000_f6f1faf4d148963e.txt")
    assert "title: Vraaggestuurde professionaliteit\n" in out
    assert "clients: [CIZ]\n" in out
    assert "would import" in report
    assert "2 would be imported, 0 skipped, 0 failed, 2 flagged to check" in report
    assert "dry run: nothing was written" in report
    assert not content.exists()


def test_an_existing_file_is_not_overwritten_without_force(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["import", str(OLD_STYLE), "--content", str(content)]
    assert run(capsys, *arguments)[0] == 0
    target = content / "assignments" / "vraaggestuurde-professionaliteit.md"
    target.write_text(target.read_text("utf-8").replace("draft: false", "draft: true"), "utf-8")
    edited = target.read_bytes()

    status, _, report = run(capsys, *arguments)
    assert status == 1
    assert "skipped" in report
    assert "assignments/vraaggestuurde-professionaliteit.md exists; use --force" in report
    assert target.read_bytes() == edited

    status, _, report = run(capsys, *arguments, "--dry-run")
    assert status == 1
    assert "would skip" in report
    assert target.read_bytes() == edited

    status, _, report = run(capsys, *arguments, "--force")
    assert status == 0
    assert "overwritten" in report
    assert front_matter(target)["draft"] is False
    assert [path.name for path in target.parent.iterdir()] == [target.name]  # no temporary left


def test_two_pages_with_the_same_title_do_not_overwrite_each_other(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = legacy_page(tmp_path, assignment("Vraag\nEen?"), name="a.txt")
    second = legacy_page(tmp_path, assignment("Vraag\nTwee?"), name="b.txt")
    status, _, report = run(
        capsys, "import", str(first), str(second), "--force", "--content", str(content)
    )
    assert status == 1
    assert "already becomes assignments/een-opdracht.md" in report
    assert "Een?" in (content / "assignments" / "een-opdracht.md").read_text("utf-8")


def test_a_missing_page_fails_but_the_others_are_imported(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, report = run(
        capsys, "import", str(tmp_path / "weg.txt"), str(OLD_STYLE), "--content", str(content)
    )
    assert status == 1
    assert "failed" in report
    assert "1 imported, 0 skipped, 1 failed" in report
    assert (content / "assignments" / "vraaggestuurde-professionaliteit.md").is_file()


def test_the_readme_documents_the_import_command() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "## Importing the old website" in readme
    for option in ("--collection", "--dry-run", "--force", "--content"):
        assert option in readme
    for label in ("Korte omschrijving", "Opdrachtgevers", "Looptijd", "Aard werkzaamheden"):
        assert label in readme
    for label in ("Informatie", "Publicaties", "Verloop van het project"):
        assert label in readme
