"""Serving benchmarks: caseapi (response cache off and on), bare Litestar, Datasette.

Each endpoint gets a fixed list of varied paths that wrk rotates through. The bare
Litestar endpoint answers the same number of bytes as caseapi's average for that
endpoint; Datasette answers ``_search`` over the same queries from the FTS5 file.
"""

from __future__ import annotations

import contextlib
import math
import statistics
from pathlib import Path
from urllib.parse import quote

import msgspec

from load import (
    bare_server,
    caseapi_server,
    datasette_server,
    fetch_all,
    free_port,
    serving,
    wrk,
)

POSTS_PER_PAGE = 20
# Rotating paths per endpoint (search always rotates through every query). List pages cost
# O(N) each with the cache off, and the cache-on run asks every path once first.
MAX_DETAILS = 1000
MAX_PAGES = 200
# Paths asked to learn an endpoint's average answer size (for the bare endpoint).
SIZE_SAMPLE = 20
SEARCH_PAGE_SIZE = 10


class Run(msgspec.Struct, kw_only=True):
    """One wrk run: who answered, which endpoint, and what wrk measured."""

    target: str
    endpoint: str
    cache: str
    bytes: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def endpoint_paths(documents: list[dict[str, str]], queries: list[str]) -> dict[str, list[str]]:
    """The rotating paths of each endpoint."""
    slugs = [document["slug"] for document in documents if document["type"] == "post"]
    pages = math.ceil(len(slugs) / POSTS_PER_PAGE)
    return {
        "detail": [f"/posts/{slug}" for slug in slugs[:MAX_DETAILS]],
        "list": [f"/posts?page={page}" for page in range(1, min(pages, MAX_PAGES) + 1)],
        "search": [f"/search?q={quote(text)}" for text in queries],
        "feed": ["/feeds/posts.json"],
    }


def datasette_paths(database: Path, queries: list[str]) -> list[str]:
    """Datasette's ``_search`` over the same queries: same page size, identifying columns."""
    table = f"/{database.stem}/documents.json"
    columns = "&_col=type&_col=slug&_col=title"
    return [f"{table}?_search={quote(text)}&_size={SEARCH_PAGE_SIZE}{columns}" for text in queries]


def run_all(
    content: Path,
    index: Path,
    database: Path,
    paths: dict[str, list[str]],
    search_queries: list[str],
    seconds: float,
    connections: int,
    warmup: float,
    rounds: int,
) -> list[Run]:
    """Every target and endpoint, in rounds; within a round the peers of an endpoint run
    back to back, so that other work on the machine weighs on them alike."""
    runs: list[Run] = []
    with contextlib.ExitStack() as stack:

        def start(
            command: list[str], health: str, port: int, env: dict[str, str] | None = None
        ) -> str:
            return stack.enter_context(serving(command, health, port, env)).base

        ports = [free_port() for _ in range(4)]
        off_command, off_env = caseapi_server(content, index, ports[0], cache=False)
        on_command, on_env = caseapi_server(content, index, ports[1], cache=True)
        cache_off = start(off_command, "/health", ports[0], off_env)
        cache_on = start(on_command, "/health", ports[1], on_env)
        bare = start(bare_server(ports[2]), "/bare/2", ports[2])
        datasette = start(
            datasette_server(database, ports[3], SEARCH_PAGE_SIZE), "/-/versions.json", ports[3]
        )
        datasette_rotate = datasette_paths(database, search_queries)
        sizes = {
            endpoint: round(statistics.mean(fetch_all(cache_off, rotate[:SIZE_SAMPLE])))
            for endpoint, rotate in paths.items()
        }
        datasette_size = round(
            statistics.mean(fetch_all(datasette, datasette_rotate[:SIZE_SAMPLE]))
        )
        for rotate in paths.values():  # every path once first: measure the cache, not its filling
            fetch_all(cache_on, rotate)

        def record(
            target: str, endpoint: str, cache: str, size: int, base: str, rotate: list[str]
        ) -> None:
            result = wrk(base, rotate, seconds, connections, warmup)
            runs.append(
                Run(
                    target=target,
                    endpoint=endpoint,
                    cache=cache,
                    bytes=size,
                    rps=result.rps,
                    p50_ms=result.p50_ms,
                    p99_ms=result.p99_ms,
                    requests=result.requests,
                    errors=result.errors + result.non_2xx,
                )
            )
            print(f"  {target:10} {endpoint:7} cache {cache:3} {result.rps:8.1f} req/s", flush=True)

        for number in range(1, rounds + 1):
            print(f"  round {number} of {rounds}", flush=True)
            for endpoint, rotate in paths.items():
                size = sizes[endpoint]
                record("caseapi", endpoint, "off", size, cache_off, rotate)
                record("caseapi", endpoint, "on", size, cache_on, rotate)
                record("bare", endpoint, "-", size, bare, [f"/bare/{size}"])
                if endpoint == "search":
                    record("datasette", "search", "-", datasette_size, datasette, datasette_rotate)
    return runs
