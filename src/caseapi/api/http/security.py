"""Security headers: what every answer says about how a browser may use it.

Every answer gets ``X-Content-Type-Options``, a ``Content-Security-Policy``
and a ``Referrer-Policy`` (``edge.py`` adds them last); an HTML page (the
OpenAPI page) gets a policy that allows exactly its own inline code, worked
out from its bytes where they are rendered (``caching.py``).
"""

from __future__ import annotations

import base64
import hashlib
import re

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
REFERRER_POLICY = "no-referrer"
_INLINE = re.compile(rb"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)


def with_security_headers(
    headers: list[tuple[bytes, bytes]], names: set[bytes]
) -> list[tuple[bytes, bytes]]:
    """``headers`` with the security headers it does not set itself (``names``, lowercased)."""
    defaults = (
        (b"x-content-type-options", b"nosniff"),
        (b"content-security-policy", API_POLICY.encode()),
        (b"referrer-policy", REFERRER_POLICY.encode()),
    )
    return [*headers, *((name, value) for name, value in defaults if name not in names)]


def html_security_policy(body: bytes) -> str:
    """A Content-Security-Policy for an HTML page that allows exactly its own inline code."""
    hashes: dict[bytes, list[str]] = {b"script": [], b"style": []}
    for match in _INLINE.finditer(body):
        tag, attributes, content = match.groups()
        if b"src=" in attributes.lower() or not content:
            continue
        digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
        hashes[tag.lower()].append(f"'sha256-{digest}'")
    return "; ".join(
        (
            "default-src 'none'",
            " ".join(("script-src 'self'", *hashes[b"script"])),
            " ".join(("style-src 'self'", *hashes[b"style"])),
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )
