"""Stage 2: the JSON Schemas plus every check that needs more than one field or file.

Returns problems; never raises for bad input. A record with schema errors still gets the checks
its well-typed fields allow, so one run reports everything a contributor has to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from generator.errors import Problem, problem
from generator.load import LoadedCatalog, Record
from generator.photocheck import IMAGE_EXTENSIONS, PhotoFacts, check_photo
from generator.places import Places
from generator.vocab import Vocabulary
from generator.yamlfile import FieldPath, dotted

_HTML_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*|!--)")
_DATE_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TYPE_NAMES = {
    "string": ("chữ", "text"),
    "integer": ("số nguyên", "a whole number"),
    "number": ("số", "a number"),
    "boolean": ("true hoặc false", "true or false"),
    "array": ("danh sách (mỗi mục một dòng bắt đầu bằng `- `)",
              "a list (one item per line starting with `- `)"),
    "object": ("nhóm trường thụt lề bên dưới", "indented fields below"),
    "null": ("trống", "empty"),
}


@dataclass(frozen=True)
class Schemas:
    product: dict[str, Any]
    producer: dict[str, Any]


def load_schemas(schemas_dir: Path) -> Schemas:
    def read(name: str) -> dict[str, Any]:
        return json.loads((schemas_dir / f"{name}.schema.json").read_text(encoding="utf-8"))

    return Schemas(read("product"), read("producer"))


@dataclass
class Validation:
    problems: list[Problem] = field(default_factory=list)
    photos: dict[tuple[str, str], PhotoFacts] = field(default_factory=dict)  # (id, file)


class _SchemaChecker:
    """fastjsonschema answers "valid?" in microseconds; jsonschema explains the failures."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.fast = fastjsonschema.compile(schema)
        self.full = jsonschema.Draft202012Validator(schema)

    def errors(self, data: Any) -> list[jsonschema.ValidationError]:
        try:
            self.fast(data)
            return []
        except fastjsonschema.JsonSchemaException:
            return sorted(self.full.iter_errors(data), key=lambda e: list(map(str, e.path)))


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _pair(key: str) -> tuple[str, str]:
    return _TYPE_NAMES.get(key, (key, key))


def _schema_problems(record: Record, checker: _SchemaChecker) -> Iterator[Problem]:
    for err in checker.errors(record.data):
        path: FieldPath = tuple(err.absolute_path)
        line = record.line(path)
        where = dotted(path)
        kind = err.validator
        if kind == "required":
            key = re.sub(r"^'(.*)' is a required property$", r"\1", err.message)
            described = err.schema.get("properties", {}).get(key, {})
            hint = (described.get("description", ""), described.get("x-description-en", ""))
            yield problem(record.display, line, dotted((*path, key)), "missing-field",
                          key=key, hint=hint)
        elif kind == "additionalProperties":
            known = list(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - set(known)):
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                suggestion = (
                    (f"; có phải `{close[0]}`?", f"; did you mean `{close[0]}`?")
                    if close
                    else ("; xóa dòng này hoặc xem các trường trong CONTRIBUTING.md",
                          "; delete the line or see the fields in CONTRIBUTING.md")
                )
                yield problem(record.display, record.line((*path, key)), dotted((*path, key)),
                              "unknown-field", key=key, suggestion=suggestion)
        elif kind == "type":
            if err.instance is None:
                yield problem(record.display, line, where, "empty-value")
                continue
            expected = err.validator_value
            actual = json_type(err.instance)
            hint = ("", "")
            if expected == "string" and actual in ("integer", "number", "boolean"):
                hint = ("; viết trong dấu nháy kép, ví dụ \"…\"", "; put it in double quotes")
            yield problem(record.display, line, where, "wrong-type",
                          expected=_pair(expected), actual=_pair(actual), hint=hint)
        elif kind == "enum":
            allowed = ", ".join(str(v) for v in err.validator_value)
            yield problem(record.display, line, where, "not-allowed-value",
                          value=err.instance, allowed=allowed)
        elif kind == "pattern":
            example = (err.schema.get("examples") or [None])[0]
            vi = err.schema.get("description", "")
            en = err.schema.get("x-description-en", "")
            if example is not None:
                vi += f" Ví dụ: {example}"
                en += f" Example: {example}"
            yield problem(record.display, line, where, "bad-format", value=err.instance,
                          hint=(vi, en))
        elif kind == "minLength":
            yield problem(record.display, line, where, "empty-value")
        elif kind == "maxLength":
            yield problem(record.display, line, where, "too-long",
                          length=len(err.instance), limit=err.validator_value)
        elif kind == "minItems":
            yield problem(record.display, line, where, "too-few-items", limit=err.validator_value)
        elif kind == "maxItems":
            yield problem(record.display, line, where, "too-many-items", limit=err.validator_value)
        elif kind in ("minimum", "maximum"):
            hint = f"{err.schema.get('minimum', '')}–{err.schema.get('maximum', '')}"
            yield problem(record.display, line, where, "out-of-range", value=err.instance,
                          hint=hint)
        elif kind == "anyOf" and path and path[0] == "sources":
            yield problem(record.display, line, where, "source-needs-link")
        else:
            yield problem(record.display, line, where, "schema", detail=err.message)


def _strings(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))


def _get(data: Any, *path: str | int) -> Any:
    """The value at `path`, or None when any step is missing or of the wrong kind."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return None
            data = data[part]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def gtin_check_digit(body: str) -> int:
    """GS1 check digit for the digits before it (weights 3,1,3,... from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


class _Checker:
    def __init__(self, record: Record, as_of: dt.date, out: Validation) -> None:
        self.record = record
        self.as_of = as_of
        self.out = out

    def add(self, path: FieldPath, code: str, **params: object) -> None:
        self.out.problems.append(
            problem(self.record.display, self.record.line(path), dotted(path), code, **params)
        )

    def date(self, path: FieldPath, future_ok: bool = False) -> dt.date | None:
        value = _get(self.record.data, *path)
        if not isinstance(value, str) or not _DATE_SHAPE.match(value):
            return None  # absent, or the schema already reports its shape
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.add(path, "invalid-date", value=value)
            return None
        if not future_ok and day > self.as_of:
            self.add(path, "future-date", value=value, today=self.as_of.isoformat())
        return day

    def order(self, later: FieldPath, earlier: FieldPath, earlier_label: str) -> None:
        a = self.date(later, future_ok=True)
        b = self.date(earlier, future_ok=True)
        if a is not None and b is not None and a <= b:
            self.add(later, "date-order", value=a.isoformat(), other_field=earlier_label,
                     other=b.isoformat())

    def nfc(self) -> None:
        for path, text in _strings(self.record.data):
            if not unicodedata.is_normalized("NFC", text):
                self.add(path, "not-nfc", file=self.record.display)

    def place(self, places: Places) -> str | None:
        province = _get(self.record.data, "place", "province")
        commune = _get(self.record.data, "place", "commune")
        if isinstance(province, str) and province.isdigit() and len(province) == 2:
            if province not in places.provinces:
                self.add(("place", "province"), "unknown-province", value=province)
                province = None
        else:
            province = None
        if isinstance(commune, str) and commune.isdigit() and len(commune) == 5:
            info = places.communes.get(commune)
            if info is None:
                self.add(("place", "commune"), "unknown-commune", value=commune,
                         province=province or "22")
            elif province and info.province_code != province:
                self.add(("place", "commune"), "commune-not-in-province", value=commune,
                         name=info.name, actual=places.provinces[info.province_code].name,
                         province=province)
        return province


def _check_certificate(c: _Checker, base: FieldPath) -> None:
    c.date((*base, "date"))
    c.order((*base, "valid_until"), (*base, "date"), dotted((*base, "date")))
    if _get(c.record.data, *base, "revoked") is not None:
        c.date((*base, "revoked", "date"))
        c.order((*base, "revoked", "date"), (*base, "date"), dotted((*base, "date")))


def _check_product(
    record: Record, places: Places, vocab: Vocabulary, as_of: dt.date, out: Validation
) -> None:
    c = _Checker(record, as_of, out)
    data = record.data
    folder = record.folder.name
    if isinstance(data.get("id"), str) and data["id"] != folder:
        c.add(("id",), "id-folder-mismatch", value=data["id"], folder=folder)
    c.nfc()
    province = c.place(places)
    if province:
        info = places.provinces[province]
        if record.folder.parent.name != info.codename:
            c.add(("place", "province"), "province-folder-mismatch", province_name=info.name,
                  expected=info.codename)
    group, subgroup = data.get("group"), data.get("subgroup")
    if isinstance(group, str):
        if group not in vocab.groups:
            c.add(("group",), "unknown-group", value=group, allowed=", ".join(vocab.groups))
        elif isinstance(subgroup, str) and subgroup not in vocab.subgroups[group]:
            allowed = ", ".join(vocab.subgroups[group]) or "—"
            c.add(("subgroup",), "unknown-subgroup", value=subgroup, group=group, allowed=allowed)
    _check_certificate(c, ("certificate",))
    current_date = c.date(("certificate", "date"), future_ok=True)
    stars, cert_stars = data.get("stars"), _get(data, "certificate", "stars")
    if isinstance(cert_stars, int) and isinstance(stars, int) and cert_stars != stars:
        c.add(("stars",), "stars-mismatch", value=stars, other=cert_stars)
    previous = data.get("previous_certificates")
    for i in range(len(previous) if isinstance(previous, list) else 0):
        _check_certificate(c, ("previous_certificates", i))
        earlier = c.date(("previous_certificates", i, "date"), future_ok=True)
        if earlier and current_date and earlier >= current_date:
            c.add(("previous_certificates", i, "date"), "date-order",
                  value=current_date.isoformat(), other_field="previous_certificates.date",
                  other=earlier.isoformat())
    c.date(("updated",))
    if isinstance(data.get("withdrawn"), dict):
        c.date(("withdrawn", "date"))
    sources = data.get("sources")
    for i in range(len(sources) if isinstance(sources, list) else 0):
        c.date(("sources", i, "date"))
    gtin = data.get("gtin")
    if isinstance(gtin, str) and gtin.isdigit() and len(gtin) in (8, 12, 13, 14):
        expected = gtin_check_digit(gtin[:-1])
        if int(gtin[-1]) != expected:
            c.add(("gtin",), "gtin-check-digit", value=gtin, expected=expected)
    for key in ("description", "story"):
        text = data.get(key)
        if isinstance(text, str) and (match := _HTML_TAG.search(text)):
            c.add((key,), "raw-html", tag="<" + match.group(1) + ">")
    _check_photos(c, out)


def _check_photos(c: _Checker, out: Validation) -> None:
    record = c.record
    photos = record.data.get("photos")
    listed: set[str] = set()
    for i, photo in enumerate(photos if isinstance(photos, list) else []):
        name = _get(photo, "file")
        if not isinstance(name, str):
            continue
        path = ("photos", i, "file")
        if name in listed:
            c.add(path, "photo-duplicate", value=name)
            continue
        listed.add(name)
        facts, problems = check_photo(
            record.folder, name, record.display, record.line(path), dotted(path)
        )
        out.problems += problems
        if facts is not None:
            out.photos[(record.folder.name, name)] = facts
        alt = _get(photo, "alt")
        if isinstance(alt, str) and alt.strip().casefold() in (
            name.casefold(), Path(name).stem.casefold()
        ):
            c.add(("photos", i, "alt"), "alt-is-file-name")
    for extra in sorted(record.folder.iterdir()):
        if extra.name in listed or extra.name == "product.yaml" or extra.name.startswith("."):
            continue
        shown = f"{record.display.rsplit('/', 1)[0]}/{extra.name}"
        if extra.suffix.lower() in IMAGE_EXTENSIONS:
            out.problems.append(problem(shown, 1, "", "unused-file", value=extra.name))
        else:
            out.problems.append(problem(shown, 1, "", "stray-file"))


def _check_producer(record: Record, places: Places, as_of: dt.date, out: Validation) -> None:
    c = _Checker(record, as_of, out)
    stem = record.file.stem
    if isinstance(record.data.get("id"), str) and record.data["id"] != stem:
        c.add(("id",), "id-file-mismatch", value=record.data["id"], file=stem)
    c.nfc()
    c.place(places)
    sources = record.data.get("sources")
    for i in range(len(sources) if isinstance(sources, list) else 0):
        c.date(("sources", i, "date"))


def read_ledger(path: Path) -> list[tuple[int, str]]:
    """Published product ids, one per line; `#` starts a comment."""
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if text:
            entries.append((number, text))
    return entries


def validate_records(
    loaded: LoadedCatalog,
    schemas: Schemas,
    places: Places,
    vocab: Vocabulary,
    as_of: dt.date,
    ledger: Path | None = None,
) -> Validation:
    out = Validation(problems=list(loaded.problems))
    product_checker = _SchemaChecker(schemas.product)
    producer_checker = _SchemaChecker(schemas.producer)
    producer_ids: dict[str, Record] = {}
    for record in loaded.producers:
        out.problems += _schema_problems(record, producer_checker)
        _check_producer(record, places, as_of, out)
        pid = record.data.get("id")
        if isinstance(pid, str):
            if pid in producer_ids:
                out.problems.append(problem(record.display, record.line(("id",)), "id",
                                            "duplicate-id", value=pid,
                                            other=producer_ids[pid].display))
            else:
                producer_ids[pid] = record
    product_ids: dict[str, Record] = {}
    for record in loaded.products:
        out.problems += _schema_problems(record, product_checker)
        _check_product(record, places, vocab, as_of, out)
        pid = record.data.get("id")
        if isinstance(pid, str):
            if pid in product_ids:
                out.problems.append(problem(record.display, record.line(("id",)), "id",
                                            "duplicate-id", value=pid,
                                            other=product_ids[pid].display))
            else:
                product_ids[pid] = record
        producer = record.data.get("producer")
        if isinstance(producer, str) and producer not in producer_ids:
            close = difflib.get_close_matches(producer, list(producer_ids), n=1, cutoff=0.7)
            suggestion = (f" (có phải `{close[0]}`?)", f" (did you mean `{close[0]}`?)") if close \
                else ("", "")
            out.problems.append(problem(record.display, record.line(("producer",)), "producer",
                                        "unknown-producer", value=producer, suggestion=suggestion))
    for record in loaded.products:
        replaced_by = _get(record.data, "withdrawn", "replaced_by")
        if isinstance(replaced_by, str) and replaced_by not in product_ids:
            out.problems.append(problem(record.display,
                                        record.line(("withdrawn", "replaced_by")),
                                        "withdrawn.replaced_by", "unknown-replacement",
                                        value=replaced_by))
    if ledger is not None:
        shown = f"{loaded.root.name}/{ledger.resolve().relative_to(loaded.root).as_posix()}" \
            if ledger.resolve().is_relative_to(loaded.root) else ledger.name
        for number, pid in read_ledger(ledger):
            if pid not in loaded.product_folders:
                out.problems.append(problem(shown, number, "", "published-product-missing",
                                            value=pid))
    out.problems.sort()
    return out
