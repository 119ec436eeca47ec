"""Content codings: which one a client asked for, and the compressed bytes.

Litestar's compressors and settings, not its middleware: that runs inside
ours, so an entity tag would hash compressed bytes (gzip's differ every
second), and it would compress each request again where we compress each
kept answer once.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Literal

from litestar.config.compression import CompressionConfig
from litestar.middleware.compression.brotli_facade import BrotliCompression
from litestar.middleware.compression.facade import CompressionFacade
from litestar.middleware.compression.gzip_facade import GzipCompression

Encoding = Literal["br", "gzip"]
COMPRESSION = CompressionConfig(backend="brotli", brotli_quality=5, gzip_compress_level=6)
_COMPRESSIBLE = re.compile(r"text/|application/(?:[\w.+-]*\+)?(?:json|xml|javascript)|image/svg")


def compressible(media_type: str, size: int) -> bool:
    """Whether an answer of this type and size is worth compressing."""
    return bool(_COMPRESSIBLE.match(media_type)) and size >= COMPRESSION.minimum_size


def negotiate(accept_encoding: str) -> Encoding | None:
    """The content coding to answer in: brotli before gzip, by the client's q-values."""
    qualities: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            qualities[name.lower()] = quality
    anything = qualities.get("*", 0.0)
    choices: tuple[Encoding, ...] = ("br", "gzip")
    best = max(choices, key=lambda encoding: qualities.get(encoding, anything))
    return best if qualities.get(best, anything) > 0 else None


def compress(body: bytes, encoding: Encoding) -> bytes:
    """``body`` in ``encoding``, by Litestar's compressors and settings."""
    buffer = BytesIO()
    facade: CompressionFacade
    if encoding == "gzip":
        facade = GzipCompression(buffer=buffer, compression_encoding="gzip", config=COMPRESSION)
    else:
        facade = BrotliCompression(buffer=buffer, compression_encoding="br", config=COMPRESSION)
    facade.write(body)
    facade.close()
    return buffer.getvalue()
