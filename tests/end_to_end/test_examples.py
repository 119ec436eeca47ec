"""``examples/index.html``: the example frontend is self-contained and locked down.

It runs in a browser in tests/end_to_end/test_browser.py; here is what needs no browser: its
Content-Security-Policy names the hashes of exactly its own inline script and
style (so an edit that forgets to update them fails here, not as a blank page),
and it loads nothing from a CDN.
"""

from __future__ import annotations

import base64
import hashlib
import re

from tests.paths import ROOT

PAGE = ROOT / "examples" / "index.html"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)
_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def inline_hashes(html: str) -> dict[str, list[str]]:
    """Tag -> the CSP source of each inline block of that tag."""
    found: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        found[tag].append(f"'sha256-{digest}'")
    return found


def test_the_policy_allows_exactly_the_pages_own_script_and_style() -> None:
    html = PAGE.read_text(encoding="utf-8")
    match = _POLICY.search(html)
    assert match, "examples/index.html lost its Content-Security-Policy"
    directives = dict(part.strip().split(" ", 1) for part in match.group(1).split(";"))
    hashes = inline_hashes(html)
    assert len(hashes["script"]) == len(hashes["style"]) == 1
    for tag in ("script", "style"):
        assert directives[f"{tag}-src"].split() == hashes[tag], (
            f"the inline {tag} of examples/index.html changed: "
            f"put {' '.join(hashes[tag])} in its {tag}-src"
        )
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in match.group(1)


def test_the_page_loads_nothing_from_elsewhere() -> None:
    html = PAGE.read_text(encoding="utf-8")
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "@import" not in html
    assert "innerHTML" not in html
    assert "insertAdjacentHTML" not in html
    assert "document.write" not in html
