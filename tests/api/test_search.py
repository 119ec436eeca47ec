"""``/search`` and ``/search/suggest`` over HTTP, against the real app and a real index."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from litestar.testing import TestClient

from caseapi.indexing.build import build_index
from caseapi.models import AMSTERDAM
from caseapi.search.compounds import split_compound
from caseapi.settings import Settings
from tests.api_helpers import PROBLEM, Serve, assert_problem, parse_link, slugs
from tests.conftest import ContentFolder

BASE_URL = "https://www.example.nl"
API_URL = "https://api.example.nl"


# --- writing content --------------------------------------------------------------------------


def write_post(
    content: ContentFolder,
    slug: str,
    body: str,
    *,
    title: str | None = None,
    date: str = "2024-05-01",
    tags: str = "[]",
    more: str = "",
) -> None:
    """A post; ``more`` adds front matter lines (summary, lang, draft, publish_at…)."""
    lines = ["---", f"title: {title or slug.replace('-', ' ').capitalize()}", f"date: {date}"]
    lines += [f"tags: {tags}", *(line for line in more.splitlines() if line), "---"]
    content.write(f"posts/{slug}.md", "\n".join(lines) + "\n" + body + "\n")


def write_assignment(
    content: ContentFolder,
    slug: str,
    *,
    title: str,
    summary: str = "Een opdracht voor een opdrachtgever.",
    body: str = "Een vraag van de opdrachtgever.",
    tags: str = "[]",
    period: str = "{start: 2003-10, end: 2004-12}",
    more: str = "",
) -> None:
    """An assignment with a ``## Vraag`` section holding ``body``."""
    lines = [
        "---",
        f"title: {title}",
        f"summary: {summary}",
        "clients: [Stichting Voorbeeld]",
        f"period: {period}",
        f"tags: {tags}",
        *(line for line in more.splitlines() if line),
        "---",
        "## Vraag",
        "",
        body,
    ]
    content.write(f"assignments/{slug}.md", "\n".join(lines) + "\n")


# --- reading results --------------------------------------------------------------------------


def search(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    """A successful search's body."""
    response = client.get("/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def found(client: TestClient, q: str, **params: Any) -> list[str]:
    return slugs(search(client, q, **params))


def suggest(client: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/search/suggest", params={"q": q, **params})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def words(completions: list[dict[str, Any]]) -> list[str]:
    return [item["text"] for item in completions if item["kind"] == "word"]


def titles(completions: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    return [
        (item["text"], item["type"], item["slug"])
        for item in completions
        if item["kind"] == "title"
    ]


def facet(body: dict[str, Any], name: str) -> dict[Any, int]:
    return {entry["value"]: entry["count"] for entry in body["facets"][name]}


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def assert_safe_html(html: str) -> None:
    """Only ``<mark>`` and ``</mark>`` may open a tag; everything else is escaped."""
    assert "<" not in html.replace("<mark>", "").replace("</mark>", ""), html
    assert ">" not in html.replace("<mark>", "").replace("</mark>", ""), html


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.05)


# --- hits and the envelope --------------------------------------------------------------------


def test_a_hit_carries_everything_a_result_page_shows(content: ContentFolder, serve: Serve) -> None:
    write_post(
        content,
        "ketenregie-in-de-wijk",
        "We bespraken ketenregie met de wijkteams.",
        title="Ketenregie in de wijk",
        date="2024-07-01T08:00:00Z",
        tags="[wijkteams]",
    )
    write_assignment(
        content,
        "regie-op-de-keten",
        title="Regie op de keten",
        body="Ketenregie tussen zorgaanbieders vroeg om afspraken.",
        period="{start: 2003-10, end: 2004-12}",
    )
    client = serve()
    response = client.get("/search", params={"q": "ketenregie"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"data", "meta", "facets", "suggestion", "fuzzy"}
    assert body["suggestion"] is None
    assert body["fuzzy"] is False

    hits = {hit["slug"]: hit for hit in body["data"]}
    assert set(hits) == {"ketenregie-in-de-wijk", "regie-op-de-keten"}
    post, assignment = hits["ketenregie-in-de-wijk"], hits["regie-op-de-keten"]
    assert set(post) == {"type", "slug", "title", "title_html", "url", "date", "score", "snippets"}
    assert post["type"] == "post"
    assert assignment["type"] == "assignment"
    assert post["title"] == "Ketenregie in de wijk"
    assert post["title_html"] == "<mark>Ketenregie</mark> in de wijk"
    assert assignment["title_html"] == "Regie op de keten"
    assert post["url"] == f"{BASE_URL}/posts/ketenregie-in-de-wijk"
    assert assignment["url"] == f"{BASE_URL}/assignments/regie-op-de-keten"
    # Shown in Amsterdam time: summer and winter offsets.
    assert post["date"] == "2024-07-01T10:00:00+02:00"
    assert assignment["date"] == "2004-12-31T00:00:00+01:00"
    for hit in body["data"]:
        assert isinstance(hit["score"], float)
        assert hit["score"] > 0
        assert len(hit["snippets"]) >= 1
        assert all(isinstance(text, str) for text in hit["snippets"])
    assert marked(assignment["snippets"][0]) == ["Ketenregie"]
    assert "<mark>ketenregie</mark>" in post["snippets"][0]
    scores = [hit["score"] for hit in body["data"]]
    assert scores == sorted(scores, reverse=True)
    # The title match wins.
    assert slugs(body) == ["ketenregie-in-de-wijk", "regie-op-de-keten"]

    assert body["meta"] == {
        "page": 1,
        "limit": 10,
        "pages": 1,
        "total": 2,
        "next": None,
        "prev": None,
    }
    links = parse_link(response.headers["link"])
    assert set(links) == {"first", "last"}
    assert links["first"].startswith(f"{API_URL}/search?")
    assert parse_qs(urlsplit(links["first"]).query) == {"q": ["ketenregie"], "page": ["1"]}


def test_paging_with_meta_link_and_facets_over_all_matches(
    content: ContentFolder, serve: Serve
) -> None:
    for number, (year, tags) in enumerate(
        [("2021", "[wijk, zorg]"), ("2022", "[wijk]"), ("2023", "[zorg]")], start=1
    ):
        write_post(
            content,
            f"bericht-{number}",
            "Over ketenregie " + "en samenwerking " * number,
            date=f"{year}-03-01",
            tags=tags,
        )
    write_assignment(content, "opdracht-1", title="Ketenregie een", tags="[wijk]")
    write_assignment(content, "opdracht-2", title="Ketenregie twee", tags="[onderwijs]")
    write_post(content, "ander-onderwerp", "Iets heel anders.", tags="[wijk]")
    client = serve()

    response = client.get("/search", params={"q": "ketenregie", "limit": 2, "page": 2})
    assert response.status_code == 200
    body = response.json()
    assert len(body["data"]) == 2
    assert body["meta"] == {"page": 2, "limit": 2, "pages": 3, "total": 5, "next": 3, "prev": 1}
    # Facets count all five matches, not the two on this page.
    assert facet(body, "type") == {"post": 3, "assignment": 2}
    assert facet(body, "tags") == {"wijk": 3, "zorg": 2, "onderwijs": 1}
    assert facet(body, "year") == {2021: 1, 2022: 1, 2023: 1, 2004: 2, 2003: 2}
    assert [entry["count"] for entry in body["facets"]["type"]] == [3, 2]  # most first
    assert [entry["value"] for entry in body["facets"]["year"]] == [2023, 2022, 2021, 2004, 2003]

    links = parse_link(response.headers["link"])
    assert set(links) == {"first", "prev", "next", "last"}
    pages = {rel: parse_qs(urlsplit(url).query) for rel, url in links.items()}
    assert {rel: query["page"] for rel, query in pages.items()} == {
        "first": ["1"],
        "prev": ["1"],
        "next": ["3"],
        "last": ["3"],
    }
    assert all(query["q"] == ["ketenregie"] and query["limit"] == ["2"] for query in pages.values())

    every_page = [search(client, "ketenregie", limit=2, page=page) for page in (1, 2, 3)]
    all_hits = [hit for page in every_page for hit in page["data"]]
    assert len({hit["slug"] for hit in all_hits}) == 5
    scores = [hit["score"] for hit in all_hits]
    assert scores == sorted(scores, reverse=True)
    assert every_page[2]["meta"]["next"] is None

    beyond = search(client, "ketenregie", limit=2, page=4)
    assert beyond["data"] == []
    assert beyond["meta"]["total"] == 5
    assert beyond["meta"]["next"] is None


def test_type_filter(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "bericht", "Over ketenregie.")
    write_assignment(content, "opdracht", title="Ketenregie")
    client = serve()
    only_assignments = search(client, "ketenregie", type="assignment")
    assert slugs(only_assignments) == ["opdracht"]
    assert facet(only_assignments, "type") == {"assignment": 1}
    assert found(client, "ketenregie", type="post") == ["bericht"]
    assert_problem(client.get("/search", params={"q": "ketenregie", "type": "page"}), 400)


def test_tag_filter_ignores_case_and_accents(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "met-tag", "Over ketenregie.", tags="[Cliëntgericht, wijk]")
    write_post(content, "zonder-tag", "Ook over ketenregie.", tags="[wijk]")
    client = serve()
    for tag in ("cliëntgericht", "clientgericht", "CLIËNTGERICHT", "Clientgericht"):
        assert found(client, "ketenregie", tag=tag) == ["met-tag"], tag
    assert sorted(found(client, "ketenregie", tag="WIJK")) == ["met-tag", "zonder-tag"]
    assert found(client, "ketenregie", tag="onbekend") == []
    assert facet(search(client, "ketenregie", tag="clientgericht"), "tags") == {
        "cliëntgericht": 1,
        "wijk": 1,
    }


def test_year_filter_finds_assignments_running_during_the_year(
    content: ContentFolder, serve: Serve
) -> None:
    this_year = dt.datetime.now(AMSTERDAM).year
    write_assignment(
        content, "drie-jaar", title="Ketenregie", period="{start: 2019-03, end: 2021-06}"
    )
    write_assignment(content, "lopend", title="Ketenregie lopend", period="{start: 2022-01}")
    write_post(
        content, "nieuwjaar", "Ketenregie bij de jaarwisseling.", date="2020-12-31T23:30:00Z"
    )
    client = serve()
    assert found(client, "ketenregie", year=2018) == []
    assert found(client, "ketenregie", year=2019) == ["drie-jaar"]
    assert found(client, "ketenregie", year=2020) == ["drie-jaar"]
    # 23:30 UTC on New Year's Eve is already next year in Amsterdam.
    assert sorted(found(client, "ketenregie", year=2021)) == ["drie-jaar", "nieuwjaar"]
    assert found(client, "ketenregie", year=2022) == ["lopend"]
    assert found(client, "ketenregie", year=this_year) == ["lopend"]
    body = search(client, "ketenregie")
    assert facet(body, "year") == {
        **dict.fromkeys(range(2019, this_year + 1), 1),
        2021: 2,
    }
    assert_problem(client.get("/search", params={"q": "ketenregie", "year": "vorig"}), 400)


def test_page_and_limit_bounds(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "bericht", "Over ketenregie.")
    client = serve()
    assert search(client, "ketenregie", limit=50)["meta"]["limit"] == 50
    assert search(client, "ketenregie", page=100)["data"] == []
    for params, key in (
        ({"limit": 51}, "limit"),
        ({"limit": 0}, "limit"),
        ({"page": 101}, "page"),
        ({"page": 0}, "page"),
        ({"page": "twee"}, "page"),
    ):
        problem = assert_problem(client.get("/search", params={"q": "ketenregie", **params}), 400)
        assert [error["key"] for error in problem["errors"]] == [key], params


# --- Dutch ------------------------------------------------------------------------------------


def test_accents_are_folded_both_ways(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "met-accent", "Gesprekken met cliënten over hun zorg.")
    write_post(content, "zonder-accent", "Gesprekken met clienten over hun wensen.")
    client = serve()
    for query in ("clienten", "cliënten", "CLIËNTEN"):
        assert sorted(found(client, query)) == ["met-accent", "zonder-accent"], query
    hits = {hit["slug"]: hit for hit in search(client, "clienten")["data"]}
    assert "cliënten" in marked(hits["met-accent"]["snippets"][0])


def test_an_apostrophe_plural_finds_the_singular_and_back(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(content, "meervoud", "Professionals bespreken hun dilemma's.")
    write_post(content, "enkelvoud", "Een ethisch dilemma in de praktijk.")
    client = serve()
    for query in ("dilemma's", "dilemma", "dilemma’s"):
        assert sorted(found(client, query)) == ["enkelvoud", "meervoud"], query


def test_inflected_forms_find_each_other(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "teams", "Zelfsturende teams in organisaties.")
    write_post(content, "werken", "Wij werken aan onderzoeken.")
    client = serve()
    assert found(client, "team") == ["teams"]
    assert found(client, "organisatie") == ["teams"]
    assert found(client, "gewerkt") == ["werken"]
    assert found(client, "onderzoek") == ["werken"]


def test_stop_words_alone_find_nothing(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "bericht", "De teams en het werk van de wijk.")
    client = serve()
    for query in ("de het", "de", "en van het"):
        body = search(client, query)
        assert body["data"] == [], query
        assert body["meta"]["total"] == 0
        assert body["suggestion"] is None


def test_stop_words_in_a_query_do_not_hide_documents(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "zorg", "Goede zorg voor de mensen in de wijk.")
    write_post(
        content,
        "leading",
        "How organizations learn by running experiments.",
        title="Leading organizations",
        more="lang: en",
    )
    client = serve()
    assert found(client, "zorg mensen") == ["zorg"]
    assert found(client, "de zorg") == ["zorg"]
    assert found(client, "zorg voor de mensen") == ["zorg"]
    assert found(client, "the organizations") == ["leading"]


def test_compounds_are_found_by_their_parts(content: ContentFolder, serve: Serve) -> None:
    write_assignment(
        content,
        "vakmanschap",
        title="Vakmanschapsontwikkeling in de zorg",
        summary="Een traject voor zorgprofessionals.",
    )
    write_post(content, "ander", "Iets over de wijk.")
    client = serve()
    for query in ("vakmanschap", "ontwikkeling", "vakmanschapsontwikkeling"):
        body = search(client, query)
        assert slugs(body) == ["vakmanschap"], query
        assert body["fuzzy"] is False
        assert marked(body["data"][0]["title_html"]) == ["Vakmanschapsontwikkeling"]


def test_a_compound_with_a_linking_s_is_found_by_its_head(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(content, "kwaliteit", "Werken aan kwaliteitszorg.", title="Zorg in de wijk")
    client = serve()
    body = search(client, "kwaliteit")
    assert slugs(body) == ["kwaliteit"]
    assert body["fuzzy"] is False
    assert body["suggestion"] is None


def test_english_documents_are_found_by_english_word_forms(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(
        content,
        "leading",
        "How organizations learn by running small experiments.",
        title="Leading organizations",
        more="lang: en",
    )
    write_post(content, "nederlands", "Hoe organisaties leren van kleine experimenten.")
    client = serve()
    for query in ("organization", "organizations", "run", "runs"):
        assert found(client, query) == ["leading"], query
    hit = search(client, "organization")["data"][0]
    assert marked(hit["title_html"]) == ["organizations"]
    assert marked(hit["snippets"][0])[0] == "organizations"


# --- field weights ----------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_body_match(content: ContentFolder, serve: Serve) -> None:
    write_assignment(
        content,
        "in-de-tekst",
        title="Samenwerken in de buurt",
        body="Een verhaal over ketenregie in de wijk.",
    )
    write_assignment(
        content,
        "in-de-titel",
        title="Ketenregie in de wijk",
        body="Een verhaal over samenwerken in de buurt.",
    )
    client = serve()
    hits = search(client, "ketenregie")["data"]
    assert [hit["slug"] for hit in hits] == ["in-de-titel", "in-de-tekst"]
    assert hits[0]["score"] > hits[1]["score"]


def test_a_summary_match_ranks_above_a_body_match(content: ContentFolder, serve: Serve) -> None:
    write_assignment(
        content,
        "in-de-tekst",
        title="Een opdracht",
        summary="Samenwerken in de buurt met bewoners.",
        body="Een verhaal over ketenregie in de wijk met bewoners.",
    )
    write_assignment(
        content,
        "in-de-samenvatting",
        title="Een opdracht",
        summary="Ketenregie in de wijk met bewoners.",
        body="Een verhaal over samenwerken in de buurt met bewoners.",
    )
    client = serve()
    hits = search(client, "ketenregie")["data"]
    assert [hit["slug"] for hit in hits] == ["in-de-samenvatting", "in-de-tekst"]
    assert hits[0]["score"] > hits[1]["score"]


# --- query syntax -----------------------------------------------------------------------------


def test_a_phrase_matches_the_words_together_only(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "samen", "Het werk van zelfsturende teams in de wijk.")
    write_post(content, "apart", "Zelfsturende professionals vormen later ook kleine teams.")
    client = serve()
    body = search(client, '"zelfsturende teams"')
    assert slugs(body) == ["samen"]
    assert set(marked(body["data"][0]["snippets"][0])) == {"zelfsturende", "teams"}
    assert sorted(found(client, "zelfsturende teams")) == ["apart", "samen"]
    assert found(client, '"teams zelfsturende"') == []


def test_a_phrase_with_a_stop_word_inside_matches(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "zorg", "Goede zorg voor de mensen in de wijk.")
    client = serve()
    assert found(client, '"zorg voor de mensen"') == ["zorg"]


def test_minus_excludes_words_and_phrases(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "wijk", "Ketenregie in de wijk.")
    write_post(content, "jeugd", "Ketenregie in de jeugdzorg.")
    write_post(content, "teams", "Ketenregie voor zelfsturende teams.")
    write_post(content, "los", "Ketenregie met teams die zelfsturend zijn.")
    client = serve()
    assert sorted(found(client, "ketenregie")) == ["jeugd", "los", "teams", "wijk"]
    assert sorted(found(client, "ketenregie -jeugdzorg")) == ["los", "teams", "wijk"]
    assert sorted(found(client, 'ketenregie -"zelfsturende teams"')) == ["jeugd", "los", "wijk"]
    assert sorted(found(client, "ketenregie -teams -jeugdzorg")) == ["wijk"]
    # Exclusions are analysed like words: the singular excludes the plural.
    assert sorted(found(client, "ketenregie -team")) == ["jeugd", "wijk"]


def test_a_star_completes_a_prefix(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "regie", "Over ketenregie in de wijk.")
    write_post(content, "ander", "Over kettingzagen.")
    client = serve()
    assert found(client, "ketenre") == []
    body = search(client, "ketenre*")
    assert slugs(body) == ["regie"]
    assert set(marked(body["data"][0]["snippets"][0])) == {"ketenregie"}


def test_a_typo_in_a_long_word_is_tolerated(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "dilemma", "Een ethisch dilemma.", title="Het dilemma")
    write_post(content, "vakmanschap", "Over vakmanschap.", title="Vakmanschap")
    client = serve()
    for typo, word, title_mark in (
        ("dilemna", "dilemma", "dilemma"),
        ("vakmanscap", "vakmanschap", "Vakmanschap"),
    ):
        body = search(client, typo)
        assert slugs(body) == [word], typo
        assert body["fuzzy"] is True
        assert body["suggestion"] == word
        assert marked(body["data"][0]["title_html"]) == [title_mark]


def test_a_typo_next_to_a_prefix_gets_a_suggestion(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "beide", "Over vakmanschap en ketenregie.")
    write_post(content, "een", "Over vakmanschap alleen.")
    client = serve()
    body = search(client, "vakmanschsp ketenr*")
    assert slugs(body) == ["beide"]
    assert body["fuzzy"] is True
    assert body["suggestion"] == "vakmanschap ketenr*"


def test_an_exact_match_is_not_fuzzy(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "dilemma", "Een ethisch dilemma.")
    client = serve()
    body = search(client, "dilemma")
    assert body["fuzzy"] is False
    assert body["suggestion"] is None


def test_a_correct_word_found_through_stemming_is_not_a_typo(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(content, "een", "Wij werken samen.")
    write_post(content, "twee", "Zij werken hard.")
    write_post(content, "drie", "Hij merkt het verschil.")
    client = serve()
    body = search(client, "werkt")
    assert sorted(slugs(body)) == ["een", "twee"]
    assert body["fuzzy"] is False
    assert body["suggestion"] is None


def test_did_you_mean_when_nothing_matches(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "teams", "Over zelfsturende teams in de wijk.")
    client = serve()
    body = search(client, '"zelfsturnde teams"')
    assert body["data"] == []
    assert body["meta"]["total"] == 0
    assert body["suggestion"] == '"zelfsturende teams"'
    assert found(client, body["suggestion"]) == ["teams"]


def test_no_suggestion_for_gibberish(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "teams", "Over zelfsturende teams in de wijk.")
    client = serve()
    body = search(client, "qxzvbnmwkrt")
    assert body["data"] == []
    assert body["suggestion"] is None
    assert body["fuzzy"] is False


# --- hostile input ----------------------------------------------------------------------------

HOSTILE_QUERIES = [
    '"zelfsturende teams',
    'teams"',
    '"',
    '""',
    "AND",
    "OR",
    "teams AND OR NOT",
    "-",
    "*",
    "+",
    "teams +",
    "- * + && || !",
    "title:teams",
    "teams~2",
    "teams^3",
    "[a TO z]",
    "{a TO z}",
    "(",
    "(teams",
    "teams)",
    "' OR 1=1; --",
    "'; DROP TABLE documents; --",
    "\\",
    "teams\\",
    "%",
    "%00",
    "\x00",
    "teams\x00wijk",
    "\x01\x02\x1b[31m teams",
    "\u200b\u200d\ufeff",
    "\u202eteams\u202c",
    "😀",
    "😀 teams 👩‍👩‍👧",
    "مرحبا بالعالم",
    "שלום teams",
    "𝕥𝕖𝕒𝕞𝕤",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "teams <b>vet</b>",
    "javascript:alert(1)",
    "&lt;script&gt;",
    "x" * 500,
    "teams " * 32,
    "teams " * 33,
    "*teams*",
    "te*ms",
    "-teams*",
]


def test_hostile_queries_answer_200_or_a_problem(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "teams", "Over zelfsturende teams in de wijk.", title="Zelfsturende teams")
    client = serve()
    failures = []
    for query in HOSTILE_QUERIES:
        for path in ("/search", "/search/suggest"):
            response = client.get(path, params={"q": query})
            try:
                _assert_safe_response(response)
            except AssertionError as error:
                failures.append(f"{path} {query!r}: {error}")
    assert failures == []


def _assert_safe_response(response: httpx.Response) -> None:
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["detail"]
    assert_safe_html(response.text)


def test_hostile_raw_urls_answer_200_or_a_problem(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "teams", "Over zelfsturende teams.")
    client = serve()
    for raw in ("%FF%FE", "%ED%A0%80", "teams%C0", "%00", "teams&q=wijk", "%3Cscript%3E"):
        for path in ("/search", "/search/suggest"):
            _assert_safe_response(client.get(f"{path}?q={raw}"))


def test_overlong_queries_are_a_problem_that_says_why(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "teams", "Over zelfsturende teams.")
    client = serve()
    assert search(client, "t" * 500)["data"] == []
    for length in (501, 10_000):
        problem = assert_problem(client.get("/search", params={"q": "t" * length}), 400)
        messages = [problem["detail"], *(error["message"] for error in problem.get("errors", []))]
        assert any("500" in message for message in messages), problem
    too_many = assert_problem(client.get("/search", params={"q": "teams " * 33}), 400)
    assert "32" in too_many["detail"]


def test_nothing_to_search_for_is_a_problem(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "teams", "Over zelfsturende teams.")
    client = serve()
    assert_problem(client.get("/search"), 400)
    assert_problem(client.get("/search", params={"q": ""}), 400)
    for query in ("   ", "AND", '""', "(", "*"):
        problem = assert_problem(client.get("/search", params={"q": query}), 400)
        assert "no words" in problem["detail"], query


def test_only_exclusions_is_a_problem_naming_the_reason(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(content, "teams", "Over zelfsturende teams.")
    client = serve()
    for query in ("-zorg", '-"zelfsturende teams"', "-zorg -wijk"):
        problem = assert_problem(client.get("/search", params={"q": query}), 400)
        assert "only excludes" in problem["detail"], query


def test_markup_in_documents_is_escaped_in_titles_and_snippets(
    content: ContentFolder, serve: Serve
) -> None:
    write_assignment(
        content,
        "markup",
        title="'<script>alert(1)</script> ketenregie <img src=x onerror=alert(2)>'",
        summary="'Ketenregie <img src=x onerror=alert(3)> en <b>meer</b>.'",
        body="Code: `<script>alert(4)</script>` over ketenregie & zo.",
    )
    write_post(
        content,
        "ook-markup",
        "Raw <script>alert(5)</script> en <img src=x onerror=alert(6)> over ketenregie.",
        title="'Ketenregie <i>schuin</i>'",
    )
    client = serve()
    for query in ("ketenregie", "script", "alert", "img onerror", "ketenregie <script>"):
        body = search(client, query)
        assert body["data"], query
        for hit in body["data"]:
            assert_safe_html(hit["title_html"])
            for text in hit["snippets"]:
                assert_safe_html(text)
    hits = {hit["slug"]: hit for hit in search(client, "ketenregie")["data"]}
    markup = hits["markup"]
    assert markup["title"] == "<script>alert(1)</script> ketenregie <img src=x onerror=alert(2)>"
    assert markup["title_html"] == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>ketenregie</mark> "
        "&lt;img src=x onerror=alert(2)&gt;"
    )
    assert "&lt;img src=x onerror=alert(3)&gt;" in markup["snippets"][0]
    assert hits["ook-markup"]["title_html"] == "<mark>Ketenregie</mark> &lt;i&gt;schuin&lt;/i&gt;"


def test_the_suggestion_does_not_echo_typed_markup(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "vakmanschap", "Over vakmanschap en wijk.")
    client = serve()
    response = client.get("/search", params={"q": "vakmanschsp <b>wijk</b>"})
    body = response.json()
    assert body["suggestion"] == "vakmanschap b wijk b" or body["suggestion"] is None
    assert "<" not in (body["suggestion"] or "")
    assert_safe_html(response.text)


def test_a_snippet_does_not_repeat_the_first_paragraph(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(content, "bericht", "Eerste alinea over ketenregie.\n\nTweede alinea.")
    client = serve()
    text = search(client, "ketenregie")["data"][0]["snippets"][0]
    assert text.count("Eerste alinea") == 1, text


# --- visibility -------------------------------------------------------------------------------


def test_drafts_are_never_found(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "openbaar", "Over ketenregie.", tags="[wijk]")
    write_post(
        content,
        "concept",
        "Over ketenregie en het geheimproject.",
        title="Geheimproject concept",
        tags="[geheim]",
        more="draft: true",
    )
    write_assignment(
        content, "concept-opdracht", title="Ketenregie geheimproject", more="draft: true"
    )
    client = serve()
    body = search(client, "ketenregie")
    assert slugs(body) == ["openbaar"]
    assert facet(body, "tags") == {"wijk": 1}
    assert facet(body, "type") == {"post": 1}
    assert found(client, "geheimproject") == []
    assert search(client, "geheimprojekt")["suggestion"] is None
    assert suggest(client, "geheimpr") == []


def test_a_post_scheduled_for_later_is_hidden_everywhere(
    content: ContentFolder, serve: Serve
) -> None:
    write_post(content, "openbaar", "Over ketenregie.", tags="[wijk]")
    write_post(
        content,
        "gepland",
        "Over ketenregie en zonnebloemvelden.",
        title="Zonnebloemvelden later",
        tags="[toekomst]",
        more="publish_at: 2099-01-15T09:00:00+01:00",
    )
    client = serve()
    body = search(client, "ketenregie")
    assert slugs(body) == ["openbaar"]
    assert body["meta"]["total"] == 1
    assert facet(body, "tags") == {"wijk": 1}
    assert facet(body, "type") == {"post": 1}
    assert facet(body, "year") == {2024: 1}
    assert found(client, "zonnebloemvelden") == []
    assert found(client, "ketenregie", tag="toekomst") == []
    assert search(client, "zonnebloemveldn")["suggestion"] is None
    assert suggest(client, "zonneb") == []


def _schedule(content: ContentFolder, seconds: float) -> dt.datetime:
    """A post hidden for ``seconds``, with words nothing else has."""
    # Start-up loads the compound word list once per process: do it before the clock runs.
    split_compound("vakmanschapsontwikkeling")
    publish_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    write_post(content, "openbaar", "Over ketenregie.", tags="[wijk]")
    write_post(
        content,
        "gepland",
        "Over ketenregie en zonnebloemvelden.",
        title="Zonnebloemvelden verschijnen",
        tags="[later]",
        more=f"publish_at: {publish_at.isoformat(timespec='milliseconds')}",
    )
    return publish_at


def test_a_scheduled_post_becomes_findable_without_a_restart(
    content: ContentFolder, serve: Serve
) -> None:
    publish_at = _schedule(content, 2.5)
    client = serve()
    assert dt.datetime.now(dt.UTC) < publish_at, "start-up took too long to see it hidden"
    assert found(client, "zonnebloemvelden") == []
    assert titles(suggest(client, "zonneb")) == []

    wait_for(
        lambda: found(client, "zonnebloemvelden") == ["gepland"],
        10,
        "the scheduled post was not found",
    )
    assert dt.datetime.now(dt.UTC) >= publish_at, "found before its time"
    body = search(client, "ketenregie")
    assert sorted(slugs(body)) == ["gepland", "openbaar"]
    assert facet(body, "tags") == {"wijk": 1, "later": 1}
    assert titles(suggest(client, "zonneb")) == [
        ("Zonnebloemvelden verschijnen", "post", "gepland")
    ]


def test_a_published_scheduled_posts_words_are_completed(
    content: ContentFolder, serve: Serve
) -> None:
    _schedule(content, 2.0)
    client = serve()
    wait_for(
        lambda: found(client, "zonnebloemvelden") == ["gepland"],
        10,
        "the scheduled post was not found",
    )
    assert "zonnebloemvelden" in words(suggest(client, "zonneb"))


# --- suggest ----------------------------------------------------------------------------------


def test_suggest_completes_the_last_word(content: ContentFolder, serve: Serve) -> None:
    write_assignment(
        content,
        "vakmanschap",
        title="Vakmanschap in de wijk",
        summary="Vakmanschap en vakmanschap.",
        body="Werken aan vakmanschap.",
    )
    write_post(content, "ontwikkeling", "Over vakmanschapsontwikkeling.", date="2024-06-01")
    write_post(content, "vakantie", "Over de vakantie.", title="Na de vakantie")
    client = serve()
    completions = suggest(client, "vakma")
    assert words(completions)[:2] == ["vakmanschap", "vakmanschapsontwikkeling"]
    assert all(item["count"] >= 1 for item in completions if item["kind"] == "word")
    assert completions[0]["count"] == 2  # documents, not occurrences
    assert "vakantie" not in words(completions)
    assert titles(completions) == [("Vakmanschap in de wijk", "assignment", "vakmanschap")]
    assert [item["kind"] for item in completions] == ["word", "word", "title"]

    earlier = suggest(client, "actie  vakma")
    assert words(earlier)[:2] == ["actie vakmanschap", "actie vakmanschapsontwikkeling"]
    assert titles(earlier) == titles(completions)


def test_suggest_titles_by_any_word_and_newest_first(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "oud", "Tekst.", title="Ketenregie toen", date="2020-01-01")
    write_post(content, "nieuw", "Tekst.", title="Ketenregie nu", date="2024-01-01")
    write_post(content, "midden", "Tekst.", title="Regie op de keten", date="2022-01-01")
    client = serve()
    assert titles(suggest(client, "keten")) == [
        ("Ketenregie nu", "post", "nieuw"),
        ("Regie op de keten", "post", "midden"),
        ("Ketenregie toen", "post", "oud"),
    ]
    assert titles(suggest(client, "keten", limit=1)) == [("Ketenregie nu", "post", "nieuw")]


def test_suggest_ignores_accents(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "raad", "Gesprekken met cliënten.", title="Cliënten aan het woord")
    client = serve()
    for typed in ("clie", "CLIË", "cliën"):
        completions = suggest(client, typed)
        assert words(completions) == ["cliënten"], typed
        assert titles(completions) == [("Cliënten aan het woord", "post", "raad")], typed


def test_suggest_keeps_the_accents_of_the_content(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "raad", "Gesprekken met cliënten.", title="De cliëntenraad")
    client = serve()
    assert "clienten" not in words(suggest(client, "clie"))


def test_suggest_limit_is_per_kind(content: ContentFolder, serve: Serve) -> None:
    for number in range(12):
        write_post(
            content, f"bericht-{number}", f"Over wijkteam{'s' * number}x.", title=f"Wijk {number}"
        )
    client = serve()
    completions = suggest(client, "wijk", limit=3)
    assert len(words(completions)) == 3
    assert len(titles(completions)) == 3
    completions = suggest(client, "wijk", limit=10)
    assert len(words(completions)) == 10
    assert len(titles(completions)) == 10
    assert len(titles(suggest(client, "wijk"))) == 5


def test_suggest_bounds(content: ContentFolder, serve: Serve) -> None:
    write_post(content, "bericht", "Over vakmanschap.")
    client = serve()
    assert suggest(client, "qxzv") == []
    for params in ({"q": "vak", "limit": 0}, {"q": "vak", "limit": 11}, {"q": ""}, {}):
        assert_problem(client.get("/search/suggest", params=params), 400)
    problem = assert_problem(client.get("/search/suggest", params={"q": "v" * 501}), 400)
    assert any("500" in error["message"] for error in problem["errors"])


# --- new generations --------------------------------------------------------------------------


def test_a_new_index_generation_is_picked_up(
    content: ContentFolder, settings: Settings, serve: Serve
) -> None:
    write_post(content, "eerste", "Over ketenregie.")
    client = serve()
    assert found(client, "nieuwbouwproject") == []
    write_post(content, "tweede", "Over ketenregie bij een nieuwbouwproject.")
    asyncio.run(build_index(settings))
    wait_for(
        lambda: found(client, "nieuwbouwproject") == ["tweede"],
        5,
        "the new generation's document was not found",
    )
    assert sorted(found(client, "ketenregie")) == ["eerste", "tweede"]
    assert "nieuwbouwproject" in words(suggest(client, "nieuwbouw"))
