"""Files beside the content: which kinds are served, and what a file really is.

Any file in the content folder that is not Markdown is an asset: a cover
photo in a post's folder, a PDF in ``media/``. Only kinds on the allow-list
are served, and a file's type comes from its bytes, checked against its
name: a ``.png`` that holds HTML is refused rather than served to a browser.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

import filetype

from caseapi.images import ImageError, image_facts
from caseapi.models import Asset

# Extension -> the media type served; the bytes must agree (see ``identify``).
ALLOWED: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".csv": "text/csv",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}
# Raster images Pillow reads: their size goes into <img> and their copies are resized.
RASTER = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# Names an editor might give a Markdown file: told to rename it, not that it is an odd asset.
MARKDOWN_LOOKALIKES = frozenset({".markdown", ".mdown", ".mkd", ".txt", ".text"})


class AssetRefused(ValueError):
    """The file cannot be served; the message says why, for the editor."""


def is_asset_name(relative: str) -> bool:
    """Whether a content file is meant as an asset rather than as Markdown."""
    return not relative.endswith(".md")


def allowed_kinds() -> str:
    """The allow-list as an editor reads it."""
    return ", ".join(sorted({suffix.lstrip(".") for suffix in ALLOWED}))


def digest_of(data: bytes) -> str:
    """The digest an asset's ETag and content-addressed copy are named by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def identify(relative: str, data: bytes) -> Asset:
    """What ``data`` (the file at ``relative``) is; ``AssetRefused`` when it is not served."""
    suffix = PurePosixPath(relative).suffix.lower()
    expected = ALLOWED.get(suffix)
    if expected is None:
        raise AssetRefused(
            f"Files of this kind ('{suffix or PurePosixPath(relative).name}') are not served; "
            f"allowed are: {allowed_kinds()}."
        )
    media_type = _detected(data, expected)
    if media_type != expected:
        named = suffix.lstrip(".").upper()
        raise AssetRefused(
            f"The file is named .{suffix.lstrip('.')} but its content is not a {named} file "
            f"({media_type or 'unknown content'}); save it in the format its name says."
        )
    width = height = None
    if media_type in RASTER:
        try:
            facts = image_facts(data)
        except ImageError as error:
            raise AssetRefused(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
        width, height = facts.width, facts.height
    return Asset(
        path=relative,
        media_type=media_type,
        size=len(data),
        digest=digest_of(data),
        width=width,
        height=height,
    )


def _detected(data: bytes, expected: str) -> str | None:
    """The media type the bytes show, as far as it matters for ``expected``."""
    if expected == "text/csv":
        # Text has no signature: it is CSV when it is UTF-8 without NUL bytes.
        if b"\x00" in data:
            return None
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return expected
    if expected == "image/svg+xml":
        head = data[:4096].lstrip().lower()
        looks_xml = head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg"))
        return expected if looks_xml and b"<svg" in data[:65536].lower() else None
    # filetype reads the signature at the start, and for office files the names inside.
    found: str | None = filetype.guess_mime(data)
    return found
