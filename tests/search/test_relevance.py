"""Search relevance over the bundled sample content: hand-judged Dutch queries, scored.

Every expectation below was chosen by a person reading the documents in
``content/``, not copied from what the engine returns. A case lists the
documents that would satisfy someone typing the query; the score is the
reciprocal rank of the first of them in the top 10, and whether it made the
top 3. Queries the engine gets wrong stay in the set: they are the work list.

Run ``pytest tests/search/test_relevance.py -s`` to see the table.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from caseapi.api.app import create_app
from caseapi.settings import Settings
from tests.paths import ROOT

Client = TestClient[Litestar]

CONTENT = ROOT / "content"
RANKED = 10
MRR_FLOOR = 0.80
TOP3_FLOOR = 0.90

# Published assignments.
BURGER = "burgerparticipatie-in-de-wijk"
RAAD = "een-sterke-clientenraad"
DOCENT = "intervisie-voor-docenten"
KETEN = "ketensamenwerking-jeugdzorg"
KLACHT = "klachtenafhandeling-als-leerbron"
LEIDER = "leiderschap-in-een-lerende-uitvoeringsorganisatie"
RUIMTE = "professionele-ruimte-in-het-basisonderwijs"
FUSIE = "samen-een-organisatie-na-een-fusie"
CIZ = "vakmanschapsontwikkeling-door-actieonderzoek"
VISIO = "vraaggestuurde-professionaliteit"
THUIS = "zelfsturende-teams-in-de-thuiszorg"
# Published posts.
ACTIE = "actieonderzoek-uitgelegd"
BOEK = "boekrecensie-the-reflective-practitioner"
DILEMMA = "dilemmas-in-de-zorg"
TWINTIG = "twintig-jaar-vraagsturing"
VIER = "vier-intervisiemethoden"
VAK = "wat-is-vakmanschap"
WELKOM = "welkom-joost-bakker"
WHY = "why-action-research-works-in-public-service"
# Never to be found: a draft assignment, a draft post, a post scheduled for 2030.
HIDDEN = (
    "moreel-beraad-in-de-gehandicaptenzorg",
    "zelfsturing-zonder-spijt",
    "webinar-intervisie-in-het-onderwijs",
)

BY_MARIEKE = (DILEMMA, VIER, RAAD, DOCENT, CIZ, THUIS)
BY_HENK = (ACTIE, TWINTIG, WELKOM, BURGER, KLACHT, RUIMTE, FUSIE, VISIO)
BY_JOOST = (WELKOM, BOEK, VAK, WHY, KETEN, LEIDER)


class Case(NamedTuple):
    """A query, the documents that answer it, and what it exercises."""

    kind: str
    query: str
    expected: tuple[str, ...]
    # Documents the query syntax rules out (exclusions): never in the hits.
    never: tuple[str, ...] = ()


CASES = (
    # Plain topic words.
    Case("topic", "klachtenafhandeling", (KLACHT,)),
    Case("topic", "burgerparticipatie", (BURGER,)),
    Case("topic", "intervisie", (DOCENT, VIER)),
    Case("topic", "actieonderzoek", (ACTIE, CIZ)),
    Case("topic", "vraagsturing", (VISIO, TWINTIG)),
    Case("topic", "fusie", (FUSIE,)),
    Case("topic", "jeugdzorg", (KETEN,)),
    Case("topic", "medezeggenschap", (RAAD,)),
    Case("topic", "leiderschap", (LEIDER,)),
    Case("topic", "basisonderwijs", (RUIMTE,)),
    Case("topic", "boekrecensie", (BOEK,)),
    Case("topic", "huurders", (KLACHT,)),
    Case("topic", "casusregie", (KETEN,)),
    Case("topic", "vakmanschap", (VAK, CIZ)),
    # Several words.
    Case("multi", "moreel beraad", (DILEMMA,)),
    Case("multi", "zelfsturende teams thuiszorg", (THUIS,)),
    Case("multi", "intervisie docenten", (DOCENT,)),
    Case("multi", "professionele ruimte leerkrachten", (RUIMTE,)),
    Case("multi", "wijkteams ketenpartners", (KETEN,)),
    Case("multi", "klachten van huurders", (KLACHT,)),
    Case("multi", "leiderschap uitvoering maatwerk", (LEIDER,)),
    Case("multi", "cultuur twee organisaties", (FUSIE,)),
    Case("multi", "persoonsgerichte zorg eigen regie", (TWINTIG,)),
    # Inflected forms: plurals, singulars, verb forms.
    Case("inflection", "zelfsturend team", (THUIS,)),
    Case("inflection", "wijktafels begeleidden", (BURGER,)),
    Case("inflection", "teamcoaches begeleiden", (THUIS,)),
    Case("inflection", "leiderschap ontwikkelde", (LEIDER,)),
    Case("inflection", "dilemma", (DILEMMA, VISIO)),
    Case("inflection", "gezin", (KETEN,)),
    Case("inflection", "wijktafel", (BURGER,)),
    Case("inflection", "huiskamergesprek", (RAAD,)),
    Case("inflection", "werkconferentie", (VISIO,)),
    Case("inflection", "klachtgesprek", (KLACHT,)),
    Case("inflection", "verpleeghuis", (RAAD,)),
    Case("inflection", "schoolleider", (RUIMTE,)),
    # Accented words typed without accents (and één typed as een).
    Case("accent", "clientenraad", (RAAD,)),
    Case("accent", "clienten vraagsturing", (VISIO, TWINTIG)),
    Case("accent", "ideeen bewoners", (BURGER,)),
    Case("accent", "coordinatie", (KETEN,)),
    Case("accent", "samen een organisatie", (FUSIE,)),
    Case("accent", "een gezin een plan een regisseur", (KETEN,)),
    Case("accent", "geevalueerd", (KETEN,)),
    Case("accent", "hierarchische organisatie", (THUIS,)),
    Case("accent", "casuistiek", (KETEN, LEIDER)),
    Case("accent", "continuiteit", (THUIS,)),
    Case("accent", "Donald Schon", (BOEK,)),
    # Apostrophes.
    Case("apostrophe", "dilemma's", (DILEMMA, VISIO)),
    Case("apostrophe", "dilemmas", (DILEMMA, VISIO)),
    Case("apostrophe", "thema's bewoners", (BURGER,)),
    Case("apostrophe", "ervaren collega's intervisie", (DOCENT,)),
    Case("apostrophe", "beoordelingsdilemma's", (DOCENT,)),
    # Parts of compound words.
    Case("compound", "vakmanschap ontwikkeling", (CIZ,)),
    Case("compound", "samenwerking keten", (KETEN,)),
    Case("compound", "participatie burgers", (BURGER,)),
    Case("compound", "afhandeling klachten", (KLACHT,)),
    Case("compound", "raad cliënten", (RAAD,)),
    Case("compound", "jeugd zorg", (KETEN,)),
    Case("compound", "organisatie uitvoering", (LEIDER, CIZ)),
    Case("compound", "methoden intervisie", (VIER,)),
    Case("compound", "professionalisering beleid", (RUIMTE, DOCENT)),
    Case("compound", "zeggenschap", (RAAD,)),
    Case("compound", "klachten procedure", (KLACHT,)),
    Case("compound", "panel bewoners", (BURGER,)),
    Case("compound", "agenda wijk", (BURGER,)),
    # Clients.
    Case("client", "CIZ", (CIZ,)),
    Case("client", "Visio", (VISIO,)),
    Case("client", "Huis te Echten", (VISIO,)),
    Case("client", "Meerzicht", (RAAD,)),
    Case("client", "Woonstichting Het Anker", (KLACHT,)),
    Case("client", "gemeente Oosterveld", (BURGER,)),
    Case("client", "Jeugdhulp Rivierenland", (KETEN,)),
    Case("client", "Waalbergen", (KETEN,)),
    Case("client", "Thuiszorg De Linde", (THUIS,)),
    Case("client", "Hogeschool IJsselland", (DOCENT,)),
    Case("client", "Landelijk Bureau Vergunningverlening", (LEIDER,)),
    Case("client", "Samenkracht", (FUSIE,)),
    Case("client", "De Brug", (RUIMTE,)),
    # Authors (posts) and contacts (assignments).
    Case("author", "Joost Bakker", BY_JOOST),
    Case("author", "Marieke de Vries", BY_MARIEKE),
    Case("author", "Henk Wedman", BY_HENK),
    # Tags.
    Case("tag", "cliëntgerichtheid", (RAAD, KLACHT, THUIS, TWINTIG)),
    Case("tag", "verandermanagement", (BURGER, LEIDER, FUSIE, CIZ, ACTIE, WHY)),
    Case("tag", "professionele identiteit", (VAK, CIZ)),
    Case("tag", "wijkaanpak", (BURGER,)),
    Case("tag", "organisatiecultuur", (FUSIE,)),
    Case("tag", "teamontwikkeling", (DOCENT, FUSIE, THUIS, VIER)),
    # One letter wrong, missing or extra in a word of six letters or more.
    Case("typo", "klachtenafhandling", (KLACHT,)),
    Case("typo", "burgerparticpatie", (BURGER,)),
    Case("typo", "intervsie", (DOCENT, VIER)),
    Case("typo", "vakmanshap", (VAK, CIZ)),
    Case("typo", "jeugdzorgg", (KETEN,)),
    Case("typo", "medezegenschap", (RAAD,)),
    Case("typo", "thuiszork", (THUIS,)),
    Case("typo", "vraagsturring", (VISIO, TWINTIG)),
    Case("typo", "actieonderzok", (ACTIE, CIZ)),
    Case("typo", "Oosterfeld", (BURGER,)),
    Case("typo", "zelfsturnde teams", (THUIS,)),
    Case("typo", "cliëntenraaad", (RAAD,)),
    # Prefixes.
    Case("prefix", "vakma*", (VAK, CIZ)),
    Case("prefix", "klacht*", (KLACHT,)),
    Case("prefix", "burgerpart*", (BURGER,)),
    Case("prefix", "intervisiem*", (VIER,)),
    Case("prefix", "ketens*", (KETEN,)),
    Case("prefix", "zelfstur*", (THUIS,)),
    Case("prefix", "medezeg*", (RAAD,)),
    # Phrases.
    Case("phrase", '"zelfsturende teams"', (THUIS,)),
    Case("phrase", '"moreel beraad"', (DILEMMA,)),
    Case("phrase", '"professionele ruimte"', (RUIMTE,)),
    Case("phrase", '"de regels zijn gelijk"', (CIZ,)),
    Case("phrase", '"kastje naar de muur"', (KLACHT,)),
    Case("phrase", '"reflective practitioner"', (BOEK,)),
    # Exclusions.
    Case("exclusion", "intervisie -onderwijs", (VISIO, BOEK), never=(DOCENT, VIER)),
    Case("exclusion", "actieonderzoek -CIZ", (KETEN, LEIDER), never=(CIZ, ACTIE, WHY)),
    Case("exclusion", "participatie -burgerparticipatie", (RAAD, KETEN), never=(BURGER,)),
    Case("exclusion", "vraagsturing -Visio", (DILEMMA,), never=(VISIO, TWINTIG)),
    Case("exclusion", '"moreel beraad" -dilemma', (VAK,), never=(DILEMMA,)),
    # Natural questions, mostly stop words.
    Case("question", "hoe betrek je bewoners bij de wijk", (BURGER,)),
    Case("question", "wat is actieonderzoek", (ACTIE,)),
    Case("question", "wat is vakmanschap", (VAK,)),
    Case("question", "hoe kies je een intervisiemethode", (VIER,)),
    Case("question", "hoe maak je van klachten een leerbron", (KLACHT,)),
    Case("question", "wat doe je met dilemma's in de zorg", (DILEMMA,)),
    Case("question", "wie beoordeelt toegang tot de WLZ", (CIZ,)),
    Case("question", "hoe krijgen teams zelfsturing in de vingers", (THUIS,)),
    Case("question", "waar loopt de keten vast", (KETEN,)),
    Case("question", "welke rol speelt de schoolleider", (RUIMTE,)),
    Case("question", "wat heeft vraagsturing opgeleverd", (TWINTIG,)),
    # English: the one ``lang: en`` post, and an English title in a Dutch post.
    Case("english", "action research", (WHY,)),
    Case("english", "professional judgement", (WHY,)),
    Case("english", "why action research works", (WHY,)),
    Case("english", "public service organisations", (WHY,)),
    Case("english", "training programme", (WHY,)),
    Case("english", "reflective practitioner", (BOEK,)),
)

# Queries made of the words of the unpublished documents: those must stay unfound.
UNPUBLISHED_QUERIES = (
    "moreel beraad gehandicaptenzorg",
    "gehandicaptenzorg",
    "gehandicaptenzorgg",
    "Stichting De Zonnehoek",
    "gespreksleiders dilemmamethode",
    "socratische gespreksvorm",
    "webinar",
    "webin*",
    "intervisie onderwijs docenten",
    "donderdag 7 februari",
    "aanmeldformulier",
    "zelfsturing zonder spijt",
    "ingrediënten",
    "misverstand zelfsturing",
    '"elkaar aanspreken"',
)


class Outcome(NamedTuple):
    """Where a case's first expected document ranked (0: not in the top 10)."""

    case: Case
    rank: int
    found: list[str]

    @property
    def reciprocal_rank(self) -> float:
        return 1 / self.rank if self.rank else 0.0

    @property
    def top3(self) -> bool:
        return 0 < self.rank <= 3


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The real app over a copy of the sample content, indexed once for this module."""
    root = tmp_path_factory.mktemp("relevance")
    shutil.copytree(CONTENT, root / "content")
    settings = Settings(content_dir=root / "content", index_dir=root / "index")
    with TestClient(app=create_app(settings)) as test_client:
        yield test_client


def found(client: Client, query: str, limit: int = RANKED) -> list[str]:
    """Slugs of the hits for ``query``, best first."""
    response = client.get("/search", params={"q": query, "limit": limit})
    assert response.status_code == 200, f"{query!r}: {response.text}"
    body: dict[str, Any] = response.json()
    return [hit["slug"] for hit in body["data"]]


def judge(case: Case, hits: list[str]) -> Outcome:
    ranks = [position for position, slug in enumerate(hits, 1) if slug in case.expected]
    return Outcome(case, ranks[0] if ranks else 0, hits)


def table(outcomes: list[Outcome]) -> str:
    """One line per query, misses marked, then the totals."""
    lines = [f"{'kind':<10} {'query':<44} {'rank':>4}  expected (first of)  /  got top 3"]
    for outcome in outcomes:
        case = outcome.case
        rank = str(outcome.rank) if outcome.rank else "-"
        mark = "  " if outcome.top3 else "!!"
        expected = case.expected[0] + (f" (+{len(case.expected) - 1})" if case.expected[1:] else "")
        line = f"{case.kind:<10} {case.query:<44} {rank:>4} {mark} {expected}"
        if not outcome.top3:
            line += f"  /  {', '.join(outcome.found[:3]) or 'nothing'}"
        lines.append(line)
    mrr = sum(outcome.reciprocal_rank for outcome in outcomes) / len(outcomes)
    top3 = sum(outcome.top3 for outcome in outcomes) / len(outcomes)
    misses = sum(not outcome.top3 for outcome in outcomes)
    lines.append(
        f"{len(outcomes)} queries: MRR {mrr:.3f} (floor {MRR_FLOOR}), "
        f"top-3 rate {top3:.3f} (floor {TOP3_FLOOR}), {misses} below the top 3"
    )
    return "\n".join(lines)


def test_the_judgements_name_published_documents() -> None:
    published = {path.stem for path in CONTENT.glob("*/*.md")} - set(HIDDEN)
    assert len(CASES) >= 45
    assert len({case.query for case in CASES}) == len(CASES)
    for case in CASES:
        assert set(case.expected) <= published, case
        assert set(case.never) <= published, case
        assert not set(case.expected) & set(case.never), case


def test_unpublished_documents_are_never_found(client: Client) -> None:
    queries = [*UNPUBLISHED_QUERIES, *(case.query for case in CASES)]
    leaks = {
        query: shown
        for query in queries
        if (shown := [slug for slug in found(client, query, limit=50) if slug in HIDDEN])
    }
    assert not leaks


def test_excluded_words_keep_documents_out(client: Client) -> None:
    leaks = {
        case.query: shown
        for case in CASES
        if case.never
        if (shown := [slug for slug in found(client, case.query, limit=50) if slug in case.never])
    }
    assert not leaks


def test_relevance_meets_the_floor(
    client: Client, record_property: Callable[[str, object], None]
) -> None:
    outcomes = [judge(case, found(client, case.query)) for case in CASES]
    summary = table(outcomes)
    print("\n" + summary)
    mrr = sum(outcome.reciprocal_rank for outcome in outcomes) / len(outcomes)
    top3 = sum(outcome.top3 for outcome in outcomes) / len(outcomes)
    record_property("mrr", round(mrr, 3))
    record_property("top3_rate", round(top3, 3))
    assert mrr >= MRR_FLOOR, "\n" + summary
    assert top3 >= TOP3_FLOOR, "\n" + summary
