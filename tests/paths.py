"""Where the repository's own files are, for tests in any folder."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
