"""Profile the slow paths; text summaries go to bench/results/profile-*.txt.

    python bench/profile_slowest.py 10000

At N documents (the corpus of ``bench/run.py``, made if missing):
- ``search-module``: pyinstrument's call tree of caseapi's search module over the
  1,000 queries, called on this thread (cache off by construction);
- ``served-search`` and ``served-list``: py-spy sampling every thread of a live
  ``caseapi serve`` (response cache off) while wrk loads ``/search?q=`` or
  ``/posts?page=``;
- ``index``: py-spy sampling every thread of ``caseapi index``.

py-spy summaries list the functions holding the most samples, inclusive (the
function and what it calls) and self (the function's own lines).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from pyinstrument import Profiler

from caseapi.api.readers import Readers
from caseapi.search.interface import SearchFilters
from caseapi.search.query import QueryError, parse_query
from caseapi.search.searcher import WhooshSearcher
from caseapi.settings import Settings

from corpus import ensure_corpus, queries, read_documents
from load import caseapi_server, free_port, serving, wrk
from served import endpoint_paths

# Searches in process ask what is public at one moment, as a request would.
NOW = dt.datetime.now(dt.UTC)

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
TOP = 40
# Leaf frames of threads that wait for work, which py-spy does not always see as idle.
WAITING = (
    "(aiosqlite/core.py:59)",
    "(concurrent/futures/thread.py:81)",
    "Condition.wait (",
    "EpollSelector.select (",
)


def search_module(settings: Settings, texts: list[str]) -> str:
    """pyinstrument's tree of ``SearchIndex.search`` over ``texts``."""

    async def run() -> str:
        readers = await Readers.open(settings)
        index = readers.search
        assert isinstance(index, WhooshSearcher)

        def search_all() -> None:
            for text in texts:
                with contextlib.suppress(QueryError):
                    index.search_here(parse_query(text), SearchFilters(), 0, 10, NOW)

        search_all()  # warm once, outside the profile
        profiler = Profiler(interval=0.001)
        profiler.start()
        search_all()
        profiler.stop()
        await readers.close()
        return profiler.output_text(unicode=True, color=False)

    return asyncio.run(run())


def summarise(raw: Path, title: str) -> str:
    """The hottest functions of py-spy's collapsed stacks, inclusive and self."""
    total = waiting = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        # py-spy's first frames name the process and the thread.
        frames = [
            frame for frame in stack.split(";") if not frame.startswith(("process ", "thread "))
        ]
        samples = int(count)
        if frames and any(marker in frames[-1] for marker in WAITING):
            waiting += samples
            continue
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        if frames:
            own[frames[-1]] += samples
    lines = [
        title,
        f"{total} samples of busy threads (py-spy; {waiting} more of threads waiting for work"
        " left out)",
        "",
    ]
    for name, counter in (("inclusive", inclusive), ("self", own)):
        lines.append(f"top {TOP} by {name} samples:")
        lines += [f"{n / total:7.1%}  {frame}" for frame, n in counter.most_common(TOP)]
        lines.append("")
    return "\n".join(lines)


def spy(arguments: list[str], raw: Path) -> list[str]:
    record = [str(BIN / "py-spy"), "record", "--subprocesses", "--format", "raw", "--rate", "200"]
    record += ["-o", str(raw)]
    return [*record, *arguments]


def profile_index(corpus: Path, work: Path) -> str:
    raw = work / "index.raw"
    command = [str(BIN / "caseapi"), "index", "--content", str(corpus), "--index", str(work / "i")]
    subprocess.run(spy(["--", *command], raw), check=True, capture_output=True)
    return summarise(raw, f"caseapi index of {corpus}")


def profile_served(corpus: Path, index: Path, paths: list[str], seconds: int, work: Path) -> str:
    raw = work / "served.raw"
    port = free_port()
    command, env = caseapi_server(corpus, index, port, cache=False)
    with serving(command, "/health", port, env) as (base, pid):
        wrk(base, paths, 2, 16)  # warm
        recorder = subprocess.Popen(
            spy(["--pid", str(pid), "--duration", str(seconds)], raw),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        result = wrk(base, paths, seconds, 16)
        recorder.wait()
    title = (
        f"caseapi serve, cache off, wrk 16 connections rotating {len(paths)} paths like {paths[0]}"
    )
    return summarise(raw, f"{title}\n{result.rps:.0f} req/s while sampled (sampling slows it)")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    corpus = BENCH / "corpus" / str(count)
    index = BENCH / "corpus" / f"{count}-work" / "index"
    ensure_corpus(count, corpus)
    RESULTS.mkdir(parents=True, exist_ok=True)
    texts = queries(1000)
    paths = endpoint_paths(read_documents(corpus), texts)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        profiles = {"index": profile_index(corpus, work)}
        if not (index / "catalog.sqlite").exists():
            index = work / "i"  # the index just built
        settings = Settings(content_dir=corpus, index_dir=index)
        profiles["search-module"] = search_module(settings, texts)
        for endpoint in ("search", "list"):
            profiles[f"served-{endpoint}"] = profile_served(
                corpus, index, paths[endpoint], 10, work
            )
    for name, text in profiles.items():
        path = RESULTS / f"profile-{name}-{count}.txt"
        path.write_text(text, encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
