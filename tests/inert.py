"""Checks that HTML we serve cannot run anything in a reader's browser."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements that run code or pull in active content, wherever they appear.
ACTIVE_ELEMENTS = frozenset(
    {"script", "style", "iframe", "object", "embed", "frame", "frameset", "base", "form", "svg"}
)
ACTIVE_ELEMENTS |= {"math", "link", "meta", "template", "applet", "noscript", "input", "button"}
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcset"})
SAFE_SCHEMES = ("http:", "https:", "mailto:")
# How a link into the content folder is stored; the API serves it as an http(s) URL.
STORED_SCHEME = "caseapi:"


class _Collector(HTMLParser):
    def __init__(self, safe: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.safe = safe

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_ELEMENTS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and value is not None:
                url = "".join(value.split()).lower()
                if ":" in url.split("/", 1)[0] and not url.startswith(self.safe):
                    self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def active_parts(html: str, stored: bool = False) -> list[str]:
    """Elements and attributes in ``html`` that could run script; empty when inert.

    ``stored``: HTML as the catalog keeps it, before the API made its links absolute.
    """
    collector = _Collector((*SAFE_SCHEMES, STORED_SCHEME) if stored else SAFE_SCHEMES)
    collector.feed(html)
    collector.close()
    return collector.found


def assert_inert(html: str, stored: bool = False) -> None:
    """``html`` has no script, no event handlers, no ``javascript:`` (or other) URLs."""
    found = active_parts(html, stored)
    assert not found, (found, html[:2000])
