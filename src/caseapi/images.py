"""Pillow in one place: what an image is, how large, and its resized copies.

Only the header is read to learn an image's format and size; pixels are
decoded only to make resized copies, at index time, never while a request
waits. An image with more pixels than ``MAX_PIXELS`` is refused before any
decoding: a small PNG can claim a billion pixels (a decompression bomb).
"""

from __future__ import annotations

import io
import warnings

import msgspec
from PIL import Image, ImageOps, UnidentifiedImageError

# The widths ?w= may ask for: a fixed set, so a client cannot make us store every width.
WIDTHS = (160, 320, 480, 640, 960, 1280, 1600, 1920)
MAX_PIXELS = 40_000_000
# Pillow warns (an error under our tests) from its own limit up: ours is lower, and checked first.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS * 2
# The formats Pillow reads that we resize, by the media type we serve them as.
RESIZABLE = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
}


class ImageError(ValueError):
    """The bytes are not an image we can use; the message says why, for an editor."""


class ImageFacts(msgspec.Struct, frozen=True):
    """What the header of an image says."""

    format: str
    width: int
    height: int


def image_facts(data: bytes) -> ImageFacts:
    """Format and size from the header alone; ``ImageError`` when unreadable or too large."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                format_ = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageError("the image cannot be read (it may be damaged or cut off)") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(_too_many_pixels()) from None
    if width * height > MAX_PIXELS:
        raise ImageError(_too_many_pixels(width, height))
    return ImageFacts(format=format_, width=width, height=height)


def file_image_size(path: str) -> tuple[int, int] | None:
    """Width and height of the image file at ``path`` from its header; ``None`` if unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning):
        return None
    except Image.DecompressionBombError:
        return None
    return (width, height) if width * height <= MAX_PIXELS else None


def resized_copies(data: bytes, media_type: str, widths: tuple[int, ...]) -> dict[int, bytes]:
    """Copies ``widths`` pixels wide (aspect ratio kept), in the same format as ``data``.

    The original is decoded once (a JPEG at a fraction of its size where that is
    enough); each copy is made from the previous, larger one: a 6,000-pixel PNG
    costs one decode and one large resize, not one per width.
    """
    if not widths:
        return {}
    copies: dict[int, bytes] = {}
    with Image.open(io.BytesIO(data)) as image:
        widest = max(widths)
        if media_type == "image/jpeg":
            # Decode at the smallest fraction (1/2, 1/4, 1/8) still at least this large in
            # both directions, whichever way the photo turns: a fraction of the work.
            largest = max(widest, round(widest * image.height / image.width))
            image.draft("RGB", (largest, largest))
        # A photo's EXIF orientation, applied: the copies show the way the original does.
        source = ImageOps.exif_transpose(image)
        if source.mode not in ("RGB", "RGBA", "L"):
            transparent = "A" in source.mode or "P" in source.mode
            source = source.convert("RGBA" if transparent else "RGB")
        if media_type == "image/jpeg" and source.mode == "RGBA":
            source = source.convert("RGB")
        format_ = RESIZABLE[media_type]
        # Heights from the upright original's proportions, not the last copy's rounding.
        ratio = source.height / source.width
        for width in sorted(widths, reverse=True):
            height = max(1, round(ratio * width))
            # reducing_gap: a box reduction first, then the fine filter over what is left.
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            output = io.BytesIO()
            source.save(output, format_, **_SAVE_OPTIONS[format_])
            copies[width] = output.getvalue()
    return copies


def widths_below(width: int) -> tuple[int, ...]:
    """The widths of resized copies an image of ``width`` pixels gets (never wider)."""
    return tuple(chosen for chosen in WIDTHS if chosen < width)


def _too_many_pixels(width: int | None = None, height: int | None = None) -> str:
    size = f" ({width} × {height})" if width and height else ""
    return (
        f"the image has too many pixels{size}; at most {MAX_PIXELS // 1_000_000} million "
        "are accepted: save it smaller"
    )
