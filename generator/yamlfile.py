"""Reads one YAML record strictly, keeping the line of every value.

Untrusted input: size is capped before parsing, anchors and aliases are refused before anything
is composed (so alias bombs never expand), nesting depth is capped, duplicate and non-string keys
are errors, and dates stay strings so that a date that does not exist is reported, not crashed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # libyaml is ~10x faster; the pure-Python loader gives the same nodes
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from generator.errors import Problem, problem

MAX_RECORD_BYTES = 256 * 1024
MAX_DEPTH = 12
FieldPath = tuple[str | int, ...]

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class ParsedYaml:
    data: Any = None
    lines: dict[FieldPath, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def dotted(path: FieldPath) -> str:
    """("photos", 0, "file") -> "photos[0].file"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def decode_text(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 (a BOM is accepted and dropped), newlines unified, tabs refused."""
    if len(raw) > MAX_RECORD_BYTES:
        kib = MAX_RECORD_BYTES // 1024
        return None, [problem(display, 1, "", "file-too-large", limit=f"{kib} KiB")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        return None, [problem(display, line, "", "not-utf8")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problems = [
        problem(display, number, "", "tab-character")
        for number, line in enumerate(text.split("\n"), start=1)
        if "\t" in line
    ]
    return (None if problems else text), problems


def parse_record(raw: bytes, display: str) -> ParsedYaml:
    result = ParsedYaml()
    text, result.problems = decode_text(raw, display)
    if text is None:
        return result
    if "&" in text or "*" in text:  # cheap pre-check; the event scan is exact
        result.problems += _alias_problems(text, display)
        if result.problems:
            return result
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        detail = " ".join(filter(None, [err.context, err.problem]))
        result.problems.append(problem(display, line, "", "yaml-syntax", detail=detail))
        return result
    except (yaml.YAMLError, RecursionError):
        result.problems.append(problem(display, 1, "", "yaml-syntax", detail="?"))
        return result
    if node is None:
        result.problems.append(problem(display, 1, "", "empty-file"))
        return result
    if not isinstance(node, yaml.MappingNode):
        result.problems.append(problem(display, node.start_mark.line + 1, "", "not-a-mapping"))
        return result
    result.data = _convert(node, (), result, display)
    return result


def _alias_problems(text: str, display: str) -> list[Problem]:
    found: list[Problem] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                found.append(problem(display, event.start_mark.line + 1, "", "yaml-alias"))
    except yaml.YAMLError:
        pass  # compose reports the syntax error with its line
    return found


def _convert(node: yaml.Node, path: FieldPath, out: ParsedYaml, display: str) -> Any:
    line = node.start_mark.line + 1
    out.lines.setdefault(path, line)
    if len(path) > MAX_DEPTH:
        out.problems.append(problem(display, line, dotted(path), "too-deep"))
        return None
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path, out, display)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), out, display) for i, item in enumerate(node.value)]
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            out.problems.append(
                problem(display, key_line, dotted(path), "non-string-key", key=shown)
            )
            continue
        key = key_node.value
        if key in mapping:
            out.problems.append(
                problem(display, key_line, dotted((*path, key)), "duplicate-key", key=key)
            )
            continue
        out.lines[(*path, key)] = key_line
        mapping[key] = _convert(value_node, (*path, key), out, display)
        out.lines[(*path, key)] = key_line  # the key's line, not the value's
    return mapping


def _scalar(node: yaml.ScalarNode, path: FieldPath, out: ParsedYaml, display: str) -> Any:
    tag = node.tag
    if tag not in _SCALAR_TAGS:
        line = node.start_mark.line + 1
        out.problems.append(problem(display, line, dotted(path), "yaml-tag", tag=tag))
        return None
    if tag in (_STR, "tag:yaml.org,2002:timestamp"):
        return node.value  # dates stay text: validation checks they exist
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _CONSTRUCTOR.construct_yaml_bool(node)
    if tag == "tag:yaml.org,2002:int":
        return _CONSTRUCTOR.construct_yaml_int(node)
    return _CONSTRUCTOR.construct_yaml_float(node)
