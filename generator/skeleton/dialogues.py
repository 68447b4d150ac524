"""The two dialogues of `ocop new`, product and producer: which questions, in which order, with
which suggestions, and where each answer goes in the record."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.dates import PARTIAL_DATE_PATTERN, PartialDate
from generator.derive import VALIDITY_MONTHS
from generator.load import PRODUCT_FILE
from generator.places import Places, ProvinceInfo
from generator.record_template import SKIPPED
from generator.skeleton.answers import as_type, check_schema, parse_day
from generator.skeleton.ids import (
    check_id,
    province_prefixes,
    suggest_producer_id,
    suggest_product_id,
    used_producer_ids,
    used_product_ids,
)
from generator.skeleton.prompts import MAX_LISTED, Session
from generator.skeleton.resolvers import (
    existing_producers,
    guess_kind,
    resolve_commune,
    resolve_group,
    resolve_kind,
    resolve_producer,
    resolve_province,
    resolve_stars,
    resolve_subgroup,
)
from generator.vocab import Vocabulary

PHOTO_FILE = "anh-1.jpg"  # the name the next-steps message tells the contributor to upload

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
class DialogueContext:
    catalog_dir: Path
    schema: dict[str, Any]
    places: Places
    vocab: Vocabulary
    today: dt.date
    session: Session
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
            pattern = prop.get("pattern", "")
            if pattern.startswith("^[0-9]{4}"):  # a date, perhaps only its month or year
                text = parse_day(
                    text,
                    self.today,
                    future_ok=key == "certificate_valid_until",
                    partial=pattern == PARTIAL_DATE_PATTERN,
                )
            return check_schema(prop, as_type(prop, text))

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


def product_dialogue(c: DialogueContext) -> tuple[Path, str] | None:
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
        lambda t: check_id(c.prop("id"), used, t),
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
        ends = PartialDate.parse(certificate_date).plus_months(VALIDITY_MONTHS)
        if ends.latest < c.today:  # expired whatever the day, when only the month or year is known
            s.say(
                f"Lưu ý: chứng nhận này đã hết hiệu lực ngày {ends.isoformat()} "
                f"({VALIDITY_MONTHS} tháng); trang sẽ hiện “hết hạn”."
            )
    folder = c.catalog_dir / "products" / info.codename / product_id
    return folder / PRODUCT_FILE, product_id


def producer_dialogue(c: DialogueContext) -> tuple[Path, str] | None:
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
        lambda t: check_id(c.prop("id"), used, t),
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
