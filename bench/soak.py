"""Soak: a real ``caseapi serve`` under mixed load while editors keep changing files.

    python bench/soak.py                      # 10 minutes, 1,000 documents, 2 workers
    python bench/soak.py --minutes 1 --documents 300

Clients search, complete, list, page, filter, read documents, feeds and health; an editor
rewrites files in place and by rename-over, adds and deletes files, and breaks a file and
fixes it again, so the watcher updates the index the whole time. Reported: requests and
throughput, every error (5xx, an unexpected status, a failed connection, a traceback in
the server's log), latency percentiles, the server's memory (RSS of every process, sampled
over time) and its growth, and whether the server ends up serving exactly the folder.
Exits 1 when anything went wrong. Not part of ``make test``: ``make soak``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psutil

from caseapi.content.loader import load_folder

from corpus import queries, write_corpus

BIN = Path(sys.executable).parent


class Soak:
    """Load, edits and measurements against one server over one content folder."""

    def __init__(self, url: str, content: Path, server: psutil.Process, seed: int) -> None:
        self.url = url
        self.content = content
        self.server = server
        self.rng = random.Random(seed)
        self.editor_rng = random.Random(seed + 1)  # the editor runs in a thread of its own
        self.queries = queries(2000)
        # Documents the editor never deletes nor breaks: readers may always ask for them.
        public = {
            document.path: (document.collection, document.slug)
            for document in load_folder(content).documents
            if not document.draft and document.publish_at is None
        }
        self.stable = [
            public[path.relative_to(content).as_posix()]
            for path in sorted(content.glob("*/*.md"))[::2]
            if path.relative_to(content).as_posix() in public
        ]
        self.editable = sorted(content.glob("*/*.md"))[1::2]
        self.added: list[Path] = []
        self.statuses: Counter[str] = Counter()
        self.errors: list[str] = []
        self.latencies: dict[str, list[float]] = {}
        self.memory: list[dict[str, Any]] = []
        self.edits: Counter[str] = Counter()
        self.stop = asyncio.Event()

    # -- readers ---------------------------------------------------------------------------

    def request(self) -> tuple[str, str, dict[str, Any], tuple[int, ...]]:
        """One request of the mix: (kind, path, params, acceptable statuses)."""
        rng = self.rng
        kind = rng.choices(
            ["search", "suggest", "list", "detail", "feed", "tags", "health", "errors"],
            weights=[40, 10, 20, 15, 6, 3, 3, 3],
        )[0]
        if kind == "search":
            params: dict[str, Any] = {"q": rng.choice(self.queries)}
            if rng.random() < 0.3:
                params["page"] = rng.randint(1, 3)
            if rng.random() < 0.2:
                params["type"] = rng.choice(["post", "assignment"])
            return kind, "/search", params, (200, 400)
        if kind == "suggest":
            query = rng.choice(self.queries).split()[0]
            typed = query[: rng.randint(min(2, len(query)), len(query))]
            return kind, "/search/suggest", {"q": typed}, (200, 400)
        if kind == "list":
            collection = rng.choice(["posts", "assignments"])
            params = {"page": rng.randint(1, 5), "sort": rng.choice(["date", "-date", "title"])}
            if rng.random() < 0.3:
                params["tag"] = rng.choice(["zorg", "vakmanschap", "onderwijs", "wonen"])
            return kind, f"/{collection}", params, (200,)
        if kind == "detail":
            collection, slug = rng.choice(self.stable)
            return kind, f"/{collection}/{slug}", {}, (200,)
        if kind == "feed":
            feed = rng.choice(["posts", "assignments", "all"])
            return kind, f"/feeds/{feed}.{rng.choice(['json', 'atom', 'rss'])}", {}, (200,)
        if kind == "tags":
            return kind, "/tags", {}, (200,)
        if kind == "health":
            return kind, "/health", {}, (200,)
        return kind, "/content-errors", {}, (200,)

    async def reader(self, client: httpx.AsyncClient) -> None:
        while not self.stop.is_set():
            kind, path, params, acceptable = self.request()
            started = time.perf_counter()
            try:
                response = await client.get(path, params=params)
            except httpx.HTTPError as error:
                self.errors.append(f"{path} {params}: {type(error).__name__} {error}")
                continue
            self.latencies.setdefault(kind, []).append(time.perf_counter() - started)
            self.statuses[str(response.status_code)] += 1
            if response.status_code not in acceptable:
                self.errors.append(f"{path} {params}: {response.status_code} {response.text[:200]}")

    # -- the editor ------------------------------------------------------------------------

    async def editor(self, interval: float) -> None:
        number = 0
        while not self.stop.is_set():
            await asyncio.sleep(interval)
            number += 1
            await asyncio.to_thread(self.edit, number)

    def edit(self, number: int) -> None:
        rng = self.editor_rng
        action = rng.choices(
            ["in-place", "rename-over", "add", "delete", "break-and-fix"],
            weights=[40, 30, 12, 8, 10],
        )[0]
        if action == "add":
            path = self.content / "posts" / f"soak-{number:06d}.md"
            path.write_text(post_text(f"Soak bericht {number}", number), encoding="utf-8")
            self.added.append(path)
        elif action == "delete" and self.added:
            self.added.pop(rng.randrange(len(self.added))).unlink()
        elif action == "break-and-fix":
            path = rng.choice(self.editable)
            good = path.read_text(encoding="utf-8")
            path.write_text("---\ntitle: [kapot\n---\n", encoding="utf-8")
            time.sleep(rng.uniform(0.1, 1.5))
            path.write_text(good, encoding="utf-8")
        else:
            path = rng.choice(self.editable)
            text = path.read_text(encoding="utf-8") + f"\nBewerking {number}.\n"
            if action == "rename-over":
                aside = path.with_name(f".{path.name}.tmp")
                aside.write_text(text, encoding="utf-8")
                os.replace(aside, path)
            else:
                path.write_text(text, encoding="utf-8")
        self.edits[action] += 1

    # -- memory ----------------------------------------------------------------------------

    async def sampler(self, every: float, started: float) -> None:
        while not self.stop.is_set():
            self.memory.append({"seconds": round(time.monotonic() - started, 1), **self.rss()})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), every)
        self.memory.append({"seconds": round(time.monotonic() - started, 1), **self.rss()})

    def rss(self) -> dict[str, Any]:
        """RSS in MiB of the server and each of its processes."""
        processes = [self.server, *self.server.children(recursive=True)]
        sizes = {}
        for process in processes:
            with contextlib.suppress(psutil.Error):
                sizes[str(process.pid)] = round(process.memory_info().rss / 2**20, 1)
        return {"total_mib": round(sum(sizes.values()), 1), "processes": sizes}


def post_text(title: str, number: int) -> str:
    return (
        f"---\ntitle: {title}\ndate: 2025-01-{number % 28 + 1:02d}\ntags: [soak]\n---\n"
        f"Een bericht dat de soak-test schreef, nummer {number}, over zorg en vakmanschap.\n"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def served_equals_folder(url: str, content: Path, deadline: float) -> tuple[bool, str]:
    """Wait (up to ``deadline`` s) until the server lists exactly the folder's documents."""
    expected = {
        (document.collection, document.slug): document.title
        for document in load_folder(content).documents
        if not document.draft
    }
    served: dict[tuple[str, str], str] = {}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        stop = time.monotonic() + deadline
        while True:
            served = {}
            for collection in ("assignments", "posts"):
                page: int | None = 1
                while page is not None:
                    response = await client.get(
                        f"/{collection}",
                        params={"limit": 100, "page": page, "fields": "slug,title"},
                    )
                    body = response.json()
                    served.update(
                        {(collection, item["slug"]): item["title"] for item in body["data"]}
                    )
                    page = body["meta"]["next"]
            if served == expected or time.monotonic() > stop:
                break
            await asyncio.sleep(0.5)
    missing = len(set(expected) - set(served))
    extra = len(set(served) - set(expected))
    changed = sum(served.get(key) not in (None, title) for key, title in expected.items())
    return served == expected, f"{missing} missing, {extra} extra, {changed} with another title"


async def soak(arguments: argparse.Namespace, folder: Path) -> dict[str, Any]:
    content = folder / "content"
    print(f"writing {arguments.documents} documents to {content}", flush=True)
    write_corpus(arguments.documents, content, seed=arguments.seed)
    log = folder / "server.log"
    port = free_port()
    command = [
        str(BIN / "caseapi"), "serve", "--content", str(content), "--index", str(folder / "index"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(arguments.workers),
        "--no-access-log",
    ]  # fmt: skip
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CASEAPI")}
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            for _ in range(1200):
                if process.poll() is not None:
                    raise SystemExit(f"the server exited:\n{log.read_text()[-3000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/health")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            generation_at_start = (await client.get("/health")).json()["generation"]
        run = Soak(url, content, psutil.Process(process.pid), arguments.seed)
        seconds = arguments.minutes * 60
        print(f"soaking for {seconds:.0f} s with {arguments.clients} clients", flush=True)
        started = time.monotonic()
        limits = httpx.Limits(max_connections=arguments.clients)
        async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
            tasks = [asyncio.create_task(run.reader(client)) for _ in range(arguments.clients)]
            tasks.append(asyncio.create_task(run.editor(arguments.edit_interval)))
            tasks.append(asyncio.create_task(run.sampler(arguments.sample_every, started)))
            while time.monotonic() - started < seconds:
                await asyncio.sleep(min(30.0, seconds))
                elapsed = time.monotonic() - started
                requests = sum(run.statuses.values())
                print(
                    f"{elapsed:6.0f} s  {requests} requests  {len(run.errors)} errors  "
                    f"RSS {run.rss()['total_mib']} MiB",
                    flush=True,
                )
            run.stop.set()
            await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        consistent, difference = await served_equals_folder(url, content, deadline=30)
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            generation_at_end = (await client.get("/health")).json()["generation"]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    server_log = log.read_text(encoding="utf-8", errors="replace")
    tracebacks = server_log.count("Traceback (most recent call last)")
    # The log goes with the temporary folder: keep the tracebacks (their last lines) here.
    traceback_tails = [
        "\n".join(part.splitlines()[:40])
        for part in server_log.split("Traceback (most recent call last)")[1:][:5]
    ]
    # Memory growth after warm-up (the first fifth: caches filling), per process and total.
    warm = run.memory[max(1, len(run.memory) // 5)] if len(run.memory) > 1 else run.memory[0]
    last = run.memory[-1]
    requests = sum(run.statuses.values())
    all_latencies = [value for values in run.latencies.values() for value in values]
    return {
        "seconds": round(elapsed, 1),
        "documents": arguments.documents,
        "workers": arguments.workers,
        "clients": arguments.clients,
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "statuses": dict(run.statuses),
        "errors": len(run.errors),
        "first_errors": run.errors[:20],
        "server_tracebacks": tracebacks,
        "server_traceback_excerpts": traceback_tails,
        "edits": dict(run.edits),
        "generations": generation_at_end - generation_at_start,
        "latency_ms": {
            kind: {
                "p50": round(1000 * statistics.median(values), 1),
                "p99": round(1000 * percentile(values, 0.99), 1),
                "max": round(1000 * max(values), 1),
            }
            for kind, values in sorted(run.latencies.items())
        }
        | {"all_p99": round(1000 * percentile(all_latencies, 0.99), 1)},
        "rss_mib": {
            "start": run.memory[0]["total_mib"],
            "after_warm_up": warm["total_mib"],
            "end": last["total_mib"],
            "max": max(sample["total_mib"] for sample in run.memory),
            "growth_after_warm_up": round(last["total_mib"] - warm["total_mib"], 1),
        },
        # Processes alive from the first sample to the last (the server and its workers, not
        # the short-lived processes a full build spawns): MiB after warm-up and at the end.
        "rss_per_process_mib": {
            pid: [warm["processes"][pid], last["processes"][pid]]
            for pid in run.memory[0]["processes"]
            if pid in last["processes"] and pid in warm["processes"]
        },
        "rss_over_time": [[sample["seconds"], sample["total_mib"]] for sample in run.memory],
        "consistent_at_end": consistent,
        "difference_at_end": difference,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument("--documents", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--edit-interval", type=float, default=0.5, help="seconds between edits")
    parser.add_argument("--sample-every", type=float, default=5.0, help="RSS sample period (s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the report here")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="caseapi-soak-") as name:
        report = asyncio.run(soak(arguments, Path(name)))
    summary = {key: value for key, value in report.items() if key != "rss_over_time"}
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    print("RSS over time (s, MiB):", report["rss_over_time"])
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    failed = report["errors"] or report["server_tracebacks"] or not report["consistent_at_end"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
