"""Live updates of the files beside the content: added, replaced, broken and removed.

Each change is an incremental update (``sync_index``), never a full build; the
documents that link to a changed file are loaded again, so their warnings and
image sizes follow the file.
"""

from __future__ import annotations

import os
import time

from caseapi.indexing.build import build_index
from caseapi.indexing.sync import SyncReport
from tests.content.test_assets import image
from tests.indexing.conftest import Live, now, post

WITH_PHOTO = post("Delta", "foto", extra="image: team.jpg\n").replace(
    "gaat over foto.", "gaat over foto: ![Het team](team.jpg)"
)


async def warnings_of(live: Live, path: str) -> list[str]:
    return [
        problem.message
        for problem in await live.readers.catalog.problems()
        if problem.path == path and problem.severity == "warning"
    ]


async def test_a_file_added_later_clears_the_warning_of_the_document_linking_to_it(
    live: Live,
) -> None:
    live.write("posts/delta.md", WITH_PHOTO)
    report = await live.sync()
    assert isinstance(report, SyncReport)
    assert await warnings_of(live, "posts/delta.md") == [
        "The cover image 'team.jpg' points at posts/team.jpg, which does not exist.",
        "The image 'team.jpg' points at posts/team.jpg, which does not exist.",
    ]
    live.content.write_bytes("posts/team.jpg", image(size=(800, 600)))
    report = await live.sync()
    # The image and the document that links to it; nothing else was read again.
    assert isinstance(report, SyncReport)
    assert report.changed == 2
    assert await warnings_of(live, "posts/delta.md") == []
    asset = live.readers.urls.paths.assets["posts/team.jpg"]
    assert (asset.width, asset.height) == (800, 600)
    document = await live.readers.catalog.get_document("posts", "delta", now())
    assert document is not None
    assert 'width="800" height="600"' in document.html
    assert live.readers.files.path(asset.digest).read_bytes() == image(size=(800, 600))


async def test_a_replaced_file_gets_a_new_url_and_size(live: Live) -> None:
    live.content.write_bytes("posts/team.jpg", image(size=(800, 600)))
    live.write("posts/delta.md", WITH_PHOTO)
    await live.sync()
    before = live.readers.urls.html('<img src="caseapi:/posts/team.jpg">')
    _touch_later(live, "posts/team.jpg", image(size=(400, 300)))
    report = await live.sync()
    assert isinstance(report, SyncReport)
    after = live.readers.urls.html('<img src="caseapi:/posts/team.jpg">')
    assert after != before  # ?v= follows the digest
    document = await live.readers.catalog.get_document("posts", "delta", now())
    assert document is not None
    assert 'width="400" height="300"' in document.html


async def test_a_broken_replacement_keeps_the_last_good_file(live: Live) -> None:
    live.content.write_bytes("posts/team.jpg", image(size=(800, 600)))
    await live.sync()
    good = live.readers.urls.paths.assets["posts/team.jpg"]
    _touch_later(live, "posts/team.jpg", b"<html>geen plaatje</html>")
    await live.sync()
    assert live.readers.urls.paths.assets["posts/team.jpg"] == good
    assert "posts/team.jpg" in await live.problems()


async def test_a_removed_file_is_no_longer_served_and_the_warning_returns(live: Live) -> None:
    live.content.write_bytes("posts/team.jpg", image(size=(800, 600)))
    live.write("posts/delta.md", WITH_PHOTO)
    await live.sync()
    os.remove(live.content.root / "posts" / "team.jpg")
    report = await live.sync()
    assert isinstance(report, SyncReport)
    assert report.removed == 1
    assert "posts/team.jpg" not in live.readers.urls.paths.assets
    assert len(await warnings_of(live, "posts/delta.md")) == 2


def _touch_later(live: Live, relative: str, data: bytes) -> None:
    """Write ``data`` so that its stamp differs even within one clock tick."""
    path = live.content.root / relative
    path.write_bytes(data)
    later = time.time() + 2
    os.utime(path, (later, later))


async def test_a_file_name_that_is_not_utf8_is_an_error_not_a_stopped_index(live: Live) -> None:
    name = os.fsencode(live.content.root) + b"/posts/\xff\xfe.md"
    with open(name, "wb") as file:
        file.write(b"---\ntitle: Vreemd\ndate: 2024-05-01\n---\nTekst.\n")
    report = await live.sync()
    assert isinstance(report, SyncReport)
    assert "posts/\ufffd\ufffd.md" in await live.problems()
    # And a full build, as a restart does.
    assert (await build_index(live.settings)).errors == 1
