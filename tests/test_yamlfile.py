"""generator/yamlfile.py: strict reading of one untrusted YAML record, with line numbers."""

from __future__ import annotations

import time

import pytest

from generator.yamlfile import (
    MAX_DEPTH,
    MAX_RECORD_BYTES,
    decode_text,
    dotted,
    parse_record,
)

SHOWN = "catalog/producers/x.yaml"


def parse(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_record(raw, SHOWN)


def codes(parsed) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in parsed.problems]


RECORD = """\
# a comment line
id: htx-a
name: "Hợp tác xã A"
place:
  province: "22"
  commune: "06832"
sources:
  - title: "Nguồn"
    url: "https://example.org"
  - title: "Nguồn 2"
    document: "Hồ sơ"
"""


def test_values_and_lines() -> None:
    parsed = parse(RECORD)
    assert parsed.problems == []
    assert parsed.data["place"] == {"province": "22", "commune": "06832"}
    assert parsed.lines[("id",)] == 2
    assert parsed.lines[("place",)] == 4  # a key's line, not its value's
    assert parsed.lines[("place", "commune")] == 6
    assert parsed.lines[("sources", 1)] == 10
    assert parsed.lines[("sources", 1, "document")] == 11


def test_dotted() -> None:
    assert dotted(("photos", 0, "file")) == "photos[0].file"
    assert dotted(("certificate", "revoked", "date")) == "certificate.revoked.date"
    assert dotted(()) == ""


def test_bom_is_accepted() -> None:
    parsed = parse(b"\xef\xbb\xbf" + RECORD.encode("utf-8"))
    assert parsed.problems == []
    assert "id" in parsed.data  # not "\ufeffid"
    assert parsed.lines[("id",)] == 2


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_are_normalised(newline: str) -> None:
    parsed = parse(RECORD.replace("\n", newline))
    assert parsed.problems == []
    assert parsed.lines[("place", "commune")] == 6
    text, problems = decode_text(b"a: |\r\n  x\r\n  y\r\n", SHOWN)
    assert problems == [] and text == "a: |\n  x\n  y\n"


def test_block_text_keeps_no_carriage_return() -> None:
    parsed = parse("story: |\r\n  một\r\n  hai\r\n")
    assert parsed.data == {"story": "một\nhai\n"}


def test_not_utf8_line() -> None:
    parsed = parse(b"id: a\nname: x\n" + "ghi chú: Sản phẩm".encode("cp1258", "replace"))
    assert codes(parsed) == [(3, "not-utf8")]
    assert parsed.data is None


def test_tabs_refused_per_line() -> None:
    parsed = parse("id: a\nplace:\n\tprovince: '22'\n\tcommune: '06832'\n")
    assert codes(parsed) == [(3, "tab-character"), (4, "tab-character")]


def test_huge_file_refused_before_parsing() -> None:
    raw = b"a: " + b"x" * MAX_RECORD_BYTES
    start = time.perf_counter()
    parsed = parse(raw)
    assert codes(parsed) == [(1, "file-too-large")]
    assert time.perf_counter() - start < 0.5


def test_billion_laughs_refused_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        name, prev = chr(97 + i), chr(96 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    parsed = parse("\n".join(lines) + "\n")
    elapsed = time.perf_counter() - start
    assert elapsed < 0.2, elapsed
    assert parsed.data is None
    assert {code for _, code in codes(parsed)} == {"yaml-alias"}
    assert [line for line, _ in codes(parsed)] == list(range(1, 11))  # one per line


def test_single_anchor_and_alias() -> None:
    parsed = parse('place:\n  address: &dc "Thôn 1"\nwhere:\n  - address: *dc\n')
    assert codes(parsed) == [(2, "yaml-alias"), (4, "yaml-alias")]


def test_star_inside_text_is_fine() -> None:
    parsed = parse('description: "*Thơm* & ngon"\nstory: Rượu 5* và A&B\n')
    assert parsed.problems == []
    assert parsed.data["story"] == "Rượu 5* và A&B"


def test_depth_is_bounded() -> None:
    text = "a:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(MAX_DEPTH + 3))
    parsed = parse(text)
    assert [code for _, code in codes(parsed)] == ["too-deep"]


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_flow_nesting_neither_crashes_nor_hangs(depth: int) -> None:
    # libyaml's composer recurses in C: 100,000 brackets would overflow the stack
    start = time.perf_counter()
    parsed = parse("a: " + "[" * depth + "]" * depth + "\n")
    assert [code for _, code in codes(parsed)] == ["too-deep"]
    assert time.perf_counter() - start < 1


def test_deep_unclosed_nesting() -> None:
    parsed = parse("a: " + "[" * 50_000 + "\n")
    assert [code for _, code in codes(parsed)] == ["too-deep"]


def test_duplicate_key_reported_on_second() -> None:
    parsed = parse("id: a\nstars: 3\nplace:\n  province: '22'\n  province: '31'\nstars: 4\n")
    assert codes(parsed) == [(5, "duplicate-key"), (6, "duplicate-key")]
    assert [p.field for p in parsed.problems] == ["place.province", "stars"]
    assert parsed.data["stars"] == 3  # the first is kept


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1: a\n", "1"),
        ("yes: a\n", "yes"),
        ("~: a\n", "~"),
        ("? [a, b]\n: c\n", "?"),
        ("2023-06-15: a\n", "2023-06-15"),
    ],
)
def test_non_string_keys(text: str, shown: str) -> None:
    parsed = parse("id: x\n" + text)
    assert [(p.line, p.code) for p in parsed.problems] == [(2, "non-string-key")]
    assert parsed.problems[0].message("en").startswith(f"`{shown}` is not a valid field name")


def test_quoted_number_key_is_a_string() -> None:
    assert parse('"1": a\n').data == {"1": "a"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-06-15", "2023-06-15"),
        ("2023-02-30", "2023-02-30"),
        ("2023-6-5", "2023-6-5"),
        ("2023-06-15 10:30:00", "2023-06-15 10:30:00"),
        ("2023-06-15T10:30:00Z", "2023-06-15T10:30:00Z"),
    ],
)
def test_timestamps_stay_strings(value: str, expected: str) -> None:
    parsed = parse(f"date: {value}\n")
    assert parsed.problems == []
    assert parsed.data == {"date": expected}


def test_scalar_types_and_source_texts() -> None:
    parsed = parse("a: 22\nb: 06652\nc: 1.5\nd: true\ne: no\nf:\ng: '22'\nh: 0x1A\n")
    assert parsed.data == {
        "a": 22,
        "b": 3498,
        "c": 1.5,
        "d": True,
        "e": False,
        "f": None,
        "g": "22",
        "h": 26,
    }
    # what the person wrote, for messages ("write "06652"", not "3498")
    assert parsed.texts[("b",)] == "06652"
    assert parsed.texts[("e",)] == "no"
    assert ("g",) not in parsed.texts


def test_tags_refused() -> None:
    parsed = parse("a: !!binary aGVsbG8=\nb: !!python/object:os.system x\n")
    assert codes(parsed) == [(1, "yaml-tag"), (2, "yaml-tag")]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty-file"),
        ("# chỉ có ghi chú\n", "empty-file"),
        ("- a\n- b\n", "not-a-mapping"),
        ("chỉ là chữ\n", "not-a-mapping"),
    ],
)
def test_not_a_record(text: str, code: str) -> None:
    parsed = parse(text)
    assert [c for _, c in codes(parsed)] == [code]
    assert parsed.data is None


@pytest.mark.parametrize(
    ("text", "line", "start"),
    [
        ('id: a\nname "x"\nstars: 3\n', 2, "thiếu dấu hai chấm sau tên trường"),
        ("id: a\nname: A: B\n", 2, "dấu hai chấm không đúng chỗ"),
        ("id:a\nname: b\n", 1, "thiếu dấu cách sau dấu hai chấm"),
        ("place:\n  a: 1\n b: 2\n", 3, "thụt lề không thẳng cột"),
        ("photos:\n  - file: a\n  file: c\n", 3, "mục danh sách thụt lề sai"),
        ('id: a\nname: "abc\ngroup: "I"\nstars: 3\n', 2, "dấu nháy mở ở dòng này chưa được đóng"),
        ('id: a\nname: "abc\n', 2, "dấu nháy mở ở dòng này chưa được đóng"),
        ('name: "C:\\xyz"\n', 1, "dấu `\\` trong dấu nháy kép"),
        ("description: *Thơm* ngon\n", 1, "giá trị bắt đầu bằng `*` hoặc `&`"),
        ("email: @abc\n", 1, "giá trị bắt đầu bằng ký tự đặc biệt"),
        ("standards: [VietGAP, ISO\nx: 1\n", 1, "thiếu dấu `]` hoặc `}` đóng"),
        ("a: 1\n---\nb: 2\n", 2, "tệp chỉ chứa một hồ sơ"),
    ],
)
def test_syntax_errors_say_what_to_do(text: str, line: int, start: str) -> None:
    parsed = parse(text)
    assert [(p.line, p.code) for p in parsed.problems] == [(line, "yaml-syntax")]
    vi = parsed.problems[0].message("vi")
    assert start in vi, vi
    assert parsed.problems[0].message("en") != vi


# --- the shortcuts parse_record takes must never change what it reports -----------------------

SCALARS = [
    "22",
    "06652",
    "0o17",
    "0x1F",
    "1_000",
    "+1",
    "-1.5",
    ".5",
    "1e3",
    ".inf",
    "-.Inf",
    ".nan",
    "1:20",
    "190:20:30",
    "yes",
    "No",
    "ON",
    "off",
    "true",
    "False",
    "~",
    "null",
    "Null",
    "",
    "2024-01-01",
    "2024-1-1 10:00:00",
    "2024-02-30",
    "<<",
    "=",
    "text",
    "Hợp tác xã",
    ".",
    "'22'",
    '"yes"',
    "!!str 22",
    "!!int '7'",
    "!!float 1",
    "!!bool yes",
    "!!null ''",
]


@pytest.mark.parametrize("value", SCALARS)
def test_lean_composer_resolves_as_the_safe_loader(value: str) -> None:
    """yamlfile's composer skips PyYAML's resolver machinery: same tags, same values."""
    import yaml

    from generator.yamlfile import _compose

    text = f"a: {value}\nb: [{value}]\nc:\n  - {value}\n"
    ours = _compose(text)
    theirs = yaml.compose(text, Loader=yaml.SafeLoader)  # the pure-Python reference

    def shape(node):
        if isinstance(node, yaml.ScalarNode):
            return (type(node).__name__, node.tag, node.value, node.start_mark.line)
        if isinstance(node, yaml.SequenceNode):
            return (node.tag, [shape(n) for n in node.value], node.start_mark.line)
        return (node.tag, [(shape(k), shape(v)) for k, v in node.value], node.start_mark.line)

    assert shape(ours) == shape(theirs)


def _nesting_texts() -> list[str]:
    import random

    rng = random.Random(7)
    pieces = ["- ", ": ", "? ", "[", "{", "]", "}", "a", " ", "  ", "\n", "x: y\n", "    - z\n"]
    texts = ["", "\n", " " * 300, "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 120))]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 400))) for _ in range(300)]
    return texts


def test_cheap_nesting_bound_decides_as_the_exact_one() -> None:
    from generator.yamlfile import _nesting_bound, _nesting_over

    for text in _nesting_texts():
        for limit in (0, 5, 50, 200):
            assert _nesting_over(text, limit) == (_nesting_bound(text) > limit), (text, limit)


def test_anchor_without_the_usual_shape_is_still_an_alias() -> None:
    """Without `&` no node can be shared; with one the identity check stays on, even where
    the anchor pre-scan does not see it."""
    parsed = parse("a: !!str &x 1\nb: *x\n")  # the pre-scan wants `&` right after `: `
    assert codes(parsed) == [(1, "yaml-alias")]  # the shared node's own line
    assert parsed.data == {"a": "1", "b": None}


def test_control_character_found_with_or_without_escapes() -> None:
    """Values are searched for control characters only when the file has an escape or one of
    them: each way must still find them."""
    assert codes(parse('a: "x\\x01"\nb: plain\n')) == [(1, "yaml-syntax")]
    assert codes(parse('a: "x\\x85y"\n')) == [(1, "yaml-syntax")]  # NEL written as an escape
    folded = parse('a: "x\u0085y"\n')  # a raw NEL in quotes is a line break: folded to a space
    assert folded.problems == [] and folded.data == {"a": "x y"}
    clean = parse("a: x\nb: 'y'\n")
    assert clean.problems == [] and clean.data == {"a": "x", "b": "y"}
