"""Incremental updates over real folders: ``sync_index`` loads what changed, and only that.

No server: each test builds an index, changes the folder, calls ``sync_index``
itself and reads the result the way a server worker does (``Readers``: the
catalog, the search index and its vocabulary).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from pathlib import Path

import pytest

from caseapi.indexing.build import BuildReport, build_index, ensure_index
from caseapi.indexing.sync import SyncReport, sync_index
from tests.indexing.conftest import (
    WORD_A,
    WORD_B,
    WORD_C,
    WORD_D,
    WORD_E,
    Live,
    now,
    post,
)


async def test_nothing_changed_means_no_update(live: Live) -> None:
    generation = await live.generation()
    assert await live.sync() is None
    assert await live.generation() == generation


async def test_only_the_changed_file_is_loaded(live: Live) -> None:
    generation = await live.generation()
    live.write("posts/bravo.md", post("Bravo bewerkt", WORD_D))
    report = await live.sync()
    assert report is not None
    assert (report.changed, report.removed, report.errors) == (1, 0, 0)
    assert report.generation == generation + 1 == await live.generation()
    assert await live.titles() == {
        "alfa": "Alfa",
        "bravo": "Bravo bewerkt",
        "charlie": "Charlie",
    }
    assert await live.found(WORD_D) == ["bravo"]
    assert await live.found(WORD_B) == []


async def test_a_file_with_the_same_size_and_time_is_not_read_again(live: Live) -> None:
    """The stamps decide what is read: a file whose stamp did not change is left alone."""
    path = live.content.root / "posts" / "alfa.md"
    stamp = path.stat()
    path.write_text(post("Afla", WORD_A), encoding="utf-8")  # same length
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    live.write("posts/bravo.md", post("Bravo bewerkt", WORD_B))
    report = await live.sync()
    assert report is not None
    assert report.changed == 1
    titles = await live.titles()
    assert titles["alfa"] == "Alfa"  # not re-read
    assert titles["bravo"] == "Bravo bewerkt"


async def test_a_new_file_and_a_deleted_file(live: Live) -> None:
    live.write("posts/delta.md", post("Delta", WORD_D))
    (live.content.root / "posts" / "charlie.md").unlink()
    report = await live.sync()
    assert report is not None
    assert (report.changed, report.removed) == (1, 1)
    assert set(await live.titles()) == {"alfa", "bravo", "delta"}
    assert await live.found(WORD_D) == ["delta"]
    assert await live.found(WORD_C) == []
    assert "posts/charlie" not in live.index_keys()
    assert "posts/delta" in live.index_keys()


async def test_a_deleted_documents_words_leave_search_and_suggestions(live: Live) -> None:
    assert await live.found(WORD_C) == ["charlie"]
    assert await live.completions(WORD_C[:5]) == {WORD_C: 1}
    # A typo of it is corrected to it while it exists.
    assert await live.did_you_mean(WORD_C[:-1] + "x") == WORD_C
    (live.content.root / "posts" / "charlie.md").unlink()
    assert await live.sync() is not None
    assert await live.found(WORD_C) == []
    assert await live.completions(WORD_C[:5]) == {}
    assert await live.did_you_mean(WORD_C[:-1] + "x") is None


async def test_word_counts_follow_edits_and_touches(live: Live) -> None:
    live.write("posts/delta.md", post("Delta", WORD_A))
    await live.sync()
    assert await live.completions(WORD_A[:5]) == {WORD_A: 2}
    # Touched, not changed: re-read, and its words counted once, not twice.
    path = live.content.root / "posts" / "delta.md"
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 2_000_000_000))
    report = await live.sync()
    assert report is not None
    assert report.changed == 1
    assert await live.completions(WORD_A[:5]) == {WORD_A: 2}
    # Edited away from the word: one document left with it.
    live.write("posts/delta.md", post("Delta", WORD_E))
    await live.sync()
    assert await live.completions(WORD_A[:5]) == {WORD_A: 1}
    (live.content.root / "posts" / "alfa.md").unlink()
    await live.sync()
    assert await live.completions(WORD_A[:5]) == {}
    assert await live.completions(WORD_E[:5]) == {WORD_E: 1}


async def test_a_broken_edit_keeps_the_last_good_version(live: Live) -> None:
    live.write("posts/bravo.md", post("Bravo kapot", WORD_D).replace("date:", "datum:"))
    report = await live.sync()
    assert report is not None
    assert report.errors == 1
    assert (await live.titles())["bravo"] == "Bravo"
    assert await live.found(WORD_B) == ["bravo"]
    assert await live.found(WORD_D) == []
    assert await live.completions(WORD_D[:5]) == {}
    assert "date" in (await live.problems())["posts/bravo.md"]
    # Broken again, differently: still the last good version.
    live.write("posts/bravo.md", "---\ntitle: [niet af\n---\n")
    await live.sync()
    assert (await live.titles())["bravo"] == "Bravo"
    # Fixed: the new version, and the error is gone.
    live.write("posts/bravo.md", post("Bravo hersteld", WORD_E))
    report = await live.sync()
    assert report is not None
    assert report.errors == 0
    assert (await live.titles())["bravo"] == "Bravo hersteld"
    assert await live.found(WORD_E) == ["bravo"]
    assert await live.found(WORD_B) == []
    assert await live.problems() == {}


async def test_a_broken_file_that_is_deleted_stops_being_served(live: Live) -> None:
    live.write("posts/bravo.md", post("Bravo", WORD_B).replace("date:", "datum:"))
    await live.sync()
    assert "bravo" in await live.titles()
    (live.content.root / "posts" / "bravo.md").unlink()
    await live.sync()
    assert "bravo" not in await live.titles()
    assert await live.found(WORD_B) == []
    assert await live.problems() == {}


async def test_a_file_broken_from_the_start_is_served_once_fixed(live: Live) -> None:
    live.write("posts/delta.md", post("Delta", WORD_D).replace("date:", "datum:"))
    report = await live.sync()
    assert report is not None
    assert report.errors == 1
    assert "delta" not in await live.titles()
    assert list(await live.problems()) == ["posts/delta.md"]
    live.write("posts/delta.md", post("Delta", WORD_D))
    await live.sync()
    assert "delta" in await live.titles()
    assert await live.found(WORD_D) == ["delta"]
    assert await live.problems() == {}


async def test_a_duplicate_slug_is_freed_when_its_owner_is_deleted(live: Live) -> None:
    live.write("posts/zulu.md", post("Zulu", WORD_D, extra="slug: alfa\n"))
    await live.sync()
    assert (await live.titles())["alfa"] == "Alfa"
    assert (await live.problems()) == {"posts/zulu.md": ["slug"]}
    (live.content.root / "posts" / "alfa.md").unlink()
    await live.sync()
    assert (await live.titles())["alfa"] == "Zulu"
    assert await live.found(WORD_D) == ["alfa"]
    assert await live.found(WORD_A) == []
    assert await live.problems() == {}


async def test_a_duplicate_slug_is_freed_when_its_owner_is_renamed(live: Live) -> None:
    live.write("posts/zulu.md", post("Zulu", WORD_D, extra="slug: alfa\n"))
    await live.sync()
    assert (await live.problems()) == {"posts/zulu.md": ["slug"]}
    os.rename(live.content.root / "posts" / "alfa.md", live.content.root / "posts" / "echo.md")
    await live.sync()
    titles = await live.titles()
    assert titles["alfa"] == "Zulu"
    assert titles["echo"] == "Alfa"
    assert await live.found(WORD_A) == ["echo"]
    assert await live.found(WORD_D) == ["alfa"]
    assert await live.problems() == {}


async def test_renaming_a_file_moves_it_to_the_new_slug(live: Live) -> None:
    os.rename(live.content.root / "posts" / "bravo.md", live.content.root / "posts" / "foxtrot.md")
    report = await live.sync()
    assert report is not None
    assert (report.changed, report.removed) == (1, 1)
    titles = await live.titles()
    assert "bravo" not in titles
    assert titles["foxtrot"] == "Bravo"
    assert await live.found(WORD_B) == ["foxtrot"]
    assert "posts/bravo" not in live.index_keys()


@pytest.mark.parametrize(
    "taker",
    ["posts/opvolger.md", "posts/aa-opvolger.md"],
    ids=["taker-sorts-after-giver", "taker-sorts-before-giver"],
)
async def test_a_slug_changed_in_front_matter_hands_the_old_one_over(
    live: Live, taker: str
) -> None:
    live.write("posts/bravo.md", post("Bravo", WORD_B, extra="slug: bravo-nieuw\n"))
    # In the same update, another file takes the slug bravo gives up.
    live.write(taker, post("Opvolger", WORD_D, extra="slug: bravo\n"))
    await live.sync()
    titles = await live.titles()
    assert titles["bravo-nieuw"] == "Bravo"
    assert titles["bravo"] == "Opvolger"
    assert await live.found(WORD_B) == ["bravo-nieuw"]
    assert await live.found(WORD_D) == ["bravo"]
    assert await live.problems() == {}
    assert sorted(key for key in live.index_keys() if key.startswith("posts/")) == [
        "posts/alfa",
        "posts/bravo",
        "posts/bravo-nieuw",
        "posts/charlie",
    ]


async def test_two_files_can_swap_slugs_in_one_update(live: Live) -> None:
    live.write("posts/alfa.md", post("Alfa", WORD_A, extra="slug: bravo\n"))
    live.write("posts/bravo.md", post("Bravo", WORD_B, extra="slug: alfa\n"))
    report = await live.sync()
    assert report is not None
    titles = await live.titles()
    assert (titles["alfa"], titles["bravo"]) == ("Bravo", "Alfa")
    assert await live.found(WORD_A) == ["bravo"]
    assert await live.found(WORD_B) == ["alfa"]
    assert await live.problems() == {}


def damage_search_index(live: Live) -> None:
    """Overwrite the search index's table of contents, as a failing disk might."""
    (folder,) = live.settings.index_dir.glob("search-*")
    for toc in folder.glob("*.toc"):
        toc.write_bytes(b"\x00" * 64)


# Whoosh leaves the damaged table of contents' file open when it cannot read it.
WHOOSH_LEAKS_A_FILE = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@WHOOSH_LEAKS_A_FILE
async def test_an_update_whose_search_part_fails_changes_nothing(live: Live) -> None:
    """Catalog and search commit together: a failure in either leaves both as they were."""
    before = await live.generation()
    live.write("posts/charlie.md", post("Charlie bewerkt", WORD_E))
    damage_search_index(live)
    with pytest.raises(Exception) as raised:  # noqa: PT011 - whatever Whoosh makes of it
        await sync_index(live.settings)
    assert "whoosh" in type(raised.value).__module__ or isinstance(raised.value, OSError)
    await live.readers.refresh()
    assert await live.generation() == before
    assert (await live.titles())["charlie"] == "Charlie"


@WHOOSH_LEAKS_A_FILE
async def test_an_update_that_fails_does_not_hold_up_other_changes(live: Live) -> None:
    """The watcher's update falls back to a full build, so later edits still appear."""
    live.write("posts/charlie.md", post("Charlie bewerkt", WORD_E))
    damage_search_index(live)
    report = await ensure_index(live.settings)
    assert isinstance(report, BuildReport)
    await live.readers.refresh()
    assert (await live.titles())["charlie"] == "Charlie bewerkt"
    assert await live.found(WORD_E) == ["charlie"]
    live.write("posts/alfa.md", post("Alfa bewerkt", WORD_D))
    assert isinstance(await ensure_index(live.settings), SyncReport)
    await live.readers.refresh()
    assert await live.found(WORD_D) == ["alfa"]


async def test_the_index_opens_after_two_files_swapped_slugs(live: Live) -> None:
    """``caseapi serve`` runs ``ensure_index`` first: it must not fail on such a folder."""
    live.write("posts/alfa.md", post("Alfa", WORD_A, extra="slug: bravo\n"))
    live.write("posts/bravo.md", post("Bravo", WORD_B, extra="slug: alfa\n"))
    assert isinstance(await ensure_index(live.settings), SyncReport)
    await live.readers.refresh()
    titles = await live.titles()
    assert (titles["alfa"], titles["bravo"]) == ("Bravo", "Alfa")


@pytest.mark.skipif(
    not Path("/proc/self/fdinfo").is_dir(), reason="open files are known through Linux's /proc"
)
async def test_a_file_still_open_for_writing_waits_until_it_is_closed(live: Live) -> None:
    """Half a save can be a valid post: while the writer holds the file, it is not loaded."""
    path = live.content.root / "posts" / "upload.md"
    with path.open("w", encoding="utf-8") as upload:
        upload.write(post("Upload", WORD_D))  # complete front matter, the body cut short
        upload.flush()
        await live.sync()
        assert "upload" not in await live.titles()
        assert await live.problems() == {}
        upload.write(f"Het vervolg over {WORD_E}.\n")
    await live.sync()
    assert (await live.titles())["upload"] == "Upload"
    assert await live.found(WORD_E) == ["upload"]


async def test_a_draft_is_hidden_and_shown_again(live: Live) -> None:
    live.write("posts/bravo.md", post("Bravo", WORD_B, extra="draft: true\n"))
    await live.sync()
    assert "bravo" not in await live.titles()
    assert await live.found(WORD_B) == []
    assert await live.completions(WORD_B[:5]) == {}
    assert await live.readers.catalog.get_document("posts", "bravo", now()) is None
    live.write("posts/bravo.md", post("Bravo", WORD_B, extra="draft: false\n"))
    await live.sync()
    assert (await live.titles())["bravo"] == "Bravo"
    assert await live.found(WORD_B) == ["bravo"]
    assert await live.completions(WORD_B[:5]) == {WORD_B: 1}


async def test_an_assignments_filters_follow_an_edit(live: Live) -> None:
    assert set(await live.titles("assignments", client="Gemeente Zwolle")) == {"opdracht"}
    live.content.assignment("opdracht", client="Hogeschool Windesheim", tags="teamontwikkeling")
    await live.sync()
    assert await live.titles("assignments", client="Gemeente Zwolle") == {}
    assert set(await live.titles("assignments", client="Hogeschool Windesheim")) == {"opdracht"}
    assert set(await live.titles("assignments", tag="teamontwikkeling")) == {"opdracht"}
    assert await live.titles("assignments", tag="vraagsturing") == {}


async def test_a_folder_moved_in_and_out(live: Live, tmp_path: Path) -> None:
    outside = tmp_path / "elders"
    outside.mkdir()
    for name in ("golf", "hotel"):
        (outside / f"{name}.md").write_text(post(name.title(), WORD_E), encoding="utf-8")
    os.rename(outside, live.content.root / "posts" / "reeks")
    report = await live.sync()
    assert report is not None
    assert report.changed == 2
    assert sorted(await live.found(WORD_E)) == ["golf", "hotel"]
    os.rename(live.content.root / "posts" / "reeks", outside)
    report = await live.sync()
    assert report is not None
    assert report.removed == 2
    assert await live.found(WORD_E) == []
    assert set(await live.titles()) == {"alfa", "bravo", "charlie"}


async def test_the_search_index_holds_exactly_the_public_documents(live: Live) -> None:
    live.write("posts/delta.md", post("Delta", WORD_D))
    live.write("posts/alfa.md", post("Alfa", WORD_A, extra="draft: true\n"))
    os.rename(live.content.root / "posts" / "bravo.md", live.content.root / "posts" / "echo.md")
    (live.content.root / "posts" / "charlie.md").unlink()
    await live.sync()
    public = [f"posts/{slug}" for slug in await live.titles()]
    public += [f"assignments/{slug}" for slug in await live.titles("assignments")]
    assert (
        live.index_keys()
        == sorted(public)
        == [
            "assignments/opdracht",
            "posts/delta",
            "posts/echo",
        ]
    )


def _catalog_state(path: Path) -> tuple[str, list[tuple[str, str]], list[str]]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        documents = connection.execute(
            "SELECT collection, slug FROM documents ORDER BY collection, slug"
        ).fetchall()
        files = [row[0] for row in connection.execute("SELECT path FROM files ORDER BY path")]
    return integrity, documents, files


async def test_concurrent_updates_are_serialised(live: Live) -> None:
    generation = await live.generation()
    live.write("posts/delta.md", post("Delta", WORD_D))
    live.write("posts/bravo.md", post("Bravo bewerkt", WORD_B))
    (live.content.root / "posts" / "charlie.md").unlink()
    reports = await asyncio.gather(*(sync_index(live.settings) for _ in range(4)))
    done = [report for report in reports if report is not None]
    assert len(done) == 1, reports
    assert (done[0].changed, done[0].removed) == (2, 1)
    await live.readers.refresh()
    assert await live.generation() == generation + 1
    integrity, documents, files = _catalog_state(live.settings.catalog_path)
    assert integrity == "ok"
    assert documents == [
        ("assignments", "opdracht"),
        ("posts", "alfa"),
        ("posts", "bravo"),
        ("posts", "delta"),
    ]
    assert files == [
        "assignments/opdracht.md",
        "posts/alfa.md",
        "posts/bravo.md",
        "posts/delta.md",
    ]
    assert live.index_keys() == [f"{collection}/{slug}" for collection, slug in documents]
    assert await live.found(WORD_D) == ["delta"]


async def test_an_update_and_a_full_build_at_once(live: Live) -> None:
    live.write("posts/delta.md", post("Delta", WORD_D))
    (live.content.root / "posts" / "charlie.md").unlink()
    results = await asyncio.gather(
        sync_index(live.settings), build_index(live.settings), sync_index(live.settings)
    )
    assert results[1].documents == 4
    await live.readers.refresh()
    integrity, documents, _ = _catalog_state(live.settings.catalog_path)
    assert integrity == "ok"
    assert live.index_keys() == [f"{collection}/{slug}" for collection, slug in documents]
    assert set(await live.titles()) == {"alfa", "bravo", "delta"}
    assert await live.found(WORD_D) == ["delta"]
    assert await live.found(WORD_C) == []
    assert await sync_index(live.settings) is None
