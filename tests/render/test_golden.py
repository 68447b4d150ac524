"""Golden files for rendered output, and byte-identical rebuilds.

Regenerate after an intended change, then review the diff:
    OCOP_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/render/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.build import BuildReport, build_site
from generator.config import PROJECT_ROOT
from generator.render.datasets.specs import TABLES
from support import FIXTURE_CATALOG, make_config, tree_digests

GOLDEN = PROJECT_ROOT / "tests" / "golden"
BASE_URL = "https://ocop.example/catalog/"
GOLDEN_FILES = [
    "p/qn-valid/index.html",
    "p/hp-withdrawn/index.html",
    "p/qn-nam-chua-ro/index.html",  # decision known only by its year: validity unknown
    "p/hp-chua-co-anh/index.html",  # no photo yet; decision known to the month
    "tinh/quang-ninh/index.html",
    "chu-the/htx-mau-quang-ninh/index.html",
    "tinh/quang-ninh/chu-the/index.html",  # a province's producers
    "thong-ke/tinh/quang-ninh/index.html",  # a province's certificates expiring and expired
    "index.html",
    "sitemap.xml",
    "robots.txt",
    "search/meta.json",
    "p/qn-valid/lo/L2026-09/index.html",  # a recalled lot
    "01/08930000000019/10/L2025-01/index.html",  # an expired lot by its GS1 address
    "thu-hoi/index.html",
    "nhan-qr/index.html",  # the labels page: the provinces' sheets and pages
    "nhan-qr/tinh/quang-ninh/index.html",  # a province's labels and its producers' sheets
    "01/08930000000019/linkset.json",
    ".well-known/gs1resolver",
    "_headers",
    "_redirects",
]


def build(tmp: Path, name: str) -> Path:
    catalog = tmp / name / "catalog"  # the folder's name appears in published record paths
    shutil.copytree(FIXTURE_CATALOG, catalog)
    out = tmp / f"site-{name}"
    config = make_config(catalog, out, tmp / f"cache-{name}", BASE_URL)
    assert build_site(config, BuildReport()) == 0
    return out


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("golden")
    return build(tmp, "a"), build(tmp, "b")


def test_two_builds_are_byte_identical(two_builds: tuple[Path, Path]) -> None:
    a, b = two_builds
    digest_a, digest_b = tree_digests(a), tree_digests(b)
    assert sorted(digest_a) == sorted(digest_b)
    differing = [path for path in digest_a if digest_a[path] != digest_b[path]]
    assert differing == []


@pytest.mark.parametrize("rel", GOLDEN_FILES)
def test_rendered_file_matches_golden(two_builds: tuple[Path, Path], rel: str) -> None:
    produced = (two_builds[0] / rel).read_text(encoding="utf-8")
    golden = GOLDEN / rel
    if os.environ.get("OCOP_REGENERATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(produced, encoding="utf-8")
    assert golden.is_file(), f"missing golden file; run with OCOP_REGENERATE_GOLDEN=1: {rel}"
    assert produced == golden.read_text(encoding="utf-8")


# The fixture catalog's published tables, byte for byte: a change to any column, cell format or
# the descriptor shows here as a diff to review.
GOLDEN_DATA = [
    *(f"data/latest/{table}.{ext}" for table in TABLES for ext in ("csv", "json")),
    "data/latest/datapackage.json",
]


@pytest.mark.parametrize("rel", GOLDEN_DATA)
def test_published_table_matches_golden(two_builds: tuple[Path, Path], rel: str) -> None:
    produced = (two_builds[0] / rel).read_bytes()
    golden = GOLDEN / rel
    if os.environ.get("OCOP_REGENERATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
    assert golden.is_file(), f"missing golden file; run with OCOP_REGENERATE_GOLDEN=1: {rel}"
    assert produced == golden.read_bytes()
