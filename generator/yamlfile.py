"""Reads one YAML record strictly, keeping the line of every value.

Untrusted input: size is capped before parsing, anchors and aliases are refused before anything
is composed (so alias bombs never expand), nesting depth is capped, duplicate and non-string keys
are errors, and dates stay strings so that a date that does not exist is reported, not crashed on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:  # libyaml is ~10x faster; the pure-Python loader gives the same nodes
    from yaml import CSafeLoader as _Loader
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


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


_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_COLLECTION_TAGS = {_SEQ, _MAP}
# The safe resolver's implicit tags (`22` -> int, `yes` -> bool, `~` -> null), by first
# character, exactly as yaml.resolver.BaseResolver.resolve looks them up (it has no wildcard
# and no path resolvers).
_IMPLICIT: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers) for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
assert None not in _IMPLICIT and not _Loader.yaml_path_resolvers


class _Composer(_Parser):  # type: ignore[misc,valid-type]
    """libyaml's composer with only the resolver the safe loader would use, and none of the
    constructor: composing is all a record needs, and libyaml calls these three methods back
    in Python for every node (the stock ones cost as much as the C parsing itself)."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # only path resolvers need it; there are none

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:  # a plain scalar: its text decides (`22`, `yes`, `2024-01-01`)
                for tag, regexp in _IMPLICIT.get(value[:1], ()):  # type: ignore[index]
                    if regexp.match(value):  # type: ignore[arg-type]
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


def _compose(text: str) -> Any:
    """yaml.compose(text, Loader=CSafeLoader), with the lean resolver above."""
    composer = _Composer(text)
    try:
        return composer.get_single_node()
    finally:
        composer.dispose()


_MAX_NUMBER_CHARS = 100  # no field holds a longer number; longer ones cannot even be printed


@dataclass
class ParsedYaml:
    data: Any = None
    lines: dict[FieldPath, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # source text of every value YAML did not read as text (`22`, `06652`, `yes`): messages
    # quote what the person wrote, not what YAML made of it (06652 is the octal number 3498)
    texts: dict[FieldPath, str] = field(default_factory=dict)
    # the whole file is NFC and has no escapes: every text value is NFC, no need to walk them
    all_nfc: bool = False
    seen: set[int] = field(default_factory=set, repr=False)  # ids of converted nodes


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
    if "\t" not in text:
        return text, []
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
    # No `&` at all: no anchor, so no alias can resolve and no node can be shared.
    maybe_anchor = "&" in text
    if (maybe_anchor and _MAYBE_ANCHOR.search(text)) or _nesting_over(text, _SAFE_NESTING):
        # the event scan is flat (no recursion, nothing expanded): aliases and absurd nesting
        # are refused before compose, whose recursion in C would crash on deep nesting
        result.problems += _scan_events(text, display)
        if result.problems:
            return result
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as err:
        line, detail = explain_syntax_error(err, text)
        result.problems.append(problem(display, line, "", "yaml-syntax", detail=detail))
        return result
    except (yaml.YAMLError, RecursionError):
        result.problems.append(_unreadable(text, display))
        return result
    if node is None:
        result.problems.append(problem(display, 1, "", "empty-file"))
        return result
    if not isinstance(node, yaml.MappingNode):
        result.problems.append(problem(display, node.start_mark.line + 1, "", "not-a-mapping"))
        return result
    no_escape = "\\" not in text
    # Control characters reach a value only from the file itself or from an escape: when the
    # file has neither, no value needs searching for one.
    converter = _Converter(
        result, display, maybe_anchor, not no_escape or bool(_VALUE_CONTROL.search(text))
    )
    result.data = converter.convert(node, ())
    result.all_nfc = no_escape and unicodedata.is_normalized("NFC", text)
    return result


_FALLBACK = ("kiểm tra dấu hai chấm, thụt lề và dấu nháy", "check colons, indentation and quotes")
# characters libyaml refuses anywhere in a file (its reader error carries no line)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# in a value (written as an escape such as `"\x01"`, `"\0"`, `"\N"`): all of them, NEL too
_VALUE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _unreadable(text: str, display: str) -> Problem:
    """A syntax error without a mark: most often an invisible control character pasted from
    Word or a PDF; say which one and on which line."""
    match = _CONTROL.search(text)
    if match is None:
        return problem(display, 1, "", "yaml-syntax", detail=_FALLBACK)
    line = text.count("\n", 0, match.start()) + 1
    return problem(display, line, "", "yaml-syntax", detail=_control_detail(match.group()))


def _control_detail(char: str) -> tuple[str, str]:
    code = f"U+{ord(char):04X}"
    return (
        f"có ký tự điều khiển vô hình {code}; xóa ký tự này (thường do dán từ Word hoặc PDF)",
        f"an invisible control character {code}; delete it (often pasted from Word or a PDF)",
    )


_NO_SPACE_AFTER_COLON = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_]*:[^\s]")
# PyYAML's wording -> what a contributor should do (Vietnamese, English), and whether the line
# to show is where the construct started (an unclosed quote) rather than where PyYAML gave up
_SYNTAX_HINTS: tuple[tuple[str, bool, tuple[str, str]], ...] = (
    (
        "could not find expected ':'",
        True,
        (
            "thiếu dấu hai chấm sau tên trường; viết `tên: giá trị` (có dấu cách sau dấu hai chấm)",
            "a colon is missing after the field name; write `field: value` (with a space after "
            "the colon)",
        ),
    ),
    (
        "mapping values are not allowed",
        False,
        (
            "dấu hai chấm không đúng chỗ; văn bản có dấu hai chấm phải đặt trong dấu nháy kép, "
            'ví dụ `name: "Rượu mơ: loại đặc biệt"`, và các trường cùng cấp phải thẳng cột',
            "a colon in the wrong place; text containing a colon must be in double quotes, e.g. "
            '`name: "Apricot wine: special"`, and fields of one level must line up',
        ),
    ),
    (
        "did not find expected key",
        False,
        (
            "thụt lề không thẳng cột, hoặc có chữ sau dấu nháy đóng; các trường cùng cấp "
            "phải thẳng cột (2 dấu cách mỗi cấp), và cả giá trị phải nằm trong dấu nháy",
            "indentation does not line up, or text follows a closing quote; fields of one level "
            "must line up (2 spaces per level) and the whole value must be inside the quotes",
        ),
    ),
    (
        "did not find expected '-' indicator",
        False,
        (
            "mục danh sách thụt lề sai; mỗi mục bắt đầu bằng `- `, thẳng cột với các mục khác",
            "a list item is misaligned; every item starts with `- `, lined up with the others",
        ),
    ),
    (
        "found unexpected end of stream",
        True,
        (
            "dấu nháy mở ở dòng này chưa được đóng; thêm dấu nháy đóng ở cuối giá trị",
            "the quote opened on this line is never closed; add the closing quote",
        ),
    ),
    (
        "expected hexdecimal number",
        False,
        (
            "dấu `\\` trong dấu nháy kép bắt đầu một mã đặc biệt; viết `\\\\` hoặc dùng dấu nháy "
            "đơn `'...'`",
            "a `\\` inside double quotes starts an escape; write `\\\\` or use single quotes",
        ),
    ),
    (
        "found unknown escape character",
        False,
        (
            "dấu `\\` trong dấu nháy kép bắt đầu một mã đặc biệt; viết `\\\\` hoặc dùng dấu nháy "
            "đơn `'...'`",
            "a `\\` inside double quotes starts an escape; write `\\\\` or use single quotes",
        ),
    ),
    (
        "expected alphabetic or numeric character",
        False,
        (
            "giá trị bắt đầu bằng `*` hoặc `&` (như chữ đậm, nghiêng Markdown) bị hiểu là "
            "tham chiếu YAML; đặt cả giá trị trong dấu nháy kép, ví dụ "
            '`description: "*Thơm* ngon"`',
            "a value starting with `*` or `&` (Markdown bold or italics) reads as a YAML alias; "
            'put the whole value in double quotes, e.g. `description: "*Fragrant* and sweet"`',
        ),
    ),
    (
        "cannot start any token",
        False,
        (
            "giá trị bắt đầu bằng ký tự đặc biệt (`@`, `` ` ``, `%`); đặt cả giá trị trong dấu "
            "nháy kép",
            "a value starts with a special character (`@`, `` ` ``, `%`); put it in double quotes",
        ),
    ),
    (
        "expected a single document",
        False,
        (
            "tệp chỉ chứa một hồ sơ; xóa dòng `---` (mỗi sản phẩm một thư mục, mỗi chủ thể "
            "một tệp)",
            "a file holds one record; delete the `---` line (one folder per product, one file per "
            "producer)",
        ),
    ),
    (
        "did not find expected ',' or",
        True,
        (
            "thiếu dấu `]` hoặc `}` đóng; hoặc viết mỗi mục một dòng bắt đầu bằng `- `",
            "a closing `]` or `}` is missing; or write one item per line starting with `- `",
        ),
    ),
)


_UNCLOSED_QUOTE = next(hint for needle, _, hint in _SYNTAX_HINTS if "end of stream" in needle)
_QUOTE = re.compile(r'(?<!\\)"')
_OPENS_QUOTED_VALUE = re.compile(r'^\s*(?:-\s+)?(?:[^"#:]+:\s+)?"')  # `name: "…`, `- "…`


def _unclosed_quote_line(text: str, error_line: int) -> int | None:
    """A `"` opened and not closed on its line swallows the following lines until the next
    quote, and YAML stumbles further down: find the line where the quote was opened."""
    opened: int | None = None
    for number, content in enumerate(text.split("\n")[:error_line], start=1):
        if content.lstrip().startswith("#") or not len(_QUOTE.findall(content)) % 2:
            continue
        if opened is not None:
            opened = None  # the line that closes a value spread over lines
        elif _OPENS_QUOTED_VALUE.match(content):
            opened = number
    return opened


def explain_syntax_error(err: yaml.MarkedYAMLError, text: str) -> tuple[int, tuple[str, str]]:
    """The line to show and what to do, in both languages, for a PyYAML syntax error."""
    problem_mark, context_mark = err.problem_mark, err.context_mark
    line = (problem_mark or context_mark).line + 1 if (problem_mark or context_mark) else 1
    wording = f"{err.context or ''} {err.problem or ''}".strip()
    hint = (f"{wording}; {_FALLBACK[0]}", f"{wording}; {_FALLBACK[1]}")
    for needle, at_start, known in _SYNTAX_HINTS:
        if needle in wording:
            hint = known
            if at_start and context_mark is not None:
                line = context_mark.line + 1
            break
    unclosed = _unclosed_quote_line(text, line)
    if unclosed is not None:
        return unclosed, _UNCLOSED_QUOTE
    if "mapping values are not allowed" in wording:
        # `id:qn-abc` (no space after the colon) is text, so YAML stumbles on the next line
        lines = text.split("\n")
        for number in range(line - 1, 0, -1):
            previous = lines[number - 1]
            if not previous.strip() or previous.lstrip().startswith("#"):
                continue
            if _NO_SPACE_AFTER_COLON.match(previous):
                return number, (
                    "thiếu dấu cách sau dấu hai chấm; viết `tên: giá trị`",
                    "a space is missing after the colon; write `field: value`",
                )
            break
    return line, hint


# An alias needs an anchor, and an anchor can only open a node: at a line's start, after `- `,
# `: `, `? ` or inside flow punctuation. Markdown emphasis (`*thơm*`) and "A & B" in text do
# not need the event scan. An alias without its anchor is a syntax error; _convert also
# refuses a node met twice, should one ever get through.
_MAYBE_ANCHOR = re.compile(r"(?:^|[:\-?]\s|[\[{,])\s*&\S", re.MULTILINE)
_SAFE_NESTING = 200  # far below the depth at which libyaml's composer exhausts the C stack
_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _nesting_bound(text: str) -> int:
    """An upper bound of the nesting depth, in microseconds. Flow collections open with `[` or
    `{`; a nested block collection is indented deeper than its parent (a sequence under a key
    may share the key's column, hence 2x), or opens on its parent's line after `- `, `? ` or
    `: ` (compact forms)."""
    flow = text.count("[") + text.count("{")
    block = 0
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        compact = stripped.count("- ") + stripped.count(": ") + stripped.count("? ")
        block = max(block, 2 * (indent + 1) + compact)
    return flow + block + 1


def _nesting_over(text: str, limit: int) -> bool:
    """_nesting_bound(text) > limit, without walking the lines when a coarser bound says no:
    every compact indicator of the file as if on one line, plus the deepest indent."""
    rest = text.count("[") + text.count("{") + text.count("- ") + text.count(": ")
    rest += text.count("? ") + 1
    deepest_allowed = (limit - rest) // 2 - 1  # 2 * (indent + 1) + rest <= limit
    if deepest_allowed >= 0:
        pad = " " * (deepest_allowed + 1)
        if not text.startswith(pad) and "\n" + pad not in text:
            return False
    return _nesting_bound(text) > limit


def _scan_events(text: str, display: str) -> list[Problem]:
    """Anchors and aliases (one problem per line), then nesting beyond MAX_DEPTH."""
    lines: set[int] = set()
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                lines.add(event.start_mark.line + 1)
            elif isinstance(event, _STARTS):
                depth += 1
                if depth > MAX_DEPTH + 1:
                    return [problem(display, event.start_mark.line + 1, "", "too-deep")]
            elif isinstance(event, _ENDS):
                depth -= 1
    except yaml.YAMLError:
        pass  # compose reports the syntax error with its line, without nesting deeper than here
    return [problem(display, line, "", "yaml-alias") for line in sorted(lines)]


class _Converter:
    """Nodes -> plain values, the line of every value, and the problems found on the way."""

    def __init__(self, out: ParsedYaml, display: str, shared: bool, controls: bool) -> None:
        self.out = out
        self.lines = out.lines
        self.display = display
        # shared: an anchor may be in the file, so a node met twice (an alias the event scan
        # missed) must be caught; without any `&` no node can be met twice
        self.shared = shared
        # controls: a value may hold a control character (see parse_record)
        self.controls = controls

    def convert(self, node: yaml.Node, path: FieldPath) -> Any:
        out = self.out
        if self.shared:
            if id(node) in out.seen:  # an alias: the composer shares the anchored node
                line = node.start_mark.line + 1
                out.problems.append(problem(self.display, line, "", "yaml-alias"))
                return None
            out.seen.add(id(node))
        if path not in self.lines:  # a mapping's value already has its key's line
            self.lines[path] = node.start_mark.line + 1
        if len(path) > MAX_DEPTH:
            line = node.start_mark.line + 1
            out.problems.append(problem(self.display, line, dotted(path), "too-deep"))
            return None
        kind = type(node)
        if kind is ScalarNode:
            if node.tag == _STR and not self.controls:  # most values: nothing to check
                return node.value
            return self.scalar(node, path)
        if node.tag not in _COLLECTION_TAGS:  # `!!python/object:x {...}`, `!!set`, `!!omap`
            line = node.start_mark.line + 1
            out.problems.append(problem(self.display, line, dotted(path), "yaml-tag", tag=node.tag))
            return None
        if kind is SequenceNode:
            convert = self.convert
            return [convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.mapping(node, path)

    def mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any]:
        out, lines = self.out, self.lines
        mapping: dict[str, Any] = {}
        # a text value without anything to check (most values): what convert would give,
        # without a call per value
        plain = not self.shared and not self.controls and len(path) < MAX_DEPTH
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode or key_node.tag != _STR:
                key_line = key_node.start_mark.line + 1
                shown = key_node.value if isinstance(key_node, ScalarNode) else "?"
                out.problems.append(
                    problem(self.display, key_line, dotted(path), "non-string-key", key=shown)
                )
                continue
            key = key_node.value
            if key in mapping:
                key_line = key_node.start_mark.line + 1
                out.problems.append(
                    problem(self.display, key_line, dotted((*path, key)), "duplicate-key", key=key)
                )
                continue
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1  # the key's line, not the value's
            if plain and type(value_node) is ScalarNode and value_node.tag == _STR:
                mapping[key] = value_node.value
            else:
                mapping[key] = self.convert(value_node, child)
        return mapping

    def scalar(self, node: ScalarNode, path: FieldPath) -> Any:
        out, display = self.out, self.display
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            line = node.start_mark.line + 1
            out.problems.append(problem(display, line, dotted(path), "yaml-tag", tag=tag))
            return None
        if tag in (_STR, "tag:yaml.org,2002:timestamp"):
            # `"\x01"`, `"\0"` escapes: invalid in XML (the Atom feed), invisible on a page
            if self.controls and (control := _VALUE_CONTROL.search(node.value)):
                detail = _control_detail(control.group())
                line = node.start_mark.line + 1
                out.problems.append(
                    problem(display, line, dotted(path), "yaml-syntax", detail=detail)
                )
            return node.value  # dates stay text: validation checks they exist
        out.texts[path] = node.value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return _CONSTRUCTOR.construct_yaml_bool(node)
        number: int | float | None = None
        if len(node.value) <= _MAX_NUMBER_CHARS:  # `1:59:59:...` costs quadratic time to read
            try:
                if tag == "tag:yaml.org,2002:int":
                    number = _CONSTRUCTOR.construct_yaml_int(node)
                else:
                    number = _CONSTRUCTOR.construct_yaml_float(node)
            except (ValueError, OverflowError):
                number = None
        if number is None or number != number:  # too long, overflowing, or .nan (passes min/max)
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
            out.problems.append(
                problem(
                    display,
                    node.start_mark.line + 1,
                    dotted(path),
                    "out-of-range",
                    value=shown,
                    hint=("không phải một số dùng được", "not a usable number"),
                )
            )
            return None
        return number
