"""Provinces and communes after the 2025 reform, from the pinned `vietnam-provinces` package."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, Ward

from generator.text import fold


@dataclass(frozen=True)
class ProvinceInfo:
    code: str  # "22"
    codename: str  # "quang_ninh": the catalog folder name
    name: str  # "Quảng Ninh" or "Thành phố Hải Phòng"
    short_name: str  # "Quảng Ninh", "Hải Phòng"
    slug: str  # "quang-ninh": URL segment


@dataclass(frozen=True)
class CommuneInfo:
    code: str  # "06832"
    province_code: str
    codename: str
    name: str  # "Phường Yên Tử"
    kind: str  # "xã", "phường", "đặc khu"


@dataclass(frozen=True)
class Places:
    provinces: dict[str, ProvinceInfo]
    communes: dict[str, CommuneInfo]

    def province_by_folder(self, folder: str) -> ProvinceInfo | None:
        for info in self.provinces.values():
            if info.codename == folder:
                return info
        return None

    def communes_of(self, province_code: str) -> list[CommuneInfo]:
        return sorted(
            (c for c in self.communes.values() if c.province_code == province_code),
            key=lambda c: c.code,
        )

    def find_communes(self, query: str, province_code: str | None = None) -> list[CommuneInfo]:
        """Communes whose name contains the query, with or without tone marks."""
        wanted = fold(query)
        return [
            c
            for c in sorted(self.communes.values(), key=lambda c: c.code)
            if wanted in fold(c.name)
            and (province_code is None or c.province_code == province_code)
        ]

    def find_provinces(self, query: str) -> list[ProvinceInfo]:
        wanted = fold(query)
        return [p for p in self.provinces.values() if wanted in fold(p.name)]


def _short(name: str) -> str:
    prefix = "Thành phố "
    return name[len(prefix) :] if name.startswith(prefix) else name


@cache
def load_places() -> Places:
    provinces = {}
    for p in Province.iter_all():
        code = f"{int(p.code):02d}"
        short = _short(p.name)
        provinces[code] = ProvinceInfo(
            code, p.codename, p.name, short, p.codename.replace("_", "-")
        )
    communes = {}
    for w in Ward.iter_all():
        code = f"{int(w.code):05d}"
        communes[code] = CommuneInfo(
            code, f"{int(w.province_code):02d}", w.codename, w.name, str(w.division_type.value)
        )
    return Places(dict(sorted(provinces.items())), communes)
