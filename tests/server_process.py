"""``caseapi serve`` as a child process for tests that need the real thing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.servers import free_port

START_DEADLINE = 60.0


@contextlib.contextmanager
def running_server(content: Path, index: Path, log: Path, workers: int = 2) -> Iterator[str]:
    """Start ``caseapi serve`` (watching ``content``), wait for /health; yields its URL."""
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("CASEAPI_")
    }
    environment["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "caseapi.cli", "serve", "--content", str(content)]
    command += ["--index", str(index), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_DEADLINE
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # workers the parent left behind
