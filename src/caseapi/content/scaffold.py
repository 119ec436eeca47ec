"""``caseapi new``: a new content file with the front matter its collection asks for.

The file starts as a draft, so that a running server never publishes the
placeholder text; the editor fills it in and removes ``draft: true``. What
the editor passed on the command line is filled in; everything else required
gets a placeholder that ``caseapi check`` accepts, so the folder stays valid.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import msgspec

from caseapi.content.frontmatter import write_file
from caseapi.models import AMSTERDAM, Collection
from caseapi.slugs import slugify

ASSIGNMENT_SECTIONS = ("Vraag", "Aanpak", "Resultaat")


class NewFile(msgspec.Struct, frozen=True, kw_only=True):
    """What the editor asked for."""

    collection: Collection
    title: str
    slug: str | None = None
    tags: tuple[str, ...] = ()
    author: str | None = None
    clients: tuple[str, ...] = ()
    summary: str | None = None
    publish: bool = False  # no draft: true (the editor has the text ready)


class ScaffoldError(Exception):
    """The file cannot be made as asked (taken name, empty title)."""


def new_file_text(request: NewFile, today: dt.date) -> str:
    """The content file's text: front matter, then a body to fill in."""
    fields: dict[str, Any] = {"title": request.title}
    if request.collection == "assignments":
        fields["summary"] = request.summary or "Korte omschrijving van de opdracht."
        fields["clients"] = list(request.clients) or ["Opdrachtgever"]
        fields["period"] = {"start": today.strftime("%Y-%m")}
        fields["work"] = []
        fields["tags"] = list(request.tags)
        body = "".join(f"## {heading}\n\n…\n\n" for heading in ASSIGNMENT_SECTIONS)
    else:
        fields["date"] = today
        if request.author:
            fields["author"] = request.author
        if request.summary:
            fields["summary"] = request.summary
        fields["tags"] = list(request.tags)
        body = "Schrijf hier het bericht.\n"
    if not request.publish:
        fields["draft"] = True
    return write_file(fields, body)


def create_file(content_dir: Path, request: NewFile, *, now: dt.datetime | None = None) -> Path:
    """Write the new file under ``content_dir``; never over an existing one."""
    slug = request.slug or slugify(request.title)
    if not request.title.strip() or not slug:
        raise ScaffoldError("The title needs at least one letter or digit to make a slug from.")
    if slugify(slug) != slug:
        raise ScaffoldError(f"'{slug}' is not a slug: use lowercase a-z, 0-9 and '-'.")
    target = content_dir / request.collection / f"{slug}.md"
    today = (now or dt.datetime.now(dt.UTC)).astimezone(AMSTERDAM).date()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Exclusive create: two editors making the same file at once cannot overwrite.
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; choose another title or --slug.") from None
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
        file.write(new_file_text(request, today))
    return target
