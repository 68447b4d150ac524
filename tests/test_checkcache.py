"""generator/checkcache.py: what one run found is kept, and the next run gives the same answers
while parsing and checking only the records whose bytes changed."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from test_bad_records import CASES_DIR, build_case, case_names

from generator import checkcache, load
from generator.catalog import CheckedCatalog, check_catalog
from generator.config import PROJECT_ROOT, PoolSettings
from generator.errors import format_text
from generator.parallel import DEFAULT_POOLS
from generator.validate import photos, run
from support import AS_OF, FIXTURE_CATALOG

SCHEMAS = PROJECT_ROOT / "schemas"
VALID = "products/quang_ninh/qn-valid/product.yaml"
RECORDS = 9  # products and producers of the fixture catalog
PHOTOS = 6  # photo files of the fixture catalog


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, root)
    return root


def check(
    catalog: Path, cache: Path | None, as_of: dt.date = AS_OF, pools: PoolSettings = DEFAULT_POOLS
) -> CheckedCatalog:
    return check_catalog(
        catalog, SCHEMAS, as_of, catalog / "published-ids.txt", cache_dir=cache, pools=pools
    )


def same(a: CheckedCatalog, b: CheckedCatalog) -> None:
    """The same problems (lines, messages, order) and the same catalog."""
    assert format_text(a.problems) == format_text(b.problems)
    assert format_text(a.problems, "en") == format_text(b.problems, "en")
    assert a.problems == b.problems
    assert a.catalog == b.catalog


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts what a run really does: files parsed, records checked, photos read."""
    done: Counter[str] = Counter()
    parse, record_checks, check_photo = (
        load.parse_record,
        run._record_checks,
        photos.check_photo,
    )

    def counted_parse(raw: bytes, shown: str) -> Any:
        done["parsed"] += 1
        done[shown] += 1
        return parse(raw, shown)

    def counted_checks(record: Any, context: Any) -> Any:
        done["checked"] += 1
        return record_checks(record, context)

    def counted_photo(*args: Any) -> Any:
        done["photos read"] += 1
        return check_photo(*args)

    monkeypatch.setattr(load, "parse_record", counted_parse)
    monkeypatch.setattr(run, "_record_checks", counted_checks)
    monkeypatch.setattr(photos, "check_photo", counted_photo)
    return done


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.unlink()  # a new file, as git writes it (never in place)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unchanged_catalog_is_neither_parsed_nor_checked_again(
    catalog: Path, tmp_path: Path, work: Counter[str]
) -> None:
    cache = tmp_path / "cache"
    first = check(catalog, cache)
    assert first.catalog is not None
    assert (work["parsed"], work["checked"], work["photos read"]) == (RECORDS, RECORDS, PHOTOS)
    (full,) = cache.glob("checks-*.marshal")
    written = full.stat().st_mtime_ns

    work.clear()
    second = check(catalog, cache)
    assert work == Counter()
    same(second, first)
    assert full.stat().st_mtime_ns == written  # nothing changed: nothing written
    assert [r.lines for r in second.loaded.products] == [r.lines for r in first.loaded.products]


def test_changed_record_is_parsed_again_and_its_problems_reported(
    catalog: Path, tmp_path: Path, work: Counter[str]
) -> None:
    cache = tmp_path / "cache"
    first = check(catalog, cache)
    record = catalog / VALID
    edit(record, 'date: "2025-06-15"', 'date: "2025-02-30"')

    work.clear()
    changed = check(catalog, cache)
    assert work["parsed"] == work["checked"] == 1
    assert work[f"catalog/{VALID}"] == 1
    assert work["photos read"] == 0
    assert [(p.path, p.line, p.code) for p in changed.problems] == [
        (f"catalog/{VALID}", 10, "invalid-date")
    ]
    same(changed, check(catalog, None))

    edit(record, 'date: "2025-02-30"', 'date: "2025-06-15"')
    work.clear()
    same(check(catalog, cache), first)
    assert work["parsed"] == 1


@pytest.mark.parametrize("name", case_names())
def test_bad_record_cases_are_reported_alike_from_a_warm_cache(name: str, tmp_path: Path) -> None:
    """Each realistic mistake made in a catalog whose other records the cache knows: the
    exact lines of expected.txt, then again with every record known."""
    case = CASES_DIR / name
    cache = tmp_path / "cache"
    catalog = tmp_path / "catalog"  # the valid fixture first, at the case's path
    shutil.copytree(FIXTURE_CATALOG, catalog)
    assert check(catalog, cache).catalog is not None
    shutil.rmtree(catalog)
    assert build_case(case, tmp_path) == catalog
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    for _ in ("changed records", "all known"):
        problems = check(catalog, cache).problems
        assert format_text(problems) == expected
        english = case / "expected.en.txt"
        if english.is_file():
            assert format_text(problems, "en") == english.read_text(encoding="utf-8")


def test_dates_in_the_future_follow_the_as_of_day(catalog: Path, tmp_path: Path) -> None:
    """A record's checks are kept with the as-of days they hold for: a date that is in the
    future on one day is not on another, and its message names the day."""
    cache = tmp_path / "cache"
    edit(catalog / VALID, 'updated: "2026-11-20"', 'updated: "2026-12-01"')
    days = [AS_OF, AS_OF + dt.timedelta(days=1), dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    for as_of in [*days, *reversed(days), AS_OF]:
        cached = check(catalog, cache, as_of)
        same(cached, check(catalog, None, as_of))
        future = [p.message("en") for p in cached.problems if p.code == "future-date"]
        assert len(future) == (as_of < dt.date(2026, 12, 1))
        assert all(as_of.isoformat() in message for message in future)


def test_damaged_cache_is_ignored(catalog: Path, tmp_path: Path, work: Counter[str]) -> None:
    cache = tmp_path / "cache"
    edit(catalog / VALID, 'date: "2025-06-15"', 'date: "2025-02-30"')  # a problem to repeat
    reference = check(catalog, None)
    check(catalog, cache)
    (full,) = cache.glob("checks-*.marshal")
    good = full.read_bytes()
    middle = len(good) // 2
    flipped = good[:middle] + bytes([good[middle] ^ 1]) + good[middle + 1 :]
    damaged = [b"", b"OCOPCHK1", good[: len(good) - 1], flipped, b"x" * len(good), good[:80]]
    for bad in damaged:
        full.unlink()
        full.write_bytes(bad)
        work.clear()
        same(check(catalog, cache), reference)
        assert (work["parsed"], work["photos read"]) == (RECORDS, PHOTOS), bad[:20]


def test_damaged_changes_file_is_ignored(catalog: Path, tmp_path: Path, work: Counter[str]) -> None:
    cache = tmp_path / "cache"
    check(catalog, cache)
    edit(catalog / VALID, 'name: "Sản phẩm mẫu còn hiệu lực"', 'name: "Sản phẩm mẫu (sửa)"')
    changed = check(catalog, cache)
    (changes,) = cache.glob("checks-*.changes.marshal")
    data = changes.read_bytes()
    changes.unlink()
    changes.write_bytes(data[:-3])
    work.clear()
    same(check(catalog, cache), changed)
    assert work["parsed"] == 1  # the full file still answers for the other records
    assert work[f"catalog/{VALID}"] == 1


def test_foreign_version_is_ignored(
    catalog: Path, tmp_path: Path, work: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another code or schema version: its parses and checks are not used; photo facts are
    kept unless the photo checks themselves changed."""
    cache = tmp_path / "cache"
    first = check(catalog, cache)
    real = checkcache.code_versions(SCHEMAS)
    other = b"\0" * len(real.checks)
    for versions, parsed, read in (
        (checkcache.Versions(other, real.photos), RECORDS, 0),
        (checkcache.Versions(other, other), 0, PHOTOS),
        (real, 0, 0),  # the full file, of this version, still answers; the changes do not
    ):
        monkeypatch.setattr(checkcache, "code_versions", lambda _, v=versions: v)
        work.clear()
        same(check(catalog, cache), first)
        assert (work["parsed"], work["checked"], work["photos read"]) == (parsed, parsed, read)


def test_schema_and_code_change_the_version(tmp_path: Path) -> None:
    real = checkcache.code_versions(SCHEMAS)
    assert checkcache.code_versions(SCHEMAS) == real
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, schemas)
    assert checkcache.code_versions(schemas) == real
    product = schemas / "product.schema.json"
    product.write_text(product.read_text(encoding="utf-8").replace("{", "{ ", 1), "utf-8")
    changed = checkcache.code_versions(schemas)
    assert changed.checks != real.checks and changed.photos == real.photos


def test_check_modules_are_what_the_check_imports() -> None:
    """A module added to the checks must be part of the version, or a change in it would
    leave stale results in every contributor's cache."""
    code = (
        "import sys, generator.catalog; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('generator'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    imported = {name.removeprefix("generator").lstrip(".") or "__init__" for name in out}
    assert imported == set(checkcache.CHECK_MODULES)


def test_changes_are_written_beside_the_full_file_until_they_are_many(
    catalog: Path, tmp_path: Path, work: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkcache, "FEW_CHANGES", 2)  # one record: a parse and its checks
    cache = tmp_path / "cache"
    check(catalog, cache)
    (full,) = cache.glob("checks-*.marshal")
    written = full.read_bytes()
    edit(catalog / VALID, 'name: "Sản phẩm mẫu còn hiệu lực"', 'name: "Sản phẩm mẫu (sửa)"')
    one = check(catalog, cache)
    assert full.read_bytes() == written
    assert len(list(cache.glob("checks-*.changes.marshal"))) == 1
    work.clear()
    same(check(catalog, cache), one)  # the full file and the changes, read in a new run
    assert work == Counter()

    for product in ("hp-revoked", "qn-expired"):  # 3 records: the full file again
        record = next(catalog.glob(f"products/*/{product}/product.yaml"))
        edit(record, "example: true", "example: false")
    many = check(catalog, cache)
    assert full.read_bytes() != written
    assert list(cache.glob("checks-*.changes.marshal")) == []
    work.clear()
    same(check(catalog, cache), many)
    assert work == Counter()


def test_removed_record_is_forgotten(catalog: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    check(catalog, cache)
    shutil.rmtree(catalog / "products" / "quang_ninh" / "qn-expired")
    without = check(catalog, cache)
    assert [p.code for p in without.problems] == ["published-product-missing"]
    same(without, check(catalog, None))
    shutil.copytree(
        FIXTURE_CATALOG / "products" / "quang_ninh" / "qn-expired",
        catalog / "products" / "quang_ninh" / "qn-expired",
    )
    same(check(catalog, cache), check(catalog, None))


def test_worker_processes_give_the_same_results(catalog: Path, tmp_path: Path) -> None:
    """Records and photos read in forked workers, after a first chunk read here."""
    cache = tmp_path / "cache"
    inline = check(catalog, None)
    pooled = PoolSettings(min_items=1, chunk=2)
    same(check(catalog, cache, pools=pooled), inline)  # nothing known: workers after a chunk
    same(check(catalog, cache, pools=pooled), inline)  # everything known: all here
    for record in sorted(catalog.glob("*/**/*.yaml")):  # every record changed: workers again
        edit(record, "\n", "\n# sửa\n")
    same(check(catalog, cache, pools=pooled), check(catalog, None))


def test_unwritable_cache_is_not_an_error(catalog: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.write_text("a file where the folder should be", encoding="utf-8")
    same(check(catalog, cache), check(catalog, None))
    assert os.path.isfile(cache)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the catalog files (records, lots tables) whose bytes are read."""
    done: Counter[str] = Counter()
    read_file = load.read_file

    def counted(path: Any, size: int, limit: int) -> bytes:
        done[Path(path).name] += 1
        return read_file(path, size, limit)

    monkeypatch.setattr(load, "read_file", counted)
    return done


def test_files_whose_stamp_holds_are_not_read_again(
    catalog: Path, tmp_path: Path, reads: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file just written is read again (its stamp may not show a change made within the
    same time step); one whose stamp is older than RACY_NS when it was read is not."""
    cache = tmp_path / "cache"
    first = check(catalog, cache)
    reads.clear()
    same(check(catalog, cache), first)
    assert sum(reads.values()) == RECORDS + 2  # and 2 lots tables; all just copied: racy

    monkeypatch.setattr(load, "RACY_NS", -(10**12))  # every stamp old enough
    check(catalog, cache)  # the same bytes: the stamps are kept this time
    reads.clear()
    same(check(catalog, cache), first)
    assert reads == Counter()


def test_a_file_changed_in_place_is_seen_whatever_its_mtime(
    catalog: Path, tmp_path: Path, reads: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size, same inode, the mtime set back as `cp -p` or `tar` would: the ctime tells."""
    monkeypatch.setattr(load, "RACY_NS", -(10**12))
    cache = tmp_path / "cache"
    check(catalog, cache)
    check(catalog, cache)  # stamps kept
    record = catalog / VALID
    before = record.stat()
    text = record.read_text(encoding="utf-8")
    changed = text.replace('date: "2025-06-15"', 'date: "2025-02-30"', 1)
    assert changed != text and len(changed) == len(text)
    with open(record, "r+b") as out:  # in place: the same inode
        out.write(changed.encode())
    os.utime(record, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = record.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    reads.clear()
    found = check(catalog, cache)
    assert reads == Counter({"product.yaml": 1})
    assert [(p.path, p.line, p.code) for p in found.problems] == [
        (f"catalog/{VALID}", 10, "invalid-date")
    ]
