"""Hostile record files, end to end: load_records -> validate_records -> check_catalog.

Every case is a copy of the fixture catalog with one record file replaced by hostile bytes (as a
product and as a producer). Each must give a clear problem on the right line, or a correct
record, within a second, and no exception may escape. tests/test_yamlfile.py covers the parser
on its own; this file covers what reaches the whole pipeline.
"""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.catalog import CheckedCatalog, check_catalog
from generator.config import PROJECT_ROOT
from generator.errors import format_github, format_text
from generator.load import load_records
from generator.places import load_places
from generator.validate import validate_records
from generator.validate.schema import load_schemas
from generator.vocab import load_vocabulary
from support import AS_OF, FIXTURE_CATALOG

SCHEMAS = PROJECT_ROOT / "schemas"
SECONDS = (
    5.0  # CPU seconds: a guard against blow-ups (alias bombs, quadratic scans), not a speed target
)
PRODUCT = "products/quang_ninh/qn-valid/product.yaml"
PRODUCER = "producers/htx-mau-quang-ninh.yaml"
MB = 1024 * 1024


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Fails a test that hangs (a blocking read, a runaway loop) instead of hanging the run."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed_check(catalog: Path) -> tuple[CheckedCatalog, float]:
    """check_catalog, its CPU time (robust to a busy machine), and every message formatted."""
    with watchdog(20 * SECONDS):
        start = time.process_time()
        checked = check_catalog(catalog, SCHEMAS, AS_OF, catalog / "published-ids.txt")
        elapsed = time.process_time() - start
        for lang in ("vi", "en"):
            # what `ocop validate` prints must be printable: formatted, UTF-8 encodable
            format_text(checked.problems, lang).encode("utf-8")
            format_github(checked.problems, lang).encode("utf-8")
    return checked, elapsed


@pytest.fixture(scope="module", autouse=True)
def warm_up() -> None:
    """Places, schemas and vocabularies load once; the time bound is about the hostile file."""
    timed_check(FIXTURE_CATALOG)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, root)
    return root


@dataclass(frozen=True)
class Case:
    make: Callable[[bytes], bytes]  # the valid record's bytes -> the hostile file
    # (code, line) pairs that must be reported: a line > 0 is absolute, -n is the n-th line
    # appended after the valid record, 0 is the line of the record's `place:`
    expected: tuple[tuple[str, int], ...] = ()
    valid: bool = False  # the record must be read as the valid one (same data)
    product_only: bool = False  # it changes a field only products have
    line_shift: int = 0  # lines added before the record (a valid record keeps its lines + this)


def _laughs(_: bytes) -> bytes:
    lines = [b'lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = b", ".join(b"*l%d" % (i - 1) for _ in range(9))
        lines.append(b"lol%d: &l%d [%s]" % (i, i, refs))
    return b"\n".join(lines) + b"\n"


def _quadratic(_: bytes) -> bytes:
    """One big anchored value aliased many times: no nesting, still a blow-up if expanded."""
    return b"a: &a " + b"x" * 100_000 + b"\nb: [" + b", ".join([b"*a"] * 10_000) + b"]\n"


def _deep_block_mappings(_: bytes) -> bytes:
    return b"".join(b"  " * i + b"k%d:\n" % i for i in range(300)) + b"  " * 300 + b"v\n"


def _mixed_line_ends(valid: bytes) -> bytes:
    lines = valid.split(b"\n")[:-1]
    return b"".join(line + (b"\r\n", b"\r", b"\n")[i % 3] for i, line in enumerate(lines))


def _place_line(valid: bytes) -> int:
    return valid.split(b"\n").index(b"place:") + 1


def _unknown_fields(valid: bytes) -> bytes:
    extra = b"".join(b"k%d: 1\n" % i for i in range(24_000))
    assert len(valid + extra) < 256 * 1024  # below the size cap: this is about time
    return valid + extra


CASES: dict[str, Case] = {
    # --- expansion, size and depth ---------------------------------------------------------
    "billion-laughs": Case(_laughs, (("yaml-alias", 1), ("yaml-alias", 10))),
    "quadratic-aliases": Case(_quadratic, (("yaml-alias", 1), ("yaml-alias", 2))),
    "alias-inside-valid-record": Case(
        lambda v: v.replace(b'name: "', b'name: &n "', 1) + b"name_en: *n\n",
        (("yaml-alias", 3), ("yaml-alias", -1)),
    ),
    "10-MB-file": Case(lambda v: v + b"# " + b"x" * (10 * MB) + b"\n", (("file-too-large", 1),)),
    "10-MB-one-line": Case(lambda v: b"name: " + b"x" * (10 * MB), (("file-too-large", 1),)),
    "10000-deep-flow-sequences": Case(
        lambda v: b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", (("too-deep", 1),)
    ),
    "10000-deep-unclosed": Case(lambda v: b"a: " + b"[" * 10_000 + b"\n", (("too-deep", 1),)),
    "10000-deep-flow-mappings": Case(
        lambda v: b"a: " + b"{a: " * 10_000 + b"1" + b"}" * 10_000 + b"\n", (("too-deep", 1),)
    ),
    "10000-deep-block-sequences": Case(
        lambda v: b"a:\n" + b"- " * 10_000 + b"x\n", (("too-deep", 2),)
    ),
    "deep-block-mappings": Case(_deep_block_mappings, (("too-deep", 14),)),
    "24000-unknown-fields": Case(_unknown_fields, (("unknown-field", -1),)),
    # --- keys -------------------------------------------------------------------------------
    "duplicate-top-level-key": Case(lambda v: v + b"name: x\n", (("duplicate-key", -1),)),
    "duplicate-nested-key": Case(
        lambda v: v.replace(b"place:\n", b"place:\n  province: '22'\n", 1),
        (("duplicate-key", 2),),  # the fixture's own `province:`, now the second one
    ),
    "integer-key": Case(lambda v: v + b"1: x\n", (("non-string-key", -1),)),
    "null-key": Case(lambda v: v + b"~: x\n", (("non-string-key", -1),)),
    "null-word-key": Case(lambda v: v + b"null: x\n", (("non-string-key", -1),)),
    "bool-key": Case(lambda v: v + b"true: x\n", (("non-string-key", -1),)),
    "yes-no-key": Case(lambda v: v + b"no: x\n", (("non-string-key", -1),)),
    "float-key": Case(lambda v: v + b"1.5: x\n", (("non-string-key", -1),)),
    "date-key": Case(lambda v: v + b"2024-01-01: x\n", (("non-string-key", -1),)),
    "list-key": Case(lambda v: v + b"? [a, b]\n: x\n", (("non-string-key", -1),)),
    "mapping-key": Case(lambda v: v + b"? {a: b}\n: x\n", (("non-string-key", -1),)),
    "merge-key": Case(lambda v: v + b"<<: {name: x}\n", (("non-string-key", -1),)),
    # --- encodings and line ends ----------------------------------------------------------
    "bom": Case(lambda v: b"\xef\xbb\xbf" + v, valid=True),
    "crlf": Case(lambda v: v.replace(b"\n", b"\r\n"), valid=True),
    "cr": Case(lambda v: v.replace(b"\n", b"\r"), valid=True),
    "mixed-line-ends": Case(_mixed_line_ends, valid=True),
    "mixed-line-ends-keep-line-numbers": Case(
        lambda v: _mixed_line_ends(v) + b"name: x\n", (("duplicate-key", -1),)
    ),
    "nfd-text": Case(
        lambda v: unicodedata.normalize("NFD", v.decode("utf-8")).encode("utf-8"),
        (("not-nfc", 3),),
    ),
    "utf-16": Case(lambda v: v.decode("utf-8").encode("utf-16"), (("not-utf8", 1),)),
    "latin-1-byte": Case(lambda v: v + b"x: caf\xe9\n", (("not-utf8", -1),)),
    "invalid-utf8": Case(lambda v: v + b"x: \xff\xfe\n", (("not-utf8", -1),)),
    "overlong-utf8-slash": Case(lambda v: v + b"x: \xc0\xaf\n", (("not-utf8", -1),)),
    "lone-surrogate-bytes": Case(lambda v: v + b"x: \xed\xa0\x80\n", (("not-utf8", -1),)),
    "lone-surrogate-escape": Case(lambda v: v + b'x: "\\ud800"\n', (("yaml-syntax", -1),)),
    "nul-byte": Case(lambda v: v + b"x: a\x00b\n", (("yaml-syntax", -1),)),
    "nul-byte-quoted": Case(lambda v: v + b'x: "a\x00b"\n', (("yaml-syntax", -1),)),
    "escape-character": Case(lambda v: v + b"x: \x1b[31mred\n", (("yaml-syntax", -1),)),
    "c1-control": Case(lambda v: v + "x: a\u0086b\n".encode(), (("yaml-syntax", -1),)),
    # `"\x01"`, `"\0"`, `"\N"` escapes make control characters no file byte shows: they would
    # make the Atom feed invalid XML and sit invisibly in pages
    "escaped-control-in-text": Case(
        lambda v: v.replace(b'name: "', b'name: "\\x01', 1), (("yaml-syntax", 3),)
    ),
    "escaped-nul-in-text": Case(
        lambda v: v.replace(b'name: "', b'name: "\\0', 1), (("yaml-syntax", 3),)
    ),
    "escaped-next-line-in-text": Case(
        lambda v: v.replace(b'name: "', b'name: "\\N', 1), (("yaml-syntax", 3),)
    ),
    "tab-indentation": Case(lambda v: v + b"x:\n\t- y\n", (("tab-character", -2),)),
    # --- tags, documents ------------------------------------------------------------------
    "python-object-apply-scalar": Case(
        lambda v: v + b"x: !!python/object/apply:os.system 'touch /tmp/ocop-pwned'\n",
        (("yaml-tag", -1),),
    ),
    "python-object-apply-sequence": Case(
        lambda v: v + b"x: !!python/object/apply:os.system ['touch /tmp/ocop-pwned']\n",
        (("yaml-tag", -1),),
    ),
    "python-object-mapping-root": Case(
        lambda v: b"!!python/object:os.system\n" + v, (("yaml-tag", 1),)
    ),
    "python-object-on-known-field": Case(
        lambda v: v.replace(b"place:\n", b"place: !!python/object:x.Y\n", 1),
        (("yaml-tag", 0),),
    ),
    "python-name": Case(lambda v: v + b"x: !!python/name:os.system\n", (("yaml-tag", -1),)),
    "tag-directive": Case(
        lambda v: b"%TAG !p! tag:yaml.org,2002:python/\n---\n" + v + b"x: !p!object:os.Y z\n",
        (("yaml-tag", -1),),
        line_shift=2,
    ),
    "set-tag": Case(lambda v: v + b"x: !!set {a, b}\n", (("yaml-tag", -1),)),
    "omap-tag": Case(lambda v: v + b"x: !!omap [a: 1]\n", (("yaml-tag", -1),)),
    "binary-tag": Case(lambda v: v + b"x: !!binary aGVsbG8=\n", (("yaml-tag", -1),)),
    "local-tag": Case(lambda v: v + b"x: !secret y\n", (("yaml-tag", -1),)),
    "two-documents": Case(lambda v: v + b"---\nid: other\n", (("yaml-syntax", -1),)),
    "document-end-then-more": Case(lambda v: v + b"...\n---\nid: x\n", (("yaml-syntax", -2),)),
    "explicit-single-document": Case(lambda v: b"---\n" + v + b"...\n", valid=True, line_shift=1),
    # --- numbers ----------------------------------------------------------------------------
    "5000-digit-integer": Case(lambda v: v + b"x: " + b"9" * 5000 + b"\n", (("out-of-range", -1),)),
    "huge-hex-stars": Case(
        lambda v: v.replace(b"stars: 4\n", b"stars: 0x" + b"f" * 4000 + b"\n", 1),
        (("out-of-range", 7),),
        product_only=True,
    ),
    "huge-sexagesimal": Case(
        lambda v: v + b"x: 1" + b":59" * 60_000 + b"\n", (("out-of-range", -1),)
    ),
    "long-sexagesimal-float": Case(
        lambda v: v + b"x: 1" + b":59" * 200 + b".5\n", (("out-of-range", -1),)
    ),
    "nan-score": Case(
        lambda v: v.replace(b"score: 78", b"score: .nan"),
        (("out-of-range", 13),),
        product_only=True,
    ),
    "infinite-score": Case(
        lambda v: v.replace(b"score: 78", b"score: .inf"),
        (("out-of-range", 13),),
        product_only=True,
    ),
    # --- not a record -----------------------------------------------------------------------
    "empty": Case(lambda v: b"", (("empty-file", 1),)),
    "only-comments": Case(lambda v: b"# nothing\n# here\n", (("empty-file", 1),)),
    "a-list": Case(lambda v: b"- id: x\n", (("not-a-mapping", 1),)),
    "a-scalar": Case(lambda v: b"hello\n", (("not-a-mapping", 1),)),
}


def _resolve(name: str, line: int, valid: bytes, shift: int) -> int:
    if name == "duplicate-nested-key":
        return _place_line(valid) + line
    if line == 0:
        return _place_line(valid)
    if line < 0:
        return valid.count(b"\n") - line + shift
    return line


@pytest.mark.parametrize("target", [PRODUCT, PRODUCER], ids=["product", "producer"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_record(catalog: Path, name: str, target: str) -> None:
    case = CASES[name]
    if case.product_only and target != PRODUCT:
        pytest.skip("the field exists in products only")
    valid = (FIXTURE_CATALOG / target).read_bytes()
    hostile = case.make(valid)
    (catalog / target).write_bytes(hostile)

    checked, elapsed = timed_check(catalog)

    assert elapsed < SECONDS, f"{name}: {elapsed:.2f} s of CPU"
    shown = f"catalog/{target}"
    if case.valid:
        assert checked.problems == [], format_text(checked.problems, "en")
        assert checked.catalog is not None
        original = load_records(FIXTURE_CATALOG)
        kind = "products" if target == PRODUCT else "producers"
        before = next(r for r in getattr(original, kind) if r.display == shown)
        after = next(r for r in getattr(checked.loaded, kind) if r.display == shown)
        assert after.data == before.data
        assert after.lines == {k: v + case.line_shift for k, v in before.lines.items()}
        return
    assert checked.catalog is None, f"{name}: accepted"
    found = {(p.code, p.line) for p in checked.problems if p.path == shown}
    for code, line in case.expected:
        resolved = _resolve(name, line, valid, case.line_shift)
        assert (code, resolved) in found, (name, code, resolved, sorted(found))
    assert not Path("/tmp/ocop-pwned").exists()


def test_control_character_named_with_its_line(catalog: Path) -> None:
    """libyaml's reader error has no line; the message names the character and its line."""
    valid = (FIXTURE_CATALOG / PRODUCT).read_bytes()
    lines = valid.split(b"\n")
    lines[23] = lines[23][:5] + b"\x00" + lines[23][5:]
    (catalog / PRODUCT).write_bytes(b"\n".join(lines) + b"x: \x07\n")
    checked, _ = timed_check(catalog)
    [found] = [p for p in checked.problems if p.code == "yaml-syntax"]
    assert found.line == 24
    assert "U+0000" in found.message("en") and "U+0000" in found.message("vi")


def test_alias_bomb_never_expands(catalog: Path) -> None:
    """The load stage alone, with its memory: nothing near 10^9 strings is ever built."""
    import tracemalloc

    (catalog / PRODUCT).write_bytes(_laughs(b""))
    tracemalloc.start()
    try:
        loaded = load_records(catalog)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * MB
    assert {p.code for p in loaded.problems} == {"yaml-alias"}
    assert all(r.display != f"catalog/{PRODUCT}" for r in loaded.products)


def test_every_hostile_file_at_once(catalog: Path) -> None:
    """All the cases in one catalog (one product folder each): every problem is reported, the
    valid records still load, and validate_records on its own does not raise either."""
    valid = (FIXTURE_CATALOG / PRODUCT).read_bytes()
    folder = catalog / "products" / "quang_ninh"
    for i, (name, case) in enumerate(sorted(CASES.items())):
        if name.startswith("10-MB") or case.valid:
            continue
        product = folder / f"qn-hostile-{i}"
        product.mkdir()
        (product / "product.yaml").write_bytes(case.make(valid))
    with watchdog(30):
        loaded = load_records(catalog)
        validation = validate_records(
            loaded,
            load_schemas(SCHEMAS),
            load_places(),
            load_vocabulary(SCHEMAS),
            AS_OF,
            catalog / "published-ids.txt",
        )
    assert validation.problems == sorted(validation.problems)
    broken = {p.path.split("/")[3] for p in validation.problems}
    assert {f.name for f in folder.iterdir() if f.name.startswith("qn-hostile-")} <= broken
    assert len(loaded.products) >= 4  # the fixture's own records are unaffected


def test_dates_that_do_not_exist_are_reported_not_crashed_on(catalog: Path) -> None:
    valid = (FIXTURE_CATALOG / PRODUCT).read_text(encoding="utf-8")
    for bad in ("2025-02-30", "9999-99-99", "0000-00-00", "2025-06-15 10:00:00", "2025-06-15T1"):
        (catalog / PRODUCT).write_text(
            valid.replace('date: "2025-06-15"', f"date: {bad}"), encoding="utf-8"
        )
        checked, elapsed = timed_check(catalog)
        assert elapsed < SECONDS
        codes = {p.code for p in checked.problems if p.field == "certificate.date"}
        assert codes & {"invalid-date", "date-format", "partial-date-format"}, (bad, codes)


def test_as_of_far_future_and_past(catalog: Path) -> None:
    """Extreme as-of dates are computations, not crashes (36 months after 9999 overflows)."""
    for as_of in (dt.date(1, 1, 1), dt.date(9999, 12, 31)):
        with watchdog(20):
            checked = check_catalog(catalog, SCHEMAS, as_of, catalog / "published-ids.txt")
        format_text(checked.problems, "en")
