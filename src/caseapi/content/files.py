"""Which files in the content folder are candidates, and their stamps.

Hidden files and editors' temporary files are never content and never an
error. Links are followed only while they stay inside the folder; one that
leads out is listed (and refused by the loader), not skipped in silence.
"""

from __future__ import annotations

import os
from pathlib import Path

from caseapi.models import FileStamp

# Editors' temporary and backup files: never content, never an error.
_TEMPORARY_SUFFIXES = (".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload", "~")
_TEMPORARY_PREFIXES = (".", "#", "~$")
# vim's write test file, and what Windows and macOS leave in folders they show.
_TEMPORARY_NAMES = {"4913", "Thumbs.db", "desktop.ini", "Icon\r"}


def is_ignored(relative: str) -> bool:
    """Hidden, temporary and backup files (and whatever is inside such folders)."""
    for part in relative.split("/"):
        if part.startswith(_TEMPORARY_PREFIXES) or part in _TEMPORARY_NAMES:
            return True
    return relative.endswith(_TEMPORARY_SUFFIXES)


def real_path(path: Path) -> Path:
    """Where ``path`` really is, links followed.

    Not ``Path.resolve()``: it raises on a link loop (``posts/a.md -> a.md``), and one
    such link crashed every build; a loop is then refused when the file is opened.
    """
    return Path(os.path.realpath(path))


def content_files(content_dir: Path) -> list[Path]:
    """Every candidate file below ``content_dir``, relative, sorted."""
    return [Path(name) for name in content_names(content_dir)]


def content_names(content_dir: Path) -> list[str]:
    """``content_files`` as relative POSIX strings: every live update lists the folder,
    and at 10,000 files path objects cost more than the listing itself."""
    return [shown for shown, _ in _walk(content_dir)]


def shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 become U+FFFD (and the loader refuses it).

    Such a name cannot go into a URL, JSON or the catalog as it is; one on disk
    stopped every build before it was shown like this.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return name


def _walk(content_dir: Path) -> list[tuple[str, str]]:
    """Every candidate file as (name to show, name on disk), relative, sorted."""
    root = os.path.realpath(content_dir)
    found: list[str] = []
    # os.walk does not descend into linked folders, so a link cannot pull a tree in.
    for folder, subfolders, files in os.walk(root):
        base = os.path.relpath(folder, root)
        prefix = "" if base == "." else base.replace(os.sep, "/") + "/"
        subfolders[:] = sorted(name for name in subfolders if not is_ignored(name))
        for name in subfolders:
            linked = os.path.join(folder, name)
            if os.path.islink(linked) and not real_path(Path(linked)).is_relative_to(root):
                found.append(prefix + name)  # reported by the loader, not skipped in silence
        for name in files:
            relative = prefix + name
            if not is_ignored(relative):
                found.append(relative)
    # Sorted as the paths would be: part by part.
    return [(shown_name(name), name) for name in sorted(found, key=lambda name: name.split("/"))]


def stamp_folder(content_dir: Path) -> dict[str, FileStamp]:
    """Size and mtime of every content file, to notice edits since the last build.

    A link that leads out of the folder is stamped itself, not what it points at:
    that file (a log, say) may change all the time, and it is never read anyway.
    """
    root = os.path.realpath(content_dir)
    stamps: dict[str, FileStamp] = {}
    for shown, name in _walk(content_dir):
        path = os.path.join(content_dir, name)
        try:
            stat = os.stat(path)
            if not _inside(os.path.realpath(path), root):
                stat = os.lstat(path)
        except OSError:
            continue
        stamps[shown] = FileStamp(stat.st_size, stat.st_mtime_ns)
    return stamps


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)
