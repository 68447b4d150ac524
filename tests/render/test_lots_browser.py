"""Lot pages in Chromium, as a shopper with a phone gets them: by the QR address and the GS1
address, the use-by date re-checked with the phone's clock, the recall banner with JavaScript on
and off, the recall on the product page, and a lot address typed by hand reaching its page
through the 404 page (served by generator/serve.py, which answers as the static host does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.serve import make_server
from support import bounded_context, serving

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = bounded_context(browser, **PHONE)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    "address", ["p/qn-valid/lo/L2026-07/", "01/08930000000019/10/L2026-07/"], ids=["qr", "gs1"]
)
def test_a_lot_page_by_its_qr_and_its_gs1_address(
    page: Any, built_site: tuple[Path, str], address: str
) -> None:
    from playwright.sync_api import expect

    page.goto(built_site[1] + address)
    expect(page.locator("h1")).to_have_text("Lô L2026-07")
    expect(page.locator("#status")).to_have_attribute("data-status", "valid")
    expect(page.locator("#use-by")).to_have_attribute("data-status", "in_date")
    expect(page.locator("#use-by")).to_contain_text("Còn hạn sử dụng đến hết ngày 15/07/2027")
    assert page.locator(".recall").count() == 0


def test_use_by_flips_when_the_phones_clock_passes_it(
    browser: Any, built_site: tuple[Path, str]
) -> None:
    """NAM.2026.1 was in date on the build's day (23/11/2026); its HSD is 01/12/2026."""
    from playwright.sync_api import expect

    context = bounded_context(browser, **PHONE)
    try:
        page = context.new_page()
        address = built_site[1] + "p/qn-nam-chua-ro/lo/NAM.2026.1/"
        page.clock.set_fixed_time(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC))  # its last day
        page.goto(address)
        expect(page.locator("#use-by")).to_contain_text("Còn hạn sử dụng")
        page.clock.set_fixed_time(dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC))
        page.reload()
        box = page.locator("#use-by")
        expect(box).to_have_attribute("data-status", "expired")
        expect(box).to_contain_text("Hết hạn sử dụng từ ngày 02/12/2026 (HSD 01/12/2026)")
        expect(box.locator("small")).to_contain_text("trên máy của bạn")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_recalled_lot_opens_with_the_red_banner(
    browser: Any, built_site: tuple[Path, str], javascript: bool
) -> None:
    from playwright.sync_api import expect

    context = bounded_context(browser, java_script_enabled=javascript, **PHONE)
    try:
        page = context.new_page()
        page.goto(built_site[1] + "p/qn-valid/lo/L2026-09/")
        banner = page.locator(".recall").first
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Lô L2026-09 đang bị thu hồi: không sử dụng")
        assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(164, 14, 38)"
        box = banner.bounding_box()
        assert box is not None and box["y"] < 200  # the first thing on the phone's screen
    finally:
        context.close()


def test_the_product_page_lists_the_recall(page: Any, built_site: tuple[Path, str]) -> None:
    from playwright.sync_api import expect

    page.goto(built_site[1] + "p/qn-valid/")
    recall = page.locator("#thu-hoi .recall")
    expect(recall).to_contain_text("Thu hồi lô L2026-09")
    expect(recall).to_contain_text("Xem mã lô in trên bao bì")
    recall.get_by_role("link", name="L2026-09").click()
    page.wait_for_url("**/p/qn-valid/lo/L2026-09/")


@pytest.fixture()
def served(built_site: tuple[Path, str]) -> Iterator[str]:
    """The built site through `ocop serve`'s server: a missing path gets 404.html."""
    with serving(make_server(built_site[0], 0)) as port:
        yield f"http://127.0.0.1:{port}/ocop/"


@pytest.mark.parametrize(
    ("typed", "landing"),
    [
        ("p/qn-valid/lo/l2026 07/", "p/qn-valid/lo/L2026-07/"),
        ("01/08930000000019/10/l2026-07", "01/08930000000019/10/L2026-07/"),
        ("P/QN-Nam-Chua-Ro/lo/nam.2026.1", "p/qn-nam-chua-ro/lo/NAM.2026.1/"),
    ],
)
def test_a_lot_address_typed_by_hand_reaches_its_page(
    page: Any, served: str, typed: str, landing: str
) -> None:
    from playwright.sync_api import expect

    response = page.goto(served + typed)
    assert response is not None and response.status == 404
    page.wait_for_url(served + landing)
    expect(page.locator("h1")).to_have_text(f"Lô {landing.rstrip('/').rsplit('/', 1)[1]}")


def test_a_lot_that_does_not_exist_is_said_so(page: Any, served: str) -> None:
    from playwright.sync_api import expect

    page.goto(served + "p/qn-valid/lo/l2099-01")
    expect(page.locator("#nf-status")).to_contain_text(
        "Không có lô L2099-01 của sản phẩm mã qn-valid"
    )
    assert page.url == served + "p/qn-valid/lo/l2099-01"
