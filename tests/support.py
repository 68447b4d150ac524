"""Helpers shared by tests (importable as `support`: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.config import PROJECT_ROOT, BuildConfig

FIXTURE_CATALOG = PROJECT_ROOT / "tests" / "fixtures" / "catalog"
AS_OF = dt.date(2026, 11, 23)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def make_config(catalog: Path, out: Path, cache: Path, base_url: str) -> BuildConfig:
    return BuildConfig(
        catalog_dir=catalog,
        out_dir=out,
        base_url=base_url,
        as_of=AS_OF,
        cache_dir=cache,
        ledger_path=catalog / "published-ids.txt",
    )
