"""Slugs and match keys: lowercase ASCII forms of Dutch text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


# Folding runs once per word occurrence during a build: remember the answers.
@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Lowercase ``text`` and drop accents: ``Cliënten`` becomes ``clienten``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def slugify(text: str) -> str:
    """A URL slug: ``Visio - Huis te Echten`` becomes ``visio-huis-te-echten``."""
    return _NON_ALNUM.sub("-", fold(text)).strip("-")
