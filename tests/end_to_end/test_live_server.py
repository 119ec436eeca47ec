"""Live content end to end: a real ``caseapi serve`` with two workers over a folder editors change.

Every test here starts (or shares) a real server process, changes the content
folder the way editors and their tools do, and polls the HTTP API with a
deadline until the change shows in the lists, the search and the feeds. The
server's output goes to a log file that is printed when a test fails; a
traceback in that log fails the test too.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import http.client
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from caseapi.api.readers import POLL_SECONDS
from caseapi.catalog.schema import SCHEMA_VERSION
from caseapi.indexing.build import build_index
from caseapi.settings import Settings
from tests import servers
from tests.servers import free_port

TOKEN = "live-test-token"
# How long a change may take to show: generous for a loaded CI machine, still a deadline.
DEADLINE = 10.0
START_DEADLINE = 60.0
STOP_TIMEOUT = 10.0
# Polling with this file's deadline (tests.servers.eventually).
eventually = functools.partial(servers.eventually, timeout=DEADLINE)

# Made-up words: no Dutch stem, no compound parts, several edits apart from each other,
# so a search for one never finds another (typo tolerance allows two edits at most).
WORDS = {
    "initial-post": "qabzorit",
    "initial-edit": "quixbelmo",
    "edited": "zyrkafont",
    "new-post": "vuxtriqa",
    "new-assignment": "jobnixal",
    "atomic-old": "kwyzzerp",
    "atomic-new": "plaxiruv",
    "temp": "troxvenq",
    "temp-target": "wyqzumal",
    "temp-target-vim": "fexgroty",
    "partial-start": "bjuzkalm",
    "partial-end": "hoqxemir",
    "burst": "nyxtrapo",
    "folder": "gizqulev",
    "folder-edit": "muxrevon",
    "secret": "daxquirl",
    "after-secret": "plimzordak",
    "after-bad-name": "zwenkdolpf",
    "renamed": "snorbivex",
    "deleted": "klypvraz",
    "broken-good": "wubzetrik",
    "broken-bad": "yoqfrandel",
    "broken-fixed": "tjivorpax",
    "workers": "grumplexo",
    "restart": "flobzinter",
    "restart-later": "vrixomaly",
}

_minutes = itertools.count()


def fresh_date() -> str:
    """A post date newer than any before it: the newest post heads the feed."""
    moment = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=next(_minutes))
    return moment.isoformat()


def post_text(title: str, word: str, *, date: str | None = None, tag: str = "live") -> str:
    return (
        f"---\ntitle: {title}\ndate: {date or fresh_date()}\nauthor: Redactie\ntags: [{tag}]\n"
        f"---\n{title} gaat over {word}.\n\n## Meer\n\nTweede alinea.\n"
    )


def assignment_text(title: str, word: str) -> str:
    return (
        f"---\ntitle: {title}\nsummary: Een opdracht over {word}.\nclients: [Gemeente Zwolle]\n"
        "period: {start: 2024-01, end: 2025-06}\nwork: [advies]\ntags: [live]\n"
        f"date: 2025-07-01\n---\n## Vraag\n\nHoe pakken we {word} aan?\n"
    )


class LiveServer:
    """``caseapi serve`` as a child process, with its output in a log file."""

    # Every server made: their logs are checked after each test.
    made: list[LiveServer] = []

    def __init__(self, root: Path, *, workers: int = 2) -> None:
        self.root = root
        self.content = root / "content"
        self.index = root / "index"
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log_path = root / "server.log"
        self._client: httpx.Client | None = None
        LiveServer.made.append(self)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> float:
        """Start and wait for ``/health``; returns the seconds that took."""
        assert self.process is None
        self.port = free_port()
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith("CASEAPI_")
        }
        environment.update(CASEAPI_ADMIN_TOKEN=TOKEN, PYTHONUNBUFFERED="1")
        command = [
            sys.executable,
            "-m",
            "caseapi.cli",
            "serve",
            "--content",
            str(self.content),
            "--index",
            str(self.index),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        with self.log_path.open("ab") as log:
            log.write(f"\n===== {' '.join(command)}\n".encode())
            log.flush()
            started = time.monotonic()
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environment,
                cwd=self.root,
                start_new_session=True,  # its own process group: stopping it stops its workers
            )
        self._client = httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            timeout=5.0,
            # A new connection per request: requests are spread over both workers.
            limits=httpx.Limits(max_keepalive_connections=0),
        )

        def healthy() -> None:
            assert self.process is not None
            assert self.process.poll() is None, f"the server exited with {self.process.returncode}"
            try:
                response = self.get("/health")
            except httpx.TransportError as error:
                raise AssertionError(f"not answering yet: {error!r}") from None
            assert response.status_code == 200, response.text

        try:
            eventually(healthy, timeout=START_DEADLINE, interval=0.1)
        except AssertionError:
            self.stop()
            print(self.log_tail())
            raise
        return time.monotonic() - started

    def stop(self) -> int | None:
        """Terminate (SIGTERM), then kill the process group if it does not stop in time."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(STOP_TIMEOUT)
        # Workers the parent did not take down with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if self._client is not None:
            self._client.close()
            self._client = None
        self.process = None
        return process.returncode

    # -- reading -----------------------------------------------------------------------------

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 80) -> str:
        """The end of the log, access lines left out (requests say little, and there are many)."""
        kept = [
            line
            for line in self.log_text().splitlines()
            if '" HTTP/1.1" ' not in line and "caseapi.access" not in line
        ]
        return f"----- {self.log_path} (last {lines} lines, no access log)\n" + "\n".join(
            kept[-lines:]
        )

    def get(self, path: str) -> httpx.Response:
        assert self._client is not None, "the server is not running"
        return self._client.get(path)

    def post(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        assert self._client is not None, "the server is not running"
        return self._client.post(path, headers=headers, timeout=120.0)

    def json(self, path: str) -> Any:
        response = self.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def generation(self) -> int:
        generation: int = self.json("/health")["generation"]
        return generation

    def catalog_generation(self) -> int:
        """The generation in the catalog on disk: what every worker comes to serve."""
        return int(catalog_meta(self)["generation"])

    def settled_health(self) -> dict[str, Any]:
        """``/health`` once the workers answer for the catalog's current generation.

        Each worker switches at its own poll (and keeps its answers cached until
        then), so right after a change one of them may still answer for the last.
        """

        def settled() -> dict[str, Any]:
            generation = self.catalog_generation()
            bodies = [self.json("/health") for _ in range(6)]
            assert [body["generation"] for body in bodies] == [generation] * 6, generation
            return bodies[-1]

        return eventually(settled)

    def worker_pids(self) -> set[int]:
        """The uvicorn worker processes (children of the server process)."""
        assert self.process is not None
        children = set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == self.process.pid:
                children.add(int(entry))
        return children


@pytest.fixture(autouse=True)
def _server_log_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print the servers' output when a test fails; a traceback in it fails the test."""
    failed = request.session.testsfailed
    sizes = {
        server: server.log_path.stat().st_size
        for server in LiveServer.made
        if server.log_path.exists()
    }
    yield
    logged = []
    for server in LiveServer.made:
        if not server.log_path.exists():
            continue
        with server.log_path.open("rb") as log:
            log.seek(sizes.get(server, 0))
            logged.append((server, log.read().decode("utf-8", errors="replace")))
    if request.session.testsfailed > failed:
        for server, _ in logged:
            print(server.log_tail())
    expected_to_fail = request.node.get_closest_marker("xfail") is not None
    for server, text in logged:
        if "Traceback" in text and not expected_to_fail:
            pytest.fail(f"the server logged an exception during the test:\n{server.log_tail()}")


# -- what the API shows --------------------------------------------------------------------


def listed(server: LiveServer, collection: str) -> dict[str, dict[str, Any]]:
    """Slug -> item of the first 100 of a collection, newest first."""
    body = server.json(f"/{collection}?limit=100")
    return {item["slug"]: item for item in body["data"]}


def found(server: LiveServer, word: str) -> dict[str, dict[str, Any]]:
    """Slug -> hit of a search."""
    body = server.json(f"/search?q={quote(word)}&limit=50")
    return {hit["slug"]: hit for hit in body["data"]}


def fed(server: LiveServer, collection: str) -> dict[str, dict[str, Any]]:
    """Slug -> item of the collection's JSON feed."""
    body = server.json(f"/feeds/{collection}.json")
    return {urlsplit(item["url"]).path.rsplit("/", 1)[-1]: item for item in body["items"]}


def shown(server: LiveServer, collection: str, slug: str, word: str) -> dict[str, Any]:
    """Where ``slug`` shows, by the title each place gives it (None where it does not)."""
    detail = server.get(f"/{collection}/{slug}")
    return {
        "detail": detail.json()["title"] if detail.status_code == 200 else None,
        "list": listed(server, collection).get(slug, {}).get("title"),
        "search": found(server, word).get(slug, {}).get("title"),
        "feed": fed(server, collection).get(slug, {}).get("title"),
    }


def assert_shown(server: LiveServer, collection: str, slug: str, word: str, title: str) -> None:
    places = shown(server, collection, slug, word)
    assert places == dict.fromkeys(places, title), places


def assert_not_shown(server: LiveServer, collection: str, slug: str, word: str) -> None:
    places = shown(server, collection, slug, word)
    assert places == dict.fromkeys(places), places


def problem_paths(server: LiveServer) -> dict[str, list[dict[str, Any]]]:
    paths: dict[str, list[dict[str, Any]]] = {}
    for problem in server.json("/content-errors")["data"]:
        paths.setdefault(problem["path"], []).append(problem)
    return paths


# -- the shared server -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the tests whose changes do not get in each other's way."""
    live = LiveServer(tmp_path_factory.mktemp("live"))
    posts = live.content / "posts"
    assignments = live.content / "assignments"
    posts.mkdir(parents=True)
    assignments.mkdir(parents=True)
    (posts / "eerste-bericht.md").write_text(
        post_text("Eerste bericht", WORDS["initial-post"], date="2024-05-01")
    )
    (posts / "te-bewerken.md").write_text(
        post_text("Te bewerken", WORDS["initial-edit"], date="2024-05-02")
    )
    (posts / "derde-bericht.md").write_text(
        post_text("Derde bericht", "opvulling", date="2024-05-03")
    )
    (assignments / "vraagsturing.md").write_text(assignment_text("Vraagsturing", "opvulling"))
    (assignments / "coaching.md").write_text(assignment_text("Coaching", "opvulling"))
    live.start()
    try:
        yield live
    finally:
        live.stop()


def test_the_shared_server_serves_the_starting_content(server: LiveServer) -> None:
    health = server.json("/health")
    assert health["documents"] == {"assignments": 2, "posts": 3}
    assert health["content_errors"] == 0
    assert server.worker_pids(), "uvicorn started no worker processes"
    assert_shown(server, "posts", "eerste-bericht", WORDS["initial-post"], "Eerste bericht")


def test_a_new_post_appears(server: LiveServer) -> None:
    slug, word = "nieuw-bericht", WORDS["new-post"]
    assert_not_shown(server, "posts", slug, word)
    (server.content / "posts" / f"{slug}.md").write_text(post_text("Nieuw bericht", word))
    eventually(lambda: assert_shown(server, "posts", slug, word, "Nieuw bericht"))


def test_a_new_assignment_appears(server: LiveServer) -> None:
    slug, word = "nieuwe-opdracht", WORDS["new-assignment"]
    assert_not_shown(server, "assignments", slug, word)
    (server.content / "assignments" / f"{slug}.md").write_text(
        assignment_text("Nieuwe opdracht", word)
    )
    eventually(lambda: assert_shown(server, "assignments", slug, word, "Nieuwe opdracht"))


def test_an_edit_appears_and_the_old_text_is_gone(server: LiveServer) -> None:
    slug = "te-bewerken"
    assert_shown(server, "posts", slug, WORDS["initial-edit"], "Te bewerken")
    (server.content / "posts" / f"{slug}.md").write_text(post_text("Bewerkt", WORDS["edited"]))

    def edited() -> None:
        assert_shown(server, "posts", slug, WORDS["edited"], "Bewerkt")
        assert slug not in found(server, WORDS["initial-edit"])

    eventually(edited)


def test_an_atomic_rename_over_replaces_the_post(server: LiveServer) -> None:
    """Save to a temporary file in the same folder, then ``os.replace`` it over the post."""
    slug = "atomisch"
    target = server.content / "posts" / f"{slug}.md"
    target.write_text(post_text("Atomisch oud", WORDS["atomic-old"]))
    eventually(lambda: assert_shown(server, "posts", slug, WORDS["atomic-old"], "Atomisch oud"))
    with tempfile.NamedTemporaryFile(
        "w", dir=target.parent, prefix=f".{slug}.md.", suffix=".tmp", delete=False
    ) as temporary:
        temporary.write(post_text("Atomisch nieuw", WORDS["atomic-new"]))
        temporary.flush()
        os.fsync(temporary.fileno())
    os.replace(temporary.name, target)

    def replaced() -> None:
        assert_shown(server, "posts", slug, WORDS["atomic-new"], "Atomisch nieuw")
        assert slug not in found(server, WORDS["atomic-old"])

    eventually(replaced)
    assert not [path for path in problem_paths(server) if slug in path]


def test_editor_temporary_and_swap_files_are_never_published(server: LiveServer) -> None:
    posts = server.content / "posts"
    # Valid posts under editors' temporary names: served if they were not ignored.
    temporary = {
        ".notitie.md.swp": "Vim swap",
        ".notitie.md.swx": "Vim swap twee",
        "notitie.md~": "Backup",
        "4913": "Vim schrijftest",
        "notitie.md.tmp": "Tijdelijk",
    }
    for name, title in temporary.items():
        (posts / name).write_text(post_text(title, WORDS["temp"]))
    # Emacs's lock file: a dangling symbolic link.
    os.symlink("redacteur@werkplek.4242:1700000000", posts / ".#notitie.md")
    # A real post written after them: once it shows, the update that saw them is done.
    target = posts / "notitie.md"
    target.write_text(post_text("Notitie", WORDS["temp-target"]))
    eventually(lambda: assert_shown(server, "posts", "notitie", WORDS["temp-target"], "Notitie"))
    assert found(server, WORDS["temp"]) == {}
    titles = {item["title"] for item in listed(server, "posts").values()}
    assert not titles & set(temporary.values())
    assert not [path for path in problem_paths(server) if "notitie" in path or "4913" in path]

    # Vim's own save: write test file, backup by rename, write anew, drop the backup.
    (posts / "4913").unlink()
    (posts / "4913").write_text("")
    (posts / "4913").unlink()
    target.rename(posts / "notitie.md~")
    target.write_text(post_text("Notitie bewaard", WORDS["temp-target-vim"]))
    (posts / "notitie.md~").unlink()

    def saved() -> None:
        assert_shown(server, "posts", "notitie", WORDS["temp-target-vim"], "Notitie bewaard")
        assert "notitie" not in found(server, WORDS["temp-target"])

    eventually(saved)
    assert found(server, WORDS["temp"]) == {}
    assert not [path for path in problem_paths(server) if "notitie" in path or "4913" in path]


class Sampler(threading.Thread):
    """Requests one path over and over (new connection each time) until stopped."""

    def __init__(self, server: LiveServer, path: str) -> None:
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{server.port}{path}"
        self.samples: list[tuple[int, Any]] = []
        self.errors: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(timeout=5.0, limits=limits) as client:
            while not self.halt.is_set():
                try:
                    response = client.get(self.url)
                except httpx.HTTPError as error:
                    self.errors.append(repr(error))
                    continue
                body = response.json() if response.status_code == 200 else response.text
                self.samples.append((response.status_code, body))

    def __enter__(self) -> Sampler:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.halt.set()
        self.join(10)


def write_slowly(server: LiveServer, slug: str, title: str, pause: float) -> tuple[int, int]:
    """Write a post's first half, flush, the rest ``pause`` later, sampling the API throughout.

    Returns how many detail responses and feed items showed the post, after
    asserting that none of them showed it half-written.
    """
    target = server.content / "posts" / f"{slug}.md"
    filler = "".join(
        f"Regel {number} van een lang verhaal over vakmanschap.\n" for number in range(60)
    )
    text = post_text(title, WORDS["partial-start"]).replace(
        "\n## Meer", f"\n{filler}\nTot slot {WORDS['partial-end']}.\n\n## Meer"
    )
    half = len(text) // 2
    assert "\n---\n" in text[:half]  # the first half is a valid post, cut short
    assert WORDS["partial-end"] not in text[:half]
    with (
        Sampler(server, f"/posts/{slug}") as detail,
        Sampler(server, "/feeds/posts.json") as feed,
    ):
        with target.open("w", encoding="utf-8") as file:
            file.write(text[:half])
            file.flush()
            time.sleep(pause)  # the editor is still writing: part of the scenario, not a wait
            file.write(text[half:])

        def whole() -> None:
            body = server.json(f"/posts/{slug}")
            assert body["title"] == title
            assert WORDS["partial-end"] in body["text"], body["text"][-200:]

        eventually(whole)

        def sampled() -> None:  # both samplers have seen the post since it appeared
            assert any(status == 200 for status, _ in detail.samples)
            assert any(
                item["url"].endswith(f"/posts/{slug}")
                for status, body in feed.samples
                if status == 200
                for item in body["items"]
            )

        eventually(sampled)
    assert detail.errors == []
    assert feed.errors == []
    details = [body for status, body in detail.samples if status == 200]
    items = [
        item
        for status, body in feed.samples
        if status == 200
        for item in body["items"]
        if item["url"].endswith(f"/posts/{slug}")
    ]
    half_served = [
        body["text"][-60:]
        for body in details
        if body["title"] == title and WORDS["partial-end"] not in body["text"]
    ]
    half_fed = [
        item["content_html"][-60:]
        for item in items
        if item["title"] == title and WORDS["partial-end"] not in item["content_html"]
    ]
    assert (half_served, half_fed) == ([], []), (
        f"{len(half_served)} of {len(details)} detail responses and {len(half_fed)} of "
        f"{len(items)} feed items served the half-written file"
    )
    return len(details), len(items)


@pytest.mark.parametrize("existing", [False, True], ids=["new-file", "existing-file"])
def test_a_half_written_file_is_never_served(server: LiveServer, existing: bool) -> None:
    """Readers see the old version or the whole new one, never the first half.

    Several slow saves in a row, the rest following 200-300 ms after the first
    half: whether the watcher looks during the pause is a matter of timing, so one
    save alone could miss a half-served version.
    """
    slug = f"half-geschreven-{'oud' if existing else 'nieuw'}"
    if existing:
        (server.content / "posts" / f"{slug}.md").write_text(post_text("Vorige", "opvulling"))
        eventually(lambda: assert_shown(server, "posts", slug, "opvulling", "Vorige"))
    for round_, pause in enumerate((0.2, 0.25, 0.3, 0.2, 0.25)):
        name = slug if existing else f"{slug}-{round_}"
        details, items = write_slowly(server, name, f"Helemaal {round_}", pause)
        assert details > 0
        assert items > 0


def test_a_folder_moved_in_appears_and_moved_out_disappears(
    server: LiveServer, tmp_path: Path
) -> None:
    outside = tmp_path / "reeks"
    outside.mkdir()
    titles = {"reeks-een": "Reeks een", "reeks-twee": "Reeks twee", "reeks-drie": "Reeks drie"}
    for slug, title in titles.items():
        (outside / f"{slug}.md").write_text(post_text(title, WORDS["folder"]))
    inside = server.content / "posts" / "reeks"
    os.rename(outside, inside)

    def moved_in() -> None:
        assert set(found(server, WORDS["folder"])) == set(titles)
        for slug, title in titles.items():
            assert_shown(server, "posts", slug, WORDS["folder"], title)

    eventually(moved_in)
    # The moved-in folder is watched too: an edit inside it shows.
    (inside / "reeks-een.md").write_text(post_text("Reeks een bewerkt", WORDS["folder-edit"]))
    eventually(
        lambda: assert_shown(
            server, "posts", "reeks-een", WORDS["folder-edit"], "Reeks een bewerkt"
        )
    )
    os.rename(inside, tmp_path / "weg")

    def moved_out() -> None:
        assert found(server, WORDS["folder"]) == {}
        for slug in titles:
            assert_not_shown(server, "posts", slug, WORDS["folder-edit"])

    eventually(moved_out)


def test_a_symlink_out_of_the_content_folder_is_never_served(
    server: LiveServer, tmp_path: Path
) -> None:
    secret = tmp_path / "geheim.md"
    secret.write_text(post_text("Geheim", WORDS["secret"]))
    linked_folder = tmp_path / "extern"
    linked_folder.mkdir()
    (linked_folder / "extern-geheim.md").write_text(post_text("Extern geheim", WORDS["secret"]))
    posts = server.content / "posts"
    os.symlink(secret, posts / "geheim.md")
    os.symlink(linked_folder, posts / "extern", target_is_directory=True)

    def listed_as_errors() -> None:
        problems = problem_paths(server)
        assert "posts/geheim.md" in problems, sorted(problems)
        assert "posts/extern" in problems, sorted(problems)

    eventually(listed_as_errors)
    assert found(server, WORDS["secret"]) == {}
    for slug in ("geheim", "extern-geheim"):
        assert_not_shown(server, "posts", slug, WORDS["secret"])
    # The target changing is noticed, and still not served.
    secret.write_text(post_text("Geheim bewerkt", WORDS["secret"]))
    (posts / "na-geheim.md").write_text(post_text("Na geheim", WORDS["after-secret"]))
    eventually(
        lambda: assert_shown(server, "posts", "na-geheim", WORDS["after-secret"], "Na geheim")
    )
    assert found(server, WORDS["secret"]) == {}
    assert "posts/geheim.md" in problem_paths(server)
    # Removing the links clears their errors.
    (posts / "geheim.md").unlink()
    (posts / "extern").unlink()

    def cleared() -> None:
        problems = problem_paths(server)
        assert "posts/geheim.md" not in problems, problems
        assert "posts/extern" not in problems, problems

    eventually(cleared)


def test_a_file_name_that_is_not_utf8_stops_nothing(server: LiveServer) -> None:
    # watchfiles itself cannot decode such a name: every worker's watch used to end with it.
    for name in (b"posts/\xff\xfe.md", b"posts/\xff\xfe.md~"):
        path = os.fsencode(server.content) + b"/" + name
        with open(path, "wb") as file:
            file.write(post_text("Vreemde naam", "tekst").encode())
    eventually(lambda: assert_in("posts/\ufffd\ufffd.md", problem_paths(server)))
    os.remove(os.fsencode(server.content) + b"/posts/\xff\xfe.md~")
    # Edits after it are still published.
    word = WORDS["after-bad-name"]
    (server.content / "posts" / "na-vreemde-naam.md").write_text(post_text("Na vreemde naam", word))
    eventually(lambda: assert_shown(server, "posts", "na-vreemde-naam", word, "Na vreemde naam"))
    os.remove(os.fsencode(server.content) + b"/posts/\xff\xfe.md")
    eventually(lambda: assert_not_in("posts/\ufffd\ufffd.md", problem_paths(server)))


def assert_in(item: str, items: set[str]) -> None:
    assert item in items, sorted(items)


def assert_not_in(item: str, items: set[str]) -> None:
    assert item not in items, sorted(items)


def test_renaming_a_file_moves_the_post_to_the_new_slug(server: LiveServer) -> None:
    word = WORDS["renamed"]
    old = server.content / "posts" / "oude-naam.md"
    old.write_text(post_text("Verhuisd bericht", word))
    eventually(lambda: assert_shown(server, "posts", "oude-naam", word, "Verhuisd bericht"))
    os.rename(old, old.with_name("nieuwe-naam.md"))

    def renamed() -> None:
        assert_shown(server, "posts", "nieuwe-naam", word, "Verhuisd bericht")
        assert_not_shown(server, "posts", "oude-naam", word)
        assert server.get("/posts/oude-naam").status_code == 404

    eventually(renamed)


def test_deleting_a_file_removes_the_post_everywhere(server: LiveServer) -> None:
    slug, word = "te-verwijderen", WORDS["deleted"]
    path = server.content / "posts" / f"{slug}.md"
    path.write_text(post_text("Te verwijderen", word))
    eventually(lambda: assert_shown(server, "posts", slug, word, "Te verwijderen"))
    path.unlink()

    def gone() -> None:
        assert_not_shown(server, "posts", slug, word)
        assert found(server, word) == {}
        assert server.get(f"/posts/{slug}").status_code == 404

    eventually(gone)


def test_a_broken_edit_keeps_the_last_good_version_until_fixed(server: LiveServer) -> None:
    slug = "breekbaar"
    path = server.content / "posts" / f"{slug}.md"
    path.write_text(post_text("Goede versie", WORDS["broken-good"]))
    eventually(lambda: assert_shown(server, "posts", slug, WORDS["broken-good"], "Goede versie"))
    # No date: not a valid post.
    broken = post_text("Kapotte versie", WORDS["broken-bad"]).replace("date:", "datum:")
    path.write_text(broken)

    def reported() -> None:
        problems = problem_paths(server).get(f"posts/{slug}.md", [])
        assert any(problem["field"] == "date" for problem in problems), problems
        assert server.json("/health")["content_errors"] >= 1

    eventually(reported)
    # The error is listed in the same generation that kept the good version served.
    eventually(lambda: assert_shown(server, "posts", slug, WORDS["broken-good"], "Goede versie"))
    assert found(server, WORDS["broken-bad"]) == {}
    assert server.json(f"/posts/{slug}")["text"].startswith("Goede versie")

    path.write_text(post_text("Herstelde versie", WORDS["broken-fixed"]))

    def fixed() -> None:
        assert_shown(server, "posts", slug, WORDS["broken-fixed"], "Herstelde versie")
        assert f"posts/{slug}.md" not in problem_paths(server)
        assert slug not in found(server, WORDS["broken-good"])

    eventually(fixed)


def _socket_owner(pids: set[int], server_port: int, client_port: int) -> int | None:
    """Which process holds the server side of the connection from ``client_port``."""
    inode = None
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if (
                int(local.rsplit(":", 1)[1], 16) == server_port
                and int(remote.rsplit(":", 1)[1], 16) == client_port
            ):
                inode = fields[9]
    if inode is None:
        return None
    wanted = f"socket:[{inode}]"
    for pid in pids:
        with contextlib.suppress(OSError):
            for descriptor in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{descriptor}") == wanted:
                        return pid
    return None


def ask_a_worker(server: LiveServer, path: str, pids: set[int]) -> tuple[int | None, Any]:
    """GET ``path`` over a new connection; (the worker that answered, the JSON body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = json.loads(response.read())
        assert response.status == 200, body
        # The connection is still open: find the worker holding its other end.
        return _socket_owner(pids, server.port, connection.sock.getsockname()[1]), body
    finally:
        connection.close()


def test_both_workers_serve_the_change(server: LiveServer) -> None:
    """Search reads each worker's own index snapshot: both must switch, and stay switched."""
    pids = server.worker_pids()
    assert len(pids) >= 2, f"expected 2 worker processes, found {pids}"
    slug, word = "voor-alle-werkers", WORDS["workers"]
    path = f"/search?q={word}"
    (server.content / "posts" / f"{slug}.md").write_text(post_text("Voor alle werkers", word))
    seen: dict[int, list[bool]] = {}

    def every_worker_agrees() -> None:
        for _ in range(10):
            pid, body = ask_a_worker(server, path, pids)
            if pid is not None:
                seen.setdefault(pid, []).append(slug in {hit["slug"] for hit in body["data"]})
        workers = {pid: answers for pid, answers in seen.items() if pid in pids}
        assert len(workers) == 2, f"answers came from {sorted(workers)}, not two workers"
        # Each worker: found in its last five answers at least.
        for pid, answers in workers.items():
            assert answers[-5:] == [True] * 5, (pid, answers[-10:])

    eventually(every_worker_agrees)
    # Once a worker served the change, it never served the old state again.
    for pid, answers in seen.items():
        first = answers.index(True)
        assert all(answers[first:]), (pid, answers)


def test_admin_reindex_needs_the_token(server: LiveServer) -> None:
    before = server.catalog_generation()
    missing = server.post("/admin/reindex")
    assert missing.status_code == 401, missing.text
    assert missing.headers["www-authenticate"].lower().startswith("bearer")
    assert missing.headers["content-type"].startswith("application/problem+json")
    basic = server.post("/admin/reindex", headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401, basic.text
    wrong = server.post("/admin/reindex", headers={"Authorization": "Bearer niet-het-token"})
    assert wrong.status_code == 403, wrong.text
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert server.catalog_generation() == before


def test_admin_reindex_rebuilds_while_readers_keep_reading(server: LiveServer) -> None:
    before = server.settled_health()
    word = WORDS["initial-post"]
    with Sampler(server, f"/search?q={word}") as searching, Sampler(server, "/posts") as listing:

        def reading() -> None:
            assert len(searching.samples) > 5, searching.errors

        eventually(reading)
        response = server.post("/admin/reindex", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.text
        report = response.json()
        # An observation window, not a wait for a result: the samplers keep reading while
        # the worker that did not rebuild notices the new generation at its next poll.
        time.sleep(3 * POLL_SECONDS)
    assert report["generation"] > before["generation"]
    assert report["documents"] == sum(before["documents"].values())
    assert report["errors"] == 0
    assert server.catalog_generation() >= report["generation"]
    statuses = [status for status, _ in searching.samples + listing.samples]
    assert all(status == 200 for status in statuses), sorted(set(statuses))
    lost = [body for _, body in searching.samples if body["meta"]["total"] != 1]
    assert lost == [], f"{len(lost)} searches during the rebuild did not find the post"
    assert searching.errors == []
    assert listing.errors == []

    def rebuilt() -> None:
        assert server.generation() >= report["generation"]
        assert_shown(server, "posts", "eerste-bericht", word, "Eerste bericht")

    eventually(rebuilt)


def test_a_burst_of_300_files_appears_as_a_few_generations(server: LiveServer) -> None:
    before = server.settled_health()
    posts = server.content / "posts" / "stormloop"
    posts.mkdir()
    start = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
    for number in range(300):
        date = (start + dt.timedelta(minutes=number)).isoformat()
        (posts / f"storm-{number:03d}.md").write_text(
            post_text(f"Storm {number}", WORDS["burst"], date=date, tag="stormloop")
        )

    def all_there() -> None:
        assert server.json("/posts?tag=stormloop&limit=1")["meta"]["total"] == 300
        assert server.json(f"/search?q={WORDS['burst']}")["meta"]["total"] == 300
        items = server.json("/feeds/posts.json?tag=stormloop")["items"]
        assert [item["title"] for item in items[:2]] == ["Storm 299", "Storm 298"]
        health = server.json("/health")
        assert health["documents"]["posts"] == before["documents"]["posts"] + 300
        assert health["content_errors"] == before["content_errors"]

    eventually(all_there, timeout=30)
    grown = server.catalog_generation() - before["generation"]
    assert 1 <= grown <= 10, f"300 files took {grown} generations"


# -- separate servers: start-up ----------------------------------------------------------------


@pytest.fixture
def stopped(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of the test's own (not started), over a few posts; stopped at the end."""
    live = LiveServer(tmp_path)
    posts = live.content / "posts"
    posts.mkdir(parents=True)
    (live.content / "assignments").mkdir()
    for number in range(3):
        (posts / f"start-{number}.md").write_text(post_text(f"Start {number}", WORDS["restart"]))
    yield live
    live.stop()


def search_folders(server: LiveServer) -> list[str]:
    return sorted(folder.name for folder in server.index.glob("search-*"))


def catalog_meta(server: LiveServer) -> dict[str, str]:
    path = server.index / "catalog.sqlite"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return dict(connection.execute("SELECT key, value FROM meta").fetchall())


def test_restart_opens_the_existing_index_without_rebuilding(stopped: LiveServer) -> None:
    first_start = stopped.start()
    (stopped.content / "posts" / "tijdens.md").write_text(post_text("Tijdens", WORDS["restart"]))
    eventually(lambda: assert_shown(stopped, "posts", "tijdens", WORDS["restart"], "Tijdens"))
    generation = stopped.settled_health()["generation"]
    folders = search_folders(stopped)
    stopped.stop()

    restart = stopped.start()
    assert stopped.generation() == generation
    assert search_folders(stopped) == folders
    assert_shown(stopped, "posts", "tijdens", WORDS["restart"], "Tijdens")
    assert len(found(stopped, WORDS["restart"])) == 4
    stopped.stop()

    # Changed while nobody watched: caught up at start, as one incremental generation.
    (stopped.content / "posts" / "later.md").write_text(post_text("Later", WORDS["restart-later"]))
    catch_up = stopped.start()
    assert_shown(stopped, "posts", "later", WORDS["restart-later"], "Later")
    assert stopped.generation() == generation + 1
    assert search_folders(stopped) == folders
    print(
        f"start-up: first {first_start:.2f} s, restart {restart:.2f} s, catch-up {catch_up:.2f} s"
    )


def build_in_process(server: LiveServer) -> None:
    settings = Settings(content_dir=server.content, index_dir=server.index)
    report = asyncio.run(build_index(settings))
    assert report.documents == 3


def test_an_index_of_an_older_schema_is_rebuilt_at_start(stopped: LiveServer) -> None:
    build_in_process(stopped)
    with contextlib.closing(sqlite3.connect(stopped.index / "catalog.sqlite")) as connection:
        connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION - 1),)
        )
        connection.commit()
    assert catalog_meta(stopped)["schema_version"] == str(SCHEMA_VERSION - 1)
    stopped.start()
    assert catalog_meta(stopped)["schema_version"] == str(SCHEMA_VERSION)
    assert stopped.json("/health")["documents"] == {"assignments": 0, "posts": 3}
    assert set(found(stopped, WORDS["restart"])) == {"start-0", "start-1", "start-2"}
    assert_shown(stopped, "posts", "start-1", WORDS["restart"], "Start 1")


def test_a_damaged_catalog_is_rebuilt_at_start(stopped: LiveServer) -> None:
    build_in_process(stopped)
    catalog = stopped.index / "catalog.sqlite"
    catalog.write_bytes(b"dit is geen database\x00" * 500)
    stopped.start()
    assert catalog_meta(stopped)["schema_version"] == str(SCHEMA_VERSION)
    assert stopped.json("/health")["documents"] == {"assignments": 0, "posts": 3}
    assert set(found(stopped, WORDS["restart"])) == {"start-0", "start-1", "start-2"}
    # And it is live: the watcher works on the rebuilt index.
    (stopped.content / "posts" / "na-herstel.md").write_text(
        post_text("Na herstel", WORDS["restart-later"])
    )
    eventually(
        lambda: assert_shown(stopped, "posts", "na-herstel", WORDS["restart-later"], "Na herstel")
    )


def test_two_posts_swapping_slugs_do_not_stop_live_updates(stopped: LiveServer) -> None:
    stopped.start()
    posts = stopped.content / "posts"
    (posts / "start-0.md").write_text(
        post_text("Start 0", WORDS["restart"]).replace("tags:", "slug: start-1\ntags:")
    )
    (posts / "start-1.md").write_text(
        post_text("Start 1", WORDS["restart"]).replace("tags:", "slug: start-0\ntags:")
    )
    (posts / "daarna.md").write_text(post_text("Daarna", WORDS["restart-later"]))
    eventually(lambda: assert_shown(stopped, "posts", "daarna", WORDS["restart-later"], "Daarna"))
    assert stopped.json("/posts/start-0")["title"] == "Start 1"
