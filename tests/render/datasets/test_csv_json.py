"""The CSV and JSON tables (generator/render/datasets/csv_json.py)."""

from __future__ import annotations

from pathlib import Path

from datasets_support import BASE_URL, GOLDEN_HEADERS, rows
from generator.render.artifacts import DataIndex


def test_csv_headers_line_ends_and_rows(site: tuple[Path, DataIndex]) -> None:
    root = site[0] / "data/latest"
    for name, header in GOLDEN_HEADERS.items():
        data = (root / f"{name}.csv").read_bytes()
        assert data.decode("utf-8").split("\n", 1)[0] == header, name
        assert b"\r" not in data
    products = {r["id"]: r for r in rows(root / "products.csv")}
    # Nothing dropped: expired, revoked and withdrawn products stay, with their status.
    assert {pid: r["status"] for pid, r in products.items()} == {
        "hp-revoked": "revoked",
        "hp-withdrawn": "withdrawn",
        "qn-expired": "expired",
        "qn-valid": "valid",
        "qn-nam-chua-ro": "unknown_date",
        "hp-nam-het-han": "expired",
        "hp-chua-co-anh": "valid",
    }
    valid = products["qn-valid"]
    assert valid["url"] == BASE_URL + "p/qn-valid/"
    assert (valid["province_code"], valid["province_name"]) == ("22", "Quảng Ninh")
    assert (valid["commune_code"], valid["commune_name"]) == ("06832", "Phường Yên Tử")
    assert (valid["subgroup"], valid["subgroup_name"]) == ("I.3.c", "Chế biến từ rau, củ, quả, hạt")
    assert (valid["certificate_date"], valid["valid_until"]) == ("2025-06-15", "2028-06-15")
    assert (valid["valid_until_earliest"], valid["valid_until_latest"]) == ("2028-06-15",) * 2
    assert valid["certificate_date_precision"] == "day"
    # a date known only to its year: text at that precision, and the span of days it could end
    by_year = products["qn-nam-chua-ro"]
    assert (by_year["certificate_date"], by_year["certificate_date_precision"]) == ("2023", "year")
    assert (
        by_year["valid_until"],
        by_year["valid_until_earliest"],
        by_year["valid_until_latest"],
    ) == (
        "2026",
        "2026-01-01",
        "2026-12-31",
    )
    sources = {r["product_id"]: r for r in rows(root / "sources.csv")}
    assert (sources["qn-nam-chua-ro"]["date"], sources["qn-nam-chua-ro"]["quote"][:8]) == (
        "2023-12",
        "Năm 2023",
    )
    assert valid["example"] == "true"
    certificates = [r for r in rows(root / "certificates.csv") if r["product_id"] == "qn-valid"]
    assert [(c["number"], c["stars"], c["current"]) for c in certificates] == [
        ("2002/QĐ-UBND", "3", "false"),
        ("1001/QĐ-UBND", "4", "true"),
    ]
    photos = {(r["product_id"], r["file"]): r["url"] for r in rows(root / "photos.csv")}
    assert photos[("qn-valid", "chai-mau.jpg")] == BASE_URL + "media/qn-valid-0-1200.jpg"
    assert photos[("hp-withdrawn", "tui-mau.png")] == ""  # no derivative published
    # A household business's phone is not published unless its record says so.
    assert {r["id"]: r["phone"] for r in rows(root / "producers.csv")}["hkd-mau-hai-phong"] == ""
