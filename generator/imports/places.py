"""An address from the list -> current province and commune codes, never guessed.

Lists made before the 1 July 2025 reform give old addresses ("xã Liên Khê, huyện Thủy Nguyên,
thành phố Hải Phòng"). The old address is parsed by `vietnamadminunits` (its parser knows the
pre-2025 names, including communes merged before 2025) and converted with its tables of old
commune -> new commune. Its own converter picks a "default" commune when an old one was split
between several new ones, or geocodes the street online to choose; we do neither: a split
commune comes back with all its candidates, for a person to choose. Every answer is checked
against `vietnam-provinces`, the authority for current codes: the new commune's name must be
exactly one current commune of that province, else the address is left to resolve.

Current addresses ("xã Thủy Nguyên, thành phố Hải Phòng", no district) are matched directly
against `vietnam-provinces` by folded name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from generator.places import CommuneInfo, Places
from generator.text import fold

_OLD_LEVELS = ("huyen ", "quan ", "thi xa ", "thi tran ", "tx ", "tt ")
_COMMUNE_WORDS = ("xa ", "phuong ", "dac khu ")
_PROVINCE_WORDS = ("tinh ", "thanh pho ", "tp. ", "tp ")


@dataclass(frozen=True)
class PlaceAnswer:
    province: str | None = None  # "31"
    commune: str | None = None  # "11311"
    street: str = ""  # the part before the commune: "Thôn 3"
    former: bool = False  # written in pre-2025 units: kept as `former_address`
    former_commune: str = ""  # "xã Liên Khê", for an address with no street part
    problem: str = ""  # Vietnamese: why no single commune
    candidates: tuple[CommuneInfo, ...] = field(default=())


@cache
def _tables() -> tuple[Any, Any, Any, dict[str, str]]:
    """The package's conversion tables, and old commune key -> new commune key where unsplit.

    Imported lazily: only `ocop import` needs them, and loading takes about a second."""
    from vietnamadminunits.converter import converter_2025 as conv
    from vietnamadminunits.parser import parser_from_2025 as new

    unsplit: dict[str, str] = {}
    for wards in conv.DICT_PROVINCE_WARD_NO_DIVIDED.values():
        for new_key, old_keys in wards.items():
            for old_key in old_keys:
                unsplit[old_key] = new_key
    return conv, new.DICT_PROVINCE, new.DICT_PROVINCE_WARD_NO_ACCENTED, unsplit


def _strip(folded: str, words: tuple[str, ...]) -> str:
    for w in words:
        if folded.startswith(w):
            return folded[len(w) :]
    return folded


class AddressResolver:
    """Resolves addresses for one import run; each distinct text is worked out once."""

    def __init__(self, places: Places, default_province: str | None) -> None:
        self.places = places
        self.default_province = default_province
        self._seen: dict[str, PlaceAnswer] = {}
        self._by_province: dict[str, dict[str, list[CommuneInfo]]] = {}
        for commune in places.communes.values():
            names = self._by_province.setdefault(commune.province_code, {})
            for key in {fold(commune.name), _strip(fold(commune.name), _COMMUNE_WORDS)}:
                names.setdefault(key, []).append(commune)

    def resolve(self, text: str) -> PlaceAnswer:
        if text not in self._seen:
            self._seen[text] = self._resolve(text)
        return self._seen[text]

    def _province_of(self, segment: str) -> str | None:
        wanted = _strip(fold(segment), _PROVINCE_WORDS)
        for code, info in self.places.provinces.items():
            if wanted in (fold(info.short_name), fold(info.name)):
                return code
        return None

    def _resolve(self, text: str) -> PlaceAnswer:
        segments = [s.strip() for s in re.split(r"[,;]", text) if s.strip()]
        if not segments:
            return PlaceAnswer(problem="không có địa chỉ")
        folded = [fold(s) for s in segments]
        old = any(s.startswith(_OLD_LEVELS) for s in folded) or (
            len(folded) >= 3 and folded[-2].startswith(("thanh pho ", "tp "))
        )
        if not old:
            current = self._current(segments)
            if current is not None:
                return current
        return self._former(text, segments)

    def _current(self, segments: list[str]) -> PlaceAnswer | None:
        province = self._province_of(segments[-1])
        rest = segments[:-1] if province else segments
        province = province or self.default_province
        if province is None or not rest:
            return None
        names = self._by_province.get(province, {})
        found = names.get(fold(rest[-1]), [])
        if len(found) != 1:
            return None
        return PlaceAnswer(province, found[0].code, ", ".join(rest[:-1]))

    def _former(self, text: str, segments: list[str]) -> PlaceAnswer:
        from vietnamadminunits.parser import ParseMode, parse_address

        conv, new_provinces, new_wards, unsplit = _tables()
        unit = parse_address(text, mode=ParseMode.LEGACY, keep_street=True, level=3)
        if (unit.province_key is None or unit.district_key is None) and self.default_province:
            # the list leaves out its own province: add the old name(s) now part of it
            for old_key in conv.DICT_PROVINCE.get(self._new_key(self.default_province), []):
                tried = parse_address(
                    f"{text}, {old_key}", mode=ParseMode.LEGACY, keep_street=True, level=3
                )
                if tried.ward_key:
                    unit = tried
                    break
        if not unit.ward_key or not unit.district_key:
            return PlaceAnswer(
                former=True,
                problem="địa chỉ cũ không có xã/phường và huyện/quận nhận ra được",
            )
        if fold(unit.short_district or "") not in fold(text):
            return PlaceAnswer(
                former=True,
                problem=f"địa chỉ không ghi huyện/quận (có thể là {unit.district}); ghi rõ",
            )
        old_key = f"{unit.province_key}_{unit.district_key}_{unit.ward_key}"
        new_province = next(
            (k for k, v in conv.DICT_PROVINCE.items() if unit.province_key in v), None
        )
        if new_province is None:
            return PlaceAnswer(former=True, problem="không nhận ra tỉnh")
        keys = [unsplit[old_key]] if old_key in unsplit else []
        if not keys:
            split = conv.DICT_PROVINCE_WARD_DIVIDED.get(new_province, {}).get(old_key, [])
            keys = [w["newWardKey"] for w in split]
        province = self._province_of(new_provinces[new_province]["province"])
        if province is None:
            return PlaceAnswer(former=True, problem="tỉnh mới không có trong danh mục hiện hành")
        street = (unit.street or "").strip(" ,")
        former_commune = self._commune_segment(segments) or (unit.ward or "")
        district = next((s for s in segments if fold(s).startswith(_OLD_LEVELS[:3])), "")
        written = f"{former_commune}, {district or unit.district}"
        candidates: list[CommuneInfo] = []
        for key in keys:
            name = new_wards.get(new_province, {}).get(key, {}).get("ward", "")
            match = self._by_province.get(province, {}).get(fold(name), [])
            if len(match) != 1:
                return PlaceAnswer(
                    province,
                    former=True,
                    problem=f"{written} đổi thành “{name}”, không có trong danh mục xã hiện hành",
                )
            candidates.append(match[0])
        if not candidates:
            return PlaceAnswer(
                province,
                former=True,
                problem=f"không biết {written} nay thuộc xã/phường nào",
            )
        if len(candidates) > 1:
            listed = " hoặc ".join(f"{c.name} (mã {c.code})" for c in candidates)
            return PlaceAnswer(
                province,
                None,
                street,
                True,
                former_commune,
                f"{written} nay thuộc {len(candidates)} xã/phường mới: {listed}; điền mã xã đúng",
                tuple(candidates),
            )
        return PlaceAnswer(province, candidates[0].code, street, True, former_commune)

    def _new_key(self, province: str) -> str:
        _, new_provinces, _, _ = _tables()
        name = fold(self.places.provinces[province].name)
        return next((k for k, v in new_provinces.items() if fold(v["province"]) == name), "")

    @staticmethod
    def _commune_segment(segments: list[str]) -> str:
        for s in segments:
            if fold(s).startswith(("xa ", "phuong ", "thi tran ")):
                return s
        return ""
