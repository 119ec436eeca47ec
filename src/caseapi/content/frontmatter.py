"""Content files: YAML front matter and Markdown body, split safely and written plainly.

The YAML is read with a deliberately small schema: plain scalars stay text,
only ``true``/``false`` and ``null`` get a type of their own. PyYAML's YAML 1.1
defaults turn ``title: yes`` into ``True``, ``010`` into 8 and ``12:30`` into
750; an editor never means that. Dates stay text too and are parsed by the
validator, which can then say exactly what is wrong with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# Front matter is a handful of keys; anything this big is a mistake or an attack.
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_NESTING = 20
# PyYAML folds plain scalars at 80 columns unless told otherwise.
_NO_WRAP = 1 << 20

_BLOCK_INDICATORS = re.compile(r"^[ \t]*((?:[-?][ \t]+)+)")
_YAML11_WORDS = re.compile(r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$")


class Yaml11Word(str):
    """A plain ``yes``/``no``/``on``/``off``: text to us, a boolean to YAML 1.1 tools."""

    __slots__ = ()


class FrontMatterError(Exception):
    """The front matter cannot be read at all; ``line`` is 1-based in the file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class FrontMatter(msgspec.Struct):
    """Parsed front matter, the Markdown body, and where each key sits in the file."""

    data: dict[str, Any]
    body: str
    body_line: int
    # ("clients", 1) -> line of the second client; used to point editors at a line.
    lines: dict[tuple[str | int, ...], int]


def _base_loader() -> type[yaml.SafeLoader]:
    # The C parser is several times faster; fall back quietly where libyaml is absent.
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


class _EditorLoader(_base_loader()):  # type: ignore[misc]
    """SafeLoader with the small schema described in the module docstring."""

    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}


_EditorLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_EditorLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_EditorLoader.add_implicit_resolver("tag:caseapi:yaml11-word", _YAML11_WORDS, list("yYnNoO"))
_EditorLoader.add_constructor(
    "tag:caseapi:yaml11-word",
    lambda loader, node: Yaml11Word(loader.construct_scalar(node)),
)


def split(text: str) -> FrontMatter:
    """Split ``text`` (already decoded, LF line endings) into front matter and body."""
    if not text.strip():
        raise FrontMatterError("The file is empty.", line=1)
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise FrontMatterError(
            "The file does not start with front matter: its first line must be '---', "
            "followed by fields such as 'title:' and a closing '---' line.",
            line=1,
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            closing = index
            break
    else:
        raise FrontMatterError(
            "The front matter opened on line 1 is never closed: add a line '---' after the fields.",
            line=1,
        )
    yaml_text = "\n".join(lines[1:closing])
    if len(yaml_text.encode()) > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(
            f"The front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB; "
            "put long text in the body instead.",
            line=1,
        )
    data, key_lines = _parse_yaml(yaml_text, first_line=2)
    body = "\n".join(lines[closing + 1 :])
    return FrontMatter(data=data, body=body, body_line=closing + 2, lines=key_lines)


def _too_deep(yaml_text: str) -> int | None:
    """The 0-based line where nesting gets deeper than we accept, before any parser runs.

    libyaml's composer recurses on the C stack: 25,000 nested '[' (50 KB) crash
    the whole process before a depth check on the parsed nodes could run.
    """
    depth = 0
    for number, line in enumerate(yaml_text.split("\n")):
        indicators = _BLOCK_INDICATORS.match(line)
        if indicators and len(indicators.group(1).split()) > MAX_NESTING:
            return number
        for char in line:
            if char in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    return number
            elif char in "]}":
                depth = max(0, depth - 1)
    return None


def _parse_yaml(
    yaml_text: str, first_line: int
) -> tuple[dict[str, Any], dict[tuple[str | int, ...], int]]:
    too_deep = _too_deep(yaml_text)
    if too_deep is not None:
        raise FrontMatterError(
            "The front matter is nested too deeply to read.", line=too_deep + first_line
        )
    loader = _EditorLoader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, MappingNode):
            raise FrontMatterError(
                "The front matter must be 'field: value' lines (like 'title: ...'), "
                "not a list or a single value.",
                line=node.start_mark.line + first_line,
            )
        key_lines: dict[tuple[str | int, ...], int] = {}
        _check_and_map(node, (), key_lines, first_line, set(), 0)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "\t" in yaml_text:
            advice = "Indent with spaces, not tabs."
        else:
            advice = (
                "Check the indentation, and put values that contain ':' or '#' or start with "
                "a quote in quotes."
            )
        raise FrontMatterError(
            f"The front matter cannot be read near this line. {advice} "
            f"(The YAML reader says: {problem}.)",
            line=line,
        ) from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"The front matter is not valid YAML ({exc}).") from exc
    except RecursionError as exc:
        raise FrontMatterError("The front matter is nested too deeply to read.") from exc
    finally:
        loader.dispose()
    for key in data:
        if not isinstance(key, str):
            raise FrontMatterError(
                f"Field names must be words, like 'title'; '{str(key).lower()}' is not one. "
                "Put it in quotes if it is meant as text."
            )
    return data, key_lines


def _check_and_map(
    node: Node,
    path: tuple[str | int, ...],
    key_lines: dict[tuple[str | int, ...], int],
    first_line: int,
    seen: set[int],
    depth: int,
) -> None:
    """Record each value's line and refuse aliases and deep nesting before constructing."""
    line = node.start_mark.line + first_line
    # An alias makes the same node appear twice: refusing them rules out
    # "billion laughs" expansion, and editors have no use for them.
    if id(node) in seen:
        raise FrontMatterError(
            "The front matter uses YAML anchors or aliases ('&' or '*'), which are not "
            "supported: write each value out.",
            line=line,
        )
    seen.add(id(node))
    if depth > MAX_NESTING:
        raise FrontMatterError("The front matter is nested too deeply to read.", line=line)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(len(key_lines))
            child = (*path, key)
            if child in key_lines:
                raise FrontMatterError(
                    f"The field '{key}' appears twice (lines {key_lines[child]} and "
                    f"{key_node.start_mark.line + first_line}); keep one.",
                    line=key_node.start_mark.line + first_line,
                )
            key_lines[child] = key_node.start_mark.line + first_line
            _check_and_map(value_node, child, key_lines, first_line, seen, depth + 1)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            key_lines[child] = item.start_mark.line + first_line
            _check_and_map(item, child, key_lines, first_line, seen, depth + 1)


def write_file(fields: Mapping[str, Any], body: str, comments: Sequence[str] = ()) -> str:
    """A content file's text: ``---``, comment lines, the fields, ``---``, the body.

    One value per line, never folded (a summary stays one line to edit), in the
    order given, with dates as YAML dates: what ``split`` reads back as written.
    """
    front = yaml.safe_dump(
        dict(fields), allow_unicode=True, sort_keys=False, default_flow_style=None, width=_NO_WRAP
    )
    lines = [f"# {comment}" for comment in comments]
    return "---\n" + "".join(f"{line}\n" for line in lines) + front + "---\n" + body
