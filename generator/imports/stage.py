"""The import stage: reads the list, resolves every row, writes records, reports the rest.

Rows are resolved completely before anything is written for them: a row with any problem
(unreadable stars, an address that maps to no commune or to several, a producer of unknown
kind) writes nothing and goes to the `.can-xu-ly.xlsx` file. Records are created with "x"
mode and never overwritten; a record an earlier import wrote is rewritten only with --update,
and only in the fields an import sets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.config import PROJECT_ROOT
from generator.imports import records
from generator.imports.columns import LABELS, ColumnError, Mapping, find_mapping
from generator.imports.places import AddressResolver
from generator.imports.producers import KnownProducer, ProducerIndex, kind_of, name_key
from generator.imports.read import ReadError, Table, Value, read_table
from generator.imports.report import (
    ImportProblem,
    Unresolved,
    output_path,
    write_unresolved,
)
from generator.imports.values import (
    Unreadable,
    clean_text,
    read_date,
    read_group,
    read_score,
    read_stars,
    read_yes,
)
from generator.places import Places, load_places
from generator.skeleton import ids
from generator.text import fold
from generator.validate.schema import load_schema
from generator.vocab import Vocabulary, load_vocabulary

SCHEMAS_DIR = PROJECT_ROOT / "schemas"


@dataclass(frozen=True)
class ImportOptions:
    file: Path
    catalog_dir: Path
    today: dt.date
    sheet: str | None = None
    decision: str | None = None
    date: str | None = None
    issuer: str | None = None
    province: str | None = None
    source_url: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    update: bool = False
    # A record written by hand (no import marker) with the row's product name and producer is
    # left alone unless asked: with `adopt`, it is updated from the row (with --update's merge:
    # the fields the list gives are replaced, every other field kept) and marked as imported.
    adopt: bool = False
    # The list's group column was filled by whoever prepared it, not by the decision: every
    # record written or updated gets `group_inferred: true` (so does a row marked in the
    # list's "Nhóm do người nhập xếp" column).
    group_inferred: bool = False


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "Sheet1!14: why"
    unresolved: list[Unresolved] = field(default_factory=list)
    producers: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    values: list[Value]
    issues: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)


class _Run:
    def __init__(self, options: ImportOptions, table: Table, mapping: Mapping) -> None:
        self.o = options
        self.table = table
        self.mapping = mapping
        self.places: Places = load_places()
        self.vocab: Vocabulary = load_vocabulary(SCHEMAS_DIR)
        self.province = _province_code(self.places, options.province)
        self.addresses = AddressResolver(self.places, self.province)
        self.producers = ProducerIndex(options.catalog_dir)
        existing = records.existing_products(options.catalog_dir)
        self.imported = existing.imported
        self.used_products = set(ids.used_product_ids(options.catalog_dir))
        self.used_producers = set(ids.used_producer_ids(options.catalog_dir))
        self.prefixes = ids.province_prefixes(self.places)
        self.others = existing.hand_written
        self.seen: dict[tuple[str, str], int] = {}
        self.order = list(load_schema(SCHEMAS_DIR, "product")["properties"])
        self.out = Outcome()

    # --- cells ---------------------------------------------------------------------------

    def raw(self, row: _Row, name: str) -> Value:
        column = self.mapping.columns.get(name)
        if column is None or column > len(row.values):
            return None
        return row.values[column - 1]

    def text(self, row: _Row, name: str) -> str:
        return clean_text(self.raw(row, name))

    def fail(self, row: _Row, name: str, message: str, code: str) -> None:
        column = self.mapping.columns.get(name, 1)
        label = LABELS.get(name, name)
        self.out.problems.append(
            ImportProblem(self.table.where(row.number, column), label, message, code)
        )
        row.issues.append(f"{label}: {message}")

    def read(self, row: _Row, name: str, reader: Any, code: str) -> Any:
        value = self.raw(row, name)
        if clean_text(value) == "":
            return None
        try:
            return reader(value)
        except Unreadable as err:
            self.fail(row, name, str(err), code)
            return None

    # --- one row -------------------------------------------------------------------------

    def facts(self, row: _Row) -> tuple[str, str, str]:
        number = self.text(row, "decision") or (self.o.decision or "")
        date = self.read(row, "decision_date", read_date, "import-date")
        if date is None and not self.text(row, "decision_date") and self.o.date:
            date = read_date(self.o.date)
        issuer = self.text(row, "issuer") or (self.o.issuer or "")
        for value, name, flag in (
            (number, "decision", "--decision"),
            (date, "decision_date", "--date"),
            (issuer, "issuer", "--issuer"),
        ):
            if not value and not (name == "decision_date" and self.text(row, name)):
                self.fail(row, name, f"thiếu; ghi trong cột hoặc dùng {flag}", "import-decision")
        row.facts = {"decision": number, "decision_date": date or "", "issuer": issuer}
        return number, date or "", issuer

    def place(self, row: _Row) -> dict[str, str] | None:
        address = self.text(row, "address")
        code = self.text(row, "commune_code")
        if code:
            commune = self.places.communes.get(code.zfill(5)) if code.isdigit() else None
            if commune is None:
                self.fail(row, "commune_code", f"không có xã/phường mã “{code}”", "import-place")
                return None
            place = {"province": commune.province_code, "commune": commune.code}
            answer = self.addresses.resolve(address) if address else None
            if answer and answer.street:
                place["address"] = answer.street
            if answer and answer.former:
                place["former_address"] = address
            return place
        if not address:
            self.fail(row, "address", "thiếu địa chỉ; điền mã xã/phường", "import-place")
            return None
        answer = self.addresses.resolve(address)
        if answer.commune is None:
            self.fail(row, "address", f"“{address}”: {answer.problem}", "import-place")
            return None
        assert answer.province is not None
        if self.province and answer.province != self.province:
            other = self.places.provinces[answer.province].name
            self.fail(
                row,
                "address",
                f"“{address}” thuộc {other}, không thuộc tỉnh đang nhập",
                "import-place",
            )
            return None
        place = {"province": answer.province, "commune": answer.commune}
        if answer.street:
            place["address"] = answer.street
        if answer.former:
            place["former_address"] = address
            place["_locality"] = f"{answer.former_commune} (cũ)" if answer.former_commune else ""
        return place

    def producer(self, row: _Row, place: dict[str, str], source: dict[str, str]) -> str | None:
        wanted = self.text(row, "producer_id")
        if wanted:
            if wanted not in self.producers.by_id:
                self.fail(row, "producer_id", f"không có chủ thể mã “{wanted}”", "import-producer")
                return None
            return wanted
        name = self.text(row, "producer")
        found = self.producers.find(name, place["province"])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            self.fail(
                row,
                "producer",
                f"“{name}” trùng tên {len(found)} chủ thể: {', '.join(found)}; điền mã chủ thể",
                "import-producer",
            )
            return None
        kind = self.kind(row, name)
        if kind is None:
            return None
        address = place.get("address") or place.get("_locality") or ""
        if not address:
            commune = self.places.communes[place["commune"]]
            address = commune.name
        producer_id = ids.suggest_producer_id(kind, name, self.used_producers)
        data: dict[str, Any] = {
            "id": producer_id,
            "name": name,
            "kind": kind,
            "place": _place({**place, "address": address}),
            "sources": [source],
        }
        identity = {"producer": name_key(name), "province": place["province"]}
        text = records.render(identity, f"Nhập từ {self.table.file} bằng `ocop import`.", data)
        if not self.o.dry_run:
            records.write_new(self.o.catalog_dir / "producers" / f"{producer_id}.yaml", text)
        self.used_producers.add(producer_id)
        self.producers.add(KnownProducer(producer_id, name, place["province"]))
        self.out.producers.append(producer_id)
        return producer_id

    def kind(self, row: _Row, name: str) -> str | None:
        filled = self.text(row, "producer_kind")
        if filled:
            for code, label in self.vocab.producer_kinds.items():
                if fold(filled) in (code, fold(label.vi)):
                    return code
            self.fail(
                row,
                "producer_kind",
                f"“{filled}” không phải loại chủ thể; viết {', '.join(self.vocab.producer_kinds)}",
                "import-producer",
            )
            return None
        kind = kind_of(name)
        if kind is None:
            self.fail(
                row,
                "producer",
                f"“{name}”: tên không cho biết loại chủ thể (HTX, tổ hợp "
                "tác, công ty, hộ kinh doanh); điền loại chủ thể hoặc mã chủ thể có sẵn",
                "import-producer",
            )
        return kind

    def row(self, row: _Row) -> None:
        name = self.text(row, "name")
        producer_name = self.text(row, "producer")
        if not name or not producer_name:
            self.fail(row, "name" if not name else "producer", "trống", "import-missing")
        number, date, issuer = self.facts(row)
        stars = self.read(row, "stars", read_stars, "import-stars")
        if stars is None and not self.text(row, "stars"):
            self.fail(row, "stars", "trống; viết 3, 4 hoặc 5", "import-stars")
        score = self.read(row, "score", read_score, "import-score")
        group = subgroup = None
        for column in ("group_code", "group", "subgroup"):
            found = self.read(row, column, lambda v: read_group(self.vocab, v), "import-group")
            if found:
                group = group or found[0]
                if found[1] and (subgroup is None) and found[0] == group:
                    subgroup = found[1]
                if column == "group_code":
                    break
        if group is None and not any(self.text(row, c) for c in ("group_code", "group")):
            self.fail(row, "group", "không có nhóm ngành; điền mã ngành (I–VI)", "import-group")
        inferred = self.read(row, "group_inferred", read_yes, "import-group")
        place = self.place(row)
        if row.issues or place is None:
            return self.leave(row)
        key = (number, f"{name_key(name)}|{name_key(producer_name)}")
        if key in self.seen:
            self.out.skipped.append(f"dòng {row.number}: trùng dòng {self.seen[key]}")
            return None
        self.seen[key] = row.number
        source: dict[str, str] = {"title": f"Quyết định {number} công nhận sản phẩm OCOP"}
        if self.o.source_url:
            source["url"] = self.o.source_url
        source["document"] = f"Quyết định số {number} {_shown(date)} của {issuer}"
        source["date"] = date
        producer_id = self.producer(row, place, source)
        if producer_id is None:
            return self.leave(row)
        certificate: dict[str, Any] = {"number": number, "date": date, "issuer": issuer}
        certificate["stars"] = stars
        if score is not None:
            certificate["score"] = score
        data: dict[str, Any] = {"id": "", "name": name, "group": group}
        if subgroup:
            data["subgroup"] = subgroup
        if self.o.group_inferred or inferred:
            data["group_inferred"] = True
        data |= {
            "stars": stars,
            "certificate": certificate,
            "producer": producer_id,
            "place": _place(place),
            "sources": [source],
            "updated": self.o.today.isoformat(),
        }
        self.write(row, key, data)
        return None

    def write(self, row: _Row, key: tuple[str, str], data: dict[str, Any]) -> None:
        identity = {"decision": key[0], "row": key[1]}
        note = (
            f"Nhập từ {self.table.file} bằng `ocop import`; sửa tay được, --update chỉ "
            "thay các trường do danh sách cho."
        )
        existing = self.imported.get(key)
        other = self.others.get((name_key(data["name"]), data["producer"]))
        if existing is None and other is not None and self.o.adopt:
            existing = other
        if existing is not None:
            old = records.read_data(existing) or {}
            data["id"] = old.get("id", existing.parent.name)
            new = records.merged(old, data, self.order)
            if {k: v for k, v in new.items() if k != "updated"} == {
                k: v for k, v in old.items() if k != "updated"
            }:
                self.out.skipped.append(f"dòng {row.number}: đã nhập, không đổi ({data['id']})")
            elif not (self.o.update or existing == other):
                self.out.skipped.append(
                    f"dòng {row.number}: đã nhập ({data['id']}); danh sách khác hồ sơ, chạy lại "
                    "với --update để cập nhật"
                )
            else:
                if not self.o.dry_run:
                    records.replace(existing, records.render(identity, note, new))
                self.out.updated.append(data["id"])
            return
        if other is not None:
            shown = other.parent.relative_to(self.o.catalog_dir.parent).as_posix()
            self.out.skipped.append(
                f"dòng {row.number}: đã có hồ sơ {shown} (không do lệnh nhập viết); không sửa "
                "(--adopt để lệnh nhập cập nhật hồ sơ này)"
            )
            return
        province = self.places.provinces[data["place"]["province"]]
        data["id"] = ids.suggest_product_id(
            self.prefixes[province.code], data["name"], self.used_products
        )
        self.used_products.add(data["id"])
        folder = self.o.catalog_dir / "products" / province.codename / data["id"]
        if not self.o.dry_run:
            records.write_new(folder / records.PRODUCT_FILE, records.render(identity, note, data))
        self.out.written.append(data["id"])

    def leave(self, row: _Row) -> None:
        filled = {f: self.text(row, f) for f in ("commune_code", "producer_id", "producer_kind")}
        filled["group"] = self.text(row, "group_code")
        where = f"{self.table.sheet}!{row.number}" if self.table.sheet else str(row.number)
        self.out.unresolved.append(Unresolved(where, row.values, row.issues, row.facts, filled))


def _place(place: dict[str, str]) -> dict[str, str]:
    """In the schema's order, without the working keys ("_locality")."""
    keys = ("province", "commune", "address", "former_address")
    return {k: place[k] for k in keys if place.get(k)}


def _shown(date: str) -> str:
    """ "ngày 15/03/2021", "tháng 03/2021" or "năm 2019": only the precision the list gives."""
    parts = date.split("-")
    word = {3: "ngày", 2: "tháng"}.get(len(parts), "năm")
    return f"{word} {'/'.join(reversed(parts))}"


def _province_code(places: Places, text: str | None) -> str | None:
    if not text:
        return None
    if text.zfill(2) in places.provinces:
        return text.zfill(2)
    found = places.find_provinces(text)
    if len(found) != 1:
        raise ReadError(f"--province “{text}”: không rõ tỉnh nào; xem: ocop places")
    return found[0].code


def _subheading(values: list[Value]) -> bool:
    """ "I. HUYỆN THỦY NGUYÊN" rows between groups of a list: one filled cell."""
    return sum(1 for v in values if clean_text(v)) <= 1


def run_import(options: ImportOptions) -> int:
    try:
        table = read_table(options.file, options.sheet)
        mapping = find_mapping(table, options.columns)
        if options.date:
            read_date(options.date)
    except (ReadError, ColumnError, Unreadable) as err:
        print(f"Lỗi: {err}")
        return 1
    print(f"Dòng tiêu đề: {', '.join(map(str, mapping.header_rows))}; các cột dùng:")
    print("\n".join(mapping.describe()))
    try:
        run = _Run(options, table, mapping)
    except ReadError as err:
        print(f"Lỗi: {err}")
        return 1
    rows = 0
    for number in range(mapping.first_data_row, len(table.rows) + 1):
        values = table.rows[number - 1]
        if _subheading(values):
            continue
        rows += 1
        run.row(_Row(number, values))
    out = run.out
    for p in out.problems:
        print(p.format())
    for line in out.skipped:
        print(f"Bỏ qua {line}")
    target = output_path(options.file)
    if out.unresolved and not options.dry_run:
        headers = [
            mapping.headers.get(c, "") for c in range(1, 1 + max(len(r) for r in table.rows))
        ]
        fill = {
            f: c
            for f, c in mapping.columns.items()
            if f in ("commune_code", "group_code", "producer_id", "producer_kind")
        }
        write_unresolved(target, headers, out.unresolved, fill)
    elif not out.unresolved and target == options.file and not options.dry_run:
        target.unlink()  # every row of the file to resolve is resolved
    verb = "Sẽ ghi" if options.dry_run else "Đã ghi"
    print(
        f"{verb} {len(out.written)} sản phẩm mới, cập nhật {len(out.updated)}, "
        f"{len(out.producers)} chủ thể mới; bỏ qua {len(out.skipped)}; "
        f"còn {len(out.unresolved)} dòng cần xử lý"
        + (f" (xem {target.name})" if out.unresolved and not options.dry_run else "")
        + f"; tổng {rows} dòng."
        + (" (Chạy thử: không ghi gì.)" if options.dry_run else "")
    )
    if rows == 0:
        print("Lỗi: không có dòng dữ liệu nào dưới dòng tiêu đề.")
        return 1
    done = len(out.written) + len(out.updated) + len(out.skipped)
    return 0 if done else 1
