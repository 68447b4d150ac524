"""Helpers shared by tests (importable as `support`: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import http.server
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.config import PROJECT_ROOT, BuildConfig
from generator.load import LoadedCatalog
from generator.model import Catalog
from generator.render.artifacts import PhotoIndex, PhotoRendition, PhotoSize
from generator.validate.result import Validation

FIXTURE_CATALOG = PROJECT_ROOT / "tests" / "fixtures" / "catalog"
# The fixture's products, sorted: one of each state a page can show.
FIXTURE_PRODUCT_IDS = [
    "hp-chua-co-anh",
    "hp-nam-het-han",
    "hp-revoked",
    "hp-withdrawn",
    "qn-expired",
    "qn-nam-chua-ro",
    "qn-valid",
]
AS_OF = dt.date(2026, 11, 23)
CHROMIUM = "/usr/bin/chromium"
# validate_records on a loaded catalog with the fixture's schemas, places and vocabulary, as of
# AS_OF, against the ledger given (tests/validate/conftest.py, `validate_loaded`)
Validate = Callable[..., Validation]
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


# Bounds for the in-browser tests. A page of the site loads in well under a second, even on a
# loaded CI machine; these only turn "waits forever" into a failure that names what it waited
# for. Playwright's own default is 30 s per action, and some calls (evaluate, page.close) have
# no timeout at all: BROWSER_TEST_SECONDS covers those (conftest.py, browser_test_deadline).
BROWSER_ACTION_MS = 10_000
BROWSER_NAVIGATION_MS = 15_000
BROWSER_TEST_SECONDS = 120


class BrowserTestTimeout(Exception):
    """A browser test ran past BROWSER_TEST_SECONDS and was interrupted."""


def bounded_context(browser: Any, **options: Any) -> Any:
    """A new browser context whose actions and navigations fail after the bounds above."""
    context = browser.new_context(**options)
    context.set_default_timeout(BROWSER_ACTION_MS)
    context.set_default_navigation_timeout(BROWSER_NAVIGATION_MS)
    return context


def fake_photos(catalog: Catalog, skip: str = "hp-withdrawn") -> PhotoIndex:
    """Renditions as the photo renderer reports them; `skip` gets none (no published photo)."""
    index = PhotoIndex()
    for p in catalog.products:
        if p.id == skip:
            continue
        index.per_product[p.id] = tuple(
            PhotoRendition(
                ph.file,
                ph.alt,
                ph.credit,
                ph.licence,
                (
                    PhotoSize(320, 240, f"media/{p.id}-{n}-320.webp", f"media/{p.id}-{n}-320.jpg"),
                    PhotoSize(
                        1200, 900, f"media/{p.id}-{n}-1200.webp", f"media/{p.id}-{n}-1200.jpg"
                    ),
                ),
            )
            for n, ph in enumerate(p.photos)
        )
    return index


def with_product(
    loaded: LoadedCatalog, product_id: str, data: dict[str, Any], alone: bool = False
) -> LoadedCatalog:
    """The catalog with one product's data replaced (`alone`: without the other products)."""
    products = [
        dataclasses.replace(r, data=data) if r.folder.name == product_id else r
        for r in loaded.products
        if not alone or r.folder.name == product_id
    ]
    return dataclasses.replace(loaded, products=products, problems=list(loaded.problems))


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` by its relative path: what two builds are compared by."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def tree_digests(root: Path) -> dict[str, str]:
    """tree_bytes as SHA-256 digests: smaller, for large trees and readable failures."""
    return {path: hashlib.sha256(data).hexdigest() for path, data in tree_bytes(root).items()}


@contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[int]:
    """`server` answering in a thread for as long as the block runs; its port."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]  # type: ignore[misc]
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging each request to the test output."""

    def log_message(self, format: str, *args: object) -> None:
        pass
