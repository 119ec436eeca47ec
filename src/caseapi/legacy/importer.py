"""``caseapi import``: old-website pages -> content files, checked before they are written.

Every file is run through the real loader before it is written, so an import
never leaves a file that ``caseapi check`` refuses; existing files are only
replaced when asked.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import msgspec

from caseapi.content.documents import parse_document
from caseapi.legacy.page import (
    FLAGGING_KINDS,
    Finding,
    ImportedPage,
    convert_page,
    old_site_path,
)
from caseapi.legacy.text import LegacyPageError
from caseapi.models import Collection

Status = Literal[
    "imported", "overwritten", "skipped", "failed", "would import", "would overwrite", "would skip"
]


class ImportOutcome(msgspec.Struct, kw_only=True):
    """What one run of ``caseapi import`` did with one legacy page."""

    source: str
    status: Status
    target: str | None = None
    page: ImportedPage | None = None
    message: str = ""

    @property
    def flagged(self) -> bool:
        """Whether an editor has to look at the result."""
        return self.page is not None and any(
            finding.kind in FLAGGING_KINDS for finding in self.page.findings
        )


def verify_page(page: ImportedPage) -> list[Finding]:
    """Run the file through the loader; its warnings come back as findings to check."""
    relative = Path(page.collection) / f"{page.slug}.md"
    raw = page.render().encode("utf-8")
    result = parse_document(page.collection, relative, raw, dt.datetime.now(dt.UTC))
    errors = [problem for problem in result.problems if problem.severity == "error"]
    if errors:
        detail = "; ".join(f"{problem.field or 'file'}: {problem.message}" for problem in errors)
        raise LegacyPageError(f"the converted file would not pass 'caseapi check' ({detail})")
    return [
        Finding(None, "check", f"caseapi check warns: {problem.message}")
        for problem in result.problems
    ]


def import_pages(
    paths: Sequence[Path],
    content_dir: Path,
    *,
    collection: Collection = "assignments",
    dry_run: bool = False,
    force: bool = False,
    old_url_prefix: str | None = None,
    old_url_extension: str = ".html",
) -> list[ImportOutcome]:
    """Convert and (unless ``dry_run``) write every page; existing files only with ``force``.

    With ``old_url_prefix`` each page's old address (the prefix, its file name with
    ``old_url_extension``) is kept as an alias: the old URL redirects to the new page.
    """
    outcomes: list[ImportOutcome] = []
    claimed: dict[Path, str] = {}
    for path in _expand(paths):
        source = str(path)
        try:
            raw = path.read_bytes()
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
            old_path = (
                old_site_path(old_url_prefix, path.name, old_url_extension)
                if old_url_prefix is not None
                else None
            )
            page = convert_page(raw, path.name, modified, collection, old_path)
            page.findings.extend(verify_page(page))
        except OSError as exc:
            outcomes.append(ImportOutcome(source=source, status="failed", message=str(exc)))
            continue
        except LegacyPageError as exc:
            outcomes.append(ImportOutcome(source=source, status="failed", message=str(exc)))
            continue
        relative = f"{page.collection}/{page.slug}.md"
        target = content_dir / relative
        if target in claimed:
            message = f"{claimed[target]} in this import already becomes {relative}"
            outcomes.append(ImportOutcome(source=source, status="failed", message=message))
            continue
        claimed[target] = source
        exists = target.exists()
        status: Status
        if exists and not force:
            status = "would skip" if dry_run else "skipped"
            message = f"{relative} exists; use --force to overwrite it"
        elif dry_run:
            status, message = ("would overwrite" if exists else "would import"), ""
        else:
            _write(target, page.render())
            status, message = ("overwritten" if exists else "imported"), ""
        outcomes.append(
            ImportOutcome(source=source, status=status, target=relative, page=page, message=message)
        )
    return outcomes


def _expand(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a folder stands for its visible files."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            expanded.extend(
                sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            )
        else:
            expanded.append(path)
    return expanded


def _write(target: Path, text: str) -> None:
    # A hidden temporary name and a rename: the watcher never sees half a file.
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.importing")
    temporary.write_text(text, encoding="utf-8", newline="\n")
    os.replace(temporary, target)
