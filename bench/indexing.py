"""Indexing: a full ``caseapi index`` (time, peak memory) and incremental updates of one file.

The full build runs as its own process, the way a user runs it; its peak resident
memory comes from the kernel's accounting of that child (``os.wait4``). The
incremental update edits one file and times ``caseapi.indexing.sync.sync_index`` in
process, the work the watcher does after a save (the file's modification time is
set a second back, so the 0.15 s wait for a file still being written is left out).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from caseapi.indexing.sync import sync_index
from caseapi.settings import Settings

CASEAPI = Path(sys.executable).parent / "caseapi"


def full_build(content: Path, index: Path) -> dict[str, float]:
    """Seconds and peak RSS (MiB) of ``caseapi index`` into an empty folder."""
    shutil.rmtree(index, ignore_errors=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(CASEAPI), "index", "--content", str(content), "--index", str(index)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"caseapi index failed with status {process.returncode}")
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024}  # ru_maxrss is in KiB


def incremental(content: Path, index: Path, edits: int = 5) -> dict[str, float]:
    """Median and worst seconds of ``sync_index`` after one changed file, over ``edits``."""
    settings = Settings(content_dir=content, index_dir=index)
    path = sorted((content / "posts").glob("*.md"))[0]
    original = path.read_text(encoding="utf-8")
    timings = []
    try:
        for edit in range(edits + 1):  # the first warms the analyzers, as a server has them
            path.write_text(original + f"\nBenchmarkwoord{edit} toegevoegd.\n", encoding="utf-8")
            past = time.time() - 1
            os.utime(path, (past, past))
            started = time.perf_counter()
            report = asyncio.run(sync_index(settings))
            if edit:
                timings.append(time.perf_counter() - started)
            if report is None or report.changed != 1:
                raise RuntimeError(f"expected one changed file, got {report}")
    finally:
        path.write_text(original, encoding="utf-8")
        asyncio.run(sync_index(settings))
    return {"median_s": statistics.median(timings), "max_s": max(timings)}
