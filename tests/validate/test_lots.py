"""generator/validate/lots.py: a lots table checked against its Table Schema and beyond, one
exact line per mistake, fast enough for a table of 200,000 lots, and kept in the check cache."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import time
from pathlib import Path

import pytest

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT
from generator.errors import format_text
from generator.lots import LotsTable, parse_lots
from generator.places import load_places
from generator.validate import lots as lots_checks
from generator.validate.lots import check_lots_table, lots_schema
from support import AS_OF, FIXTURE_CATALOG

SCHEMAS = PROJECT_ROOT / "schemas"
SHOWN = "catalog/products/quang_ninh/qn-valid/lots.csv"
HEADER = (
    "lot,produced,use_by,quantity,unit,origin,origin_commune,inspection_report,"
    "inspection_laboratory,inspection_date,inspection_result,inspection_url,note"
)
BIG = 200_000  # lines of lots, besides the header


def _table(text: str) -> LotsTable:
    parsed = parse_lots(text.encode(), SHOWN)
    assert parsed.header is not None, parsed.problems
    return LotsTable(
        SHOWN,
        "0" * 64,
        parsed.header_line,
        parsed.header,
        parsed.rows,
        parsed.lines,
        parsed.all_nfc,
    )


def _check(text: str, lang: str = "vi") -> str:
    schema = lots_schema(json.dumps(json.loads((SCHEMAS / "lots.schema.json").read_text())))
    problems, _ = check_lots_table(_table(text), schema, load_places(), AS_OF)
    return format_text(problems, lang)


def test_the_fixture_tables_are_valid() -> None:
    for path in sorted(FIXTURE_CATALOG.rglob("lots.csv")):
        assert _check(path.read_text(encoding="utf-8")) == "", path


def test_header_mistakes() -> None:
    text = "lot,produced,note,note,,hạn dùng\nL1,2026-01-01,a,b,x,\n"
    assert _check(text, "en") == (
        f"{SHOWN}:1: column `note` appears twice (columns 3 and 4); keep one and delete the "
        "other [lots-duplicate-column]\n"
        f"{SHOWN}:1: column `hạn dùng` is not part of the table; the columns are: lot, produced, "
        "use_by, quantity, unit, origin, origin_commune, inspection_report, "
        "inspection_laboratory, inspection_date, inspection_result, inspection_url, note "
        "[lots-unknown-column]\n"
        f"{SHOWN}:1: column 5 holds values but has no name; name it in the first line (one of: "
        "lot, produced, use_by, quantity, unit, origin, origin_commune, inspection_report, "
        "inspection_laboratory, inspection_date, inspection_result, inspection_url, note) or "
        "delete it [lots-unnamed-column]\n"
    )


def test_a_missing_required_column() -> None:
    assert _check("lot,use_by\nL1,2027-01-01\n", "en") == (
        f"{SHOWN}:1: required column `produced` is missing (Production or harvest date, "
        "YYYY-MM-DD; not after today.); add it to the first line and a value for each lot "
        "[lots-missing-column]\n"
    )


def test_an_empty_name_over_an_empty_column_is_left_alone() -> None:
    assert _check("lot,produced,,\nL1,2026-01-01,,\n") == ""


def test_cell_mistakes_each_on_its_line() -> None:
    text = (
        f"{HEADER}\n"
        ",2026-01-01,,,,,,,,,,,\n"  # 2: no code
        f"L3,,,,,,,,,,,,{'x' * 501}\n"  # 3: no production date, note too long
        "L4,2026-01-01,,1.200.000,hộp,,,,,2026-01-02,đạt,https://a b,\n"  # 4
        "L5,2026-01-01,,,,,,,,,,,,extra\n"  # 5: a cell more than the header
        "L6,2026-01-01,,,,,,,,,,\n"  # 6: a cell less
    )
    assert _check(text, "en") == (
        f"{SHOWN}:2: lot: empty; column `lot` is required (The lot code as printed on the pack: "
        "upper-case A-Z, digits 0-9, hyphen - and dot .; starting with a letter or digit; at "
        "most 20 characters. Unique within the product.) [required-cell]\n"
        f"{SHOWN}:3: note: too long (501 characters, at most 500); shorten it [too-long]\n"
        f"{SHOWN}:3: produced: empty; column `produced` is required (Production or harvest date, "
        "YYYY-MM-DD; not after today.) [required-cell]\n"
        f"{SHOWN}:4: inspection_result: `đạt` is not allowed; write one of: pass, fail "
        "[not-allowed-value]\n"
        f"{SHOWN}:4: inspection_url: `https://a b` has the wrong form; a web address starts with "
        "https:// and has no spaces [bad-format]\n"
        f"{SHOWN}:4: quantity: `1.200.000` is not a number; write digits only, a dot for "
        "decimals, no thousands separator (e.g. 1200 or 12.5); the unit goes in the unit column "
        "[not-a-number]\n"
        f"{SHOWN}:5: the line has 14 cells but the first line 13 columns; a cell holding a comma "
        'goes in double quotes ("1,5 t"), an empty cell still needs its comma '
        "[lots-row-length]\n"
        f"{SHOWN}:6: the line has 12 cells but the first line 13 columns; a cell holding a comma "
        'goes in double quotes ("1,5 t"), an empty cell still needs its comma '
        "[lots-row-length]\n"
    )


def test_a_suggested_code_is_never_another_lots() -> None:
    text = "lot,produced\nL1-2,2026-01-01\nL1/2,2026-01-01\nL/3,2026-01-01\n"
    assert _check(text, "en") == (
        f"{SHOWN}:3: lot: lot code `L1/2` has the character(s) `/`: a lot code holds only "
        "upper-case A-Z, digits 0-9, hyphens - and dots ., starts with a letter or digit and has "
        "at most 20 characters (so that it prints, scans and makes a web address) [lot-code]\n"
        f"{SHOWN}:4: lot: lot code `L/3` has the character(s) `/`: a lot code holds only "
        "upper-case A-Z, digits 0-9, hyphens - and dots ., starts with a letter or digit and has "
        "at most 20 characters (so that it prints, scans and makes a web address); write `L-3`, "
        "and print exactly this code on the pack [lot-code]\n"
    )


def test_too_long_a_code() -> None:
    code = "L" * 21
    assert f"lot code `{code}` has 21 characters: " in _check(
        f"lot,produced\n{code},2026-01-01\n", "en"
    )


def test_decomposed_text_is_one_problem_at_its_first_cell() -> None:
    nfd = "Vùng".replace("ù", "u\u0300")
    text = f"lot,produced,origin,note\nL1,2026-01-01,Vùng,\nL2,2026-01-01,{nfd},{nfd}\n"
    assert _check(text, "en") == (
        f"{SHOWN}:3: origin: Vietnamese text is decomposed (NFD) (and 1 more cell(s)); run `ocop "
        f"fix {SHOWN}` to convert the whole file to NFC [not-nfc]\n"
    )


def test_results_hold_for_a_span_of_as_of_days() -> None:
    schema = lots_schema(json.dumps(json.loads((SCHEMAS / "lots.schema.json").read_text())))
    places = load_places()
    table = _table("lot,produced,inspection_date\nL1,2026-01-01,2026-03-01\nL2,2026-02-01,\n")
    problems, span = check_lots_table(table, schema, places, AS_OF)
    assert problems == []
    assert span == (dt.date(2026, 3, 1).toordinal(), dt.date.max.toordinal())
    problems, span = check_lots_table(table, schema, places, dt.date(2026, 1, 15))
    assert [p.code for p in problems] == ["future-date", "future-date"]
    assert span == (dt.date(2026, 1, 15).toordinal(),) * 2


def _big_table(mistakes: dict[int, str]) -> str:
    """BIG lots, one a line from line 2, with the given lines replaced."""
    base = dt.date(2020, 1, 1)
    days = [(base + dt.timedelta(days=n)).isoformat() for n in range(2000)]
    later = [(base + dt.timedelta(days=n + 365)).isoformat() for n in range(2000)]
    lines = [HEADER]
    for n in range(BIG):
        day, until = days[n % 2000], later[n % 2000]
        lot = f"P{n:07d},{day},{until},{100 + n % 50},chai,Vùng mẫu,06832,,,,,,"
        lines.append(mistakes.get(n + 2) or lot)
    return "\n".join(lines) + "\n"


@pytest.fixture
def big_catalog(tmp_path: Path) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    return catalog


def test_a_table_of_200000_lots_with_mistakes_names_each_line(big_catalog: Path) -> None:
    mistakes = {
        100_001: "P0000005,2026-01-01,2027-01-01,10,chai,,,,,,,,",  # the code of line 7
        150_000: "P/150000,2026-01-01,2027-01-01,10,chai,,,,,,,,",
        199_999: "Q0199997,2026-05-01,2026-04-01,10,chai,,,,,,,,",
        200_001: "q0000001 ,2026-01-01,,,,,,,,,,,",  # last line: P... is not Q...: a new code
    }
    table = _big_table(mistakes)
    path = big_catalog / "products" / "quang_ninh" / "qn-nam-chua-ro" / "lots.csv"
    path.write_text(table, encoding="utf-8")
    shown = "catalog/products/quang_ninh/qn-nam-chua-ro/lots.csv"
    started = time.perf_counter()
    checked = check_catalog(big_catalog, SCHEMAS, AS_OF)
    seconds = time.perf_counter() - started
    assert format_text(checked.problems, "en") == (
        f"{shown}:100001: lot: lot code `P0000005` is already on line 7; one line per lot, each "
        "with its own code: write the code as printed on the pack, or delete the repeated line "
        "[duplicate-lot]\n"
        f"{shown}:150000: lot: lot code `P/150000` has the character(s) `/`: a lot code holds "
        "only upper-case A-Z, digits 0-9, hyphens - and dots ., starts with a letter or digit and "
        "has at most 20 characters (so that it prints, scans and makes a web address); write "
        "`P-150000`, and print exactly this code on the pack [lot-code]\n"
        f"{shown}:199999: use_by: use-by date 2026-04-01 is before the production date "
        "2026-05-01; check both dates (production in produced, use-by in use_by) [lot-dates]\n"
        f"{shown}:200001: lot: lot code `q0000001` has lower-case letters: a lot code holds "
        "only upper-case A-Z, digits 0-9, hyphens - and dots ., starts with a letter or digit and "
        "has at most 20 characters (so that it prints, scans and makes a web address); write "
        "`Q0000001`, and print exactly this code on the pack [lot-code]\n"
    )
    # A couple of seconds on a quiet machine. On a busy one everything is slower: the bound is
    # a multiple of the time the csv module alone takes to read the table, measured here.
    started = time.perf_counter()
    list(csv.reader(io.StringIO(table, newline="")))
    reading = time.perf_counter() - started
    assert seconds < 1 + 12 * reading, f"{seconds:.1f} s to check {BIG} lots ({reading:.2f} s)"


def test_a_valid_table_of_200000_lots_is_derived_and_then_taken_from_the_cache(
    big_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = big_catalog / "products" / "quang_ninh" / "qn-nam-chua-ro" / "lots.csv"
    path.write_text(_big_table({}), encoding="utf-8")
    cache = tmp_path / "cache"
    checked = check_catalog(big_catalog, SCHEMAS, AS_OF, cache_dir=cache)
    assert checked.catalog is not None, format_text(checked.problems)
    product = next(p for p in checked.catalog.products if p.id == "qn-nam-chua-ro")
    assert len(product.lots) == BIG
    assert product.lots[-1].code == f"P{BIG - 1:07d}" and product.lots[-1].line == BIG + 1
    assert product.lots_path == "catalog/products/quang_ninh/qn-nam-chua-ro/lots.csv"

    def not_again(*args: object) -> None:
        raise AssertionError("a table whose bytes are known was checked again")

    monkeypatch.setattr(lots_checks, "check_lots_table", not_again)
    again = check_catalog(big_catalog, SCHEMAS, AS_OF, cache_dir=cache)
    assert again.catalog is not None
    # a changed byte is checked again, and its mistake found
    path.write_text(_big_table({5: "P0000001,2026-01-01,,,,,,,,,,,"}), encoding="utf-8")
    with pytest.raises(AssertionError, match="checked again"):
        check_catalog(big_catalog, SCHEMAS, AS_OF, cache_dir=cache)
    monkeypatch.undo()
    changed = check_catalog(big_catalog, SCHEMAS, AS_OF, cache_dir=cache)
    assert [(p.line, p.code) for p in changed.problems] == [(5, "duplicate-lot")]
