"""frontmatter.split (line numbers, the small YAML schema) and validation.convert_fields."""

from __future__ import annotations

import textwrap

import pytest

from caseapi.content.fields import convert_fields
from caseapi.content.frontmatter import MAX_FRONT_MATTER_BYTES, FrontMatterError, Yaml11Word, split
from caseapi.models import Period, Publication


def fm(text: str) -> str:
    return textwrap.dedent(text)


# --- split: structure and line numbers -----------------------------------------------------

NESTED = fm(
    """\
    ---
    title: Vraaggestuurde professionaliteit
    period:
      start: 2003-10
      end: 2004-12
    clients:
      - Visio
      - Huis te Echten
    publications:
      - title: Eindrapport
        url: https://example.nl/rapport
    ---
    ## Vraag

    Tekst.
    """
)


def test_split_returns_data_body_and_body_line() -> None:
    front = split(NESTED)
    assert front.data["title"] == "Vraaggestuurde professionaliteit"
    assert front.data["clients"] == ["Visio", "Huis te Echten"]
    assert front.body == "## Vraag\n\nTekst.\n"
    assert front.body_line == 13
    assert NESTED.split("\n")[front.body_line - 1] == "## Vraag"


def test_split_records_lines_of_nested_keys_and_items() -> None:
    lines = split(NESTED).lines
    assert lines[("title",)] == 2
    assert lines[("period",)] == 3
    assert lines[("period", "start")] == 4
    assert lines[("period", "end")] == 5
    assert lines[("clients",)] == 6
    assert lines[("clients", 0)] == 7
    assert lines[("clients", 1)] == 8
    assert lines[("publications", 0)] == 10
    assert lines[("publications", 0, "title")] == 10
    assert lines[("publications", 0, "url")] == 11


def test_split_lines_in_flow_style_point_at_the_same_line() -> None:
    front = split("---\ntitle: x\nperiod: {start: 2003-10, end: 2004-12}\ntags: [a, b]\n---\n")
    assert front.lines[("period", "end")] == 3
    assert front.lines[("tags", 1)] == 4


def test_split_empty_front_matter() -> None:
    front = split("---\n---\nAlleen tekst.")
    assert front.data == {}
    assert front.body == "Alleen tekst."
    assert front.body_line == 3


def test_split_accepts_dots_as_closing_line() -> None:
    front = split("---\ntitle: x\n...\nbody")
    assert front.data == {"title": "x"}
    assert front.body == "body"


# --- split: the small YAML schema ----------------------------------------------------------


SCHEMA = fm(
    """\
    ---
    octal: 010
    time: 12:30
    float: 1.5
    date: 2024-05-01
    yes_: true
    no_: False
    nothing: null
    tilde: ~
    empty:
    word: yes
    quoted: "yes"
    off_: off
    ---
    """
)


def test_numbers_times_and_dates_stay_text() -> None:
    data = split(SCHEMA).data
    assert data["octal"] == "010"
    assert data["time"] == "12:30"
    assert data["float"] == "1.5"
    assert data["date"] == "2024-05-01"
    for key in ("octal", "time", "float", "date"):
        assert type(data[key]) is str, key


def test_true_false_null_are_typed() -> None:
    data = split(SCHEMA).data
    assert data["yes_"] is True
    assert data["no_"] is False
    assert data["nothing"] is None
    assert data["tilde"] is None
    assert data["empty"] is None


def test_yaml11_words_are_marked_text() -> None:
    data = split(SCHEMA).data
    assert isinstance(data["word"], Yaml11Word)
    assert data["word"] == "yes"
    assert isinstance(data["off_"], Yaml11Word)
    assert data["off_"] == "off"
    # Quoted, the editor clearly meant text: no marker.
    assert data["quoted"] == "yes"
    assert not isinstance(data["quoted"], Yaml11Word)


def test_yaml11_words_in_lists_are_marked() -> None:
    data = split("---\ntags: [on, No, y]\n---\n").data
    assert data["tags"] == ["on", "No", "y"]
    assert all(isinstance(item, Yaml11Word) for item in data["tags"])


# --- split: errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param("# Titel\n", 1, "does not start with front matter", id="no-front-matter"),
        pytest.param("", 1, "The file is empty", id="empty"),
        pytest.param("---\ntitle: x\n", 1, "never closed", id="unclosed"),
        pytest.param("---\ntitle: Vraag: wat?\n---\n", 2, "cannot be read", id="syntax"),
        pytest.param("---\ntitle: x\n  bad: y\n---\n", 3, "cannot be read", id="indent"),
        pytest.param("---\n- a\n- b\n---\n", 2, "'field: value'", id="list"),
        pytest.param("---\nx\n---\n", 2, "'field: value'", id="scalar"),
        pytest.param("---\na: 1\nb: 2\na: 3\n---\n", 4, "lines 2 and 4", id="duplicate"),
        pytest.param(
            "---\np:\n  start: 1\n  start: 2\n---\n", 4, "'start' appears twice", id="nested-dup"
        ),
        pytest.param("---\na: &x [1]\nb: *x\n---\n", 2, "anchors or aliases", id="alias"),
        pytest.param(
            "---\nx: " + "[" * 30 + "]" * 30 + "\n---\n", 2, "nested too deeply", id="deep"
        ),
    ],
)
def test_split_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        split(text)
    assert caught.value.line == line
    assert words in caught.value.message


def test_split_refuses_billion_laughs() -> None:
    lol = ["lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 9):
        items = ", ".join([f"*a{level - 1}"] * 9)
        lol.append(f"lol{level}: &a{level} [{items}]")
    with pytest.raises(FrontMatterError, match="anchors or aliases"):
        split("---\n" + "\n".join(lol) + "\n---\n")


def test_split_refuses_oversized_front_matter() -> None:
    text = "---\ntitle: " + "a" * MAX_FRONT_MATTER_BYTES + "\n---\n"
    with pytest.raises(FrontMatterError, match="larger than 64 KiB"):
        split(text)


def test_split_refuses_non_text_field_names() -> None:
    with pytest.raises(FrontMatterError, match="Field names must be words"):
        split("---\ntrue: x\n---\n")


# --- convert_fields ------------------------------------------------------------------------


def test_convert_valid_assignment() -> None:
    data = split(NESTED.replace("clients:", "summary: Kort.\nclients:")).data
    converted = convert_fields("assignments", data)
    assert converted.problems == []
    assert converted.warnings == []
    assert converted.values["period"] == Period(start="2003-10", end="2004-12")
    assert converted.values["publications"] == [
        Publication(title="Eindrapport", url="https://example.nl/rapport")
    ]
    assert converted.values["clients"] == ["Visio", "Huis te Echten"]


def test_convert_reports_every_problem_at_once() -> None:
    data = {
        "title": True,
        "date": "01-05-2024",
        "lang": "de",
        "draft": "misschien",
        "tags": ["goed", ["fout"]],
        "slug": "Met Hoofdletters",
        "publish_at": "2024-13-01",
    }
    converted = convert_fields("posts", data)
    problems = dict(converted.problems)
    assert set(problems) == {
        ("title",),
        ("date",),
        ("lang",),
        ("draft",),
        ("tags", 1),
        ("slug",),
        ("publish_at",),
    }
    assert "expected text" in problems[("title",)]
    assert "2024-05-01" in problems[("date",)]
    assert "nl or en" in problems[("lang",)]
    assert "true or false" in problems[("draft",)]
    assert "got a list" in problems[("tags", 1)]
    assert "not a valid slug" in problems[("slug",)]
    assert "2024-13-01" in problems[("publish_at",)]
    # The fields that were fine are still converted.
    assert converted.values == {}


def test_convert_reports_all_missing_required_fields() -> None:
    converted = convert_fields("assignments", {"tags": ["x"]})
    assert sorted(converted.problems) == [
        (("clients",), "is missing; this field is required"),
        (("summary",), "is missing; this field is required"),
        (("title",), "is missing; this field is required"),
    ]
    assert converted.values == {"tags": ["x"]}


def test_convert_keeps_good_fields_beside_bad_ones() -> None:
    converted = convert_fields(
        "posts", {"title": "Goed", "date": "2024-05-01", "author": "Henk", "lang": "fr"}
    )
    assert [path for path, _ in converted.problems] == [("lang",)]
    assert converted.values["title"] == "Goed"
    assert converted.values["author"] == "Henk"
    assert converted.values["date"].isoformat() == "2024-05-01T00:00:00+02:00"


def test_convert_unknown_keys_go_to_extra_with_warnings() -> None:
    converted = convert_fields(
        "posts",
        {
            "title": "T",
            "date": "2024-05-01",
            "tittle": "Oud",
            "clients": ["Visio"],
            "kleur": "rood",
        },
    )
    assert converted.problems == []
    assert converted.extra == {"tittle": "Oud", "clients": ["Visio"], "kleur": "rood"}
    warnings = dict(converted.warnings)
    assert "did you mean 'title'" in warnings[("tittle",)]
    assert "field of assignments, not posts" in warnings[("clients",)]
    # An unknown key that resembles nothing is kept without a warning.
    assert ("kleur",) not in warnings


def test_convert_yaml11_word_in_text_warns_and_in_boolean_is_read() -> None:
    data = split("---\ntitle: yes\ndate: 2024-05-01\ndraft: on\n---\n").data
    converted = convert_fields("posts", data)
    assert converted.problems == []
    assert converted.values["title"] == "yes"
    assert converted.values["draft"] is True
    ((path, message),) = converted.warnings
    assert path == ("title",)
    assert 'quotes ("yes")' in message


def test_convert_empty_clients_list() -> None:
    converted = convert_fields("assignments", {"title": "T", "summary": "S", "clients": []})
    assert converted.problems == [(("clients",), "needs at least one client")]


def test_convert_keywords_are_lowercased_and_deduplicated() -> None:
    converted = convert_fields(
        "assignments",
        {"title": "T", "summary": "S", "clients": ["A", "A"], "tags": ["Zorg", "zorg", "LEREN"]},
    )
    assert converted.values["tags"] == ["zorg", "leren"]
    assert converted.values["clients"] == ["A"]
