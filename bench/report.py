"""The results as a Markdown report (bars, ratios, tables) and a PNG chart."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ENDPOINTS = {
    "detail": "GET /posts/{slug}",
    "list": "GET /posts?page=",
    "search": "GET /search?q=",
    "feed": "GET /feeds/posts.json",
}


def served(size: dict[str, Any], target: str, endpoint: str, cache: str = "-") -> dict[str, Any]:
    """One server's endpoint: the median of its rounds (requests/s, p50, p99), errors summed."""
    key = (target, endpoint, cache)
    runs = [run for run in size["served"] if (run["target"], run["endpoint"], run["cache"]) == key]
    if not runs:
        raise KeyError(key)
    merged = dict(runs[0])
    for field in ("rps", "p50_ms", "p99_ms"):
        merged[field] = statistics.median(run[field] for run in runs)
    merged["errors"] = sum(run["errors"] for run in runs)
    merged["rounds"] = len(runs)
    return merged


def served_keys(size: dict[str, Any]) -> list[tuple[str, str, str]]:
    keys = [(run["target"], run["endpoint"], run["cache"]) for run in size["served"]]
    targets, caches = ["caseapi", "bare", "datasette"], ["off", "on", "-"]
    return sorted(
        dict.fromkeys(keys),
        key=lambda key: (
            list(ENDPOINTS).index(key[1]),
            targets.index(key[0]),
            caches.index(key[2]),
        ),
    )


def ratios(size: dict[str, Any]) -> list[tuple[str, float]]:
    """The ratios that matter, at one corpus size (throughput over throughput)."""
    found = []
    for endpoint in ENDPOINTS:
        bare = served(size, "bare", endpoint)["rps"]
        for cache in ("off", "on"):
            ours = served(size, "caseapi", endpoint, cache)["rps"]
            found.append((f"{ENDPOINTS[endpoint]} cache {cache} / bare Litestar", ours / bare))
    datasette = served(size, "datasette", "search")["rps"]
    for cache in ("off", "on"):
        ours = served(size, "caseapi", "search", cache)["rps"]
        found.append((f"search cache {cache} / Datasette search (req/s)", ours / datasette))
    inprocess = size["inprocess"]
    ours = inprocess["caseapi search module"]["qps"]
    for peer in ("SQLite FTS5", "tantivy"):
        found.append((f"in process: caseapi / {peer} (queries/s)", ours / inprocess[peer]["qps"]))
    return found


def bars(size: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """PRODUCT.md's quality bars: (bar, measured, target, met). Stated for N = 10,000."""
    found = []
    for endpoint in ("detail", "list"):
        bare = served(size, "bare", endpoint)["rps"]
        for cache in ("off", "on"):
            ratio = served(size, "caseapi", endpoint, cache)["rps"] / bare
            name = f"{ENDPOINTS[endpoint]} vs bare Litestar, cache {cache}"
            found.append((name, f"{ratio:.1%}", "≥ 80%",
                          ratio >= 0.8))  # fmt: skip
    search_off = served(size, "caseapi", "search", "off")
    found.append(("search p99, cache off", f"{search_off['p99_ms']:.0f} ms", "≤ 50 ms",
                  search_off["p99_ms"] <= 50))  # fmt: skip
    datasette = served(size, "datasette", "search")["rps"]
    for cache, wanted in (("off", 3), ("on", 10)):
        ratio = served(size, "caseapi", "search", cache)["rps"] / datasette
        found.append((f"search vs Datasette, cache {cache}", f"{ratio:.1f}×", f"≥ {wanted}×",
                       ratio >= wanted))  # fmt: skip
    seconds = size["index"]["seconds"]
    found.append(("full index", f"{seconds:.1f} s", "≤ 60 s", seconds <= 60))
    update = size["incremental"]["median_s"]
    found.append(("incremental update of one file", f"{update:.2f} s", "≤ 1 s", update <= 1))
    return found


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    machine, settings = results["machine"], results["settings"]
    parts = [
        "# caseapi benchmarks",
        f"Run {results['date']} on {machine['cpus']} CPUs, Python {machine['python']}, "
        f"{machine['platform']}, caseapi {results.get('commit') or '?'}. "
        f"Load: wrk, 1 thread, {settings['connections']} connections, "
        f"{settings.get('rounds', 1)} rounds of {settings['seconds']:g} s runs after "
        f"{settings['warmup']:g} s warm-up each; "
        f"{settings['queries']} distinct queries.",
    ]
    for size in results["sizes"]:
        count = size["documents"]
        parts.append(f"## N = {count:,} documents ({size['public_documents']:,} public)")
        parts.append("Quality bars (PRODUCT.md states them for N = 10,000):")
        parts.append(
            table(
                ["bar", "measured", "target", "met"],
                [
                    [name, got, want, "yes" if met else "**no**"]
                    for name, got, want, met in bars(size)
                ],
            )
        )
        parts.append("Ratios, same run:")
        parts.append(
            table(
                ["ratio", "value"],
                [
                    [name, f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"]
                    for name, value in ratios(size)
                ],
            )
        )
        index, update = size["index"], size["incremental"]
        parts.append(
            f"Indexing: full `caseapi index` {index['seconds']:.1f} s, peak RSS "
            f"{index['peak_rss_mb']:.0f} MiB; incremental update of one file "
            f"{update['median_s'] * 1000:.0f} ms median, {update['max_s'] * 1000:.0f} ms worst. "
            f"Peers from the same corpus: SQLite FTS5 {size['peer_builds']['SQLite FTS5']:.1f} s, "
            f"tantivy {size['peer_builds']['tantivy']:.1f} s."
        )
        parts.append(
            "Served (one process each, loopback; median of the rounds, in which each endpoint's "
            "servers ran back to back):"
        )
        rows = []
        for key in served_keys(size):
            run = served(size, *key)
            rows.append(
                [
                    run["target"], ENDPOINTS[run["endpoint"]], run["cache"], f"{run['bytes']:,}",
                    f"{run['rps']:.0f}", f"{run['p50_ms']:.1f}", f"{run['p99_ms']:.1f}",
                    str(run["errors"]),
                ]
            )  # fmt: skip
        header = ["server", "endpoint", "cache", "bytes", "req/s", "p50 ms", "p99 ms", "errors"]
        parts.append(table(header, rows))
        parts.append("In process, one query at a time (top 10 and the total):")
        rows = [
            [name, f"{got['p50_ms']:.2f}", f"{got['p99_ms']:.2f}", f"{got['qps']:.0f}",
             f"{got['median_hits']:g}"]
            for name, got in size["inprocess"].items()
        ]  # fmt: skip
        parts.append(table(["engine", "p50 ms", "p99 ms", "queries/s", "median hits"], rows))
    return "\n\n".join(parts) + "\n"


def chart(results: dict[str, Any], path: Path) -> None:
    sizes = results["sizes"]
    figure, (load, search, build) = plt.subplots(1, 3, figsize=(16, 5))
    largest = sizes[-1]
    series = [("caseapi", "off"), ("caseapi", "on"), ("bare", "-"), ("datasette", "-")]
    width = 0.2
    for offset, (target, cache) in enumerate(series):
        heights = []
        for endpoint in ENDPOINTS:
            try:
                heights.append(served(largest, target, endpoint, cache)["rps"])
            except KeyError:
                heights.append(0)
        label = target if cache == "-" else f"{target}, cache {cache}"
        positions = [index + (offset - 1.5) * width for index in range(len(ENDPOINTS))]
        load.bar(positions, heights, width, label=label)
    load.set_xticks(range(len(ENDPOINTS)), list(ENDPOINTS))
    load.set_yscale("log")
    load.set_ylabel("requests/s")
    load.set_ylim(top=load.get_ylim()[1] * 10)  # room for the legend
    load.set_title(f"Served, N = {largest['documents']:,}")
    load.legend(fontsize="small", ncol=2, loc="upper left")

    engines = list(sizes[0]["inprocess"])
    width = 0.8 / len(sizes)
    for offset, size in enumerate(sizes):
        heights = [size["inprocess"][engine]["qps"] for engine in engines]
        positions = [
            index + (offset - (len(sizes) - 1) / 2) * width for index in range(len(engines))
        ]
        search.bar(positions, heights, width, label=f"N = {size['documents']:,}")
    search.set_xticks(range(len(engines)), engines, rotation=20, ha="right", fontsize="small")
    search.set_yscale("log")
    search.set_ylabel("queries/s, one thread")
    search.set_title("Search in process")
    search.legend(fontsize="small")

    counts = [size["documents"] for size in sizes]
    build.plot(counts, [size["index"]["seconds"] for size in sizes], "o-", label="caseapi index")
    for peer in ("SQLite FTS5", "tantivy"):
        build.plot(counts, [size["peer_builds"][peer] for size in sizes], "o-", label=peer)
    build.axhline(60, color="grey", linestyle=":", label="bar: 60 s at 10k")
    build.set_xscale("log")
    build.set_yscale("log")
    build.set_xlabel("documents")
    build.set_ylabel("seconds")
    build.set_title("Full index build")
    build.legend(fontsize="small")
    figure.suptitle(f"caseapi benchmarks, {results['date']}, {results['machine']['cpus']} CPUs")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_report(results: dict[str, Any], folder: Path) -> None:
    (folder / "results.md").write_text(markdown(results), encoding="utf-8")
    chart(results, folder / "results.png")
