"""The changes log (generator/render/datasets/changes.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from datasets_support import rows
from generator.render.datasets import changes
from generator.render.datasets.changes import classify_changes


def test_changelog_classifies_each_release(three_releases: tuple[Path, dict[str, Path]]) -> None:
    _, stagings = three_releases
    final = stagings["r3"] / "data/releases"

    def kinds(day: str) -> dict[str, str]:
        return {r["product_id"]: r["change"] for r in rows(final / day / "changes.csv")}

    assert kinds("2024-02-01") == {"qn-expired": "added", "qn-valid": "added"}
    assert kinds("2025-01-01") == {
        "qn-expired": "expired",
        "hp-revoked": "added",
        "hp-withdrawn": "added",
        "qn-valid": "updated",
    }
    latest = {r["product_id"]: r for r in rows(final / "2026-11-23" / "changes.csv")}
    assert {k: r["change"] for k, r in latest.items()} == {
        "hp-revoked": "revoked",
        "hp-withdrawn": "withdrawn",
        "qn-valid": "re-rated",
        "qn-expired": "updated",
        "hp-chua-co-anh": "added",
        "hp-nam-het-han": "added",
        "qn-nam-chua-ro": "added",
    }
    # an added product whose decision is known only by its year: its status is said as certain
    # as it is ("unknown_date" on the release day), never a guessed valid or expired
    assert latest["qn-nam-chua-ro"]["status"] == "unknown_date"
    assert latest["hp-nam-het-han"]["status"] == "expired"
    rerated = latest["qn-valid"]
    assert (rerated["stars_before"], rerated["stars"]) == ("3", "4")
    assert (rerated["certificate_before"], rerated["certificate_number"]) == (
        "2002/QĐ-UBND",
        "1001/QĐ-UBND",
    )
    assert rerated["previous_release"] == "2025-01-01"
    assert latest["qn-expired"]["changed_fields"] == "updated"
    md = (final / "2026-11-23" / "CHANGES.md").read_text("utf-8")
    assert "3★ → 4★" in md and "**Bị thu hồi (1)**" in md
    assert "Bị thu hồi" in (stagings["r3"] / "data/index.html").read_text("utf-8")


def test_classify_changes_covers_every_kind() -> None:
    base = {
        "id": "",
        "status": "valid",
        "stars": "3",
        "certificate_number": "1/QĐ",
        "name": "A",
        "status_date": "2026-01-01",
        "url": "u",
    }

    def row(pid: str, **kw: str) -> dict[str, str]:
        return {**base, "id": pid, **kw}

    before = [
        row("same"),
        row("edit"),
        row("up"),
        row("exp"),
        row("rev"),
        row("wd"),
        row("gone"),
        row("dated", status_date="2025-01-01", url="old"),
    ]
    after = [
        row("same"),
        row("edit", name="B"),
        row("up", stars="4", certificate_number="2/QĐ"),
        row("exp", status="expired"),
        row("rev", status="revoked", name="C"),
        row("wd", status="withdrawn"),
        row("new"),
        row("dated"),
    ]
    got = {c.product_id: (c.kind, c.changed_fields) for c in classify_changes(before, after)}
    assert got == {
        "edit": ("updated", ("name",)),
        "up": ("re-rated", ("stars", "certificate_number")),
        "exp": ("expired", ()),
        "rev": ("revoked", ("name",)),
        "wd": ("withdrawn", ()),
        "gone": ("removed", ()),
        "new": ("added", ()),
    }  # "same" and "dated" (only the release date and URL moved) are not changes
    assert {c.kind for c in classify_changes(None, after)} == {"added"}
    # The data page lists a bounded number per kind; the files list every product.
    many = [
        {
            "change": "added",
            "name": f"P{n}",
            "url": "u",
            "product_id": f"p{n}",
            "province_name": None,
            "stars_before": None,
            "stars": 3,
            "status": "valid",
        }
        for n in range(7)
    ]
    short = changes.changes_markdown(many, dt.date(2026, 1, 2), None, limit=5)
    assert short.count("\n- [") == 5 and "… và 2 sản phẩm khác" in short
    assert changes.changes_markdown(many, dt.date(2026, 1, 2), None).count("\n- [") == 7
