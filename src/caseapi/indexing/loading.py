"""Loading a file for the index: a document, or an asset whose copy is kept at once.

Builds load files in helper processes and live updates in a thread; either
way an asset's bytes go straight into the file store (with its resized
copies) where they were read, and only what it is travels on.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from caseapi.catalog.files import FileStore
from caseapi.content.loader import LoadResult, load_file
from caseapi.settings import Settings


class FileLoader(msgspec.Struct, frozen=True):
    """Everything loading needs, small enough to hand to a helper process."""

    content_dir: Path
    store_folder: Path
    max_asset_bytes: int

    def load(self, relative: Path) -> LoadResult:
        """Load one file; an asset is stored, and its result carries no bytes."""
        result = load_file(self.content_dir, relative, self.max_asset_bytes)
        if result.asset is not None and result.data is not None:
            result.asset = FileStore(self.store_folder).put(result.asset, result.data)
            result.data = None
        return result


def file_loader(settings: Settings) -> FileLoader:
    """How files of ``settings``'s folder are loaded and their copies kept."""
    return FileLoader(
        content_dir=settings.content_dir,
        store_folder=settings.files_folder,
        max_asset_bytes=settings.max_file_bytes,
    )
