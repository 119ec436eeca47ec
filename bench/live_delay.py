"""Save to searchable: how long a real server takes to show an editor's change.

    python bench/live_delay.py CONTENT_DIR [--rounds 10] [--workers 2]

Starts ``caseapi serve`` on a copy-free index next to the folder (built first,
not timed), then, each round, writes a new post holding a made-up word and
polls ``/search`` (and then ``/posts/{slug}`` and the JSON feed) until it shows,
and does the same for an edit and a delete. Prints p50 and max per kind.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

POLL_SECONDS = 0.01
DEADLINE_SECONDS = 30.0


def made_up_word(rng: random.Random) -> str:
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(5))


def post(title: str, word: str) -> str:
    return (
        f"---\ntitle: {title}\ndate: 2026-11-30\ntags: [meting]\n---\n"
        f"Een bericht over {word}, geschreven om te meten.\n"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def until(check: Callable[[], bool], deadline: float = DEADLINE_SECONDS) -> float:
    """Seconds until ``check`` holds (polling), from now."""
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > deadline:
            raise TimeoutError("the change did not show within the deadline")
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("content", type=Path)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    content: Path = arguments.content.resolve()
    index = Path(tempfile.mkdtemp(prefix="caseapi-live-delay-"))
    caseapi = [sys.executable, "-m", "caseapi.cli"]
    folders = ["--content", str(content), "--index", str(index)]
    subprocess.run([*caseapi, "index", *folders], check=True, capture_output=True)
    documents = sum(1 for _ in content.rglob("*.md"))
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key != "CASEAPI_WATCH"}
    server = subprocess.Popen(
        [*caseapi, "serve", *folders, "--port", str(port), "--workers", str(arguments.workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
        start_new_session=True,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10.0)

    def answers() -> bool:
        try:
            return client.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    rng = random.Random(5)
    delays: dict[str, list[float]] = {"new": [], "edit": [], "delete": []}
    target = content / "posts"
    try:
        until(answers, deadline=600.0)  # start-up is not what is measured
        time.sleep(2)  # both workers up and the watcher's first look done
        for number in range(arguments.rounds):
            slug = f"meting-{number}-{''.join(rng.choices(string.ascii_lowercase, k=6))}"
            path = target / f"{slug}.md"
            word, edited = made_up_word(rng), made_up_word(rng)

            def found(query: str, wanted: str = slug) -> bool:
                hits = client.get("/search", params={"q": query}).json()["data"]
                return any(hit["slug"] == wanted for hit in hits)

            path.write_text(post(f"Meting {number}", word), encoding="utf-8")
            delays["new"].append(until(lambda: found(word)))  # noqa: B023 - called at once
            time.sleep(0.3)
            path.write_text(post(f"Meting {number}", edited), encoding="utf-8")
            delays["edit"].append(until(lambda: found(edited)))  # noqa: B023
            time.sleep(0.3)
            path.unlink()
            delays["delete"].append(until(lambda: not found(edited)))  # noqa: B023
            time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(30)
        client.close()
    print(f"{documents} documents, {arguments.workers} workers, {arguments.rounds} rounds")
    for kind, values in delays.items():
        print(
            f"  {kind:>6}: p50 {statistics.median(values):.3f} s, max {max(values):.3f} s "
            f"(save -> /search shows it)"
        )


if __name__ == "__main__":
    main()
