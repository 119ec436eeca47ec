"""The ``caseapi`` command: ``check`` and ``index`` over real folders."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

import pytest

from caseapi.catalog.reader import SqliteCatalogReader
from caseapi.cli import main
from tests.conftest import ContentFolder
from tests.paths import DATA, ROOT

SAMPLE_CONTENT = ROOT / "content"


@pytest.fixture(autouse=True)
def _no_settings_from_the_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the CASEAPI_* variables they set themselves."""
    for name in ("CASEAPI_CONTENT_DIR", "CASEAPI_INDEX_DIR", "CASEAPI_BASE_URL", "CASEAPI_API_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def good(content: ContentFolder) -> ContentFolder:
    content.assignment("vraaggestuurde-professionaliteit")
    content.post("actieonderzoek-uitgelegd")
    return content


def output(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    # Rich may wrap or colour; compare on single-spaced text.
    return " ".join((captured.out + captured.err).split())


def counts(catalog_path: Path) -> dict[str, int]:
    async def read() -> dict[str, int]:
        catalog = await SqliteCatalogReader.open(catalog_path)
        try:
            return await catalog.counts(dt.datetime.now(dt.UTC))
        finally:
            await catalog.close()

    return asyncio.run(read())


# --- check -----------------------------------------------------------------------------------


def test_check_a_good_folder(good: ContentFolder, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(good.root)]) == 0
    text = output(capsys)
    assert "2 documents ok, 0 errors, 0 warnings" in text


def test_check_reports_problems_and_fails(
    good: ContentFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    good.write(
        "assignments/zonder-klant.md",
        "---\ntitle: Zonder klant\nsummary: Iets.\n---\nTekst.\n",
    )
    good.write("posts/datum.md", "---\ntitle: Fout\ndate: 01-05-2024\n---\nTekst.\n")
    assert main(["check", "--content", str(good.root)]) == 1
    text = output(capsys)
    assert "assignments/zonder-klant.md" in text
    assert "clients: is missing" in text
    assert "posts/datum.md" in text
    assert "2024-05-01" in text  # the suggested spelling
    assert "2 documents ok, 2 errors, 0 warnings" in text


def test_check_warnings_alone_do_not_fail(
    good: ContentFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    good.write("posts/tikfout.md", "---\ntitle: T\ndate: 2024-05-01\nauhtor: Ik\n---\nTekst.\n")
    assert main(["check", "--content", str(good.root)]) == 0
    text = output(capsys)
    assert "posts/tikfout.md" in text
    assert "author" in text
    assert "3 documents ok, 0 errors, 1 warnings" in text


def test_check_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(tmp_path / "nergens")]) == 2
    assert "no content folder" in output(capsys)


def test_check_does_not_write_an_index(
    good: ContentFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--content", str(good.root), "--index", str(tmp_path / "idx")]) == 0
    assert not (tmp_path / "idx").exists()
    assert not (tmp_path / "index").exists()


# --- index -----------------------------------------------------------------------------------


def test_index_creates_the_catalog(
    good: ContentFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "mijn-index"
    assert main(["index", "--content", str(good.root), "--index", str(index)]) == 0
    assert (index / "catalog.sqlite").is_file()
    text = output(capsys)
    assert re.search(r"generation 1: 2 documents, 0 errors, 0 warnings", text)
    assert counts(index / "catalog.sqlite") == {"assignments": 1, "posts": 1}


def test_index_again_is_a_new_generation(
    good: ContentFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["index", "--content", str(good.root), "--index", str(tmp_path / "idx")]
    assert main(arguments) == 0
    good.post("tweede")
    assert main(arguments) == 0
    text = output(capsys)
    assert "generation 1: 2 documents" in text
    assert "generation 2: 3 documents" in text


def test_index_with_errors_still_succeeds_and_points_at_check(
    good: ContentFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good.write("posts/kapot.md", "geen front matter\n")
    index = tmp_path / "idx"
    assert main(["index", "--content", str(good.root), "--index", str(index)]) == 0
    text = output(capsys)
    assert "2 documents, 1 errors" in text
    assert "caseapi check" in text
    assert counts(index / "catalog.sqlite") == {"assignments": 1, "posts": 1}


# --- settings from the environment -----------------------------------------------------------


def test_index_honours_environment_variables(
    good: ContentFolder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEAPI_CONTENT_DIR", str(good.root))
    monkeypatch.setenv("CASEAPI_INDEX_DIR", str(tmp_path / "env-index"))
    assert main(["index"]) == 0
    assert (tmp_path / "env-index" / "catalog.sqlite").is_file()
    assert not (tmp_path / "index").exists()
    assert "2 documents" in output(capsys)


def test_check_honours_the_content_environment_variable(
    content: ContentFolder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content.write("posts/kapot.md", "geen front matter\n")
    monkeypatch.setenv("CASEAPI_CONTENT_DIR", str(content.root))
    assert main(["check"]) == 1
    assert "posts/kapot.md" in output(capsys)


def test_flags_win_over_environment_variables(
    good: ContentFolder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CASEAPI_CONTENT_DIR", str(tmp_path / "nergens"))
    monkeypatch.setenv("CASEAPI_INDEX_DIR", str(tmp_path / "env-index"))
    assert main(["index", "--content", str(good.root), "--index", str(tmp_path / "flag")]) == 0
    assert (tmp_path / "flag" / "catalog.sqlite").is_file()
    assert not (tmp_path / "env-index").exists()
    assert main(["check", "--content", str(good.root)]) == 0


def test_defaults_are_the_working_directory(
    good: ContentFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The content fixture lives in tmp_path/content, the default ./content from tmp_path.
    assert good.root == tmp_path / "content"
    monkeypatch.chdir(tmp_path)
    assert main(["index"]) == 0
    assert counts(tmp_path / "index" / "catalog.sqlite") == {"assignments": 1, "posts": 1}


def test_a_subcommand_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "command" in output(capsys)


# --- the bundled sample content ----------------------------------------------------------------


def test_sample_content_passes_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(SAMPLE_CONTENT)]) == 0
    text = output(capsys)
    match = re.search(r"(\d+) documents ok, 0 errors, 0 warnings", text)
    assert match, text
    assert int(match.group(1)) >= 16


def test_sample_content_has_enough_public_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "index"
    assert main(["index", "--content", str(SAMPLE_CONTENT), "--index", str(index)]) == 0
    assert ", 0 errors" in output(capsys)
    public = counts(index / "catalog.sqlite")
    assert public["assignments"] >= 8
    assert public["posts"] >= 8


# --- new -------------------------------------------------------------------------------------


def test_new_post_is_a_valid_draft_that_is_not_served(
    content: ContentFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(content.root)
    assert main(["new", "posts", "Vakmanschap in de zorg", "--content", root]) == 0
    path = content.root / "posts" / "vakmanschap-in-de-zorg.md"
    assert capsys.readouterr().out.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert "title: Vakmanschap in de zorg\n" in text
    assert "draft: true\n" in text
    assert main(["check", "--content", root]) == 0
    assert "1 documents ok, 0 errors, 0 warnings" in output(capsys)
    index = str(content.root.parent / "index")
    assert main(["index", "--content", root, "--index", index]) == 0
    assert counts(Path(index) / "catalog.sqlite")["posts"] == 0


def test_new_assignment_fills_in_what_was_given(
    content: ContentFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(content.root)
    arguments = ["new", "assignments", "Dilemma’s in het sociaal domein", "--content", root]
    arguments += ["--client", "Gemeente Zwolle", "--tag", "jeugdzorg", "--no-draft"]
    assert main([*arguments, "--slug", "dilemmas-sociaal-domein"]) == 0
    text = (content.root / "assignments" / "dilemmas-sociaal-domein.md").read_text()
    assert "clients: [Gemeente Zwolle]" in text
    assert "tags: [jeugdzorg]" in text
    assert "## Vraag" in text
    assert "draft" not in text
    assert main(["check", "--content", root]) == 0
    index = str(content.root.parent / "index")
    assert main(["index", "--content", root, "--index", index]) == 0
    assert counts(Path(index) / "catalog.sqlite")["assignments"] == 1


def test_new_never_overwrites_a_file(
    content: ContentFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    content.post("actieonderzoek-uitgelegd")
    path = content.root / "posts" / "actieonderzoek-uitgelegd.md"
    before = path.read_bytes()
    assert main(["new", "posts", "Actieonderzoek uitgelegd", "--content", str(content.root)]) == 1
    assert "already exists" in output(capsys)
    assert path.read_bytes() == before


@pytest.mark.parametrize("arguments", [["!!!"], ["Goed", "--slug", "Niet Goed"]])
def test_new_refuses_what_makes_no_slug(
    content: ContentFolder, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    assert main(["new", "posts", *arguments, "--content", str(content.root)]) == 1
    assert "slug" in output(capsys)
    assert not list(content.root.rglob("*.md"))


def test_output_cut_short_by_a_pipe_is_not_a_crash(tmp_path: Path) -> None:
    """`caseapi import --dry-run | head` must not end in a traceback."""
    import subprocess
    import sys

    seeds = DATA / "seeds"
    command = [sys.executable, "-m", "caseapi.cli", "import", str(seeds), "--dry-run"]
    command += ["--content", str(tmp_path / "content")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        # Closed before the command writes (it is still importing): every write fails,
        # as it does once `head` has its lines and exits.
        child.stdout.close()
        errors = child.stderr.read().decode()
    assert "Traceback" not in errors
    assert "BrokenPipeError" not in errors
