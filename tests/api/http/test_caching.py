"""Every GET made cacheable (``api/caching.py``), over the real app and real content files.

304s on ``If-None-Match`` and ``If-Modified-Since`` for every route family, one
strong ETag per content coding, ``Cache-Control`` per family, brotli and gzip,
and the in-memory response cache: it answers repeats, and a content change
(an incremental sync) or a scheduled post going public refreshes every answer
that must change.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import time
from email.utils import parsedate_to_datetime

import brotli
import pytest
from litestar.testing import TestClient

from caseapi.api.http.caching import ResponseCache, negotiate
from caseapi.api.http.conditional import http_date
from caseapi.api.readers import Readers
from caseapi.indexing.build import build_index
from caseapi.indexing.sync import sync_index
from caseapi.settings import HttpSettings, Settings
from tests.api_helpers import slugs
from tests.conftest import ContentFolder, Start

IDENTITY = {"Accept-Encoding": "identity"}
# Long enough that every answer about it is worth compressing.
BODY = (
    "Vakmanschap is meer dan kennis en vaardigheden: het is de houding van een professional "
    "die zijn werk steeds beter wil doen. In dit bericht beschrijven we hoe teams in de zorg "
    "en in het onderwijs met actieonderzoek aan hun vakmanschap werken, welke dilemma's zij "
    "tegenkomen en wat cliënten daarvan merken. "
) * 3
DEFAULTS = HttpSettings()
# Two paths of every route family and the Cache-Control they carry by default.
FAMILIES: dict[str, tuple[str, list[str]]] = {
    "documents": (
        DEFAULTS.cache_documents,
        ["/posts/wat-is-vakmanschap", "/assignments/vraaggestuurde-professionaliteit"],
    ),
    "lists": (DEFAULTS.cache_lists, ["/posts", "/assignments?tag=zorg", "/tags"]),
    "search": (DEFAULTS.cache_search, ["/search?q=clienten", "/search/suggest?q=vakma"]),
    "feeds": (
        DEFAULTS.cache_feeds,
        ["/feeds/posts.json", "/feeds/all.atom", "/feeds/assignments.rss"],
    ),
    "status": (DEFAULTS.cache_status, ["/health", "/content-errors"]),
}
EVERY_PATH = [path for _, paths in FAMILIES.values() for path in paths]


@pytest.fixture
def site(content: ContentFolder) -> ContentFolder:
    """Two posts and an assignment, with enough text to compress."""
    content.post("wat-is-vakmanschap", title="Wat is vakmanschap eigenlijk?", body=BODY)
    content.post(
        "clienten-aan-het-woord",
        title="Cliënten aan het woord",
        date="2024-06-01",
        tags="zorg",
        body="De cliëntenraad vertelt wat goede zorg voor cliënten betekent. " * 4,
    )
    content.assignment("vraaggestuurde-professionaliteit", tags="zorg, vakmanschap")
    return content


def sync(client: TestClient, settings: Settings) -> None:
    """Apply the folder's changes as the watcher does, and switch the app's readers to them."""
    assert asyncio.run(sync_index(settings)) is not None
    client.blocking_portal.call(client.app.state.readers.refresh)


def after_the_second_of(last_modified: str) -> None:
    """Wait (a second at most) until the clock has left the second ``last_modified`` names.

    HTTP dates have whole seconds: a change within the same second as the copy a
    client holds cannot be told apart by ``If-Modified-Since`` (``ETag`` can).
    """
    deadline = parsedate_to_datetime(last_modified) + dt.timedelta(seconds=1)
    while dt.datetime.now(dt.UTC) < deadline:
        time.sleep(0.02)


def response_cache(client: TestClient) -> ResponseCache:
    cache: ResponseCache = client.app.state.response_cache
    return cache


def raw_get(client: TestClient, path: str, encoding: str) -> tuple[bytes, dict[str, str]]:
    """The bytes as sent, before any decoding, and the headers."""
    with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response:
        assert response.status_code == 200
        return b"".join(response.iter_raw()), dict(response.headers)


# --- conditional requests -------------------------------------------------------------------


@pytest.mark.parametrize("path", EVERY_PATH)
def test_every_family_answers_304_to_its_validators(
    site: ContentFolder, start: Start, path: str
) -> None:
    client = start()
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    last_modified = first.headers["last-modified"]
    assert etag.startswith('"')  # strong
    assert parsedate_to_datetime(last_modified) <= dt.datetime.now(dt.UTC)

    for validators in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"ander", {etag}'},
        {"If-Modified-Since": last_modified},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ):
        not_modified = client.get(path, headers=validators)
        assert not_modified.status_code == 304, validators
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == etag
        assert not_modified.headers["last-modified"] == last_modified
        assert not_modified.headers["cache-control"] == first.headers["cache-control"]
        assert "content-type" not in not_modified.headers

    earlier = http_date(parsedate_to_datetime(last_modified) - dt.timedelta(seconds=1))
    for validators in (
        {"If-None-Match": '"ander"'},
        {"If-Modified-Since": earlier},
        {"If-Modified-Since": "gisteren"},
        # If-None-Match wins over a matching If-Modified-Since.
        {"If-None-Match": '"ander"', "If-Modified-Since": last_modified},
    ):
        full = client.get(path, headers=validators)
        assert full.status_code == 200, validators
        assert full.content == first.content


def test_errors_are_not_cacheable_and_get_no_validators(site: ContentFolder, start: Start) -> None:
    client = start()
    for path in ("/posts/bestaat-niet", "/search?q=", "/posts?page=0"):
        response = client.get(path)
        assert response.status_code in (400, 404)
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
        again = client.get(path, headers={"If-None-Match": "*"})
        assert again.status_code == response.status_code


# --- content codings ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/posts/wat-is-vakmanschap", "/feeds/all.atom", "/posts"])
def test_brotli_and_gzip_decode_to_the_same_bytes_with_their_own_etags(
    site: ContentFolder, start: Start, path: str
) -> None:
    client = start()
    plain, plain_headers = raw_get(client, path, "identity")
    compressed_br, br_headers = raw_get(client, path, "br")
    compressed_gzip, gzip_headers = raw_get(client, path, "gzip")

    assert "content-encoding" not in plain_headers
    assert br_headers["content-encoding"] == "br"
    assert gzip_headers["content-encoding"] == "gzip"
    assert brotli.decompress(compressed_br) == plain
    assert gzip.decompress(compressed_gzip) == plain
    assert len(compressed_br) < len(plain)
    assert len(compressed_gzip) < len(plain)
    assert int(br_headers["content-length"]) == len(compressed_br)
    # Other bytes, other tags (RFC 9110 §8.8.3); one Vary for caches to key on.
    etags = {plain_headers["etag"], br_headers["etag"], gzip_headers["etag"]}
    assert len(etags) == 3
    assert br_headers["etag"] == plain_headers["etag"][:-1] + '-br"'
    for headers in (plain_headers, br_headers, gzip_headers):
        assert headers["vary"] == "Accept-Encoding"

    # A tag validates only the representation it names.
    tagged_br = {"If-None-Match": br_headers["etag"]}
    assert client.get(path, headers={**tagged_br, "Accept-Encoding": "br"}).status_code == 304
    assert client.get(path, headers={**tagged_br, "Accept-Encoding": "gzip"}).status_code == 200
    not_modified = client.get(path, headers={**tagged_br, "Accept-Encoding": "br"})
    assert not_modified.headers["vary"] == "Accept-Encoding"


def test_a_small_answer_is_sent_as_it_is(content: ContentFolder, start: Start) -> None:
    client = start()
    _, headers = raw_get(client, "/tags", "br, gzip")  # an empty list: a few bytes
    assert "content-encoding" not in headers
    assert "vary" not in headers  # the same bytes whatever was asked


@pytest.mark.parametrize(
    ("accept_encoding", "expected"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0.5, gzip;q=0.8", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("*;q=0, gzip;q=0.1", "gzip"),
        ("identity", None),
        ("deflate", None),
        ("", None),
        ("br;q=0, gzip;q=0", None),
        ("br;q=abc, gzip", "gzip"),
        ("GZIP", "gzip"),
    ],
)
def test_negotiate_the_content_coding(accept_encoding: str, expected: str | None) -> None:
    assert negotiate(accept_encoding) == expected


# --- Cache-Control --------------------------------------------------------------------------


def test_cache_control_per_family_by_default(site: ContentFolder, start: Start) -> None:
    client = start()
    for family, (cache_control, paths) in FAMILIES.items():
        for path in paths:
            assert client.get(path).headers["cache-control"] == cache_control, (family, path)
    # Every default lets browsers and CDNs serve a stale copy while they revalidate.
    for family in ("documents", "lists", "search", "feeds"):
        assert "stale-while-revalidate=" in FAMILIES[family][0]
    assert client.get("/schema/openapi.json").headers["cache-control"] == "public, max-age=300"


def test_cache_control_is_configurable_per_family(site: ContentFolder, start: Start) -> None:
    chosen = HttpSettings.from_env(
        {
            "CASEAPI_CACHE_DOCUMENTS": "public, max-age=3600, stale-while-revalidate=86400",
            "CASEAPI_CACHE_LISTS": "public, max-age=5",
            "CASEAPI_CACHE_SEARCH": "private, max-age=10",
            "CASEAPI_CACHE_FEEDS": "public, s-maxage=900, max-age=60",
            "CASEAPI_CACHE_STATUS": "no-store",
        }
    )
    client = start(http=chosen)
    expected = {
        "documents": "public, max-age=3600, stale-while-revalidate=86400",
        "lists": "public, max-age=5",
        "search": "private, max-age=10",
        "feeds": "public, s-maxage=900, max-age=60",
        "status": "no-store",
    }
    for family, (_, paths) in FAMILIES.items():
        for path in paths:
            assert client.get(path).headers["cache-control"] == expected[family], path


# --- the response cache ---------------------------------------------------------------------


def test_a_repeated_request_is_answered_from_memory(site: ContentFolder, start: Start) -> None:
    client = start()
    cache = response_cache(client)
    first = client.get("/search?q=vakmanschap")
    hits = cache.hits
    for _ in range(3):
        again = client.get("/search?q=vakmanschap")
        assert again.content == first.content
        assert again.headers["etag"] == first.headers["etag"]
    assert cache.hits == hits + 3
    # Another query string is another answer.
    other = client.get("/search?q=vakmanschap&limit=1")
    assert other.content != first.content
    assert cache.hits == hits + 3
    assert cache.entries >= 2


def test_the_response_cache_can_be_switched_off(site: ContentFolder, start: Start) -> None:
    client = start(http=HttpSettings(response_cache=False))
    cache = response_cache(client)
    first = client.get("/posts")
    second = client.get("/posts")
    assert (cache.hits, cache.entries) == (0, 0)
    # Still validators and 304s: they come from the rendered bytes, not from memory.
    assert second.headers["etag"] == first.headers["etag"]
    assert client.get("/posts", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_the_response_cache_is_bounded(site: ContentFolder, start: Start) -> None:
    client = start(http=HttpSettings(response_cache_entries=3))
    cache = response_cache(client)
    for page in range(1, 8):
        assert client.get(f"/posts?limit={page}").status_code == 200
    assert cache.entries == 3
    # The oldest went first: the last three are kept, the first is rendered again.
    hits = cache.hits
    client.get("/posts?limit=7")
    assert cache.hits == hits + 1
    client.get("/posts?limit=1")
    assert cache.hits == hits + 1


def test_a_content_change_refreshes_exactly_what_changed(
    site: ContentFolder, settings: Settings, start: Start
) -> None:
    client = start()
    watched = [
        "/posts/wat-is-vakmanschap",
        "/posts/clienten-aan-het-woord",
        "/assignments/vraaggestuurde-professionaliteit",
        "/posts",
        "/tags",
        "/search?q=vakmanschap",
        "/search?q=ambacht",
        "/feeds/posts.json",
        "/health",
    ]
    before = {path: client.get(path) for path in watched}
    for path in watched:  # now all kept in memory
        assert client.get(path).headers["etag"] == before[path].headers["etag"]
    assert slugs(before["/search?q=ambacht"].json()) == []

    site.post(
        "wat-is-vakmanschap",
        title="Wat is ambachtelijkheid?",
        tags="ambacht",
        body=BODY.replace("Vakmanschap is", "Ambachtelijkheid is"),
    )
    sync(client, settings)
    after = {path: client.get(path) for path in watched}

    edited = after["/posts/wat-is-vakmanschap"]
    assert edited.json()["title"] == "Wat is ambachtelijkheid?"
    old_tag = {"If-None-Match": before["/posts/wat-is-vakmanschap"].headers["etag"]}
    assert client.get("/posts/wat-is-vakmanschap", headers=old_tag).status_code == 200
    assert slugs(after["/search?q=ambacht"].json()) == ["wat-is-vakmanschap"]
    assert "ambacht" in {tag["slug"] for tag in after["/tags"].json()["data"]}
    assert after["/feeds/posts.json"].json()["items"][1]["title"] == "Wat is ambachtelijkheid?"
    assert after["/health"].json()["generation"] == before["/health"].json()["generation"] + 1
    changed = {
        path for path in watched if after[path].headers["etag"] != before[path].headers["etag"]
    }
    # Everything that shows the post changed (its neighbour names it as newer or older);
    # the document that does not, did not: the clients' copies of it stay valid (304)
    # although the memory was cleared.
    neighbour = after["/posts/clienten-aan-het-woord"].json()
    shown = [neighbour[side] and neighbour[side]["title"] for side in ("newer", "older")]
    assert "Wat is ambachtelijkheid?" in shown
    assert changed == set(watched) - {"/assignments/vraaggestuurde-professionaliteit"}
    for path in ("/assignments/vraaggestuurde-professionaliteit",):
        assert after[path].content == before[path].content
        unchanged = client.get(path, headers={"If-None-Match": before[path].headers["etag"]})
        assert unchanged.status_code == 304
    # Lists date from the change (HTTP dates have whole seconds: it may be the same one).
    assert parsedate_to_datetime(after["/posts"].headers["last-modified"]) >= (
        parsedate_to_datetime(before["/posts"].headers["last-modified"])
    )
    old_list = {"If-None-Match": before["/posts"].headers["etag"]}
    assert client.get("/posts", headers=old_list).status_code == 200


def test_a_deleted_post_leaves_every_cached_answer(
    site: ContentFolder, settings: Settings, start: Start
) -> None:
    client = start()
    paths = ["/posts", "/posts/clienten-aan-het-woord", "/search?q=clienten", "/feeds/all.json"]
    before = {path: client.get(path) for path in paths}
    assert "clienten-aan-het-woord" in slugs(before["/search?q=clienten"].json())
    (site.root / "posts" / "clienten-aan-het-woord.md").unlink()
    sync(client, settings)
    assert client.get("/posts/clienten-aan-het-woord").status_code == 404
    assert "clienten-aan-het-woord" not in slugs(client.get("/posts").json())
    assert "clienten-aan-het-woord" not in slugs(client.get("/search?q=clienten").json())
    feed = client.get("/feeds/all.json")
    assert "Cliënten aan het woord" not in {item["title"] for item in feed.json()["items"]}
    for path in ("/posts", "/search?q=clienten", "/feeds/all.json"):
        assert (
            client.get(path, headers={"If-None-Match": before[path].headers["etag"]}).status_code
            == 200
        )


def test_a_scheduled_post_going_public_refreshes_lists(
    site: ContentFolder, settings: Settings, start: Start
) -> None:
    client = start()
    before = {path: client.get(path) for path in ("/posts", "/tags", "/feeds/posts.json")}
    # Scheduled a few seconds ahead, added while the app runs (start-up time does not count).
    publish_at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)).replace(microsecond=0)
    site.write(
        "posts/gepland.md",
        f"---\ntitle: Gepland bericht\ndate: 2024-07-01\ntags: [later]\n"
        f"publish_at: {publish_at.isoformat()}\n---\nVerschijnt straks vanzelf.\n",
    )
    sync(client, settings)
    hidden = client.get("/posts")
    assert dt.datetime.now(dt.UTC) < publish_at, "the sync took too long to see it hidden"
    assert "gepland" not in slugs(hidden.json())
    # No cache may keep the answer past the publication.
    max_age = int(hidden.headers["cache-control"].split("max-age=")[1].split(",")[0])
    assert max_age <= 3

    deadline = time.monotonic() + 15
    while "gepland" not in slugs((shown := client.get("/posts")).json()):
        assert time.monotonic() < deadline, "the scheduled post never appeared"
        time.sleep(0.1)
    assert dt.datetime.now(dt.UTC) >= publish_at
    assert shown.headers["etag"] not in (hidden.headers["etag"], before["/posts"].headers["etag"])
    assert shown.headers["last-modified"] == http_date(publish_at)
    assert (
        client.get("/posts", headers={"If-None-Match": hidden.headers["etag"]}).status_code == 200
    )
    assert (
        client.get(
            "/posts", headers={"If-Modified-Since": hidden.headers["last-modified"]}
        ).status_code
        == 200
    )
    assert client.get("/posts/gepland").status_code == 200
    assert "later" in {tag["slug"] for tag in client.get("/tags").json()["data"]}
    assert client.get("/feeds/posts.json").json()["items"][0]["title"] == "Gepland bericht"


def test_a_feed_edited_without_a_new_updated_date_is_not_a_304(
    content: ContentFolder, settings: Settings, start: Start
) -> None:
    """Found by this test: feeds said Last-Modified was their newest item's ``updated`` date.

    Editors rarely touch ``updated``, and a deleted item changes no item's date, so
    a reader asking If-Modified-Since got 304 for a feed that had changed.
    """
    older = "---\ntitle: Ouder\ndate: 2024-05-01\nupdated: 2024-06-01\n---\nEerste versie.\n"
    content.write("posts/ouder.md", older)
    content.write("posts/nieuwer.md", "---\ntitle: Nieuwer\ndate: 2024-05-02\n---\nNieuw.\n")
    client = start()
    before = client.get("/feeds/posts.json")
    since = {"If-Modified-Since": before.headers["last-modified"]}
    assert client.get("/feeds/posts.json", headers=since).status_code == 304

    after_the_second_of(before.headers["last-modified"])
    content.write("posts/ouder.md", older.replace("Eerste versie.", "Tweede versie."))
    sync(client, settings)
    edited = client.get("/feeds/posts.json", headers=since)
    assert edited.status_code == 200
    assert "Tweede versie." in edited.text
    since = {"If-Modified-Since": edited.headers["last-modified"]}

    after_the_second_of(edited.headers["last-modified"])
    (content.root / "posts" / "nieuwer.md").unlink()
    sync(client, settings)
    deleted = client.get("/feeds/posts.json", headers=since)
    assert deleted.status_code == 200
    assert [item["title"] for item in deleted.json()["items"]] == ["Ouder"]


async def test_answers_are_dated_by_the_generation_the_readers_serve(
    site: ContentFolder, settings: Settings
) -> None:
    """Found by review: the date came from the catalog, which may be a generation ahead.

    Between a new generation's commit and a worker's switch to it, search answers
    from the old generation were dated by the new one, and kept that date after the
    switch: a client holding one got 304s for the new generation's answers.
    """
    await build_index(settings)
    readers = await Readers.open(settings)  # not following: it switches when told
    try:
        served = await readers.catalog.generation()
        site.post("nieuw", title="Nieuw bericht")
        assert await sync_index(settings) is not None
        newer = await readers.catalog.generation()
        assert (readers.generation, newer.number) == (served.number, served.number + 1)

        cache = ResponseCache(HttpSettings())
        epoch = await cache.epoch(readers, dt.datetime.now(dt.UTC))
        assert epoch.generation == served.number
        assert epoch.last_change == served.changed_at
        assert await readers.refresh()
        epoch = await cache.epoch(readers, dt.datetime.now(dt.UTC))
        assert (epoch.generation, epoch.last_change) == (newer.number, newer.changed_at)
    finally:
        await readers.close()


def test_parameters_a_route_does_not_read_share_one_copy(site: ContentFolder, start: Start) -> None:
    client = start()
    cache = client.app.state.response_cache
    first = client.get("/posts", params={"limit": 1, "_": "1"})
    hits = cache.hits
    for busting in ("2", "3", "veel"):
        again = client.get("/posts", params={"limit": 1, "_": busting})
        assert again.content == first.content
    assert cache.hits == hits + 3
    # Their links carry only what the route reads.
    assert "_=" not in first.headers["link"]
    assert "limit=1" in first.headers["link"]
