"""``caseapi serve`` as a real process: graceful stop on SIGTERM, and its JSON access log.

One server start. A request is held in flight deterministically: the test holds
the index's write lock, so ``POST /admin/reindex`` waits for it inside the
server (the kernel's lock table shows the waiter). Then SIGTERM: the server
stops accepting, lets that request finish once the lock is released, and exits 0.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import ContentFolder
from tests.servers import DEADLINE, eventually, free_port

TOKEN = "sigterm-test-token"
START_DEADLINE = 60.0


def lock_waiters(path: Path) -> int:
    """How many processes wait in ``flock`` for ``path`` (``->`` lines of /proc/locks)."""
    inode = path.stat().st_ino
    lines = Path("/proc/locks").read_text().splitlines()
    return sum("->" in line and f":{inode} " in line for line in lines)


@contextlib.contextmanager
def held_write_lock(index_dir: Path) -> Iterator[Callable[[], None]]:
    """Hold ``index/write.lock`` as a writer would; yields a function that lets it go early."""
    opened = os.open(index_dir / "write.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(opened, fcntl.LOCK_EX)
    descriptor: int | None = opened

    def release() -> None:
        nonlocal descriptor
        if descriptor is not None:
            os.close(descriptor)
            descriptor = None

    try:
        yield release
    finally:
        release()


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_sigterm_lets_the_request_in_flight_finish_and_exits_0(
    tmp_path: Path, content: ContentFolder
) -> None:
    content.post("actieonderzoek-uitgelegd")
    content.post("wat-is-vakmanschap", title="Wat is vakmanschap?", date="2024-06-01")
    index_dir = tmp_path / "index"
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("CASEAPI_")
    }
    environment.update(CASEAPI_ADMIN_TOKEN=TOKEN, PYTHONUNBUFFERED="1")
    stdout_path, stderr_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    command = [
        *(sys.executable, "-m", "caseapi.cli", "serve", "--no-watch"),
        *("--content", str(content.root), "--index", str(index_dir)),
        *("--host", "127.0.0.1", "--port", str(port)),
    ]
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            command, stdout=stdout, stderr=stderr, env=environment, start_new_session=True
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base_url, timeout=5.0) as client:

            def healthy() -> None:
                assert process.poll() is None, f"the server exited: {stderr_path.read_text()}"
                try:
                    assert client.get("/health").status_code == 200
                except httpx.TransportError as error:
                    raise AssertionError(f"not answering yet: {error!r}") from None

            eventually(healthy, timeout=START_DEADLINE)
            assert client.get("/posts").json()["meta"]["total"] == 2
            assert client.head("/posts/wat-is-vakmanschap").status_code == 200
            assert client.get("/posts/bestaat-niet").status_code == 404
            assert client.get("/search", params={"q": "vakmanschap"}).status_code == 200

        with (
            held_write_lock(index_dir) as release,
            ThreadPoolExecutor(max_workers=1) as pool,
            httpx.Client(base_url=base_url, timeout=DEADLINE * 2) as admin,
        ):
            in_flight = pool.submit(
                admin.post, "/admin/reindex", headers={"Authorization": f"Bearer {TOKEN}"}
            )

            def waiting() -> None:
                assert lock_waiters(index_dir / "write.lock") == 1

            eventually(waiting)
            assert not in_flight.done()

            process.send_signal(signal.SIGTERM)

            def waiting_for_us() -> None:
                assert "Waiting for connections to close" in stderr_path.read_text()

            eventually(waiting_for_us)
            assert process.poll() is None  # it waits for the request in flight
            with pytest.raises(httpx.ConnectError):  # and takes no new ones
                httpx.get(f"{base_url}/health", timeout=5.0)

            release()
            response = in_flight.result(timeout=DEADLINE * 2)
        assert response.status_code == 200
        assert response.json()["generation"] == 2
        assert response.json()["documents"] == 2
        assert process.wait(DEADLINE) == 0
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(DEADLINE)

    errors = stderr_path.read_text()
    assert "Traceback" not in errors
    assert "Application shutdown complete" in errors
    # The access log: one JSON object per line on standard output, and nothing else there.
    records = [json.loads(line) for line in stdout_path.read_text().splitlines()]
    requests = [
        (record["method"], record["path"], record["status"])
        for record in records
        if record["path"] != "/health"
    ]
    assert requests == [
        ("GET", "/posts", 200),
        ("HEAD", "/posts/wat-is-vakmanschap", 200),
        ("GET", "/posts/bestaat-niet", 404),
        ("GET", "/search", 200),
        ("POST", "/admin/reindex", 200),
    ]
    for record in records:
        assert record["logger"] == "caseapi.access"
        assert record["client"] == "127.0.0.1"
        assert record["duration_ms"] >= 0
    assert records[-1]["duration_ms"] > 0
