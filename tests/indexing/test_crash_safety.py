"""Crash safety: ``caseapi index`` killed with SIGKILL at random points of a full build.

A build writes a new search index folder, then the catalog in one transaction; a kill can
land anywhere: during imports, while files are read, while Whoosh writes segments, inside
SQLite's commit, while old index folders are removed. After every kill, the next start
must serve one consistent generation with no manual step: the catalog lists exactly the
folder's documents, search counts and finds the same ones, /health is ok.

Between kills the folder changes (files rewritten, deleted, added), so a recovery that
served the last good generation without catching up with the folder would be caught.
The kill delays are random with a fixed seed: the same points on every run.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from litestar.testing import TestClient

from caseapi.api.app import create_app
from caseapi.catalog.schema import read_index_state
from caseapi.indexing.build import build_index
from caseapi.search.writer import WhooshSearchWriter
from caseapi.settings import Settings
from tests.conftest import ContentFolder
from tests.corpus import Corpus, assert_serves_folder

DOCUMENTS = 300
KILLS = 10
SEED = 20240501


def index_command(settings: Settings) -> list[str]:
    return [
        sys.executable,
        "-m",
        "caseapi.cli",
        "index",
        "--content",
        str(settings.content_dir),
        "--index",
        str(settings.index_dir),
    ]


def run_index(settings: Settings, log: Path) -> float:
    """A whole ``caseapi index``; returns how long it took, to aim the kills."""
    started = time.monotonic()
    with log.open("ab") as output:
        subprocess.run(
            index_command(settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=300,
        )
    return time.monotonic() - started


def kill_index_after(settings: Settings, delay: float, log: Path) -> float | None:
    """Start ``caseapi index``, SIGKILL it after ``delay`` s; how long it ran if it finished."""
    started = time.monotonic()
    with log.open("ab") as output:
        process = subprocess.Popen(index_command(settings), stdout=output, stderr=subprocess.STDOUT)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return None
    assert process.returncode == 0, log.read_text(errors="replace")[-3000:]
    return time.monotonic() - started


def edit_folder(corpus: Corpus, rng: random.Random, trial: int) -> list[str]:
    """Rewrite a few files, delete one, add one; returns the files to look up by search."""
    files = corpus.files()
    changed = rng.sample(files, 4)
    for relative in changed[:3]:
        corpus.write(relative, version=trial + 1)
    corpus.delete(changed[3])
    added = Corpus.relative(DOCUMENTS + trial)
    corpus.write(added)
    return [*changed, added]


def test_killed_builds_never_leave_an_inconsistent_index(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "content", DOCUMENTS)
    settings = Settings(content_dir=corpus.root, index_dir=tmp_path / "index")
    log = tmp_path / "index.log"
    rng = random.Random(SEED)
    # How long the imports and one whole build take here set the range of delays, so that
    # the kills land in the build itself rather than in Python starting up. The first run
    # of each is slow (bytecode compiled, files cold), so the second one counts.
    imports = 0.0
    for _ in range(2):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", "import caseapi.cli"], check=True)
        imports = time.monotonic() - started
    run_index(settings, log)
    full = run_index(settings, log)
    kills = attempts = 0
    recovered_by = []
    while kills < KILLS:
        attempts += 1
        assert attempts <= 3 * KILLS, f"only {kills} of {attempts} builds were killed in time"
        check_words = edit_folder(corpus, rng, attempts)
        finished_in = kill_index_after(settings, rng.uniform(imports * 0.8, full), log)
        if finished_in is not None:
            full = finished_in  # faster than thought (the machine got quieter): aim shorter
            continue
        kills += 1
        # Now and then a second kill before any recovery: a build over a killed build's mess.
        if kills % 4 == 0:
            kill_index_after(settings, rng.uniform(imports * 0.8, full), log)
        # Recover the three ways a person would: start the server, run the indexer, or
        # (what the server start does) ensure_index; each must need nothing else.
        if kills in (2, 7):
            run_index(settings, log)
            app = create_app(settings, build_index=False)
            recovered_by.append("caseapi index")
        else:
            app = create_app(settings)
            recovered_by.append("server start")
        with TestClient(app=app) as client:
            assert_serves_folder(client, corpus, check_words)
        # What the killed builds were writing is gone: no pile of half-written indexes.
        search_folders = [path for path in settings.index_dir.iterdir() if path.is_dir()]
        assert len(search_folders) <= 2, sorted(path.name for path in search_folders)
    assert kills == KILLS
    assert set(recovered_by) == {"caseapi index", "server start"}
    # The next whole build clears what the killed builds left: the folder of the new
    # generation and the one readers may still be using, nothing else.
    run_index(settings, log)
    with TestClient(app=create_app(settings, build_index=False)) as client:
        assert_serves_folder(client, corpus, [])
    search_folders = [path for path in settings.index_dir.iterdir() if path.is_dir()]
    assert len(search_folders) <= 2, sorted(path.name for path in search_folders)


def test_a_start_after_a_killed_build_removes_its_partial_search_folder(
    content: ContentFolder, settings: Settings
) -> None:
    content.post("een-bericht")
    report = asyncio.run(build_index(settings))
    state = asyncio.run(read_index_state(settings.catalog_path))
    assert state.search_folder is not None
    # What a build killed after writing its search index, before the catalog commit, leaves.
    partial = settings.index_dir / WhooshSearchWriter.folder_name(report.generation + 1)
    shutil.copytree(settings.index_dir / state.search_folder, partial)
    with TestClient(app=create_app(settings)) as client:
        assert client.get("/posts/een-bericht").status_code == 200
    assert not partial.exists()
