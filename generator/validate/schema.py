"""The record schemas, and their failures said the way a contributor can act on them.

jsonschema's messages name JSON types and regular expressions; a contributor editing YAML needs
to hear what to write instead: the value in double quotes, the date as 2023-06-15, `stars` for
`sao`. Each schema error becomes one Problem with such a hint; a value of the wrong type is
reported once, not again as a failed enum or pattern.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.dates import PARTIAL_DATE_PATTERN
from generator.errors import Problem, problem
from generator.load import Record
from generator.text import fold, slug
from generator.yamlfile import FieldPath, dotted

if TYPE_CHECKING:
    import jsonschema

DATE_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
PARTIAL_DATE_SHAPE = re.compile(PARTIAL_DATE_PATTERN)  # a field the source may give to the year
_TYPE_NAMES = {
    "string": ("chữ", "text"),
    "integer": ("số nguyên", "a whole number"),
    "number": ("số", "a number"),
    "boolean": ("true hoặc false", "true or false"),
    "array": (
        "danh sách (mỗi mục một dòng bắt đầu bằng `- `)",
        "a list (one item per line starting with `- `)",
    ),
    "object": ("nhóm trường thụt lề bên dưới", "indented fields below"),
    "null": ("trống", "empty"),
}


@dataclass(frozen=True)
class Schemas:
    product: dict[str, Any]
    producer: dict[str, Any]
    lots: dict[str, Any]  # the Table Schema of lots.csv (Frictionless), not a JSON Schema


def load_schema(schemas_dir: Path, kind: str) -> dict[str, Any]:
    """The schema of one kind of record: "product" or "producer"; "lots": the Table Schema of
    a product's lots.csv."""
    return json.loads((schemas_dir / f"{kind}.schema.json").read_text(encoding="utf-8"))


def load_schemas(schemas_dir: Path) -> Schemas:
    return Schemas(
        load_schema(schemas_dir, "product"),
        load_schema(schemas_dir, "producer"),
        load_schema(schemas_dir, "lots"),
    )


class SchemaChecker:
    """fastjsonschema answers "valid?" quickly; jsonschema explains the failures. Both are
    imported here, not at the top: a run whose records are all known needs neither."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import fastjsonschema
        import jsonschema

        self.schema = schema
        self.fast = fastjsonschema.compile(schema)
        self.invalid = fastjsonschema.JsonSchemaException
        self.full = jsonschema.Draft202012Validator(schema)

    def errors(self, data: Any) -> list[jsonschema.ValidationError]:
        try:
            self.fast(data)
            return []
        except self.invalid:
            return sorted(self.full.iter_errors(data), key=lambda e: list(map(str, e.path)))


@functools.lru_cache(maxsize=8)
def schema_checker(schema_json: str) -> SchemaChecker:
    """Compiling a schema is slow next to checking a record: once per schema text, not once per
    run."""
    return SchemaChecker(json.loads(schema_json))


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


# Field names people write in Vietnamese (folded, spaces as "_") -> the record's field name.
_VIETNAMESE_FIELDS = {
    "ma": "id",
    "ma_san_pham": "id",
    "ten": "name",
    "ten_san_pham": "name",
    "ten_tieng_anh": "name_en",
    "nganh": "group",
    "nhom": "subgroup",
    "sao": "stars",
    "so_sao": "stars",
    "hang_sao": "stars",
    "chung_nhan": "certificate",
    "so": "number",
    "so_quyet_dinh": "number",
    "ngay": "date",
    "ngay_cap": "date",
    "co_quan": "issuer",
    "noi_cap": "issuer",
    "han": "valid_until",
    "het_han": "valid_until",
    "ngay_het_han": "valid_until",
    "diem": "score",
    "chu_the": "producer",
    "dia_diem": "place",
    "tinh": "province",
    "xa": "commune",
    "phuong": "commune",
    "dia_chi": "address",
    "dia_chi_cu": "former_address",
    "ma_vach": "gtin",
    "mo_ta": "description",
    "cau_chuyen": "story",
    "thanh_phan": "ingredients",
    "khoi_luong": "net_quantity",
    "the_tich": "net_quantity",
    "han_su_dung": "shelf_life",
    "bao_quan": "storage",
    "tieu_chuan": "standards",
    "noi_ban": "where_to_buy",
    "anh": "photos",
    "hinh_anh": "photos",
    "tep": "file",
    "mo_ta_anh": "alt",
    "nguon": "sources",
    "tieu_de": "title",
    "van_ban": "document",
    "cap_nhat": "updated",
    "ngay_cap_nhat": "updated",
    "ngung": "withdrawn",
    "ly_do": "reason",
    "loai": "kind",
    "nguoi_dai_dien": "representative",
    "dai_dien": "representative",
    "ma_so_thue": "tax_code",
    "dien_thoai": "phone",
    "so_dien_thoai": "phone",
    "email": "email",
    "trang_web": "website",
    "website": "website",
}
_SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
_DMY = re.compile(
    r"^\s*(?:ngày\s*)?(\d{1,2})\s*(?:[/.\-]|tháng)\s*(\d{1,2})\s*(?:[/.\-]|năm)\s*"
    r"(\d{4})\s*$",
    re.IGNORECASE,
)
_YMD = re.compile(r"^\s*(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*$")
_MY = re.compile(r"^\s*(?:tháng\s*)?(\d{1,2})\s*(?:[/.\-]|năm)\s*(\d{4})\s*$", re.IGNORECASE)
_YEAR = re.compile(r"^\s*(?:năm\s*)?(\d{4})\s*$", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)")


def suggest_date(text: str) -> str | None:
    """ "15/06/2023", "15-6-2023", "ngày 15 tháng 6 năm 2023", "2023/6/15" -> "2023-06-15"."""
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def suggest_partial_date(text: str) -> str | None:
    """As suggest_date, and for a field that may be partial "3/2021", "tháng 3 năm 2021" ->
    "2021-03", "năm 2019" -> "2019"."""
    if suggestion := suggest_date(text):
        return suggestion
    if match := _MY.match(text):
        month, year = (int(g) for g in match.groups())
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    if match := _YEAR.match(text):
        return match.group(1)
    return None


def _suggest_field(key: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return close[0]
    folded = re.sub(r"[\s-]+", "_", fold(key))
    target = _VIETNAMESE_FIELDS.get(folded)
    return target if target in known else None


def _wrong_type_hint(expected: str, instance: Any, source: str | None) -> tuple[str, str]:
    actual = json_type(instance)
    if expected == "string" and actual in ("integer", "number", "boolean"):
        shown = source if source is not None else "…"
        return (f'; viết trong dấu nháy kép: "{shown}"', f'; put it in double quotes: "{shown}"')
    if expected in ("integer", "number") and actual == "string":
        match = _LEADING_NUMBER.match(instance)
        if match:
            number = match.group(1).replace(",", ".")
            return (
                f"; viết chỉ con số, không kèm chữ hay dấu nháy: {number}",
                f"; write just the number, without words or quotes: {number}",
            )
        return (
            "; viết chỉ con số, không kèm chữ hay dấu nháy",
            "; write just the number, without words or quotes",
        )
    if expected == "boolean" and actual == "string":
        return ("; viết true (có) hoặc false (không)", "; write true or false")
    return ("", "")


def schema_problems(record: Record, checker: SchemaChecker) -> list[Problem]:
    errors = checker.errors(record.data)
    # a value of the wrong type also fails its enum, pattern...: say only that the type is wrong
    wrong_type = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    # `ten:` for `name:` is one mistake: the unknown field's suggestion replaces "missing name"
    suggested: set[FieldPath] = set()
    found: list[Problem] = []
    for err in errors:
        path: FieldPath = tuple(err.absolute_path)
        line = record.line(path)
        where = dotted(path)
        kind = err.validator
        if path in wrong_type and kind != "type":
            continue
        if kind == "required":
            continue  # below, once every suggestion is known
        if kind == "additionalProperties":
            known = list(err.schema.get("properties", {}))
            unknown = sorted(set(err.instance) - set(known))
            for key in unknown:
                # difflib for each of 40,000 junk keys would take seconds: suggest for a few
                target = _suggest_field(key, known) if len(unknown) <= 100 else None
                if target is not None and target not in err.instance:
                    suggested.add((*path, target))
                suggestion = (
                    (f"; có phải `{target}`?", f"; did you mean `{target}`?")
                    if target
                    else (
                        "; xóa dòng này hoặc xem các trường trong CONTRIBUTING.md",
                        "; delete the line or see the fields in CONTRIBUTING.md",
                    )
                )
                found.append(
                    problem(
                        record.display,
                        record.line((*path, key)),
                        dotted((*path, key)),
                        "unknown-field",
                        key=key,
                        suggestion=suggestion,
                    )
                )
        elif kind == "type":
            if err.instance is None:
                found.append(problem(record.display, line, where, "empty-value"))
                continue
            expected = err.validator_value
            hint = _wrong_type_hint(expected, err.instance, record.texts.get(path))
            found.append(
                problem(
                    record.display,
                    line,
                    where,
                    "wrong-type",
                    expected=_pair(expected),
                    actual=_pair(json_type(err.instance)),
                    hint=hint,
                )
            )
        elif kind == "enum":
            allowed = ", ".join(str(v) for v in err.validator_value)
            found.append(
                problem(
                    record.display,
                    line,
                    where,
                    "not-allowed-value",
                    value=err.instance,
                    allowed=allowed,
                )
            )
        elif kind == "pattern":
            found += _pattern_problem(record, err, path)
        elif kind == "minLength":
            found.append(problem(record.display, line, where, "empty-value"))
        elif kind == "maxLength":
            found.append(
                problem(
                    record.display,
                    line,
                    where,
                    "too-long",
                    length=len(err.instance),
                    limit=err.validator_value,
                )
            )
        elif kind == "minItems":
            found.append(
                problem(record.display, line, where, "too-few-items", limit=err.validator_value)
            )
        elif kind == "maxItems":
            found.append(
                problem(record.display, line, where, "too-many-items", limit=err.validator_value)
            )
        elif kind in ("minimum", "maximum"):
            hint = f"{err.schema.get('minimum', '')}–{err.schema.get('maximum', '')}"
            found.append(
                problem(record.display, line, where, "out-of-range", value=err.instance, hint=hint)
            )
        elif kind == "anyOf" and path and path[0] == "sources":
            found.append(problem(record.display, line, where, "source-needs-link"))
        else:
            found.append(problem(record.display, line, where, "schema", detail=err.message))
    for err in errors:
        if err.validator != "required":
            continue
        path = tuple(err.absolute_path)
        key = re.sub(r"^'(.*)' is a required property$", r"\1", err.message)
        if (*path, key) in suggested:
            continue
        described = err.schema.get("properties", {}).get(key, {})
        hint = (described.get("description", ""), described.get("x-description-en", ""))
        found.append(
            problem(
                record.display,
                record.line(path),
                dotted((*path, key)),
                "missing-field",
                key=key,
                hint=hint,
            )
        )
    return found


def _pattern_problem(
    record: Record, err: jsonschema.ValidationError, path: FieldPath
) -> list[Problem]:
    value = err.instance
    line, where = record.line(path), dotted(path)
    if err.validator_value == DATE_SHAPE.pattern:
        suggestion = suggest_date(value)
        pair = (
            (suggestion, suggestion)
            if suggestion
            else (
                "theo mẫu 2023-06-15 (ngày 15 tháng 6 năm 2023)",
                "it like 2023-06-15 (15 June 2023)",
            )
        )
        return [problem(record.display, line, where, "date-format", value=value, suggestion=pair)]
    if err.validator_value == PARTIAL_DATE_SHAPE.pattern:
        suggestion = suggest_partial_date(value)
        pair = (
            (suggestion, suggestion)
            if suggestion
            else (
                "theo mẫu 2023-06-15, hoặc 2023-06 hay 2023 nếu nguồn chỉ ghi tháng, năm",
                "it like 2023-06-15, or 2023-06 or 2023 when the source gives only the month "
                "or year",
            )
        )
        code = (
            "date-format" if suggestion and DATE_SHAPE.match(suggestion) else "partial-date-format"
        )
        return [problem(record.display, line, where, code, value=value, suggestion=pair)]
    if path[:1] == ("photos",) and path[-1:] == ("file",) and ("/" in value or "\\" in value):
        return []  # photocheck says what to write instead (the bare file name)
    example = (err.schema.get("examples") or [None])[0]
    if err.validator_value == _SLUG_PATTERN and slug(value):
        example = slug(value)[: err.schema.get("maxLength", 40)].strip("-")
    vi = err.schema.get("description", "")
    en = err.schema.get("x-description-en", "")
    if example is not None:
        vi += f" Ví dụ: {example}"
        en += f" Example: {example}"
    return [problem(record.display, line, where, "bad-format", value=value, hint=(vi, en))]
