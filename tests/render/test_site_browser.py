"""The built site in headless Chromium: what a shopper with a phone actually sees."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True}


@pytest.fixture()
def page(browser: Any, built_site: tuple[Path, str]) -> Any:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


def status_of(page: Any) -> tuple[str, str]:
    box = page.locator("#status")
    return box.get_attribute("data-status"), box.inner_text()


@pytest.mark.parametrize(
    ("product_id", "status", "words"),
    [
        ("qn-valid", "valid", "còn hiệu lực đến 15/06/2028"),
        ("qn-expired", "expired", "hết hiệu lực từ 02/03/2024"),
        ("hp-revoked", "revoked", "đã bị thu hồi"),
        ("hp-withdrawn", "withdrawn", "ngừng tham gia OCOP"),
    ],
)
def test_qr_url_opens_page_with_validity_banner(
    page: Any, built_site: tuple[Path, str], product_id: str, status: str, words: str
) -> None:
    _, base_url = built_site
    page.goto(f"{base_url}p/{product_id}/")  # exactly what the QR code holds
    found_status, text = status_of(page)
    assert found_status == status
    assert words in text
    assert page.locator("h1").inner_text()
    assert page.locator(".example").first.is_visible()  # fixture records are examples


def test_browser_rechecks_validity_with_its_own_clock(
    browser: Any, built_site: tuple[Path, str]
) -> None:
    """A page built while valid, opened after its expiry, must not claim validity."""
    _, base_url = built_site
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime(2028, 6, 20, 12, tzinfo=dt.UTC))
    page.goto(f"{base_url}p/qn-valid/")
    from playwright.sync_api import expect

    # not wait_for_function: its later polls run a string as script, which the CSP refuses
    expect(page.locator("#status")).to_have_attribute("data-status", "expired")
    assert "hết hiệu lực từ 16/06/2028" in page.locator("#status").inner_text()
    page.clock.set_fixed_time(dt.datetime(2028, 6, 14, 12, tzinfo=dt.UTC))
    page.reload()
    assert status_of(page)[0] == "valid"
    context.close()


def test_banner_reads_right_without_javascript(browser: Any, built_site: tuple[Path, str]) -> None:
    _, base_url = built_site
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"{base_url}p/qn-expired/")
    assert status_of(page)[0] == "expired"
    assert "Tính đến ngày 23/11/2026" in page.locator("#status").inner_text()
    context.close()


@pytest.mark.parametrize("query", ["thuy nguyen", "Thủy Nguyên", "Thuỷ Nguyên", "THUY NGUYEN"])
def test_search_folds_tone_marks(page: Any, built_site: tuple[Path, str], query: str) -> None:
    _, base_url = built_site
    page.goto(f"{base_url}tim-kiem/")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_selector("#results li")
    names = page.locator("#results li a").all_inner_texts()
    assert sorted(names) == ["Sản phẩm mẫu bị thu hồi", "Sản phẩm mẫu đã ngừng"]


def test_search_d_for_dj_then_click_through(page: Any, built_site: tuple[Path, str]) -> None:
    _, base_url = built_site
    page.goto(f"{base_url}tim-kiem/?q=da+ngung")
    page.wait_for_selector("#results li")
    page.locator("#results li a").first.click()
    page.wait_for_url(f"{base_url}p/hp-withdrawn/")
    assert status_of(page)[0] == "withdrawn"


def test_search_filters_by_validity_and_stars(page: Any, built_site: tuple[Path, str]) -> None:
    _, base_url = built_site
    page.goto(f"{base_url}tim-kiem/?q=mau&hieu-luc=valid")
    page.wait_for_selector("#results li")
    assert page.locator("#results li a").all_inner_texts() == ["Sản phẩm mẫu còn hiệu lực"]
    page.goto(f"{base_url}tim-kiem/?sao=3")
    page.wait_for_selector("#results li")
    assert page.locator("#results li").count() == 3


def test_no_request_leaves_the_site_and_page_is_light(
    page: Any, built_site: tuple[Path, str]
) -> None:
    site_dir, base_url = built_site
    origin = urlparse(base_url).netloc
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base_url}p/qn-valid/")
    page.wait_for_load_state("networkidle")
    foreign = [u for u in requests if urlparse(u).netloc != origin and not u.startswith("data:")]
    assert foreign == []
    # Weight before photos, as a static host serves it (gzip), from the files actually fetched.
    total = 0
    for url in requests:
        rel = urlparse(url).path.removeprefix("/ocop/")
        path = site_dir / (rel + "index.html" if rel.endswith("/") or not rel else rel)
        if path.suffix in (".jpg", ".webp", ".png"):
            continue
        total += len(gzip.compress(path.read_bytes(), 9))
    assert 0 < total <= 100_000, total


def test_photos_lazy_after_the_first_and_sized(page: Any, built_site: tuple[Path, str]) -> None:
    _, base_url = built_site
    page.goto(f"{base_url}p/qn-valid/")
    images = page.locator("main img")
    assert images.count() >= 2
    assert images.nth(0).get_attribute("loading") is None
    assert images.nth(1).get_attribute("loading") == "lazy"
    for i in range(images.count()):
        img = images.nth(i)
        assert img.get_attribute("alt")
        assert img.get_attribute("width") and img.get_attribute("height")


@pytest.mark.parametrize("path", ["", "p/qn-valid/", "tinh/quang-ninh/", "tim-kiem/?q=mau"])
def test_accessibility_and_narrow_screens(
    browser: Any, built_site: tuple[Path, str], path: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    _, base_url = built_site
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_not_found_page_resolves_hand_typed_id(page: Any, built_site: tuple[Path, str]) -> None:
    """http.server serves no 404.html, so open it as a host would for a wrong path."""
    site_dir, _ = built_site
    assert (site_dir / "404.html").is_file()
