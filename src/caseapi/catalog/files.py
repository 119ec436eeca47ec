"""The copies of the files beside the content that readers serve, named by their digest.

A file is copied into ``index/files/`` when it is indexed, with its resized
copies, and served from there: readers never open the content folder, so
an editor's half-saved upload or a link swapped in later cannot be served,
and a copy that is there is complete (written under a temporary name, then
renamed). Copies are named by content, so a file that did not change is
not copied or resized again by the next build.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import msgspec

from caseapi.images import RESIZABLE, resized_copies, widths_below
from caseapi.models import Asset

# Copies nothing refers to any more are removed after this long, not at once: a worker
# still serving the previous generation may be sending one right now.
UNREFERENCED_GRACE_SECONDS = 3600


class FileStore:
    """``index/files/``: one copy per digest, and one per resized width."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, digest: str, width: int | None = None) -> Path:
        """Where the copy of ``digest`` (or its copy ``width`` pixels wide) is kept."""
        name = digest if width is None else f"{digest}-w{width}"
        return self.folder / digest[:2] / name

    def put(self, asset: Asset, data: bytes) -> Asset:
        """Keep ``data`` and its resized copies; returns ``asset`` with the widths kept."""
        self._write(self.path(asset.digest), data)
        if asset.media_type not in RESIZABLE or asset.width is None:
            return asset
        widths = widths_below(asset.width)
        missing = tuple(width for width in widths if not self.path(asset.digest, width).exists())
        for width, copy in resized_copies(data, asset.media_type, missing).items():
            self._write(self.path(asset.digest, width), copy)
        return msgspec.structs.replace(asset, widths=widths)

    def remove_unreferenced(self, digests: Iterable[str]) -> int:
        """Delete copies of digests not in ``digests`` that have been there a while."""
        kept = set(digests)
        cutoff = time.time() - UNREFERENCED_GRACE_SECONDS
        removed = 0
        for copy in self.folder.glob("*/*"):
            digest = copy.name.partition("-")[0]
            try:
                if digest not in kept and copy.stat().st_mtime < cutoff:
                    copy.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def _write(self, target: Path, data: bytes) -> None:
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a temporary name, then renamed: a reader sees all or nothing.
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
