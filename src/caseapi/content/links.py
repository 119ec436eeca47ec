"""Relative links and images in a document: checked against the folder, kept by content path.

``![Team](team.jpg)`` in ``posts/x.md`` points at ``posts/team.jpg``;
``[zie ook](../posts/andere-post.md)`` at another document; ``/media/logo.png``
at a file from the top of the folder (a ``/`` path that is not a file there is
a path of the site, left as written). Both are stored as
``caseapi:/<path inside content/>``, which the API turns into absolute URLs
when it answers (``api/urls.py``): files under ``CASEAPI_FILES_URL``, documents
at their frontend URL. Stored that way, a stored document depends neither on
the URLs a server is configured with nor on the slug its target has today.
A target that is missing, not servable, or outside the folder is a warning
with its line.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import quote, unquote

from caseapi.content.assets import ALLOWED, RASTER
from caseapi.images import file_image_size
from caseapi.models import ContentProblem

# Where a document's own content links point: resolved by the API per answer.
CONTENT_SCHEME = "caseapi:"
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class DocumentLinks:
    """The relative links of one document, resolved as its Markdown is rendered."""

    def __init__(self, content_dir: Path | None, document_path: str) -> None:
        # Without a folder (a file checked on its own) targets are not looked for.
        self._content_dir = content_dir
        self._root = os.path.realpath(content_dir) if content_dir is not None else ""
        self._folder = posixpath.dirname(document_path)
        self._document_path = document_path
        # Dicts as ordered sets: a page may link thousands of times.
        self._targets: dict[str, None] = {}
        self._problems: dict[tuple[int | None, str], ContentProblem] = {}
        self._sizes: dict[str, tuple[int, int] | None] = {}

    @property
    def targets(self) -> list[str]:
        """Every path inside the content folder this document points at, in order."""
        return list(self._targets)

    @property
    def problems(self) -> list[ContentProblem]:
        """A warning for each target that is missing, not served or outside the folder."""
        return list(self._problems.values())

    def resolve(self, url: str, line: int | None, what: str = "link") -> str | None:
        """The URL to store for ``url``: ``None`` to leave it as written, ``""`` to drop it."""
        url = url.strip()
        if not url or url.startswith(("#", "//", "?")) or _SCHEME.match(url):
            return None
        path, fragment = url, ""
        for mark in ("#", "?"):
            path, found, rest = path.partition(mark)
            if found and mark == "#":
                fragment = "#" + rest
        decoded = unquote(path)
        if decoded.startswith("/"):
            # A path of the site (/posts/x), unless it names a file in the content
            # folder (/media/team.jpg): then it is that file.
            target = posixpath.normpath(decoded.lstrip("/"))
            if not self._exists(target) and what != "cover image":
                return None
        else:
            target = posixpath.normpath(posixpath.join(self._folder, decoded))
        if target == ".." or target.startswith("../"):
            self._warn(
                line, f"The {what} '{url}' points outside the content folder; it was left out."
            )
            return ""
        if not self._exists(target):
            self._warn(line, f"The {what} '{url}' points at {target}, which does not exist.")
        elif not target.endswith(".md") and posixpath.splitext(target)[1].lower() not in ALLOWED:
            self._warn(
                line, f"The {what} '{url}' points at {target}, a kind of file that is not served."
            )
        if target != self._document_path:
            self._targets[target] = None
        return f"{CONTENT_SCHEME}/{quote(target)}{fragment}"

    def image_size(self, url: str) -> tuple[int, int] | None:
        """Width and height of a raster image ``url`` resolved to, from its header only."""
        if not url.startswith(CONTENT_SCHEME):
            return None
        target = unquote(url[len(CONTENT_SCHEME) + 1 :]).partition("#")[0]
        if ALLOWED.get(posixpath.splitext(target)[1].lower()) not in RASTER:
            return None
        if target not in self._sizes:
            self._sizes[target] = self._read_size(target)
        return self._sizes[target]

    def _exists(self, target: str) -> bool:
        if self._content_dir is None:
            return False
        full = os.path.join(self._content_dir, target)
        real = os.path.realpath(full)
        return os.path.isfile(full) and (real == self._root or real.startswith(self._root + os.sep))

    def _read_size(self, target: str) -> tuple[int, int] | None:
        if self._content_dir is None or not self._exists(target):
            return None
        # Unreadable: the file itself is refused, with its own problem.
        return file_image_size(os.path.join(self._content_dir, target))

    def _warn(self, line: int | None, message: str) -> None:
        self._problems.setdefault(
            (line, message),
            ContentProblem(
                path=self._document_path,
                line=line,
                field=None,
                message=message,
                severity="warning",
            ),
        )
