"""Old and current addresses -> current codes, checked against vietnam-provinces.

The expected codes are those of the pinned `vietnam-provinces`; the old -> new pairs are those
of the pinned `vietnamadminunits` tables."""

from __future__ import annotations

import pytest

from generator.imports.places import AddressResolver
from generator.places import load_places

PLACES = load_places()


@pytest.fixture(scope="module")
def hai_phong() -> AddressResolver:
    return AddressResolver(PLACES, "31")


@pytest.mark.parametrize(
    ("address", "commune", "street"),
    [
        ("phường Bàng La, quận Đồ Sơn, Hải Phòng", "11737", ""),
        ("xã Tây Hưng, huyện Tiên Lãng", "11806", ""),  # province left out: the list's own
        ("Thôn 3, xã Thượng Yên Công, thành phố Uông Bí, tỉnh Quảng Ninh", "06832", "Thôn 3"),
        ("Phường Thủy Nguyên, thành phố Hải Phòng", "11560", ""),  # a current address
    ],
)
def test_one_commune(hai_phong: AddressResolver, address: str, commune: str, street: str) -> None:
    answer = hai_phong.resolve(address)
    assert (answer.commune, answer.street, answer.problem) == (commune, street, "")
    assert PLACES.communes[commune].province_code == answer.province


def test_split_commune_lists_its_candidates(hai_phong: AddressResolver) -> None:
    answer = hai_phong.resolve("xã Đại Hà, huyện Kiến Thụy, Hải Phòng")
    assert answer.commune is None
    assert [c.code for c in answer.candidates] == ["11728", "11680"]
    assert "Xã Kiến Hưng (mã 11728) hoặc Xã Kiến Thụy (mã 11680)" in answer.problem


def test_no_commune(hai_phong: AddressResolver) -> None:
    answer = hai_phong.resolve("xã Không Có, huyện Tiên Lãng, Hải Phòng")
    assert answer.commune is None and answer.candidates == ()
    assert "không có xã/phường" in answer.problem


def test_address_without_district_is_not_guessed(hai_phong: AddressResolver) -> None:
    answer = hai_phong.resolve("xã Tây Hưng, thành phố Hải Phòng")
    assert answer.commune is None
