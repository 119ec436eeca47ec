"""Readers never see an error or a half-applied change while editors rewrite the folder.

A real ``caseapi serve`` with two workers watches a folder of 200 documents. Reader
threads keep searching, listing, paging, reading documents and feeds, while a writer
rewrites all 200 files twice (in place and by rename-over, as editors' tools save), so the
watcher syncs the index again and again. Every answer must be a 200 and consistent: a
search for the word in every document always counts all of them, lists always count the
whole folder. At the end the server serves exactly the folder.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from caseapi.catalog.schema import read_index_state
from caseapi.indexing.build import build_index
from caseapi.indexing.sync import sync_index
from caseapi.settings import Settings
from tests.conftest import ContentFolder
from tests.corpus import MARKER, Corpus, assert_serves_folder
from tests.server_process import running_server

DOCUMENTS = 200
READERS = 3
CATCH_UP_DEADLINE = 30.0


class Readers:
    """Threads reading the API until told to stop; every failure is kept, none raised."""

    def __init__(self, url: str, corpus: Corpus) -> None:
        self.url = url
        self.slugs = [(path.split("/")[0], path.split("/")[1][:-3]) for path in corpus.files()]
        self.posts = sum(collection == "posts" for collection, _ in self.slugs)
        self.errors: list[str] = []
        self.requests = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self.read, args=(number,), daemon=True)
            for number in range(READERS)
        ]

    def __enter__(self) -> Readers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)

    def read(self, number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                try:
                    self.one_request(client, rng)
                except Exception as error:  # a failed request is a finding, not a crash
                    self.fail(f"{type(error).__name__}: {error}")

    def one_request(self, client: httpx.Client, rng: random.Random) -> None:
        kind = rng.choice(["marker", "search", "posts", "assignments", "detail", "feed", "health"])
        if kind == "marker":
            body = self.ok(client.get("/search", params={"q": MARKER, "limit": 5}))
            self.expect(body["meta"]["total"] == DOCUMENTS, f"marker total {body['meta']}")
        elif kind == "search":
            word = rng.choice(["werk", "mensen", "tijd", "goed", "nieuwe", "zorg*", '"de tijd"'])
            self.ok(client.get("/search", params={"q": word, "page": rng.randint(1, 3)}))
        elif kind == "posts":
            page = rng.randint(1, 8)
            body = self.ok(client.get("/posts", params={"page": page, "sort": "title"}))
            self.expect(body["meta"]["total"] == self.posts, f"posts total {body['meta']}")
        elif kind == "assignments":
            # Assignments are the documents numbered 0, 3, 6, …: tags 0, 3 and 6.
            tag = f"tag{rng.choice([0, 3, 6])}"
            body = self.ok(client.get("/assignments", params={"tag": tag}))
            self.expect(bool(body["data"]), "an assignment tag with no assignments")
        elif kind == "detail":
            collection, slug = rng.choice(self.slugs)
            body = self.ok(client.get(f"/{collection}/{slug}"))
            self.expect(MARKER in body["text"], f"{slug}: text without the marker")
        elif kind == "feed":
            body = self.ok(client.get("/feeds/all.json"))
            self.expect(len(body["items"]) == 20, "a short feed")
        else:
            body = self.ok(client.get("/health"))
            self.expect(body["status"] == "ok", f"health {body}")

    def ok(self, response: httpx.Response) -> Any:
        with self.lock:
            self.requests += 1
        if response.status_code != 200:
            raise AssertionError(f"{response.request.url} -> {response.status_code}")
        return response.json()

    def expect(self, condition: bool, message: str) -> None:
        if not condition:
            self.fail(message)

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def rewrite(corpus: Corpus, relative: str, version: int, rng: random.Random) -> None:
    """Save a new version: in place (truncate and write), or written aside and renamed over."""
    if rng.random() < 0.5:
        corpus.write(relative, version)
        return
    path = corpus.root / relative
    aside = path.with_name(f".{path.name}.tmp")  # hidden: never content itself
    aside.write_text(corpus.text(relative, version), encoding="utf-8")
    os.replace(aside, path)


def test_reading_while_200_files_are_rewritten(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "content", DOCUMENTS)
    rng = random.Random(5)
    with (
        running_server(corpus.root, tmp_path / "index", tmp_path / "server.log") as url,
        Readers(url, corpus) as readers,
    ):
        for version in (1, 2):
            files = corpus.files()
            rng.shuffle(files)
            for number, relative in enumerate(files):
                rewrite(corpus, relative, version, rng)
                if number % 20 == 19:
                    time.sleep(0.2)  # let the watcher pick up a batch, then write on
        with httpx.Client(base_url=url, timeout=30) as client:
            deadline = time.monotonic() + CATCH_UP_DEADLINE
            while True:
                try:
                    assert_serves_folder(client, corpus, corpus.files()[:20])
                    break
                except AssertionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            # Every rewritten document by its current word (and not its old ones): a sample.
            assert_serves_folder(client, corpus, rng.sample(corpus.files(), 40))
    assert readers.requests > 100
    print(f"{readers.requests} requests while rewriting")
    assert readers.errors == [], sorted(set(readers.errors))[:20]


def test_a_full_build_after_live_updates_keeps_the_folder_readers_still_use(
    content: ContentFolder, settings: Settings
) -> None:
    content.post("een-bericht", title="Eerst")
    asyncio.run(build_index(settings))
    time.sleep(0.05)
    content.post("een-bericht", title="Daarna")
    assert asyncio.run(sync_index(settings)) is not None
    in_use = asyncio.run(read_index_state(settings.catalog_path)).search_folder
    assert in_use is not None
    asyncio.run(build_index(settings))
    assert (settings.index_dir / in_use).is_dir()
