"""The Atom feed (generator/render/datasets/feed.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from datasets_support import ATOM, RELEASE, config_for, grown, load
from generator.model import Catalog, Validity
from generator.render.artifacts import DataIndex
from generator.render.datasets import feed


def test_atom_feed_parses_with_the_expected_entries(site: tuple[Path, DataIndex]) -> None:
    root, index = site
    assert index.feed == "data/feed.atom"
    feed = ET.fromstring((root / "data/feed.atom").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}updated") == "2026-11-23T00:00:00+07:00"
    entries = feed.findall(f"{ATOM}entry")
    got = {
        (
            e.find(f"{ATOM}link").get("href").rsplit("/", 2)[1],  # type: ignore[union-attr]
            e.find(f"{ATOM}category").get("term"),
        )
        for e in entries
    }  # type: ignore[union-attr]
    assert got == {
        ("qn-valid", "new"),
        ("qn-valid", "re-rated"),
        ("qn-expired", "new"),
        ("qn-expired", "expired"),
        ("hp-revoked", "new"),
        ("hp-revoked", "revoked"),
        ("hp-withdrawn", "new"),
        ("hp-withdrawn", "withdrawn"),
        ("hp-chua-co-anh", "new"),
        ("hp-nam-het-han", "new"),
        ("hp-nam-het-han", "expired"),  # a decision of "2020" has expired, whatever its day
        ("qn-nam-chua-ro", "new"),  # of "2023": not told expired while it may still be valid
        ("thu-hoi", "recalled"),  # qn-valid's recall: the entry leads to the recalls page
    }
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    assert "tag:ocop.example,2026:ocop/p/hp-revoked/revoked/2025-02-10" in ids
    # certainly expired by the day after the last day it could end
    assert "tag:ocop.example,2026:ocop/p/hp-nam-het-han/expired/2024-01-01" in ids
    updated = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True)


def _reference_feed(catalog: Catalog, day: dt.date) -> list[tuple[dt.date, str, str]]:
    """Every event, sorted: what feed_events keeps the first of. A date known only to the month
    or year: a decision by its first day, a revocation or expiry once certain (its last)."""
    events = []
    for p in catalog.products:
        history = (*p.previous_certificates, p.certificate)
        for n, c in enumerate(history):
            if c.date.earliest <= day:
                events.append((c.date.earliest, "new" if n == 0 else "re-rated", p.id))
        cert, w = p.certificate, p.withdrawn
        if cert.revoked and cert.revoked.date.latest <= day:
            events.append((cert.revoked.date.latest, "revoked", p.id))
        expired_on = cert.valid_until.latest + dt.timedelta(days=1)
        if cert.status_on(day) is Validity.EXPIRED and not (w and w.date <= expired_on):
            events.append((expired_on, "expired", p.id))
        if w and w.date <= day:
            events.append((w.date, "withdrawn", p.id))
        for recall in p.recalls:
            if recall.date <= day:
                events.append((recall.date, "recalled", p.id))
            if recall.ended and recall.ended <= day:
                events.append((recall.ended, "recall-ended", p.id))
    return sorted(events, key=lambda e: (-e[0].toordinal(), e[2], e[1]))


@pytest.mark.parametrize("kept", [3, 200])
def test_feed_keeps_the_newest_events(kept: int, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = grown(load(), 30)
    # Products in reverse: the order they are found in must not decide between equal days.
    catalog = dataclasses.replace(catalog, products=catalog.products[::-1])
    monkeypatch.setattr(feed, "FEED_ENTRIES", kept)
    every = _reference_feed(catalog, RELEASE)
    assert len(every) > kept or kept == 200  # some are left out, or all fit
    got = [(e.day, e.kind, e.product.id) for e in feed.feed_events(catalog, RELEASE)]
    assert got == every[:kept]


def test_recalls_are_news_when_they_begin_and_when_they_end(tmp_path: Path) -> None:
    catalog = load()
    product = next(p for p in catalog.products if p.id == "qn-valid")
    first = product.recalls[0]
    second = dataclasses.replace(
        first,
        id="qn-valid-2026-10-05-2",
        lots=(),
        authority=None,
        decision=None,
        reason="Lý do mẫu thứ hai.",
        ended=dt.date(2026, 11, 1),
    )
    later = dataclasses.replace(first, id="qn-valid-2026-12-01", date=dt.date(2026, 12, 1))
    products = tuple(
        dataclasses.replace(p, recalls=(first, second, later)) if p is product else p
        for p in catalog.products
    )
    catalog = dataclasses.replace(catalog, products=products)
    config = config_for(catalog, tmp_path / "site", tmp_path / "cache")
    root = ET.fromstring(feed.atom_feed(catalog, config, RELEASE))
    entries = [
        (
            e.findtext(f"{ATOM}id"),
            e.find(f"{ATOM}link").get("href"),  # type: ignore[union-attr]
            e.findtext(f"{ATOM}title"),
            e.findtext(f"{ATOM}summary"),
        )
        for e in root.findall(f"{ATOM}entry")
        if "thu-hoi" in (e.findtext(f"{ATOM}id") or "")
    ]
    page = "https://ocop.example/catalog/thu-hoi/"
    assert entries == [
        (
            "tag:ocop.example,2026:ocop/thu-hoi/qn-valid-2026-10-05-2/recall-ended",
            page + "#qn-valid-2026-10-05-2",
            "Sản phẩm mẫu còn hiệu lực: kết thúc thu hồi (cả sản phẩm, mọi lô)",
            "Quảng Ninh. Đợt thu hồi ngày 2026-10-05 kết thúc ngày 2026-11-01. (Hồ sơ ví dụ.)",
        ),
        (
            "tag:ocop.example,2026:ocop/thu-hoi/qn-valid-2026-10-05/recalled",
            page + "#qn-valid-2026-10-05",
            "Sản phẩm mẫu còn hiệu lực: thu hồi lô L2026-09",
            "Quảng Ninh. Lý do mẫu: kết quả kiểm nghiệm mẫu không đạt. Yêu cầu của Cơ quan mẫu, "
            "Quyết định mẫu 01/QĐ-MAU. Người mua: Ngừng sử dụng; mang sản phẩm đến cửa hàng mẫu "
            "để được hoàn tiền. (Hồ sơ ví dụ.)",
        ),
        (
            "tag:ocop.example,2026:ocop/thu-hoi/qn-valid-2026-10-05-2/recalled",
            page + "#qn-valid-2026-10-05-2",
            "Sản phẩm mẫu còn hiệu lực: thu hồi cả sản phẩm, mọi lô",
            "Quảng Ninh. Lý do mẫu thứ hai. Người mua: Ngừng sử dụng; mang sản phẩm đến cửa hàng "
            "mẫu để được hoàn tiền. (Hồ sơ ví dụ.)",
        ),
    ]  # the recall of 2026-12-01 is after the release: not yet news
