"""Matching a producer named in the list to one in the catalog, else describing a new one.

Lists write the same producer several ways ("HTX Nông nghiệp Liên Khê", "Hợp tác xã nông
nghiệp Liên Khê"): names are compared folded, with the usual abbreviations spelled out, and
within one province (two cooperatives of the same name in two provinces are two producers).
The kind of a new producer is read from its name; a name that announces no kind is a row to
resolve, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.text import fold
from generator.yamlfile import parse_record

_ABBREVIATIONS = (
    (r"^htx\b", "hop tac xa"),
    (r"^tht\b", "to hop tac"),
    (r"^ctcp\b", "cong ty co phan"),
    (r"^cty\b", "cong ty"),
    (r"^dntn\b", "doanh nghiep tu nhan"),
    (r"^hkd\b", "ho kinh doanh"),
    (r"\btnhh\b", "trach nhiem huu han"),
    (r"\bmtv\b", "mot thanh vien"),
    (r"\bsx\b", "san xuat"),
    (r"\bnn\b", "nong nghiep"),
    (r"\bdv\b", "dich vu"),
)
_KINDS = (
    ("to hop tac", "cooperative_group"),
    ("hop tac xa", "cooperative"),
    ("lien hiep hop tac xa", "cooperative"),
    ("cong ty", "enterprise"),
    ("doanh nghiep", "enterprise"),
    ("ho kinh doanh", "household_business"),
    ("co so", "household_business"),
)


def name_key(name: str) -> str:
    """ "HTX NN Liên Khê" and "Hợp tác xã nông nghiệp Liên Khê" give the same key."""
    key = re.sub(r"[^a-z0-9 ]+", " ", fold(name))
    key = " ".join(key.split())
    for pattern, spelled in _ABBREVIATIONS:
        key = re.sub(pattern, spelled, key)
    return key


def kind_of(name: str) -> str | None:
    key = name_key(name)
    for words, kind in _KINDS:
        if key == words or key.startswith(words + " "):
            return kind
    return None


@dataclass(frozen=True)
class KnownProducer:
    id: str
    name: str
    province: str | None


class ProducerIndex:
    """The catalog's producers by (name key, province), plus those this run creates."""

    def __init__(self, catalog_dir: Path) -> None:
        self.by_id: dict[str, KnownProducer] = {}
        self._by_key: dict[tuple[str, str | None], list[str]] = {}
        folder = catalog_dir / "producers"
        for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            data = parse_record(file.read_bytes(), file.name).data
            if not isinstance(data, dict):
                continue
            place = data.get("place") if isinstance(data.get("place"), dict) else {}
            self.add(KnownProducer(file.stem, str(data.get("name", "")), place.get("province")))

    def add(self, producer: KnownProducer) -> None:
        self.by_id[producer.id] = producer
        key = (name_key(producer.name), producer.province)
        self._by_key.setdefault(key, []).append(producer.id)

    def find(self, name: str, province: str | None) -> list[str]:
        return list(self._by_key.get((name_key(name), province), []))
