"""Stored links -> the absolute URLs a frontend uses, for the generation being served.

Documents keep their links by path inside the content folder
(``caseapi:/posts/team.jpg``, see ``content/links.py``). Here each becomes a
URL: a file under ``CASEAPI_FILES_URL`` with ``?v=`` and the start of its
digest (so that a changed file gets a new URL, and the old one may be kept
for a year), a document at its frontend URL under the slug it has now.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from caseapi.catalog.interface import ContentPaths
from caseapi.content.links import CONTENT_SCHEME
from caseapi.models import COLLECTIONS, Asset, Cover
from caseapi.publication import document_url

# Characters of the digest in ?v=: enough to tell versions of one file apart.
VERSION_CHARS = 12
# Only in attribute values (src, href): the same letters in text or code stay as written.
_STORED = re.compile(r'(?<==")' + re.escape(CONTENT_SCHEME) + r"(/[^\"'\s<>#]*)(#[^\"'\s<>]*)?")


class ContentUrls:
    """One generation's paths, and the URLs they are served under."""

    def __init__(self, paths: ContentPaths, base_url: str, files_url: str) -> None:
        self.paths = paths
        self.base_url = base_url
        self._files_url = files_url

    def html(self, html: str) -> str:
        """``html`` with every stored link made absolute."""
        if CONTENT_SCHEME not in html:
            return html
        return _STORED.sub(lambda match: self.url(match.group(1)) + (match.group(2) or ""), html)

    def url(self, stored: str) -> str:
        """The URL of a path stored as ``/posts/team.jpg`` (quoted as in HTML)."""
        path = unquote(stored).lstrip("/")
        served = self.paths.documents.get(path)
        if served is not None:
            return document_url(self.base_url, *served)
        asset = self.paths.assets.get(path)
        if asset is not None:
            return self.file_url(asset)
        folder, _, name = path.partition("/")
        if path.endswith(".md") and folder in COLLECTIONS:
            # Not served (missing or broken): where it would be, by its file name.
            return document_url(self.base_url, folder, name.rsplit("/", 1)[-1][:-3])
        return f"{self._files_url}/{quote(path)}"

    def file_url(self, asset: Asset, width: int | None = None) -> str:
        """Where ``asset`` is served, versioned by its digest (and at ``width``, if asked)."""
        query = f"?v={asset.digest[:VERSION_CHARS]}" + (f"&w={width}" if width else "")
        return f"{self._files_url}/{quote(asset.path)}{query}"

    def cover(self, cover: Cover | None) -> tuple[str, Asset | None] | None:
        """A cover's URL, with the asset it is when it lies in the content folder."""
        if cover is None:
            return None
        if not cover.src.startswith(CONTENT_SCHEME):
            return cover.src, None
        stored = cover.src[len(CONTENT_SCHEME) :]
        return self.url(stored), self.paths.assets.get(unquote(stored).lstrip("/"))
