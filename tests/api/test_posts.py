"""``/posts``: the list envelope, filters, sorting, dates, drafts and scheduled posts."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api_helpers import Serve, assert_problem, parse_link, slugs
from tests.conftest import ContentFolder


def write_post(
    content: ContentFolder,
    slug: str,
    *,
    title: str | None = None,
    date: str = "2024-05-01",
    author: str | None = "Henk Wedman",
    tags: str = "[actieonderzoek]",
    more: str = "",
    body: str = "Eerste alinea van het bericht.\n\n## Meer\n\nTweede alinea.\n",
) -> None:
    """A post whose front matter the test controls field by field."""
    lines = [
        "---",
        f"title: {title or slug.replace('-', ' ').capitalize()}",
        f"date: {date}",
        f"tags: {tags}",
    ]
    if author is not None:
        lines.append(f"author: {author}")
    lines.extend(line for line in more.splitlines() if line)
    lines.append("---")
    content.write(f"posts/{slug}.md", "\n".join(lines) + "\n" + body)


def rfc3339(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


@pytest.fixture
def three(content: ContentFolder) -> ContentFolder:
    write_post(content, "oud", date="2021-03-18")
    write_post(content, "middel", date="2022-09-01")
    write_post(content, "nieuw", date="2024-05-01")
    return content


# --- envelope, paging, Link --------------------------------------------------------------------


def test_list_envelope_and_default_sort_newest_first(three: ContentFolder, serve: Serve) -> None:
    response = serve().get("/posts", params={"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "meta"}
    assert slugs(body) == ["nieuw", "middel"]
    assert body["meta"] == {"page": 1, "limit": 2, "pages": 2, "total": 3, "next": 2, "prev": None}


def test_list_item_shape(content: ContentFolder, serve: Serve) -> None:
    content.post("actieonderzoek-uitgelegd")
    item = serve().get("/posts").json()["data"][0]
    assert item == {
        "type": "post",
        "slug": "actieonderzoek-uitgelegd",
        "url": "https://www.example.nl/posts/actieonderzoek-uitgelegd",
        "title": "Actieonderzoek uitgelegd",
        "summary": "Actieonderzoek combineert leren, veranderen en onderzoeken.",
        "author": "Henk Wedman",
        "tags": ["actieonderzoek"],
        "date": "2024-05-01T00:00:00+02:00",
        "updated": None,
        "lang": "nl",
        "image": None,
    }


def test_link_header(three: ContentFolder, serve: Serve) -> None:
    response = serve().get("/posts", params={"author": "Henk Wedman", "limit": 1, "page": 2})
    links = parse_link(response.headers["link"])
    assert set(links) == {"first", "prev", "next", "last"}
    pages = {"first": "1", "prev": "1", "next": "3", "last": "3"}
    for relation, url in links.items():
        assert url.startswith("https://api.example.nl/posts?")
        assert parse_qs(urlsplit(url).query) == {
            "author": ["Henk Wedman"],
            "limit": ["1"],
            "page": [pages[relation]],
        }


def test_page_past_the_end_is_empty(three: ContentFolder, serve: Serve) -> None:
    response = serve().get("/posts", params={"page": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == []
    assert body["meta"]["total"] == 3
    assert body["meta"]["pages"] == 1
    assert body["meta"]["next"] is None


@pytest.mark.parametrize(
    ("name", "value"),
    [("limit", "0"), ("limit", "101"), ("page", "0"), ("sort", "author"), ("year", "1800")],
)
def test_invalid_parameters_are_problems(
    three: ContentFolder, serve: Serve, name: str, value: str
) -> None:
    body = assert_problem(serve().get("/posts", params={name: value}), 400)
    assert body["instance"] == "/posts"
    assert any(error.get("key") == name for error in body["errors"])


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["oud", "middel", "nieuw"]),
        ("-date", ["nieuw", "middel", "oud"]),
        ("title", ["middel", "nieuw", "oud"]),
        ("-title", ["oud", "nieuw", "middel"]),
    ],
)
def test_sort(three: ContentFolder, serve: Serve, sort: str, expected: list[str]) -> None:
    assert slugs(serve().get("/posts", params={"sort": sort}).json()) == expected


def test_sort_by_date_uses_the_time_of_day(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "ochtend", date="2024-05-01T09:00:00+02:00")
    write_post(content, "middag", date="2024-05-01T14:00:00+02:00")
    # 08:00 UTC is 10:00 in Amsterdam: between the two.
    write_post(content, "utc", date="2024-05-01T08:00:00Z")
    assert slugs(serve().get("/posts").json()) == ["middag", "utc", "ochtend"]


# --- fields ----------------------------------------------------------------------------------


def test_fields(three: ContentFolder, serve: Serve) -> None:
    body = serve().get("/posts", params={"fields": "slug,date"}).json()
    assert body["data"] == [
        {"slug": "nieuw", "date": "2024-05-01T00:00:00+02:00"},
        {"slug": "middel", "date": "2022-09-01T00:00:00+02:00"},
        {"slug": "oud", "date": "2021-03-18T00:00:00+01:00"},
    ]


@pytest.mark.parametrize("fields", ["clients", "slug,html", "slug,author,Date"])
def test_unknown_or_assignment_only_field_is_a_problem(
    three: ContentFolder, serve: Serve, fields: str
) -> None:
    body = assert_problem(serve().get("/posts", params={"fields": fields}), 400)
    unknown = fields.split(",")[-1]
    assert f"'{unknown}'" in body["detail"]


def test_fields_ignores_spaces_and_a_trailing_comma(three: ContentFolder, serve: Serve) -> None:
    response = serve().get("/posts", params={"fields": " slug , title,"})
    assert response.status_code == 200
    assert response.json()["data"][0] == {"slug": "nieuw", "title": "Nieuw"}


# --- filters ---------------------------------------------------------------------------------


def test_filter_by_tag(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "zorg", tags="[Zorg, dilemmas]")
    write_post(content, "onderwijs", tags="[onderwijs]")
    client = serve()
    assert slugs(client.get("/posts", params={"tag": "zorg"}).json()) == ["zorg"]
    assert slugs(client.get("/posts", params={"tag": "DILEMMAS"}).json()) == ["zorg"]
    assert slugs(client.get("/posts", params={"tag": "intervisie"}).json()) == []


@pytest.mark.parametrize(
    "value", ["Joëlle de Vries", "joelle de vries", "JOËLLE DE VRIES", "joelle-de-vries"]
)
def test_filter_by_author_ignores_case_and_accents(
    content: ContentFolder, serve: Serve, value: str
) -> None:
    write_post(content, "van-joelle", author="Joëlle de Vries")
    write_post(content, "van-henk", author="Henk Wedman")
    write_post(content, "anoniem", author=None)
    assert slugs(serve().get("/posts", params={"author": value}).json()) == ["van-joelle"]


def test_filter_by_author_needs_the_whole_name(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "van-joelle", author="Joëlle de Vries")
    assert slugs(serve().get("/posts", params={"author": "joelle"}).json()) == []


def test_filter_by_year(three: ContentFolder, serve: Serve) -> None:
    client = serve()
    assert slugs(client.get("/posts", params={"year": 2022}).json()) == ["middel"]
    assert slugs(client.get("/posts", params={"year": 2023}).json()) == []
    body = client.get("/posts", params={"year": 2024, "tag": "actieonderzoek"}).json()
    assert slugs(body) == ["nieuw"]


def test_filter_by_year_uses_amsterdam_local_year_with_amsterdam_offset(
    content: ContentFolder, serve: Serve
) -> None:
    # Just after midnight on new year's day in Amsterdam, written in Amsterdam time.
    write_post(content, "nieuwjaar", date="2024-01-01T00:30:00+01:00")
    client = serve()
    assert slugs(client.get("/posts", params={"year": 2024}).json()) == ["nieuwjaar"]
    assert slugs(client.get("/posts", params={"year": 2023}).json()) == []


def test_filter_by_year_matches_the_year_the_api_shows(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(content, "nieuwjaar", date="2023-12-31T23:30:00Z")
    client = serve()
    shown = client.get("/posts/nieuwjaar").json()["date"]
    assert shown == "2024-01-01T00:30:00+01:00"
    assert slugs(client.get("/posts", params={"year": 2024}).json()) == ["nieuwjaar"]
    assert slugs(client.get("/posts", params={"year": 2023}).json()) == []


# --- detail, summary and dates -----------------------------------------------------------------


def test_detail(content: ContentFolder, serve: Serve) -> None:
    write_post(
        content,
        "twintig-jaar-vraagsturing",
        title="Twintig jaar vraagsturing",
        tags="[vraagsturing, Zorg]",
        more="updated: 2024-06-01\nlang: en\nbron: archief",
        body="In 2003 begonnen we met *vraagsturing*.\n\n## Wat is bereikt?\n\nVeel.\n",
    )
    response = serve().get("/posts/twintig-jaar-vraagsturing")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "post"
    assert body["url"] == "https://www.example.nl/posts/twintig-jaar-vraagsturing"
    assert body["title"] == "Twintig jaar vraagsturing"
    assert body["author"] == "Henk Wedman"
    assert body["tags"] == ["vraagsturing", "zorg"]
    assert body["lang"] == "en"
    assert body["updated"] == "2024-06-01T00:00:00+02:00"
    assert body["extra"] == {"bron": "archief"}
    assert "<em>vraagsturing</em>" in body["html"]
    assert body["text"] == "In 2003 begonnen we met vraagsturing.\n\nWat is bereikt?\n\nVeel."
    assert [section["heading"] for section in body["sections"]] == [None, "Wat is bereikt?"]
    assert body["sections"][1]["id"] == "wat-is-bereikt"
    assert "clients" not in body
    assert "period" not in body


def test_summary_defaults_to_the_first_paragraph(content: ContentFolder, serve: Serve) -> None:
    write_post(
        content,
        "zonder-samenvatting",
        body="Eerste regel\nloopt *door* op de volgende.\n\nTweede alinea.\n",
    )
    write_post(content, "met-samenvatting", more="summary: Mijn eigen samenvatting.")
    client = serve()
    without = client.get("/posts/zonder-samenvatting").json()
    assert without["summary"] == "Eerste regel loopt door op de volgende."
    assert client.get("/posts/met-samenvatting").json()["summary"] == "Mijn eigen samenvatting."
    listed = {item["slug"]: item["summary"] for item in client.get("/posts").json()["data"]}
    assert listed["zonder-samenvatting"] == "Eerste regel loopt door op de volgende."


def test_summary_skips_a_leading_heading(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "met-kop", body="## Inleiding\n\nDe eigenlijke eerste alinea.\n")
    assert serve().get("/posts/met-kop").json()["summary"] == "De eigenlijke eerste alinea."


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("2024-05-01", "2024-05-01T00:00:00+02:00"),
        ("2024-01-10", "2024-01-10T00:00:00+01:00"),
        ("2024-05-01T09:30:00+02:00", "2024-05-01T09:30:00+02:00"),
        ("2024-05-01T09:30:00", "2024-05-01T09:30:00+02:00"),
        ("2024-01-10T08:15:00Z", "2024-01-10T09:15:00+01:00"),
        ('"2024-05-01T07:30:00+00:00"', "2024-05-01T09:30:00+02:00"),
    ],
)
def test_a_post_keeps_its_time_shown_in_amsterdam(
    content: ContentFolder, serve: Serve, written: str, shown: str
) -> None:
    write_post(content, "bericht", date=written)
    client = serve()
    assert client.get("/posts/bericht").json()["date"] == shown
    assert client.get("/posts").json()["data"][0]["date"] == shown


def test_unknown_slug_is_a_404_problem(three: ContentFolder, serve: Serve) -> None:
    body = assert_problem(serve().get("/posts/bestaat-niet"), 404)
    assert body["instance"] == "/posts/bestaat-niet"


def test_invalid_slug_is_a_400_problem(three: ContentFolder, serve: Serve) -> None:
    assert_problem(serve().get("/posts/Nieuw"), 400)


def test_an_assignment_slug_is_not_a_post(content: ContentFolder, serve: Serve) -> None:
    content.assignment("vraaggestuurde-professionaliteit")
    assert_problem(serve().get("/posts/vraaggestuurde-professionaliteit"), 404)


# --- drafts and scheduled posts --------------------------------------------------------------


def test_drafts_are_hidden(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "openbaar")
    write_post(content, "concept", more="draft: true")
    client = serve()
    body = client.get("/posts").json()
    assert slugs(body) == ["openbaar"]
    assert body["meta"]["total"] == 1
    assert slugs(client.get("/posts", params={"author": "Henk Wedman"}).json()) == ["openbaar"]
    assert_problem(client.get("/posts/concept"), 404)


def test_a_scheduled_post_is_hidden_everywhere(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "openbaar", tags="[gedeeld]")
    write_post(
        content,
        "gepland",
        tags="[gedeeld, toekomst]",
        more="publish_at: 2099-01-15T09:00:00+01:00",
    )
    client = serve()
    body = client.get("/posts").json()
    assert slugs(body) == ["openbaar"]
    assert body["meta"]["total"] == 1
    assert slugs(client.get("/posts", params={"tag": "toekomst"}).json()) == []
    assert slugs(client.get("/posts", params={"year": 2024}).json()) == ["openbaar"]
    assert_problem(client.get("/posts/gepland"), 404)
    tags = {tag["slug"]: tag for tag in client.get("/tags").json()["data"]}
    assert "toekomst" not in tags
    assert tags["gedeeld"]["posts"] == 1
    health = client.get("/health").json()
    assert health["documents"] == {"assignments": 0, "posts": 1}


def test_a_post_whose_publish_time_has_passed_is_served(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(content, "verschenen", more="publish_at: 2024-05-02T09:00:00+02:00")
    client = serve()
    assert slugs(client.get("/posts").json()) == ["verschenen"]
    assert client.get("/posts/verschenen").status_code == 200


def test_a_scheduled_post_appears_without_a_restart(content: ContentFolder, serve: Serve) -> None:
    publish_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    write_post(content, "openbaar")
    write_post(content, "gepland", tags="[later]", more=f"publish_at: {rfc3339(publish_at)}")
    client = serve()

    assert dt.datetime.now(dt.UTC) < publish_at, "start-up took too long to see it hidden"
    assert slugs(client.get("/posts").json()) == ["openbaar"]
    assert client.get("/posts/gepland").status_code == 404

    deadline = time.monotonic() + 10
    while True:
        listed = slugs(client.get("/posts").json())
        if "gepland" in listed:
            break
        assert time.monotonic() < deadline, "the scheduled post never appeared"
        time.sleep(0.1)
    # It must not appear early.
    assert dt.datetime.now(dt.UTC) >= publish_at
    assert sorted(listed) == ["gepland", "openbaar"]
    assert client.get("/posts/gepland").status_code == 200
    assert client.get("/health").json()["documents"]["posts"] == 2
    tags = {tag["slug"]: tag["posts"] for tag in client.get("/tags").json()["data"]}
    assert tags["later"] == 1
