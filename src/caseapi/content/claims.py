"""Who serves which slug: the one rule for two documents that want the same one.

A slug belongs to one file per collection. In a full build the first file by
path keeps it; in a live update the file that serves it now keeps it, so an
edit elsewhere never takes a published URL away. Whoever comes second is told,
on the line of its ``slug:`` when it set one, which file has it.
"""

from __future__ import annotations

from collections.abc import Mapping

from caseapi.models import ContentProblem, Document

SlugKey = tuple[str, str]


def slug_key(document: Document) -> SlugKey:
    """What a slug is unique within: its collection."""
    return (document.collection, document.slug)


class SlugClaims:
    """The owners of slugs, claimed one document at a time."""

    def __init__(self, owners: Mapping[SlugKey, str] | None = None) -> None:
        self._owners = dict(owners or {})

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
