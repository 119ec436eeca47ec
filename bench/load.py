"""Servers in child processes and wrk against them, on loopback.

Every server runs as one process (one uvicorn worker) and wrk as another, with one
thread and a fixed number of connections, rotating through a fixed list of paths
(``rotate.lua``), so the same work is asked of caseapi and of its peers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import msgspec

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


class Server(NamedTuple):
    base: str
    pid: int


class LoadResult(msgspec.Struct):
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    non_2xx: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 600) -> None:
    """Wait for ``url`` to answer (start-up may build an index)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}: {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


@contextlib.contextmanager
def serving(
    command: Sequence[str], health_path: str, port: int, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Run a server until the block ends; yields its base URL and process id."""
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(base + health_path, process)
            yield Server(base, process.pid)
        except Exception:
            log.seek(0)
            sys.stderr.write(log.read()[-4000:].decode(errors="replace"))
            raise
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def caseapi_server(
    content: Path, index: Path, port: int, cache: bool
) -> tuple[list[str], dict[str, str]]:
    """Command and environment of ``caseapi serve`` with the response cache on or off."""
    command = [
        str(BIN / "caseapi"), "serve", "--content", str(content), "--index", str(index),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--no-watch", "--no-access-log",
    ]  # fmt: skip
    env = {"CASEAPI_RESPONSE_CACHE": "1" if cache else "0", "CASEAPI_RATE_LIMIT": ""}
    return command, env


def bare_server(port: int) -> list[str]:
    """The bare Litestar app under the same uvicorn settings as ``caseapi serve``."""
    return [
        str(BIN / "python"), "-m", "uvicorn", "bare_app:app", "--app-dir", str(BENCH),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--no-access-log", "--no-server-header", "--log-level", "warning",
    ]  # fmt: skip


def datasette_server(database: Path, port: int, page_size: int) -> list[str]:
    """Datasette serving the SQLite file read-only, as its docs advise for speed."""
    return [
        str(BIN / "datasette"), "serve", "--immutable", str(database),
        "--host", "127.0.0.1", "--port", str(port),
        "--setting", "suggest_facets", "off",
        "--setting", "default_page_size", str(page_size),
        "--setting", "sql_time_limit_ms", "10000",
    ]  # fmt: skip


def fetch_all(base: str, paths: Sequence[str]) -> list[int]:
    """GET every path once, in order; the sizes of the bodies (fills a response cache)."""
    sizes = []
    for path in paths:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            sizes.append(len(response.read()))
    return sizes


def wrk(
    base: str, paths: Sequence[str], seconds: float, connections: int, warmup: float = 0
) -> LoadResult:
    """Requests/s and latency percentiles over ``seconds`` of wrk rotating through ``paths``."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        listing.write("\n".join(paths) + "\n")
        listing.flush()

        command = [
            "wrk", "-t1", f"-c{connections}", "--timeout", "30s",
            "-s", str(BENCH / "rotate.lua"), base, "--", listing.name,
        ]  # fmt: skip

        def run(duration: float) -> LoadResult:
            arguments = [*command[:1], f"-d{max(1, round(duration))}s", *command[1:]]
            output = subprocess.run(arguments, check=True, capture_output=True, text=True).stdout
            line = next(line for line in output.splitlines() if line.startswith("JSON "))
            return msgspec.json.decode(line[5:], type=LoadResult)

        if warmup:
            run(warmup)
        return run(seconds)
