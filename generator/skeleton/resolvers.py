"""Looking up what a contributor types: a province or commune by name with or without tone marks,
a product group, a star rating, a producer of the catalog, a kind of producer."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.places import Places
from generator.skeleton.ids import KIND_PREFIXES
from generator.skeleton.prompts import Ambiguous, Invalid
from generator.text import fold, slug
from generator.vocab import Vocabulary
from generator.yamlfile import parse_record


def _strip_prefix(folded: str, prefixes: Iterable[str]) -> str:
    for prefix in prefixes:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


def resolve_province(places: Places, text: str) -> str:
    if text in places.provinces:
        return text
    for info in places.provinces.values():
        if text in (info.codename, info.slug):
            return info.code
    wanted = _strip_prefix(fold(text), ("tinh", "thanh pho", "tp.", "tp"))
    if not wanted or wanted.isdigit():
        raise Invalid(f"không có tỉnh/thành phố mã “{text}”; xem danh sách: ocop places")
    exact = [p for p in places.provinces.values() if wanted in (fold(p.short_name), fold(p.name))]
    if len(exact) == 1:
        return exact[0].code
    found = exact or places.find_provinces(wanted)
    if len(found) == 1:
        return found[0].code
    if not found:
        # a commune typed where the province is asked ("Vân Đồn"): say where it lies
        communes = places.find_communes(wanted)[:3]
        hint = "; ".join(
            f"{c.name} thuộc {places.provinces[c.province_code].short_name}" for c in communes
        )
        raise Invalid(
            f"không tìm thấy tỉnh/thành phố “{text}” (34 tỉnh/thành từ 1/7/2025)"
            + (f"; đó là tên xã/phường? {hint}" if hint else "")
            + "; xem danh sách: ocop places"
        )
    raise Ambiguous([(p.code, f"{p.name} (mã {p.code})") for p in found])


def resolve_commune(places: Places, province: str, text: str) -> str:
    name = places.provinces[province].name
    if text.isdigit():
        info = places.communes.get(text.zfill(5))
        if info is None:
            raise Invalid(f"không có xã/phường mã “{text}”; tra mã: ocop places {province}")
        if info.province_code != province:
            other = places.provinces[info.province_code].name
            raise Invalid(f"mã {info.code} là {info.name}, thuộc {other}, không thuộc {name}.")
        return info.code
    wanted = fold(text)
    bare = _strip_prefix(wanted, ("xa", "phuong", "dac khu", "thi tran"))
    kinds = ("xa", "phuong", "dac khu")
    exact = [
        c
        for c in places.communes_of(province)
        if wanted == fold(c.name) or bare == _strip_prefix(fold(c.name), kinds)
    ]
    found = exact or places.find_communes(bare, province)
    if len(found) == 1:
        return found[0].code
    if not found:
        raise Invalid(f"không tìm thấy xã/phường “{text}” ở {name}; tra mã: ocop places {province}")
    raise Ambiguous([(c.code, f"{c.name} (mã {c.code})") for c in found])


def resolve_group(vocab: Vocabulary, text: str) -> str:
    by_code = {code.casefold(): code for code in vocab.groups}
    if text.casefold() in by_code:
        return by_code[text.casefold()]
    wanted = fold(text)
    found = [g for g in vocab.groups.values() if wanted in fold(g.vi) or wanted in fold(g.en)]
    if len(found) == 1:
        return found[0].code
    if not found:
        raise Invalid(f"“{text}” không phải mã ngành; viết một trong: {', '.join(vocab.groups)}")
    raise Ambiguous([(g.code, f"{g.code}  {g.vi}") for g in found])


def resolve_subgroup(vocab: Vocabulary, group: str, text: str) -> str:
    subs = vocab.subgroups.get(group, {})
    by_code = {code.casefold(): code for code in subs}
    if text.casefold() in by_code:
        return by_code[text.casefold()]
    wanted = fold(text)
    found = [s for s in subs.values() if wanted in fold(s.vi) or wanted in fold(s.en)]
    if len(found) == 1:
        return found[0].code
    if not found:
        allowed = ", ".join(subs) or "—"
        raise Invalid(f"“{text}” không phải mã nhóm của ngành {group}; viết một trong: {allowed}")
    raise Ambiguous([(s.code, f"{s.code}  {s.vi}") for s in found])


def resolve_stars(text: str) -> int:
    stars = text.count("★") or None
    found = re.fullmatch(r"([345])\s*(sao|\*|★)?", text.casefold())
    if found:
        stars = int(found[1])
    if stars not in (3, 4, 5):
        raise Invalid("số sao OCOP là 3, 4 hoặc 5 (1 và 2 sao không được công nhận).")
    return stars


@dataclass(frozen=True)
class ProducerInfo:
    id: str
    name: str
    province: str | None


def existing_producers(catalog_dir: Path) -> dict[str, ProducerInfo]:
    out: dict[str, ProducerInfo] = {}
    folder = catalog_dir / "producers"
    for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = parse_record(file.read_bytes(), file.name).data
        if not isinstance(data, dict):
            continue  # `ocop validate` reports it; the file name is still an id in use
        place = data.get("place") if isinstance(data.get("place"), dict) else {}
        out[file.stem] = ProducerInfo(
            file.stem, str(data.get("name", file.stem)), place.get("province")
        )
    return out


def resolve_producer(producers: dict[str, ProducerInfo], text: str) -> str:
    if text in producers:
        return text
    wanted = fold(text)
    found = [p for p in producers.values() if wanted in fold(p.name) or wanted in p.id]
    if len(found) == 1:
        return found[0].id
    if not found:
        raise Invalid(
            f"không có chủ thể “{text}” trong catalog/producers/; thêm chủ thể trước "
            "bằng `ocop new producer`, rồi chạy lại lệnh này."
        )
    raise Ambiguous([(p.id, f"{p.id}  {p.name}") for p in found])


def resolve_kind(vocab: Vocabulary, text: str) -> str:
    if text in vocab.producer_kinds:
        return text
    wanted = fold(text)
    for code, (short, _) in KIND_PREFIXES.items():
        if wanted == short:
            return code
    found = [k for k in vocab.producer_kinds.values() if wanted in (fold(k.vi), fold(k.en))]
    if len(found) == 1:
        return found[0].code
    allowed = ", ".join(f"{k.code} ({k.vi})" for k in vocab.producer_kinds.values())
    raise Invalid(f"“{text}” không phải loại chủ thể; viết một trong: {allowed}")


def guess_kind(name: str) -> str | None:
    """The kind a registered name announces: "Hợp tác xã …" is a cooperative."""
    name_slug = slug(name)
    for code, (_, prefixes) in KIND_PREFIXES.items():
        if any(name_slug == p or name_slug.startswith(p + "-") for p in prefixes):
            return code
    return None
