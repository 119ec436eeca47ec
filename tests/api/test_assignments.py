"""``/assignments``: the list envelope, filters, sorting, fields and the detail view."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.api_helpers import PROBLEM, Serve, assert_problem, parse_link, slugs
from tests.conftest import ContentFolder

AMSTERDAM_OFFSET = re.compile(r"[+-]0[12]:00$")


def write_assignment(
    content: ContentFolder,
    slug: str,
    *,
    title: str | None = None,
    clients: str = "[Visio - Huis te Echten]",
    period: str | None = "{start: 2003-10, end: 2004-12}",
    work: str = "[advies]",
    tags: str = "[vraagsturing]",
    date: str | None = None,
    more: str = "",
    body: str = "## Vraag\n\nHoe geef je vraagsturing handen en voeten?\n",
) -> None:
    """An assignment whose front matter the test controls field by field."""
    lines = [
        "---",
        f"title: {title or slug.replace('-', ' ').capitalize()}",
        "summary: Een korte omschrijving.",
        f"clients: {clients}",
        f"work: {work}",
        f"tags: {tags}",
    ]
    if period is not None:
        lines.append(f"period: {period}")
    if date is not None:
        lines.append(f"date: {date}")
    lines.extend(line for line in more.splitlines() if line)
    lines.append("---")
    content.write(f"assignments/{slug}.md", "\n".join(lines) + "\n" + body)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def three(content: ContentFolder) -> ContentFolder:
    """Three public assignments with distinct dates (via their period end)."""
    write_assignment(content, "alpha", period="{start: 2001-01, end: 2001-06}")
    write_assignment(content, "beta", period="{start: 2002-01, end: 2002-06}")
    write_assignment(content, "gamma", period="{start: 2003-01, end: 2003-06}")
    return content


# --- the list envelope and pagination -------------------------------------------------------


def test_list_envelope_and_meta(three: ContentFolder, serve: Serve) -> None:
    client = serve()
    response = client.get("/assignments", params={"limit": 2})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"data", "meta"}
    assert body["meta"] == {"page": 1, "limit": 2, "pages": 2, "total": 3, "next": 2, "prev": None}
    assert slugs(body) == ["gamma", "beta"]

    second = client.get("/assignments", params={"limit": 2, "page": 2}).json()
    assert second["meta"] == {
        "page": 2,
        "limit": 2,
        "pages": 2,
        "total": 3,
        "next": None,
        "prev": 1,
    }
    assert slugs(second) == ["alpha"]


def test_list_item_shape(content: ContentFolder, serve: Serve) -> None:
    content.assignment("vraaggestuurde-professionaliteit")
    item = serve().get("/assignments").json()["data"][0]
    assert item == {
        "type": "assignment",
        "slug": "vraaggestuurde-professionaliteit",
        "url": "https://www.example.nl/assignments/vraaggestuurde-professionaliteit",
        "title": "Vraaggestuurde professionaliteit",
        "summary": "Vraagsturing concreet maken met professionals.",
        "clients": ["Visio - Huis te Echten"],
        "period": {"start": "2003-10", "end": "2004-12"},
        "work": ["advies", "coaching"],
        "contact": "Henk Wedman",
        "tags": ["vraagsturing", "professionaliteit"],
        "date": "2004-12-31T00:00:00+01:00",
        "lang": "nl",
        "image": None,
    }


def test_default_page_size_is_twenty(content: ContentFolder, serve: Serve) -> None:
    for number in range(23):
        write_assignment(content, f"opdracht-{number:02d}")
    body = serve().get("/assignments").json()
    assert len(body["data"]) == 20
    assert body["meta"]["limit"] == 20
    assert body["meta"]["pages"] == 2
    assert body["meta"]["total"] == 23


def test_empty_collection_has_one_empty_page(content: ContentFolder, serve: Serve) -> None:
    response = serve().get("/assignments")
    assert response.status_code == 200
    assert response.json() == {
        "data": [],
        "meta": {"page": 1, "limit": 20, "pages": 1, "total": 0, "next": None, "prev": None},
    }


def test_link_header_middle_page_keeps_other_parameters(three: ContentFolder, serve: Serve) -> None:
    response = serve().get(
        "/assignments", params={"tag": "vraagsturing", "sort": "title", "limit": 1, "page": 2}
    )
    assert response.status_code == 200
    links = parse_link(response.headers["link"])
    assert set(links) == {"first", "prev", "next", "last"}
    expected_pages = {"first": "1", "prev": "1", "next": "3", "last": "3"}
    for relation, url in links.items():
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == "https://api.example.nl"
        assert parts.path == "/assignments"
        assert query_of(url) == {
            "tag": ["vraagsturing"],
            "sort": ["title"],
            "limit": ["1"],
            "page": [expected_pages[relation]],
        }


def test_link_header_first_and_last_page(three: ContentFolder, serve: Serve) -> None:
    client = serve()
    first = parse_link(client.get("/assignments", params={"limit": 2}).headers["link"])
    assert set(first) == {"first", "next", "last"}
    assert query_of(first["next"])["page"] == ["2"]
    last = parse_link(client.get("/assignments", params={"limit": 2, "page": 2}).headers["link"])
    assert set(last) == {"first", "prev", "last"}
    assert query_of(last["prev"])["page"] == ["1"]
    assert query_of(last["last"])["page"] == ["2"]


def test_page_past_the_end_is_empty_not_an_error(three: ContentFolder, serve: Serve) -> None:
    response = serve().get("/assignments", params={"limit": 2, "page": 7})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == []
    assert body["meta"]["page"] == 7
    assert body["meta"]["total"] == 3
    assert body["meta"]["pages"] == 2
    assert body["meta"]["next"] is None
    # "prev" leads back to real content, not to another empty page.
    assert body["meta"]["prev"] == 2


@pytest.mark.parametrize("limit", [1, 100])
def test_limit_bounds_are_accepted(three: ContentFolder, serve: Serve, limit: int) -> None:
    response = serve().get("/assignments", params={"limit": limit})
    assert response.status_code == 200
    assert response.json()["meta"]["limit"] == limit
    assert len(response.json()["data"]) == min(limit, 3)


@pytest.mark.parametrize(
    ("name", "value"),
    [("limit", "0"), ("limit", "101"), ("limit", "many"), ("page", "0"), ("page", "10001")],
)
def test_out_of_range_paging_is_a_problem(
    three: ContentFolder, serve: Serve, name: str, value: str
) -> None:
    response = serve().get("/assignments", params={name: value})
    body = assert_problem(response, 400)
    assert body["instance"] == "/assignments"
    assert any(error.get("key") == name for error in body["errors"])


# --- filters ---------------------------------------------------------------------------------


def test_filter_by_tag_ignores_case(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "met-tag", tags="[Vakmanschap, zorg]")
    write_assignment(content, "zonder-tag", tags="[zorg]")
    client = serve()
    for value in ("vakmanschap", "VAKMANSCHAP"):
        body = client.get("/assignments", params={"tag": value}).json()
        assert slugs(body) == ["met-tag"]
        assert body["meta"]["total"] == 1
    assert slugs(client.get("/assignments", params={"tag": "onbekend"}).json()) == []


@pytest.mark.parametrize(
    "value",
    [
        "Visio - Huis te Echten",
        "visio - huis te echten",
        "visio-huis-te-echten",
        "VISIO-HUIS-TE-ECHTEN",
    ],
)
def test_filter_by_client_name_or_slug(content: ContentFolder, serve: Serve, value: str) -> None:
    write_assignment(content, "visio", clients="[Visio - Huis te Echten]")
    write_assignment(content, "gemeente", clients="[Gemeente Utrecht]")
    body = serve().get("/assignments", params={"client": value}).json()
    assert slugs(body) == ["visio"]


@pytest.mark.parametrize(
    "value", ["Cliëntenraad Zuidoost", "clientenraad zuidoost", "cliëntenraad-zuidoost"]
)
def test_filter_by_client_ignores_accents(content: ContentFolder, serve: Serve, value: str) -> None:
    write_assignment(content, "raad", clients="[Gemeente Utrecht, Cliëntenraad Zuidoost]")
    write_assignment(content, "ander", clients="[Gemeente Utrecht]")
    body = serve().get("/assignments", params={"client": value}).json()
    assert slugs(body) == ["raad"]


def test_filter_by_client_does_not_match_part_of_a_name(
    content: ContentFolder, serve: Serve
) -> None:
    write_assignment(content, "visio", clients="[Visio - Huis te Echten]")
    assert slugs(serve().get("/assignments", params={"client": "visio"}).json()) == []


def test_filter_by_work(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "coaching", work="[advies, Coaching]")
    write_assignment(content, "training", work="[training]")
    client = serve()
    assert slugs(client.get("/assignments", params={"work": "coaching"}).json()) == ["coaching"]
    assert slugs(client.get("/assignments", params={"work": "TRAINING"}).json()) == ["training"]
    assert slugs(client.get("/assignments", params={"work": "onderzoek"}).json()) == []


def test_filters_combine(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "beide", tags="[zorg]", work="[coaching]")
    write_assignment(content, "alleen-tag", tags="[zorg]", work="[training]")
    write_assignment(content, "alleen-werk", tags="[onderwijs]", work="[coaching]")
    body = serve().get("/assignments", params={"tag": "zorg", "work": "coaching"}).json()
    assert slugs(body) == ["beide"]


def test_filter_by_year_means_running_during_that_year(
    content: ContentFolder, serve: Serve
) -> None:
    write_assignment(content, "visio", period="{start: 2003-10, end: 2004-12}")
    write_assignment(content, "kort", period="{start: 2010-01, end: 2010-06}")
    write_assignment(content, "lopend", period="{start: 2020-03}")
    client = serve()

    def years(year: int) -> list[str]:
        response = client.get("/assignments", params={"year": year})
        assert response.status_code == 200
        return sorted(slugs(response.json()))

    assert years(2002) == []
    assert years(2003) == ["visio"]
    assert years(2004) == ["visio"]
    assert years(2005) == []
    assert years(2010) == ["kort"]
    assert years(2019) == []
    assert years(2020) == ["lopend"]
    assert years(dt.date.today().year) == ["lopend"]
    # Ongoing means running until today, not forever.
    assert years(dt.date.today().year + 1) == []


def test_empty_filters_filter_nothing(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "een", tags="[zorg]")
    write_assignment(content, "twee", tags="[onderwijs]")
    client = serve()
    for name in ("tag", "client", "work"):
        response = client.get("/assignments", params={name: ""})
        assert sorted(slugs(response.json())) == ["een", "twee"], name
    response = client.get("/assignments", params={"fields": ""})
    assert "summary" in response.json()["data"][0]


def test_filter_by_year_without_period_uses_the_date(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "los", period=None, date="2015-06-01")
    client = serve()
    assert slugs(client.get("/assignments", params={"year": 2015}).json()) == ["los"]
    assert slugs(client.get("/assignments", params={"year": 2016}).json()) == []


@pytest.mark.parametrize("year", ["1899", "3000", "twee"])
def test_invalid_year_is_a_problem(three: ContentFolder, serve: Serve, year: str) -> None:
    assert_problem(serve().get("/assignments", params={"year": year}), 400)


# --- sorting -----------------------------------------------------------------------------------


@pytest.fixture
def sortable(content: ContentFolder) -> ContentFolder:
    write_assignment(content, "b-middel", title="Fusie begeleiden", date="2010-05-01")
    write_assignment(content, "c-oud", title="Één team vormen", date="2001-05-01")
    write_assignment(content, "a-nieuw", title="Actieonderzoek in de wijk", date="2020-05-01")
    return content


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, ["a-nieuw", "b-middel", "c-oud"]),
        ("-date", ["a-nieuw", "b-middel", "c-oud"]),
        ("date", ["c-oud", "b-middel", "a-nieuw"]),
        # Titles sort ignoring accents: "Één" sorts as "Een".
        ("title", ["a-nieuw", "c-oud", "b-middel"]),
        ("-title", ["b-middel", "c-oud", "a-nieuw"]),
    ],
)
def test_sort(sortable: ContentFolder, serve: Serve, sort: str | None, expected: list[str]) -> None:
    params = {} if sort is None else {"sort": sort}
    response = serve().get("/assignments", params=params)
    assert response.status_code == 200
    assert slugs(response.json()) == expected


@pytest.mark.parametrize("sort", ["slug", "DATE", "--date", "+date", ""])
def test_invalid_sort_is_a_problem(sortable: ContentFolder, serve: Serve, sort: str) -> None:
    body = assert_problem(serve().get("/assignments", params={"sort": sort}), 400)
    assert any(error.get("key") == "sort" for error in body["errors"])


# --- fields ----------------------------------------------------------------------------------


def test_fields_selects_keys(three: ContentFolder, serve: Serve) -> None:
    response = serve().get("/assignments", params={"fields": "slug,title"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == [
        {"slug": "gamma", "title": "Gamma"},
        {"slug": "beta", "title": "Beta"},
        {"slug": "alpha", "title": "Alpha"},
    ]
    assert body["meta"]["total"] == 3


def test_fields_keeps_null_values_it_was_asked_for(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "lopend", period=None, date="2020-01-01")
    body = serve().get("/assignments", params={"fields": "slug, period ,contact"}).json()
    assert body["data"] == [{"slug": "lopend", "period": None, "contact": None}]


@pytest.mark.parametrize("fields", ["slug,nope", "html", "slug,Title"])
def test_unknown_field_is_a_problem_naming_it(
    three: ContentFolder, serve: Serve, fields: str
) -> None:
    body = assert_problem(serve().get("/assignments", params={"fields": fields}), 400)
    unknown = next(name for name in fields.split(",") if name not in ("slug", "title"))
    assert f"'{unknown}'" in str(body["detail"])


# --- detail ----------------------------------------------------------------------------------


DETAIL = """\
---
title: Vraaggestuurde professionaliteit
summary: Vraagsturing concreet maken met professionals.
clients: [Visio - Huis te Echten, Cliëntenraad Echten]
period: {start: 2003-10, end: 2004-12}
work: [advies, coaching]
contact: Henk Wedman
publications:
  - Eindrapport vraagsturing
  - {title: Artikel in Zorgvisie, url: "https://example.org/artikel"}
tags: [vraagsturing, professionaliteit]
budget: 12000
opdrachtnummer: "2003-17"
---
Een inleiding voor de eerste kop.

## Vraag

Hoe geef je *vraagsturing* handen en voeten?

## Resultaat

- Een eindrapport
- Toegeruste managers

<script>alert("xss")</script>
"""


def test_detail(content: ContentFolder, serve: Serve) -> None:
    content.write("assignments/vraaggestuurde-professionaliteit.md", DETAIL)
    response = serve().get("/assignments/vraaggestuurde-professionaliteit")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "assignment"
    assert body["slug"] == "vraaggestuurde-professionaliteit"
    assert body["url"] == "https://www.example.nl/assignments/vraaggestuurde-professionaliteit"
    assert body["title"] == "Vraaggestuurde professionaliteit"
    assert body["summary"] == "Vraagsturing concreet maken met professionals."
    assert body["clients"] == ["Visio - Huis te Echten", "Cliëntenraad Echten"]
    assert body["period"] == {"start": "2003-10", "end": "2004-12"}
    assert body["work"] == ["advies", "coaching"]
    assert body["contact"] == "Henk Wedman"
    assert body["publications"] == [
        {"title": "Eindrapport vraagsturing", "url": None},
        {"title": "Artikel in Zorgvisie", "url": "https://example.org/artikel"},
    ]
    assert body["tags"] == ["vraagsturing", "professionaliteit"]
    assert body["lang"] == "nl"
    # Unknown keys are kept; plain YAML values stay text.
    assert body["extra"] == {"budget": "12000", "opdrachtnummer": "2003-17"}
    # No explicit date: the last day of the period, midnight in Amsterdam (winter time).
    assert body["date"] == "2004-12-31T00:00:00+01:00"
    assert AMSTERDAM_OFFSET.search(body["modified"])

    assert "<em>vraagsturing</em>" in body["html"]
    assert '<h2 id="vraag">Vraag</h2>' in body["html"]
    assert "<script" not in body["html"]
    assert "alert" not in body["html"]
    assert "Hoe geef je vraagsturing handen en voeten?" in body["text"]
    assert "<" not in body["text"]

    sections = body["sections"]
    assert [(section["heading"], section["id"]) for section in sections] == [
        (None, None),
        ("Vraag", "vraag"),
        ("Resultaat", "resultaat"),
    ]
    for section in sections:
        assert set(section) == {"heading", "id", "html", "text"}
    assert sections[0]["text"] == "Een inleiding voor de eerste kop."
    assert sections[1]["text"] == "Hoe geef je vraagsturing handen en voeten?"
    assert sections[2]["text"] == "Een eindrapport\nToegeruste managers"
    assert "<li>Een eindrapport</li>" in sections[2]["html"]


def test_detail_dates_carry_the_amsterdam_offset(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "zomer", date="2010-06-15")
    write_assignment(content, "winter", date="2010-01-15")
    client = serve()
    assert client.get("/assignments/zomer").json()["date"] == "2010-06-15T00:00:00+02:00"
    assert client.get("/assignments/winter").json()["date"] == "2010-01-15T00:00:00+01:00"
    modified = dt.datetime.fromisoformat(client.get("/assignments/zomer").json()["modified"])
    expected = modified.astimezone(ZoneInfo("Europe/Amsterdam")).utcoffset()
    assert modified.utcoffset() == expected


def test_detail_slug_from_front_matter(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "bestandsnaam", more="slug: eigen-slug")
    client = serve()
    assert client.get("/assignments/eigen-slug").json()["slug"] == "eigen-slug"
    assert_problem(client.get("/assignments/bestandsnaam"), 404)


def test_unknown_slug_is_a_404_problem(three: ContentFolder, serve: Serve) -> None:
    body = assert_problem(serve().get("/assignments/bestaat-niet"), 404)
    assert body["instance"] == "/assignments/bestaat-niet"
    assert "bestaat-niet" in str(body["detail"])


def test_invalid_slug_is_a_400_problem(three: ContentFolder, serve: Serve) -> None:
    assert_problem(serve().get("/assignments/Alpha"), 400)


@pytest.mark.parametrize("slug", ["a" * 201, "alpha--beta", "-alpha"])
def test_malformed_slug_is_never_a_server_error(
    three: ContentFolder, serve: Serve, slug: str
) -> None:
    response = serve().get(f"/assignments/{slug}")
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith(PROBLEM)


def test_drafts_are_never_listed_nor_served(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "openbaar", tags="[zorg]")
    write_assignment(content, "concept", tags="[zorg]", more="draft: true")
    write_assignment(content, "ook-concept", tags="[zorg]", more="draft: yes")
    client = serve()
    body = client.get("/assignments").json()
    assert slugs(body) == ["openbaar"]
    assert body["meta"]["total"] == 1
    assert slugs(client.get("/assignments", params={"tag": "zorg"}).json()) == ["openbaar"]
    assert slugs(client.get("/assignments", params={"year": 2004}).json()) == ["openbaar"]
    assert_problem(client.get("/assignments/concept"), 404)
    assert_problem(client.get("/assignments/ook-concept"), 404)
    assert client.get("/assignments/openbaar").status_code == 200


def test_an_invalid_file_does_not_hide_the_others(content: ContentFolder, serve: Serve) -> None:
    write_assignment(content, "goed")
    content.write("assignments/kapot.md", "---\ntitle: Zonder klant\n---\nTekst.\n")
    client = serve()
    assert slugs(client.get("/assignments").json()) == ["goed"]
    assert_problem(client.get("/assignments/kapot"), 404)
