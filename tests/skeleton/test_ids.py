"""generator/skeleton/ids.py: suggested ids, short and unique."""

from __future__ import annotations

from pathlib import Path

from generator.config import IDS_LEDGER
from generator.places import load_places
from generator.skeleton.ids import (
    province_prefixes,
    suggest_producer_id,
    suggest_product_id,
    used_product_ids,
)


def test_id_suggestions() -> None:
    prefixes = province_prefixes(load_places())
    assert (prefixes["22"], prefixes["31"], prefixes["79"]) == ("qn", "hp", "hcm")
    assert prefixes["51"] == "qngai"  # Quảng Ngãi shares Quảng Ninh's initials
    assert len(set(prefixes.values())) == 34
    assert suggest_product_id("qn", "Rượu mơ Yên Tử", set()) == "qn-ruou-mo-yen-tu"
    assert suggest_product_id("qn", "Rượu mơ Yên Tử", {"qn-ruou-mo-yen-tu"}) == (
        "qn-ruou-mo-yen-tu-2"
    )
    long = suggest_product_id("hcm", "Bánh tráng phơi sương trộn muối tôm Tây Ninh", set())
    assert long == "hcm-banh-trang-phoi-suong-tron"  # cut at a hyphen, at most 32
    assert suggest_producer_id("cooperative", "Hợp tác xã Yên Tử", set()) == "htx-yen-tu"
    assert suggest_producer_id("enterprise", "Công ty TNHH Sao Việt", set()) == "dn-sao-viet"


def test_used_product_ids_are_the_ledgers_and_every_product_folder(tmp_path: Path) -> None:
    """Folders without a record count, files beside them do not; the ledger's wording wins for
    an id in both; in the order of the folders' paths."""
    catalog = tmp_path / "catalog"
    for folder in ("quang_ninh/qn-b", "quang_ninh/qn-a", "ha_noi/hn-c", "ha_noi/qn-a"):
        (catalog / "products" / folder).mkdir(parents=True)
    (catalog / "products" / "quang_ninh" / "notes.txt").write_text("x", encoding="utf-8")
    (catalog / "products" / "README.md").write_text("x", encoding="utf-8")
    (catalog / IDS_LEDGER).parent.mkdir(parents=True, exist_ok=True)
    (catalog / IDS_LEDGER).write_text("# header\nhn-c\nzz-gone\n", encoding="utf-8")
    used = used_product_ids(catalog)
    assert list(used) == ["hn-c", "zz-gone", "qn-a", "qn-b"]
    assert (
        used["hn-c"] == used["zz-gone"] == "đã công bố trong published-ids.txt, có thể đã in mã QR"
    )
    assert used["qn-a"] == "thư mục catalog/products/ha_noi/qn-a/"  # the first folder found
    assert used["qn-b"] == "thư mục catalog/products/quang_ninh/qn-b/"
    assert used_product_ids(tmp_path / "nothing") == {}
