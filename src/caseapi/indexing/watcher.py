"""The content folder watcher: editors' saves become new generations, no restart needed.

Exactly one process watches (a role lock in the index folder); the others
keep trying, so when the watching worker dies another takes over. Events only
say *that* something changed: ``ensure_index`` finds out *what* by comparing
the folder with the catalog, so bursts, renames and folder moves all end up
as one small incremental update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import watchfiles

from caseapi.indexing.build import ensure_index
from caseapi.indexing.locks import RoleLock
from caseapi.indexing.sync import SyncReport
from caseapi.settings import Settings

logger = logging.getLogger("caseapi")

# Collect a burst of events (an editor's save is several) before updating.
DEBOUNCE_MS = 120
# Look at the folder this often even without events: a missed event costs a delay, not a loss.
RESCAN_MS = 30_000
ROLE_RETRY_SECONDS = 2.0
WATCH_RETRY_SECONDS = 1.0


async def watch_content(
    settings: Settings,
    stop: asyncio.Event,
    after_update: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Keep catalog and search index in step with the folder until ``stop`` is set.

    ``after_update`` runs after each update: the watching worker switches to
    the new generation at once instead of at its next poll.
    """
    role = RoleLock(settings.index_dir / "watcher.lock")
    try:
        while not role.try_acquire():
            try:
                await asyncio.wait_for(stop.wait(), ROLE_RETRY_SECONDS)
                return
            except TimeoutError:
                continue
        settings.content_dir.mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            # Catch up with what changed while nobody watched (or the watch had failed).
            await _update(settings, after_update)
            try:
                async for _changes in watchfiles.awatch(
                    settings.content_dir,
                    stop_event=stop,
                    debounce=DEBOUNCE_MS,
                    step=20,
                    rust_timeout=RESCAN_MS,
                    yield_on_timeout=True,
                    recursive=True,
                    ignore_permission_denied=True,
                ):
                    await _update(settings, after_update)
            except Exception as error:
                # watchfiles gives up on a file name that is not UTF-8, and when the folder
                # goes; every worker's watch ended with it. Watch again after a pause.
                logger.warning("watching the content folder failed (%s); watching it again", error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), WATCH_RETRY_SECONDS)
    finally:
        role.release()


async def _update(settings: Settings, after_update: Callable[[], Awaitable[object]] | None) -> None:
    try:
        report = await ensure_index(settings)
        if report is not None and after_update is not None:
            await after_update()
    except Exception:  # one failed update must not end the watching
        logger.exception("updating the index from the content folder failed")
        return
    if isinstance(report, SyncReport):
        logger.info(
            "content changed: generation %d (%d changed, %d removed, %d errors) in %.3f s",
            report.generation,
            report.changed,
            report.removed,
            report.errors,
            report.seconds,
        )
    elif report is not None:
        logger.info(
            "index rebuilt: generation %d (%d documents, %d errors) in %.3f s",
            report.generation,
            report.documents,
            report.errors,
            report.seconds,
        )
