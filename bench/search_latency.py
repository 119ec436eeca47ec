"""In-process search latency over an index: p50/p90/p99 for N distinct queries.

    python bench/search_latency.py INDEX_DIR [--queries 1000]

Queries come from bench/corpus.py's frequency-weighted generator, so they
are varied (not one repeated query) and hit common and rare words alike.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import time
from pathlib import Path

from caseapi.api.readers import Readers
from caseapi.search.interface import SearchFilters
from caseapi.search.query import QueryError, parse_query
from caseapi.search.searcher import WhooshSearcher
from caseapi.settings import Settings

from corpus import queries

# Searches in process ask what is public at one moment, as a request would.
NOW = dt.datetime.now(dt.UTC)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(index_dir: Path, count: int) -> None:
    readers = await Readers.open(Settings(index_dir=index_dir))
    search = readers.search
    assert isinstance(search, WhooshSearcher)
    timings: list[float] = []
    totals: list[int] = []
    for text in queries(count):
        try:
            parsed = parse_query(text)
        except QueryError:
            continue
        started = time.perf_counter()
        outcome = search.search_here(parsed, SearchFilters(), 0, 10, NOW)
        timings.append((time.perf_counter() - started) * 1000)
        totals.append(outcome.total)
    await readers.close()
    print(f"queries: {len(timings)}, median hits: {statistics.median(totals)}")
    for name, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0)):
        print(f"{name}: {percentile(timings, fraction):.1f} ms")
    print(f"throughput (one thread): {len(timings) / (sum(timings) / 1000):.0f} queries/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("index", type=Path)
    parser.add_argument("--queries", type=int, default=1000)
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.index, arguments.queries))


if __name__ == "__main__":
    main()
