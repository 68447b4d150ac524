"""Bad-record cases: each folder of tests/bad_records/ is one mistake a contributor really makes.

A case is the valid fixture catalog (tests/fixtures/catalog/) with changes applied to a copy:

    tests/bad_records/<case>/
      README.md        optional: the mistake in one or two sentences
      DELETE           optional: catalog-relative paths to delete, one per line (`#` comments)
      overlay/         files copied over the catalog copy (new or replacing files)
      expected.txt     the exact error lines `ocop validate` prints (Vietnamese)
      expected.en.txt  the same in English

After changing a message on purpose, rewrite the expected files and review the diff:

    .venv/bin/python tests/test_bad_records.py --regenerate [case ...]

(or run pytest with OCOP_REGENERATE=1).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES_DIR = HERE / "bad_records"
FIXTURE = HERE / "fixtures" / "catalog"
SCHEMAS = ROOT / "schemas"
AS_OF = dt.date(2026, 11, 23)
LANGS = {"vi": "expected.txt", "en": "expected.en.txt"}

if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

from generator.catalog import check_catalog  # noqa: E402
from generator.errors import Problem, format_text  # noqa: E402


def case_names() -> list[str]:
    return sorted(
        p.name for p in CASES_DIR.iterdir() if (p / "overlay").is_dir() or (p / "DELETE").is_file()
    )


def build_case(case: Path, work: Path) -> Path:
    """A copy of the fixture catalog with the case's deletions and overlay applied."""
    catalog = work / "catalog"  # messages show paths as catalog/...
    shutil.copytree(FIXTURE, catalog)
    delete = case / "DELETE"
    if delete.is_file():
        for line in delete.read_text(encoding="utf-8").splitlines():
            rel = line.split("#", 1)[0].strip()
            if not rel:
                continue
            target = catalog / rel
            assert target.resolve().is_relative_to(catalog.resolve()), rel
            assert target.exists(), f"{case.name}/DELETE: {rel} does not exist in the fixture"
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
    overlay = case / "overlay"
    if overlay.is_dir():
        shutil.copytree(overlay, catalog, dirs_exist_ok=True)
    return catalog


def run_case(case: Path, work: Path) -> list[Problem]:
    catalog = build_case(case, work)
    checked = check_catalog(catalog, SCHEMAS, AS_OF, catalog / "published-ids.txt")
    return checked.problems


def test_fixture_catalog_is_valid() -> None:
    checked = check_catalog(FIXTURE, SCHEMAS, AS_OF, FIXTURE / "published-ids.txt")
    assert format_text(checked.problems) == ""
    assert checked.catalog is not None


def test_enough_distinct_cases() -> None:
    assert len(case_names()) >= 30


@pytest.mark.parametrize("name", case_names())
def test_bad_record(name: str, tmp_path: Path) -> None:
    case = CASES_DIR / name
    problems = run_case(case, tmp_path)
    assert problems, f"{name}: the mistake was not detected"
    if os.environ.get("OCOP_REGENERATE"):
        write_expected(case, problems)
    for lang, file_name in LANGS.items():
        expected = case / file_name
        if lang == "vi" or expected.is_file():
            assert format_text(problems, lang) == expected.read_text(encoding="utf-8")


def write_expected(case: Path, problems: list[Problem]) -> None:
    for lang, file_name in LANGS.items():
        (case / file_name).write_text(format_text(problems, lang), encoding="utf-8", newline="\n")


def regenerate(names: list[str]) -> int:
    import tempfile

    for name in names or case_names():
        case = CASES_DIR / name
        with tempfile.TemporaryDirectory() as tmp:
            problems = run_case(case, Path(tmp))
        write_expected(case, problems)
        print(f"{name}: {len(problems)} line(s)")
        if not problems:
            print(f"  warning: {name} produces no problem", file=sys.stderr)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] != "--regenerate":
        print(__doc__)
        sys.exit(2)
    sys.exit(regenerate(args[1:]))
