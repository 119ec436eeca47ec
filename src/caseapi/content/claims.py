"""Who serves which slug, and which old URL redirects where: one rule for each clash.

A slug belongs to one file per collection. In a full build the first file by
path keeps it; in a live update the file that serves it now keeps it, so an
edit elsewhere never takes a published URL away. Whoever comes second is told,
on the line of its ``slug:`` when it set one, which file has it. Aliases are
claimed the same way, after all slugs.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from caseapi.models import ContentProblem, Document, Severity

SlugKey = tuple[str, str]


def slug_key(document: Document) -> SlugKey:
    """What a slug is unique within: its collection."""
    return (document.collection, document.slug)


class SlugClaims:
    """The owners of slugs, claimed one document at a time."""

    def __init__(self, owners: Mapping[SlugKey, str] | None = None) -> None:
        self._owners = dict(owners or {})

    @property
    def owners(self) -> Mapping[SlugKey, str]:
        """Who holds each slug, so far."""
        return self._owners

    def claim(self, path: str, document: Document, slug_line: int | None) -> ContentProblem | None:
        """Give ``document``'s slug to ``path``; a problem for ``path`` when another has it."""
        key = slug_key(document)
        owner = self._owners.setdefault(key, path)
        if owner == path:
            return None
        return ContentProblem(
            path=path,
            line=slug_line,
            field="slug",
            message=(
                f"The slug '{document.slug}' is already used by {owner}; "
                "rename this file or set a different 'slug:'."
            ),
        )


AliasKey = tuple[str, str]
# Old-site paths are one namespace for the whole site; old slugs one per collection.
SITE = ""


def alias_key(collection: str, alias: str) -> AliasKey:
    """What an alias is unique within: its collection for an old slug, the site for a path."""
    return (SITE, alias) if alias.startswith("/") else (collection, alias)


class AliasClaims:
    """Old slugs and old-site paths, claimed after every slug: a served slug always wins.

    A clashing alias is left out and reported as an error naming both files; the
    document itself is still served under its own slug. A draft claims none: it
    must not take an old URL away from a published document.
    """

    def __init__(
        self, slugs: Mapping[SlugKey, str], owners: Mapping[AliasKey, str] | None = None
    ) -> None:
        self._slugs = slugs
        self._owners = dict(owners or {})

    def claim(
        self, path: str, document: Document, lines: Mapping[str, int]
    ) -> tuple[Document, list[ContentProblem]]:
        """``document`` with the aliases it may keep, and a problem for each it may not."""
        if document.draft:
            return msgspec.structs.replace(document, aliases=[]), []
        kept: list[str] = []
        problems: list[ContentProblem] = []

        def refuse(alias: str, message: str, severity: Severity = "error") -> None:
            problems.append(
                ContentProblem(
                    path=path,
                    line=lines.get(alias),
                    field="aliases",
                    message=message,
                    severity=severity,
                )
            )

        for alias in document.aliases:
            key = alias_key(document.collection, alias)
            slug_owner = self._slugs.get(key) if key[0] != SITE else None
            if slug_owner == path:
                refuse(alias, f"'{alias}' is this document's own slug; leave it out.", "warning")
            elif slug_owner is not None:
                refuse(
                    alias,
                    f"The alias '{alias}' is the slug of {slug_owner}; remove it from 'aliases:'.",
                )
            elif (owner := self._owners.setdefault(key, path)) != path:
                refuse(
                    alias,
                    f"The alias '{alias}' is also an alias of {owner}; keep it in one file.",
                )
            else:
                kept.append(alias)
        if kept != document.aliases:
            document = msgspec.structs.replace(document, aliases=kept)
        return document, problems
