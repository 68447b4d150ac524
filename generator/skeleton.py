"""`ocop new product|producer`: asks in Vietnamese, then writes a commented record skeleton.

Every field of the written record is preceded by its schema description, and the optional
fields nobody answered are left as commented-out lines, so the file itself teaches the format.
Answers can be given in advance (`--set key=value`); with `interactive=False` nothing is asked.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from generator.config import PROJECT_ROOT, today_in_vietnam
from generator.derive import VALIDITY_MONTHS, add_months
from generator.load import PRODUCT_FILE, display_path
from generator.places import Places, ProvinceInfo, load_places
from generator.text import fold, slug
from generator.validate import read_ledger
from generator.vocab import Vocabulary, load_vocabulary
from generator.yamlfile import parse_record

SCHEMAS_DIR = PROJECT_ROOT / "schemas"
PHOTO_FILE = "anh-1.jpg"  # the name the next-steps message tells the contributor to upload
MAX_PRODUCT_ID = 32
MAX_PRODUCER_ID = 40
MAX_LISTED = 20  # longer lists of matches ask for a more precise name instead
# Events of a record's later life: documented in CONTRIBUTING.md, never part of a new record.
SKIPPED = frozenset({"withdrawn", "example", "revoked"})

# answer key -> path in the record; keys not listed here are top-level fields of the schema
PRODUCT_KEYS: dict[str, tuple[str | int, ...]] = {
    "province": ("place", "province"),
    "commune": ("place", "commune"),
    "address": ("place", "address"),
    "former_address": ("place", "former_address"),
    "certificate_number": ("certificate", "number"),
    "certificate_date": ("certificate", "date"),
    "certificate_issuer": ("certificate", "issuer"),
    "certificate_valid_until": ("certificate", "valid_until"),
    "certificate_score": ("certificate", "score"),
    "source_title": ("sources", 0, "title"),
    "source_url": ("sources", 0, "url"),
    "source_document": ("sources", 0, "document"),
    "source_date": ("sources", 0, "date"),
    "photo_alt": ("photos", 0, "alt"),
    "photo_credit": ("photos", 0, "credit"),
    "photo_licence": ("photos", 0, "licence"),
}
PRODUCER_KEYS: dict[str, tuple[str | int, ...]] = {
    k: v for k, v in PRODUCT_KEYS.items() if v[0] in ("place", "sources")
}
# Fields the questions fill themselves: not accepted as plain --set keys.
_NOT_ANSWERS = {
    "place",
    "certificate",
    "photos",
    "sources",
    "updated",
    "previous_certificates",
    "where_to_buy",
    "standards",
} | SKIPPED

# Usual name prefixes of each kind of producer, as slugs: dropped from suggested ids.
_KIND_PREFIXES = {
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


class Invalid(ValueError):
    """An answer that cannot be used; the message says why, in Vietnamese."""


class Ambiguous(Exception):
    """Several matches: the contributor picks one by number or by code."""

    def __init__(self, options: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(options)} matches")
        self.options = options  # (value, label)


_RETRY = object()


@dataclass
class _Session:
    answers: dict[str, str]
    interactive: bool
    errors: list[str] = field(default_factory=list)

    def say(self, text: str = "") -> None:
        print(text)

    def ask(
        self,
        key: str,
        prompt: str,
        resolve: Callable[[str], Any],
        *,
        default: str | None = None,
        optional: bool = False,
        help_lines: Iterable[str] = (),
    ) -> Any:
        """One question; a value given in advance is used without asking (if it is valid)."""
        preset = self.answers.get(key)
        if preset is not None and preset.strip():
            result = self._try(key, preset, resolve)
            if result is not _RETRY or not self.interactive:
                return None if result is _RETRY else result
        elif not self.interactive:
            if default:
                result = self._try(key, default, resolve)
                return None if result is _RETRY else result
            if not optional:
                self.errors.append(f"thiếu `{key}`: thêm --set {key}=... ({prompt})")
            return None
        for line in help_lines:
            self.say(line)
        while True:
            shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
            text = input(shown).strip()
            if not text:
                if default:
                    text = default
                elif optional:
                    return None
                else:
                    self.say("  Cần trả lời câu này.")
                    continue
            result = self._try(key, text, resolve)
            if result is not _RETRY:
                return result

    def _try(self, key: str, text: str, resolve: Callable[[str], Any]) -> Any:
        try:
            return resolve(_clean(text))
        except Invalid as err:
            if self.interactive:
                self.say(f"  {err}")
            else:
                self.errors.append(f"`{key}`: {err}")
            return _RETRY
        except Ambiguous as many:
            if not self.interactive:
                listed = "; ".join(label for _, label in many.options[:MAX_LISTED])
                self.errors.append(f"`{key}`: “{text}” khớp nhiều kết quả, ghi rõ mã: {listed}")
                return _RETRY
            return self._pick(key, many.options, resolve)

    def _pick(self, key: str, options: list[tuple[str, str]], resolve: Callable[[str], Any]) -> Any:
        shown = options[:MAX_LISTED]
        self.say(f"  Có {len(options)} kết quả:")
        for number, (_, label) in enumerate(shown, start=1):
            self.say(f"    {number}. {label}")
        if len(options) > len(shown):
            self.say(f"    … và {len(options) - len(shown)} kết quả khác: gõ tên cụ thể hơn.")
        while True:
            text = _clean(input("  Chọn số thứ tự, hoặc gõ mã hay tên khác: "))
            if not text:
                continue
            # A number within the list wins; codes are zero-padded so rarely look like one.
            if text.isdigit() and 1 <= int(text) <= len(shown):
                return shown[int(text) - 1][0]
            if any(text == value for value, _ in options):
                return text
            return self._try(key, text, resolve)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


# --- checks shared by every answer ---------------------------------------------------------


def _check_schema(prop: dict[str, Any], value: Any) -> Any:
    """The answer against its own piece of the schema, explained in Vietnamese."""
    errors = list(jsonschema.Draft202012Validator(prop).iter_errors(value))
    if not errors:
        return value
    err = errors[0]
    desc = prop.get("description", "")
    example = (prop.get("examples") or [None])[0]
    hint = f" Ví dụ: {example}" if example is not None else ""
    if err.validator == "maxLength":
        raise Invalid(f"quá dài ({len(value)} ký tự, tối đa {err.validator_value}).")
    if err.validator == "minLength":
        raise Invalid("không được để trống.")
    if err.validator == "enum":
        allowed = ", ".join(str(v) for v in err.validator_value)
        raise Invalid(f"“{value}” không được phép; viết một trong: {allowed}.")
    if err.validator in ("minimum", "maximum"):
        raise Invalid(f"“{value}” ngoài khoảng {prop.get('minimum')}–{prop.get('maximum')}.")
    raise Invalid(f"“{value}” không đúng dạng. {desc}{hint}")


def _as_type(prop: dict[str, Any], text: str) -> Any:
    kind = prop.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text.replace(",", "."))
            return int(number) if number.is_integer() else number
    except ValueError as err:
        raise Invalid(f"“{text}” không phải là số.") from err
    if kind == "boolean":
        if fold(text) in ("true", "co", "yes", "1"):
            return True
        if fold(text) in ("false", "khong", "no", "0"):
            return False
        raise Invalid(f"“{text}” phải là true hoặc false.")
    return text


def parse_day(text: str, today: dt.date, future_ok: bool = False) -> str:
    """YYYY-MM-DD, or the usual Vietnamese DD/MM/YYYY; must exist (and not be in the future)."""
    found = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    iso = f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}" if found else text
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError as err:
        raise Invalid(
            f"“{text}” không phải ngày có thật; viết YYYY-MM-DD, ví dụ 2023-06-15."
        ) from err
    if not future_ok and day > today:
        raise Invalid(f"ngày {iso} ở tương lai (hôm nay {today.isoformat()}).")
    return day.isoformat()


# --- looking things up -----------------------------------------------------------------------


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
class _ProducerInfo:
    id: str
    name: str
    province: str | None


def existing_producers(catalog_dir: Path) -> dict[str, _ProducerInfo]:
    out: dict[str, _ProducerInfo] = {}
    folder = catalog_dir / "producers"
    for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = parse_record(file.read_bytes(), file.name).data
        if not isinstance(data, dict):
            continue  # `ocop validate` reports it; the file name is still an id in use
        place = data.get("place") if isinstance(data.get("place"), dict) else {}
        out[file.stem] = _ProducerInfo(
            file.stem, str(data.get("name", file.stem)), place.get("province")
        )
    return out


def resolve_producer(producers: dict[str, _ProducerInfo], text: str) -> str:
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
    for code, (short, _) in _KIND_PREFIXES.items():
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
    for code, (_, prefixes) in _KIND_PREFIXES.items():
        if any(name_slug == p or name_slug.startswith(p + "-") for p in prefixes):
            return code
    return None


# --- ids -------------------------------------------------------------------------------------


def used_product_ids(catalog_dir: Path) -> dict[str, str]:
    """Every product id taken, with where: folders (even without a record) and the ledger."""
    used: dict[str, str] = {}
    ledger = catalog_dir / "published-ids.txt"
    for _, pid in read_ledger(ledger):
        used[pid] = "đã công bố trong published-ids.txt, có thể đã in mã QR"
    products = catalog_dir / "products"
    for folder in sorted(products.glob("*/*")) if products.is_dir() else []:
        if folder.is_dir():
            used.setdefault(folder.name, "thư mục " + display_path(catalog_dir, folder) + "/")
    return used


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
    short, prefixes = _KIND_PREFIXES.get(kind or "", ("", []))
    rest = slug(name)
    for p in prefixes:
        if rest == p or rest.startswith(p + "-"):
            rest = rest[len(p) :].lstrip("-")
            break
    base = "-".join(filter(None, [short, rest])) or "chu-the"
    return unique_id(base, used, MAX_PRODUCER_ID)


def _check_id(prop: dict[str, Any], used: dict[str, str], text: str) -> str:
    value = _check_schema(prop, text)
    if value in used:
        raise Invalid(
            f"mã “{value}” đã dùng: {used[value]}; mã không bao giờ dùng lại, chọn mã khác."
        )
    return value


# --- writing the record ----------------------------------------------------------------------


def yaml_scalar(value: Any) -> str:
    """Text always in double quotes: codes keep their leading zeros, `:` `#` `*` stay text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _example(prop: dict[str, Any]) -> str:
    examples = prop.get("examples")
    return " " + yaml_scalar(examples[0]) if examples else ""


def _example_lines(key: str, prop: dict[str, Any], indent: int, note: bool) -> list[str]:
    """An unanswered field as plain YAML lines (commented out by the caller)."""
    pad = " " * indent
    trailing = f"  # {prop.get('description', '')}" if note and prop.get("description") else ""
    kind = prop.get("type")
    if kind == "object":
        lines = [f"{pad}{key}:{trailing}"]
        for child, child_prop in prop.get("properties", {}).items():
            if child not in SKIPPED:
                lines += _example_lines(child, child_prop, indent + 2, True)
        return lines
    if kind == "array":
        items = prop.get("items", {})
        if items.get("type") == "object":
            inner: list[str] = []
            for child, child_prop in items.get("properties", {}).items():
                if child not in SKIPPED:
                    inner += _example_lines(child, child_prop, indent + 4, True)
            inner[0] = f"{pad}  - {inner[0].lstrip()}"
            return [f"{pad}{key}:{trailing}", *inner]
        return [f"{pad}{key}:{trailing}", f"{pad}  -{_example(items) or ' ...'}"]
    return [f"{pad}{key}:{_example(prop)}{trailing}"]


def _comment(prop: dict[str, Any]) -> str:
    """The schema description, plus the allowed values when it does not list them."""
    text = prop.get("description", "")
    enum = prop.get("enum")
    if enum and not all(str(v) in text for v in enum):
        text += " Một trong: " + ", ".join(str(v) for v in enum) + "."
    return text


def _emit_object(schema: dict[str, Any], data: dict[str, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, prop in schema.get("properties", {}).items():
        if key in SKIPPED and key not in data:
            continue
        if prop.get("description"):
            out.append(f"{pad}# {_comment(prop)}")
        if key not in data:
            out += [f"{pad}# {line[indent:]}" for line in _example_lines(key, prop, indent, False)]
            continue
        value = data[key]
        if isinstance(value, dict):
            out.append(f"{pad}{key}:")
            _emit_object(prop, value, indent + 2, out)
        elif isinstance(value, list):
            out.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, dict):
                    inner: list[str] = []
                    _emit_object(prop.get("items", {}), item, indent + 4, inner)
                    first = next(
                        i for i, line in enumerate(inner) if not line.lstrip().startswith("#")
                    )
                    # the comments above the item's first field sit with the "- " marker
                    inner[:first] = [f"{pad}  {line.lstrip()}" for line in inner[:first]]
                    inner[first] = f"{pad}  - {inner[first].lstrip()}"
                    out += inner
                else:
                    out.append(f"{pad}  - {yaml_scalar(item)}")
        else:
            out.append(f"{pad}{key}: {yaml_scalar(value)}")


def render_record(kind: str, schema: dict[str, Any], data: dict[str, Any]) -> str:
    what, field_name = ("sản phẩm", "gtin") if kind == "product" else ("chủ thể", "email")
    header = [
        f"# Hồ sơ {what} OCOP. Ý nghĩa từng trường: CONTRIBUTING.md (English: CONTRIBUTING.en.md).",
        '# Dòng bắt đầu bằng "#" là ghi chú. Để điền một trường đang tắt (ví dụ',
        f'# "# {field_name}: ..."), xóa "# " ở đầu dòng có tên trường rồi sửa giá trị.',
        "# Kiểm tra hồ sơ: ocop validate",
    ]
    out = list(header)
    _emit_object(schema, data, 0, out)
    return "\n".join(out) + "\n"


def _put(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    """Sets data[path] creating dicts and one-item lists on the way."""
    node: Any = data
    for part, nxt in itertools.pairwise(path):
        if isinstance(part, int):
            while len(node) <= part:
                node.append({})
            node = node[part]
        else:
            node = node.setdefault(part, [] if isinstance(nxt, int) else {})
    last = path[-1]
    node[last] = value  # type: ignore[index]


def _prop_at(schema: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    node = schema
    for part in path:
        node = node["items"] if isinstance(part, int) else node["properties"][part]
    return node


# --- the two dialogues -----------------------------------------------------------------------


@dataclass
class _Context:
    catalog_dir: Path
    schema: dict[str, Any]
    places: Places
    vocab: Vocabulary
    today: dt.date
    session: _Session
    keys: dict[str, tuple[str | int, ...]]
    data: dict[str, Any] = field(default_factory=dict)

    def path_of(self, key: str) -> tuple[str | int, ...]:
        return self.keys.get(key, (key,))

    def prop(self, key: str) -> dict[str, Any]:
        return _prop_at(self.schema, self.path_of(key))

    def text(
        self, key: str, prompt: str, *, optional: bool = False, default: str | None = None
    ) -> Any:
        """A free-text (or number, date) answer, checked against its schema."""
        prop = self.prop(key)

        def resolve(text: str) -> Any:
            if prop.get("pattern", "").startswith("^[0-9]{4}-"):
                text = parse_day(text, self.today, future_ok=key == "certificate_valid_until")
            return _check_schema(prop, _as_type(prop, text))

        value = self.session.ask(key, prompt, resolve, optional=optional, default=default)
        self.set(key, value)
        return value

    def set(self, key: str, value: Any) -> None:
        if value is not None:
            _put(self.data, self.path_of(key), value)

    def place(self, address_optional: bool) -> ProvinceInfo | None:
        s = self.session
        province = s.ask(
            "province",
            "Tỉnh/thành phố (gõ tên, có dấu hay không dấu, hoặc mã)",
            lambda t: resolve_province(self.places, t),
        )
        self.set("province", province)
        if province is None:
            return None
        info = self.places.provinces[province]
        if s.interactive:
            s.say(f"  → {info.name} (mã {info.code}, thư mục catalog/products/{info.codename}/)")
        commune = s.ask(
            "commune",
            f"Xã/phường/đặc khu ở {info.short_name} (tên hoặc mã 5 số)",
            lambda t: resolve_commune(self.places, province, t),
        )
        self.set("commune", commune)
        if commune and s.interactive:
            s.say(f"  → {self.places.communes[commune].name} (mã {commune})")
        self.text(
            "address",
            "Địa chỉ (thôn, số nhà, đường)" + (" — Enter để bỏ qua" if address_optional else ""),
            optional=address_optional,
        )
        return info

    def source(self, optional: bool) -> None:
        title = self.text(
            "source_title",
            "Nguồn thông tin: tiêu đề (bài báo, quyết định, "
            "trang web)" + (" — Enter để bỏ qua" if optional else ""),
            optional=optional,
        )
        if title is None:
            return
        url = self.text(
            "source_url",
            "Địa chỉ web của nguồn (https://…) — Enter nếu là văn bản giấy",
            optional=True,
        )
        if url is None:
            self.text("source_document", "Số, tên văn bản nguồn")
        self.text("source_date", "Ngày đăng nguồn (YYYY-MM-DD) — Enter để bỏ qua", optional=True)

    def extras(self, asked: set[str]) -> None:
        """Answers given in advance for fields no question asks (`--set gtin=...`)."""
        for key in self.session.answers:
            if key in asked or key in ("id",):
                continue
            top = self.path_of(key)[0]
            if key not in self.keys and (
                top not in self.schema["properties"] or top in _NOT_ANSWERS
            ):
                self.session.errors.append(
                    f"không có câu hỏi `{key}`; các khóa: {', '.join(sorted(self._known_keys()))}"
                )
                continue
            self.text(key, key, optional=True)

    def _known_keys(self) -> set[str]:
        plain = {k for k in self.schema["properties"] if k not in _NOT_ANSWERS}
        return plain | set(self.keys)


def _product_dialogue(c: _Context) -> tuple[Path, str] | None:
    s = c.session
    answers = s.answers
    if "group" not in answers and "subgroup" in answers:
        answers["group"] = answers["subgroup"].split(".")[0]  # "II.1.a" names its group
    c.text("name", "Tên sản phẩm (như trên giấy chứng nhận)")
    info = c.place(address_optional=True)
    name = c.data.get("name")
    used = used_product_ids(c.catalog_dir)
    suggestion = None
    if info is not None and name:
        suggestion = suggest_product_id(province_prefixes(c.places)[info.code], name, used)
    product_id = s.ask(
        "id",
        "Mã sản phẩm (địa chỉ trang, không bao giờ đổi)",
        lambda t: _check_id(c.prop("id"), used, t),
        default=suggestion,
    )
    c.set("id", product_id)
    group_help = ["Ngành sản phẩm (Quyết định 148/QĐ-TTg):"] + [
        f"  {g.code:<4} {g.vi}" for g in c.vocab.groups.values()
    ]
    group = s.ask(
        "group", "Mã ngành (I–VI)", lambda t: resolve_group(c.vocab, t), help_lines=group_help
    )
    c.set("group", group)
    if group and c.vocab.subgroups.get(group):
        sub_help = [f"Nhóm sản phẩm của ngành {group}:"] + [
            f"  {sg.code:<7} {sg.vi}" for sg in c.vocab.subgroups[group].values()
        ]
        c.set(
            "subgroup",
            s.ask(
                "subgroup",
                "Mã nhóm — Enter để bỏ qua",
                lambda t: resolve_subgroup(c.vocab, group, t),
                optional=True,
                help_lines=sub_help,
            ),
        )
    elif answers.get("subgroup"):
        s.errors.append(f"`subgroup`: ngành {group} không có nhóm; bỏ --set subgroup")
    stars = s.ask("stars", "Số sao OCOP (3, 4 hoặc 5)", resolve_stars)
    c.set("stars", stars)
    producers = existing_producers(c.catalog_dir)
    nearby = [p for p in producers.values() if info and p.province == info.code]
    producer_help = (
        [f"Chủ thể ở {info.short_name}:" if info else "Chủ thể:"]
        + [f"  {p.id:<24} {p.name}" for p in nearby[:MAX_LISTED]]
        if nearby
        else []
    )
    if not producers:
        producer_help = ["Chưa có chủ thể nào: thêm trước bằng `ocop new producer`."]
    c.set(
        "producer",
        s.ask(
            "producer",
            "Chủ thể sản xuất (mã, hoặc gõ một phần tên để tìm)",
            lambda t: resolve_producer(producers, t),
            help_lines=producer_help,
        ),
    )
    c.text("certificate_number", "Số quyết định công nhận OCOP (đúng như in, ví dụ 1978/QĐ-UBND)")
    c.text("certificate_date", "Ngày ký quyết định (YYYY-MM-DD hoặc DD/MM/YYYY)")
    issuer_default = None
    if info is not None and stars in (3, 4):
        level = "thành phố" if info.name.startswith("Thành phố") else "tỉnh"
        issuer_default = f"UBND {level} {info.short_name}"
    c.text("certificate_issuer", "Cơ quan ban hành quyết định", default=issuer_default)
    if stars is not None:
        _put(c.data, ("certificate", "stars"), stars)  # kept when it moves to the history
    c.source(optional=False)
    c.text(
        "photo_alt",
        f"Mô tả ảnh chính {PHOTO_FILE} cho người khiếm thị (những gì thấy trong ảnh)",
        default=name,
    )
    _put(c.data, ("photos", 0, "file"), PHOTO_FILE)  # fields are written in schema order
    c.data["updated"] = c.today.isoformat()
    asked = {
        "id",
        "name",
        "province",
        "commune",
        "address",
        "group",
        "subgroup",
        "stars",
        "producer",
        "certificate_number",
        "certificate_date",
        "certificate_issuer",
        "source_title",
        "source_url",
        "source_document",
        "source_date",
        "photo_alt",
    }
    c.extras(asked)
    if s.errors or product_id is None or info is None:
        return None
    certificate_date = c.data.get("certificate", {}).get("date")
    if certificate_date and "valid_until" not in c.data["certificate"]:
        ends = add_months(dt.date.fromisoformat(certificate_date), VALIDITY_MONTHS)
        if ends < c.today:
            s.say(
                f"Lưu ý: chứng nhận này đã hết hiệu lực ngày {ends.isoformat()} "
                f"({VALIDITY_MONTHS} tháng); trang sẽ hiện “hết hạn”."
            )
    folder = c.catalog_dir / "products" / info.codename / product_id
    return folder / PRODUCT_FILE, product_id


def _producer_dialogue(c: _Context) -> tuple[Path, str] | None:
    s = c.session
    name = c.text("name", "Tên chủ thể (như đăng ký kinh doanh)")
    kinds = c.vocab.producer_kinds.values()
    kind_help = ["Loại chủ thể:"] + [f"  {k.code:<20} {k.vi}" for k in kinds]
    kind = s.ask(
        "kind",
        "Loại chủ thể (mã, hoặc htx, tht, dn, hkd)",
        lambda t: resolve_kind(c.vocab, t),
        default=guess_kind(name or ""),
        help_lines=kind_help,
    )
    c.set("kind", kind)
    info = c.place(address_optional=False)
    used = used_producer_ids(c.catalog_dir)
    suggestion = suggest_producer_id(kind, name, used) if name else None
    producer_id = s.ask(
        "id",
        "Mã chủ thể (tên tệp, không bao giờ đổi)",
        lambda t: _check_id(c.prop("id"), used, t),
        default=suggestion,
    )
    c.set("id", producer_id)
    c.text("representative", "Người đại diện — Enter để bỏ qua", optional=True)
    c.text("tax_code", "Mã số thuế — Enter để bỏ qua", optional=True)
    c.text("phone", "Số điện thoại — Enter để bỏ qua", optional=True)
    c.text("email", "Thư điện tử — Enter để bỏ qua", optional=True)
    c.text("website", "Trang web — Enter để bỏ qua", optional=True)
    c.source(optional=True)
    asked = {
        "id",
        "name",
        "kind",
        "province",
        "commune",
        "address",
        "representative",
        "tax_code",
        "phone",
        "email",
        "website",
        "source_title",
        "source_url",
        "source_document",
        "source_date",
    }
    c.extras(asked)
    if s.errors or producer_id is None or info is None:
        return None
    return c.catalog_dir / "producers" / f"{producer_id}.yaml", producer_id


def run_new(kind: str, catalog_dir: Path, answers: dict[str, str], interactive: bool) -> int:
    """Asks, writes the skeleton, prints the next steps. 0 when written, 1 otherwise."""
    catalog_dir = catalog_dir.resolve()
    schema = json.loads((SCHEMAS_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    session = _Session({k.strip(): v for k, v in answers.items()}, interactive)
    context = _Context(
        catalog_dir,
        schema,
        load_places(),
        load_vocabulary(SCHEMAS_DIR),
        today_in_vietnam(),
        session,
        PRODUCT_KEYS if kind == "product" else PRODUCER_KEYS,
    )
    if interactive:
        what = "sản phẩm" if kind == "product" else "chủ thể"
        print(f"Tạo hồ sơ {what} mới trong {catalog_dir}. Ctrl+C để dừng.")
    try:
        target = (_product_dialogue if kind == "product" else _producer_dialogue)(context)
    except (EOFError, KeyboardInterrupt):
        print("\nĐã dừng, không tạo tệp nào.", file=sys.stderr)
        return 1
    if target is None:
        print("Không tạo hồ sơ:", file=sys.stderr)
        for error in session.errors or ["thiếu câu trả lời"]:
            print(f"  - {error}", file=sys.stderr)
        return 1
    file, record_id = target
    shown = display_path(catalog_dir, file)
    if file.exists() or (kind == "product" and file.parent.exists()):
        print(f"Không ghi đè: {shown} đã có. Chọn mã khác.", file=sys.stderr)
        return 1
    text = render_record(kind, schema, context.data)
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
        handle.write(text)
    print(f"Đã tạo {shown}")
    print("Việc tiếp theo:")
    if kind == "product":
        folder = shown.rsplit("/", 1)[0]
        print(
            f"  1. Tải ảnh sản phẩm lên thư mục {folder}/ với tên {PHOTO_FILE} (JPEG, PNG hoặc "
            "WebP; cạnh ngắn ít nhất 600 px; tối đa 15 MB). Thêm ảnh khác vào `photos`."
        )
        print('  2. Mở product.yaml, điền các trường tùy chọn nếu có (xóa "# " đầu dòng).')
    else:
        print(f'  1. Mở {file.name}, điền các trường tùy chọn nếu có (xóa "# " đầu dòng).')
        print(f"  2. Thêm sản phẩm của chủ thể này: ocop new product --set producer={record_id}")
    print("  3. Kiểm tra: ocop validate")
    print("  4. Mở pull request (xem CONTRIBUTING.md).")
    return 0
