"""Aliases through live updates: claimed, renamed in place, and a slug that takes one over."""

from __future__ import annotations

from caseapi.catalog.interface import Redirect
from tests.indexing.conftest import Live, now


async def redirects(live: Live) -> list[tuple[str, str]]:
    found: list[Redirect] = await live.readers.catalog.redirects(now())
    return [(redirect.alias, redirect.target_slug) for redirect in found]


def post(title: str, *front: str) -> str:
    lines = "".join(f"{line}\n" for line in front)
    return f"---\ntitle: {title}\ndate: 2024-05-01\n{lines}---\nTekst.\n"


async def test_a_slug_renamed_in_place_keeps_the_old_one_as_an_alias(live: Live) -> None:
    live.write("posts/alfa.md", post("Alfa", "slug: alfa-nieuw", "aliases: [alfa]"))
    await live.sync()
    assert await redirects(live) == [("alfa", "alfa-nieuw")]
    assert await live.titles() == {"alfa-nieuw": "Alfa", "bravo": "Bravo", "charlie": "Charlie"}


async def test_an_alias_taken_in_a_later_update_is_an_error_for_the_newcomer(live: Live) -> None:
    live.write("posts/alfa.md", post("Alfa", "aliases: [oud]"))
    await live.sync()
    live.write("posts/bravo.md", post("Bravo", "aliases: [oud, nog-ouder]"))
    await live.sync()
    assert await redirects(live) == [("nog-ouder", "bravo"), ("oud", "alfa")]
    problems = [p for p in await live.readers.catalog.problems() if p.path == "posts/bravo.md"]
    assert [p.message for p in problems] == [
        "The alias 'oud' is also an alias of posts/alfa.md; keep it in one file."
    ]


async def test_a_document_that_takes_an_alias_as_its_slug_is_served_not_redirected(
    live: Live,
) -> None:
    live.write("posts/alfa.md", post("Alfa", "aliases: [delta]"))
    await live.sync()
    assert await redirects(live) == [("delta", "alfa")]
    live.write("posts/delta.md", post("Delta"))
    await live.sync()
    # The served slug wins: the alias is not listed, and the page is Delta itself.
    assert await redirects(live) == []
    assert "delta" in await live.titles()


async def test_an_alias_freed_by_a_deleted_file_goes_to_the_one_that_wanted_it(
    live: Live,
) -> None:
    live.write("posts/alfa.md", post("Alfa", "aliases: [oud]"))
    live.write("posts/bravo.md", post("Bravo", "aliases: [oud]"))
    await live.sync()
    assert await redirects(live) == [("oud", "alfa")]
    (live.content.root / "posts" / "alfa.md").unlink()
    await live.sync()
    assert await redirects(live) == [("oud", "bravo")]
    assert "posts/bravo.md" not in await live.problems()
