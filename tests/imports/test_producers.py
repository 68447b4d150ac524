"""Producer names: one producer written two ways, and the kind a name announces."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.imports.producers import KnownProducer, ProducerIndex, kind_of, name_key

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "catalog"


def test_one_producer_written_two_ways() -> None:
    assert name_key("HTX NN Liên Khê") == name_key("Hợp tác xã  nông nghiệp LIÊN KHÊ")
    assert name_key("Cty TNHH Newstar") == name_key("Công ty trách nhiệm hữu hạn Newstar")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("HTX Liên Khê", "cooperative"),
        ("Tổ hợp tác lạc đỏ", "cooperative_group"),
        ("Công ty CP Hạ Long", "enterprise"),
        ("Doanh nghiệp tư nhân Minh", "enterprise"),
        ("Hộ kinh doanh Trần Văn B", "household_business"),
        ("Cơ sở sản xuất bánh Hoa", "household_business"),
        ("Nguyễn Văn A", None),
    ],
)
def test_kind_from_the_name(name: str, kind: str | None) -> None:
    assert kind_of(name) == kind


def test_matched_by_name_within_a_province() -> None:
    index = ProducerIndex(FIXTURE)
    assert index.find("hợp tác xã mẫu quảng ninh", "22") == ["htx-mau-quang-ninh"]
    assert index.find("HTX Mẫu Quảng Ninh", "31") == []  # same name elsewhere: another one
    index.add(KnownProducer("htx-mau-2", "Hợp tác xã Mẫu Quảng Ninh", "22"))
    assert index.find("HTX Mẫu Quảng Ninh", "22") == ["htx-mau-quang-ninh", "htx-mau-2"]
