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
        ("qn-nam-chua-ro", "unknown_date", "kiểm tra với cơ quan công nhận"),
        ("hp-nam-het-han", "expired", "hết hiệu lực, chậm nhất từ 01/01/2024"),
        ("hp-chua-co-anh", "valid", "còn hiệu lực, ít nhất đến 01/03/2028"),
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


def test_unknown_date_is_said_plainly_with_and_without_javascript(
    browser: Any, built_site: tuple[Path, str]
) -> None:
    """A decision known only by its year (2023): on 23/11/2026 its validity may have ended any
    day of 2026. The page neither claims valid nor expired, and says how to check."""
    _, base_url = built_site
    from playwright.sync_api import expect

    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript, **PHONE)
        page = context.new_page()
        page.clock.set_fixed_time(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC))
        page.goto(f"{base_url}p/qn-nam-chua-ro/")
        found_status, text = status_of(page)
        assert found_status == "unknown_date", javascript
        assert "Chưa rõ chứng nhận OCOP còn hiệu lực hay không" in text
        assert "từ 01/01/2026 đến 31/12/2026" in text
        assert "UBND tỉnh Quảng Ninh" in text and "1007/QĐ-UBND" in text  # whom to ask
        assert "còn hiệu lực đến" not in text and "đã hết hiệu lực" not in text
        assert "năm 2023" in page.locator("main").inner_text()  # the date at its precision
        context.close()
    # The browser's own clock, by the same rule: certainly expired once 2026 is over.
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime(2027, 1, 2, 12, tzinfo=dt.UTC))
    page.goto(f"{base_url}p/qn-nam-chua-ro/")
    expect(page.locator("#status")).to_have_attribute("data-status", "expired")
    assert "hết hiệu lực, chậm nhất từ 01/01/2027" in page.locator("#status").inner_text()
    # A decision of March 2025, valid at the build, is not called valid during March 2028.
    page.clock.set_fixed_time(dt.datetime(2028, 3, 15, 12, tzinfo=dt.UTC))
    page.goto(f"{base_url}p/hp-chua-co-anh/")
    expect(page.locator("#status")).to_have_attribute("data-status", "unknown_date")
    assert "kiểm tra với cơ quan công nhận" in page.locator("#status").inner_text()
    page.clock.set_fixed_time(dt.datetime(2028, 2, 28, 12, tzinfo=dt.UTC))
    page.reload()
    assert status_of(page)[0] == "valid"
    context.close()


def test_product_without_photo_invites_one(page: Any, built_site: tuple[Path, str]) -> None:
    _, base_url = built_site
    page.goto(f"{base_url}p/hp-chua-co-anh/")
    box = page.locator("#chua-co-anh")
    assert "Chưa có ảnh" in box.inner_text()
    assert box.locator("a").get_attribute("href").endswith("dong-gop/#them-anh")
    assert page.locator("main img").count() == 0
    assert page.locator('meta[property="og:image"]').count() == 0


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
    assert sorted(names) == [
        "Sản phẩm mẫu bị thu hồi",
        "Sản phẩm mẫu chưa có ảnh",
        "Sản phẩm mẫu hết hạn theo năm",
        "Sản phẩm mẫu đã ngừng",
    ]


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
    assert page.locator("#results li a").all_inner_texts() == [
        "Sản phẩm mẫu chưa có ảnh",  # 4 stars first
        "Sản phẩm mẫu còn hiệu lực",
    ]
    page.goto(f"{base_url}tim-kiem/?q=mau&hieu-luc=unknown_date")
    page.wait_for_selector("#results li")
    assert page.locator("#results li a").all_inner_texts() == ["Sản phẩm mẫu chưa rõ ngày"]
    page.goto(f"{base_url}tim-kiem/?sao=3")
    page.wait_for_selector("#results li")
    assert page.locator("#results li").count() == 5


def test_producers_and_certificate_lists_open_by_province(
    page: Any, built_site: tuple[Path, str]
) -> None:
    """The producers' page and the statistics page list provinces; a province's page holds its
    producers, or its certificates soon to expire and expired (one page of every row grew to
    1-2 MB at national scale)."""
    _, base_url = built_site
    page.goto(f"{base_url}chu-the/")
    rows = page.locator("main tbody tr")
    assert rows.count() == 34
    quang_ninh = page.locator("main tbody tr", has_text="Quảng Ninh")
    assert quang_ninh.locator("td").nth(1).inner_text() == "1"  # producers, not products
    quang_ninh.get_by_role("link").click()
    page.wait_for_url(f"{base_url}tinh/quang-ninh/chu-the/")
    assert page.locator("main tbody tr a").all_inner_texts() == ["Hợp tác xã Mẫu Quảng Ninh"]
    page.locator("main tbody tr a").click()
    page.wait_for_url(f"{base_url}chu-the/htx-mau-quang-ninh/")
    assert page.locator("nav.crumbs").inner_text().startswith("Trang chủ › Chủ thể › Quảng Ninh")
    page.goto(f"{base_url}chu-the/")
    page.get_by_role("link", name="Cao Bằng").click()
    assert "Chưa có chủ thể nào" in page.locator("main").inner_text()

    page.goto(f"{base_url}thong-ke/")
    page.locator("#ds-theo-tinh").get_by_role("link", name="Quảng Ninh").click()
    page.wait_for_url(f"{base_url}thong-ke/tinh/quang-ninh/")
    expired = page.locator("#ds-het-han tbody tr td:first-child a").all_inner_texts()
    assert "Sản phẩm mẫu hết hạn" in expired
    page.locator("#ds-het-han a", has_text="Sản phẩm mẫu hết hạn").first.click()
    assert status_of(page)[0] == "expired"


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
