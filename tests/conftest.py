"""Shared fixtures: the small fixture catalog, a built site, a local server, headless Chromium."""

from __future__ import annotations

import functools
import http.server
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from support import (
    BROWSER_TEST_SECONDS,
    CHROMIUM,
    CHROMIUM_ARGS,
    FIXTURE_CATALOG,
    BrowserTestTimeout,
    QuietHandler,
    make_config,
    serving,
)


@pytest.fixture(scope="session")
def fixture_catalog_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy: a build updates the ledger, the committed fixture must not change."""
    target = tmp_path_factory.mktemp("catalog") / "catalog"
    shutil.copytree(FIXTURE_CATALOG, target)
    return target


@pytest.fixture(scope="session")
def site_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Serves a folder under a sub-path, as GitHub Pages does: http://127.0.0.1:PORT/ocop/."""
    root = tmp_path_factory.mktemp("www")
    handler = functools.partial(QuietHandler, directory=str(root))
    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)) as port:
        yield root, f"http://127.0.0.1:{port}/ocop/"


@pytest.fixture(scope="session")
def built_site(
    fixture_catalog_copy: Path,
    site_server: tuple[Path, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, str]:
    """The fixture catalog built once per session, served at its base URL."""
    from generator.build import BuildReport, build_site

    www, base_url = site_server
    out = www / "ocop"
    config = make_config(fixture_catalog_copy, out, tmp_path_factory.mktemp("cache"), base_url)
    assert build_site(config, BuildReport()) == 0
    return out, base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (./run test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(autouse=True)
def browser_test_deadline(request: pytest.FixtureRequest) -> Iterator[None]:
    """Interrupts a test that uses the browser after BROWSER_TEST_SECONDS, so that CI fails
    instead of hanging (pytest-timeout is not a dependency; this is its "signal" method).

    Some Playwright calls have no timeout of their own: page.close() can wait forever for a page
    Chromium never closes (crbug.com/536385539), evaluate() for a page whose script never
    yields. SIGALRM interrupts the wait; the browser stays usable for the next test. Covers the
    test and its function-scoped fixtures, not the session's build and browser launch."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if "browser" not in request.fixturenames or not usable:
        yield
        return

    def expired(signum: int, frame: FrameType | None) -> None:
        raise BrowserTestTimeout(
            f"{request.node.nodeid}: still running after {BROWSER_TEST_SECONDS} s, interrupted"
        )

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, BROWSER_TEST_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
