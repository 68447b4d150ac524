"""Ids for new records: suggested from the name (and the province, or the kind of producer),
never one already used: a product id is a page address printed in QR codes, so the ledger of
published ids counts as used even when its folder is gone."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.config import IDS_LEDGER
from generator.ledger import read_ledger
from generator.load import display_path
from generator.places import Places
from generator.skeleton.answers import check_schema
from generator.skeleton.prompts import Invalid
from generator.text import slug

MAX_PRODUCT_ID = 32
MAX_PRODUCER_ID = 40

# Usual name prefixes of each kind of producer, as slugs: dropped from suggested ids.
KIND_PREFIXES = {
    "cooperative": ("htx", ["hop-tac-xa", "htx"]),
    "cooperative_group": ("tht", ["to-hop-tac", "tht"]),
    "enterprise": (
        "dn",
        [
            "cong-ty-co-phan",
            "cong-ty-tnhh",
            "cong-ty",
            "doanh-nghiep-tu-nhan",
            "doanh-nghiep",
            "ctcp",
            "cty",
        ],
    ),
    "household_business": ("hkd", ["ho-kinh-doanh", "hkd", "co-so"]),
}


def province_prefixes(places: Places) -> dict[str, str]:
    """Short id prefix of each province: initials ("qn" for Quảng Ninh, "hcm").

    Where two provinces share initials, the one with the smaller code keeps them and the other
    spells its last word out ("qngai" for Quảng Ngãi), so suggestions never collide.
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for code, info in sorted(places.provinces.items()):
        words = slug(info.short_name).split("-")
        initials = "".join(w[0] for w in words) if len(words) > 1 else words[0]
        prefix = (
            initials if initials not in taken else "".join(w[0] for w in words[:-1]) + words[-1]
        )
        taken.add(prefix)
        out[code] = prefix
    return out


def used_product_ids(catalog_dir: Path) -> dict[str, str]:
    """Every product id taken, with where: folders (even without a record) and the ledger."""
    used: dict[str, str] = {}
    ledger = catalog_dir / IDS_LEDGER
    for _, pid in read_ledger(ledger):
        used[pid] = "đã công bố trong published-ids.txt, có thể đã in mã QR"
    products = catalog_dir / "products"
    shown = display_path(catalog_dir, products)
    # scandir and the names: every build lists 20,000 folders here (the editor's ids), where
    # Path objects, their sorting and a stat each cost half a second
    for province in _folders(products):
        for name in _folders(products / province):
            used.setdefault(name, f"thư mục {shown}/{province}/{name}/")
    return used


def _folders(folder: Path) -> list[str]:
    """The names of the folders in `folder`, sorted; none when it is no folder."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entry.name for entry in entries if entry.is_dir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def used_producer_ids(catalog_dir: Path) -> dict[str, str]:
    folder = catalog_dir / "producers"
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return {
        f.stem: "tệp " + display_path(catalog_dir, f)
        for f in files
        if f.suffix in (".yaml", ".yml")
    }


def _fit(base: str, limit: int) -> str:
    """Cut an id at a hyphen so it stays within `limit` characters."""
    if len(base) <= limit:
        return base
    cut = base[:limit]
    return cut.rsplit("-", 1)[0] if "-" in cut and base[limit] != "-" else cut.rstrip("-")


def unique_id(base: str, used: Iterable[str], limit: int) -> str:
    taken = set(used)
    candidate = _fit(base, limit)
    number = 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate = _fit(base, limit - len(suffix)) + suffix
        number += 1
    return candidate


def suggest_product_id(prefix: str, name: str, used: Iterable[str]) -> str:
    return unique_id(f"{prefix}-{slug(name)}" if slug(name) else prefix, used, MAX_PRODUCT_ID)


def suggest_producer_id(kind: str | None, name: str, used: Iterable[str]) -> str:
    short, prefixes = KIND_PREFIXES.get(kind or "", ("", []))
    rest = slug(name)
    for p in prefixes:
        if rest == p or rest.startswith(p + "-"):
            rest = rest[len(p) :].lstrip("-")
            break
    base = "-".join(filter(None, [short, rest])) or "chu-the"
    return unique_id(base, used, MAX_PRODUCER_ID)


def check_id(prop: dict[str, Any], used: dict[str, str], text: str) -> str:
    value = check_schema(prop, text)
    if value in used:
        raise Invalid(
            f"mã “{value}” đã dùng: {used[value]}; mã không bao giờ dùng lại, chọn mã khác."
        )
    return value
