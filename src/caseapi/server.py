"""``caseapi serve``: the app under uvicorn, in one process or in N worker processes.

Every worker gets the same ``Settings`` object (pickled into the spawned
process with the app factory), not a copy rebuilt from environment
variables the command line would have to write back first.
"""

from __future__ import annotations

import functools
import signal
from types import FrameType

import uvicorn
from uvicorn.supervisors import Multiprocess

from caseapi.api.app import create_app
from caseapi.logs import logging_config
from caseapi.settings import Settings

# How long a stopping server waits for requests in flight before closing them.
GRACE_SECONDS = 10


def serve(settings: Settings, *, host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve until stopped; every worker may watch, a lock lets exactly one do it."""
    config = uvicorn.Config(
        functools.partial(create_app, settings),
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(access_log=access_log),
        access_log=False,  # caseapi.access logs instead, with duration and cache
        timeout_graceful_shutdown=GRACE_SECONDS,
        server_header=False,
    )
    # On SIGTERM uvicorn stops accepting, lets requests in flight finish (for at most
    # GRACE_SECONDS), runs the app's shutdown, then raises the signal again for the
    # default action. That second one ends us as a requested stop: exit status 0.
    signal.signal(signal.SIGTERM, _stop)
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def _stop(signal_number: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
