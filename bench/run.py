"""Run every benchmark and write bench/results/results.{json,md,png}.

    python bench/run.py                     # N = 1,000, 10,000 and 100,000; 3 rounds of 10 s runs
    python bench/run.py --quick             # N = 1,000, 2 rounds of 2 s runs: a few minutes
    python bench/run.py --sizes 10000 --seconds 10 --connections 16 --queries 1000

For each N: write the corpus (kept in bench/corpus/ between runs), time a full
``caseapi index`` and an incremental update, build the peers' indexes from the same
corpus, time in-process search, then load the served endpoints with wrk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

import msgspec

from caseapi.settings import Settings

from corpus import ensure_corpus, queries, read_documents
from indexing import full_build, incremental
from inprocess import caseapi_app, caseapi_search, timed
from peers import Fts5Search, TantivySearch, build_sqlite, build_tantivy
from report import write_report
from served import endpoint_paths, run_all

BENCH = Path(__file__).resolve().parent


def measure_size(count: int, arguments: argparse.Namespace) -> dict[str, object]:
    """Everything at one corpus size."""
    corpus = BENCH / "corpus" / str(count)
    work = BENCH / "corpus" / f"{count}-work"
    index, database, tantivy_dir = work / "index", work / "peers.db", work / "tantivy"
    work.mkdir(parents=True, exist_ok=True)
    step(f"N={count}: corpus")
    ensure_corpus(count, corpus)
    documents = read_documents(corpus)
    search_queries = queries(arguments.queries)

    step(f"N={count}: caseapi index (full build, then incremental)")
    build = full_build(corpus, index)
    update = incremental(corpus, index)

    step(f"N={count}: peers' indexes")
    started = time.perf_counter()
    build_sqlite(documents, database)
    sqlite_seconds = time.perf_counter() - started
    shutil.rmtree(tantivy_dir, ignore_errors=True)
    started = time.perf_counter()
    tantivy_index = build_tantivy(documents, tantivy_dir)
    tantivy_seconds = time.perf_counter() - started

    step(f"N={count}: in-process search, {len(search_queries)} queries")
    settings = Settings(content_dir=corpus, index_dir=index)
    inprocess = {
        "caseapi search module": caseapi_search(settings, search_queries),
        "caseapi app, cache off": caseapi_app(settings, search_queries, cache=False),
        "caseapi app, cache on": caseapi_app(settings, search_queries, cache=True),
        "SQLite FTS5": timed(Fts5Search(database), search_queries),
        "tantivy": timed(TantivySearch(tantivy_index), search_queries),
    }

    step(f"N={count}: served, {arguments.seconds:g} s per run, {arguments.connections} conns")
    runs = run_all(
        corpus,
        index,
        database,
        endpoint_paths(documents, search_queries),
        search_queries,
        arguments.seconds,
        arguments.connections,
        arguments.warmup,
        arguments.rounds,
    )
    return {
        "documents": count,
        "public_documents": len(documents),
        "index": build,
        "incremental": update,
        "peer_builds": {"SQLite FTS5": sqlite_seconds, "tantivy": tantivy_seconds},
        "inprocess": inprocess,
        "served": [msgspec.to_builtins(run) for run in runs],
    }


def step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="N=1,000 and short runs")
    parser.add_argument("--sizes", help="comma-separated corpus sizes (default 1000,10000,100000)")
    parser.add_argument("--seconds", type=float, help="seconds per load run (default 15)")
    parser.add_argument("--warmup", type=float, help="unrecorded seconds before each run")
    parser.add_argument("--rounds", type=int, help="load runs per server and endpoint (default 3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=BENCH / "results")
    parser.add_argument("--report", type=Path, help="only write the report of this results.json")
    arguments = parser.parse_args()
    if arguments.report:
        write_report(msgspec.json.decode(arguments.report.read_bytes()), arguments.report.parent)
        return
    quick = arguments.quick
    sizes = arguments.sizes or ("1000" if quick else "1000,10000,100000")
    arguments.seconds = arguments.seconds or (2 if quick else 10)
    arguments.rounds = arguments.rounds or (2 if quick else 3)
    arguments.warmup = arguments.warmup if arguments.warmup is not None else (1 if quick else 3)

    results: dict[str, object] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "commit": subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=BENCH
        ).stdout.strip(),
        "settings": {
            "seconds": arguments.seconds,
            "warmup": arguments.warmup,
            "rounds": arguments.rounds,
            "connections": arguments.connections,
            "queries": arguments.queries,
        },
        "sizes": [measure_size(int(size), arguments) for size in sizes.split(",")],
    }
    arguments.output.mkdir(parents=True, exist_ok=True)
    (arguments.output / "results.json").write_bytes(
        msgspec.json.format(msgspec.json.encode(results))
    )
    write_report(results, arguments.output)
    step(f"written: {arguments.output}/results.md, results.png, results.json")


if __name__ == "__main__":
    main()
