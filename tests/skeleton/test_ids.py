"""generator/skeleton/ids.py: suggested ids, short and unique."""

from __future__ import annotations

from generator.places import load_places
from generator.skeleton.ids import province_prefixes, suggest_producer_id, suggest_product_id


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
