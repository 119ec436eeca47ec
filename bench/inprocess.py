"""In-process search over the same queries: caseapi (Whoosh), SQLite FTS5, tantivy.

One query at a time, on one thread, top 10 hits and the total each. caseapi is
measured twice more through its app (Litestar's TestClient, no network): with the
response cache off, and on with every query asked once before (all hits).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

from litestar.testing import TestClient

from caseapi.api.app import create_app
from caseapi.api.readers import Readers
from caseapi.search.interface import SearchFilters
from caseapi.search.query import QueryError, parse_query
from caseapi.search.searcher import WhooshSearcher
from caseapi.settings import HttpSettings, Settings

# Searches in process ask what is public at one moment, as a request would.
NOW = dt.datetime.now(dt.UTC)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(search: Callable[[str], int], queries: Sequence[str]) -> dict[str, float]:
    """p50/p99 in ms, queries/s on one thread, and the median number of hits."""
    timings, totals = [], []
    for text in queries:
        started = time.perf_counter()
        totals.append(search(text))
        timings.append(time.perf_counter() - started)
    return {
        "p50_ms": percentile(timings, 0.5) * 1000,
        "p99_ms": percentile(timings, 0.99) * 1000,
        "qps": len(timings) / sum(timings),
        "median_hits": statistics.median(totals),
    }


def caseapi_search(settings: Settings, queries: Sequence[str]) -> dict[str, float]:
    """caseapi's search module called directly: parse, match, score, facets, snippets."""

    async def measure() -> dict[str, float]:
        readers = await Readers.open(settings)
        index = readers.search
        assert isinstance(index, WhooshSearcher)

        def search(text: str) -> int:
            try:
                parsed = parse_query(text)
            except QueryError:
                return 0
            return index.search_here(parsed, SearchFilters(), 0, 10, NOW).total

        try:
            return timed(search, queries)
        finally:
            await readers.close()

    return asyncio.run(measure())


def caseapi_app(settings: Settings, queries: Sequence[str], cache: bool) -> dict[str, float]:
    """``GET /search?q=`` through the whole app, without a network."""
    settings = Settings(
        content_dir=settings.content_dir,
        index_dir=settings.index_dir,
        http=HttpSettings(response_cache=cache),
    )
    logging.disable(logging.WARNING)  # the access log is off when served for the benchmark
    with TestClient(app=create_app(settings, build_index=False)) as client:

        def search(text: str) -> int:
            response = client.get("/search?q=" + quote(text))
            response.raise_for_status()
            return int(response.json()["meta"]["total"])

        if cache:
            for text in queries:
                search(text)
        result = timed(search, queries)
    logging.disable(logging.NOTSET)
    return result


def main() -> None:
    """``python bench/inprocess.py INDEX_DIR``: caseapi's own numbers only."""
    import sys

    from corpus import queries

    settings = Settings(index_dir=Path(sys.argv[1]))
    print(caseapi_search(settings, queries(1000)))


if __name__ == "__main__":
    main()
