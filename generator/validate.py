"""Stage 2: the JSON Schemas plus every check that needs more than one field or file.

Returns problems; never raises for bad input. A record with schema errors still gets the checks
its well-typed fields allow, so one run reports everything a contributor has to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from generator.checkcache import Checks, PhotoRow, from_rows, problem_rows
from generator.config import PoolSettings
from generator.errors import Problem, problem
from generator.load import LoadedCatalog, Record
from generator.parallel import DEFAULT_POOLS, map_known_first
from generator.photocheck import (
    IMAGE_EXTENSIONS,
    PhotoFacts,
    check_photo,
    file_stamp,
    lstat,
    name_key,
)
from generator.places import Places
from generator.text import fold, slug
from generator.vocab import Vocabulary
from generator.yamlfile import FieldPath, dotted

if TYPE_CHECKING:
    import jsonschema

_HTML_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*|!--)")
_DATE_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
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


def load_schemas(schemas_dir: Path) -> Schemas:
    def read(name: str) -> dict[str, Any]:
        return json.loads((schemas_dir / f"{name}.schema.json").read_text(encoding="utf-8"))

    return Schemas(read("product"), read("producer"))


@dataclass
class Validation:
    problems: list[Problem] = field(default_factory=list)
    photos: dict[tuple[str, str], PhotoFacts] = field(default_factory=dict)  # (id, file)
    # every photo that passed, by absolute path, with its file stamp: the next run's
    # `known_photos`; the checks of each record alone, by display path: its `known_checks`
    checked: dict[str, PhotoRow] = field(default_factory=dict)
    checks: dict[str, Checks] = field(default_factory=dict)


class _SchemaChecker:
    """fastjsonschema answers "valid?" in microseconds; jsonschema explains the failures.
    Both are imported here: a run whose records are all known needs neither (55 ms)."""

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
def _checker(schema_json: str) -> _SchemaChecker:
    """Compiling a schema takes ~20 ms: once per schema text, not once per run."""
    return _SchemaChecker(json.loads(schema_json))


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


def _schema_problems(record: Record, checker: _SchemaChecker) -> list[Problem]:
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
    if err.validator_value == _DATE_SHAPE.pattern:
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
        self._dates: dict[FieldPath, dt.date | None] = {}  # each date is judged once
        self._future_reported: set[FieldPath] = set()
        self._latest_past: dt.date | None = None  # latest date compared with as_of, not after

    def add(self, path: FieldPath, code: str, **params: object) -> None:
        self.out.problems.append(
            problem(self.record.display, self.record.line(path), dotted(path), code, **params)
        )

    def date(self, path: FieldPath, future_ok: bool = False) -> dt.date | None:
        """The date at `path`, once checked; None when absent or wrong (reported once)."""
        if path not in self._dates:
            value = _get(self.record.data, *path)
            day = None
            if isinstance(value, str) and _DATE_SHAPE.match(value):  # else the schema reports
                try:
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    self.add(path, "invalid-date", value=value)
            self._dates[path] = day
        day = self._dates[path]
        if day is None or future_ok:
            return day
        if day <= self.as_of:
            self._latest_past = max(day, self._latest_past or day)
        elif path not in self._future_reported:
            self._future_reported.add(path)
            self.add(path, "future-date", value=day.isoformat(), today=self.as_of.isoformat())
        return day

    def as_of_span(self) -> tuple[int, int]:
        """The as-of days (first, last, as ordinals) on which this record's checks find the same
        problems: the message of a date in the future names the day itself."""
        if self._future_reported:
            return self.as_of.toordinal(), self.as_of.toordinal()
        first = self._latest_past or dt.date.min
        return first.toordinal(), dt.date.max.toordinal()

    def order(self, later: FieldPath, earlier: FieldPath, earlier_label: str) -> None:
        a = self.date(later, future_ok=True)
        b = self.date(earlier, future_ok=True)
        if a is not None and b is not None and a <= b:
            self.add(
                later,
                "date-order",
                value=a.isoformat(),
                other_field=earlier_label,
                other=b.isoformat(),
            )

    def nfc(self) -> None:
        """One problem per file: `ocop fix` converts the whole file at once."""
        if self.record.all_nfc:
            return
        paths = [
            path
            for path, text in _strings(self.record.data)
            if not unicodedata.is_normalized("NFC", text)
        ]
        if paths:
            first = min(paths, key=lambda p: (self.record.line(p), dotted(p)))
            more = len(paths) - 1
            self.add(
                first,
                "not-nfc",
                file=self.record.display,
                more=(f" (và {more} trường khác)", f" (and {more} more field(s))")
                if more
                else ("", ""),
            )

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
                self.add(
                    ("place", "commune"),
                    "unknown-commune",
                    value=commune,
                    province=province or "22",
                )
            elif province and info.province_code != province:
                self.add(
                    ("place", "commune"),
                    "commune-not-in-province",
                    value=commune,
                    name=info.name,
                    actual=places.provinces[info.province_code].name,
                    province=province,
                )
        return province


def _check_certificate(c: _Checker, base: FieldPath) -> None:
    c.date((*base, "date"))
    c.order((*base, "valid_until"), (*base, "date"), dotted((*base, "date")))
    if _get(c.record.data, *base, "revoked") is not None:
        c.date((*base, "revoked", "date"))
        c.order((*base, "revoked", "date"), (*base, "date"), dotted((*base, "date")))


def _check_product(
    record: Record,
    places: Places,
    vocab: Vocabulary,
    as_of: dt.date,
    out: Validation,
) -> _Checker:
    """Everything but the photo files: what reads nothing but the record (see _check_photos)."""
    c = _Checker(record, as_of, out)
    data = record.data
    folder_path = record.folder
    folder = folder_path.name
    if isinstance(data.get("id"), str) and data["id"] != folder:
        c.add(("id",), "id-folder-mismatch", value=data["id"], folder=folder)
    c.nfc()
    province = c.place(places)
    province_folder = folder_path.parent.name
    if province and places.province_by_folder(province_folder) is not None:
        info = places.provinces[province]  # (an unknown province folder is reported once)
        if province_folder != info.codename:
            c.add(
                ("place", "province"),
                "province-folder-mismatch",
                province_name=info.name,
                expected=info.codename,
            )
    group, subgroup = data.get("group"), data.get("subgroup")
    if isinstance(group, str):
        if group not in vocab.groups:
            c.add(("group",), "unknown-group", value=group, allowed=", ".join(vocab.groups))
        elif isinstance(subgroup, str) and subgroup not in vocab.subgroups[group]:
            allowed = ", ".join(vocab.subgroups[group]) or "—"
            owner = next((g for g, subs in vocab.subgroups.items() if subgroup in subs), None)
            hint = (
                (
                    f' (mã này thuộc ngành {owner}: nếu đúng thì sửa `group: "{owner}"`)',
                    f' (it belongs to group {owner}: if right, write `group: "{owner}"`)',
                )
                if owner
                else ("", "")
            )
            c.add(
                ("subgroup",),
                "unknown-subgroup",
                value=subgroup,
                group=group,
                hint=hint,
                allowed=allowed,
            )
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
            c.add(
                ("previous_certificates", i, "date"),
                "previous-not-earlier",
                value=earlier.isoformat(),
                other=current_date.isoformat(),
            )
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
    return c


def _check_photos(
    c: _Checker,
    out: Validation,
    known: Mapping[str, PhotoRow],
    folder: Path,
) -> int:
    """The photo files a product lists, and the files it does not list: they change without
    the record changing, so they are checked on every run (cached facts spare the reading).
    Returns how many photos were read."""
    record = c.record
    photos = record.data.get("photos")
    if not isinstance(photos, list):
        return 0  # the schema reports it; "photo not used" for every file would only repeat it
    read = 0
    folder_name, folder_text = folder.name, str(folder)
    listed: set[str] = set()
    accounted: set[str] = set()  # files a problem above already talks about
    for i, photo in enumerate(photos):
        name = _get(photo, "file")
        if not isinstance(name, str):
            continue
        path = ("photos", i, "file")
        if name in listed:
            c.add(path, "photo-duplicate", value=name)
            continue
        listed.add(name)
        # a bare file name (PurePosixPath(name).name == name): only such a file can be cached
        bare = "/" not in name and name != "."
        where = f"{folder_text}/{name}" if bare and name else str(folder / name)
        info = lstat(where) if bare else None
        stamp = file_stamp(where, info) if bare else None
        cached = known.get(where)
        if stamp is not None and cached is not None and cached[:3] == stamp:
            facts, problems = PhotoFacts(*cached[3:]), []  # unchanged since it passed: not read
            out.checked[where] = cached
        else:
            read += 1
            facts, problems = check_photo(
                folder, name, record.display, record.line(path), dotted(path), info
            )
            if facts is not None and stamp is not None:
                out.checked[where] = (*stamp, *_facts_row(facts))
        out.problems += problems
        if problems and problems[0].code == "photo-missing":  # `Anh.JPG` for `anh.jpg`
            key = name_key(name)  # also `ảnh.jpg` for the same name in NFD
            accounted |= {p.name for p in folder.iterdir() if name_key(p.name) == key}
        elif problems and problems[0].code == "photo-path":  # `../anh.jpg`, `anh/anh.jpg`
            accounted.add(PurePosixPath(name.replace("\\", "/")).name)
        if facts is not None:
            out.photos[(folder_name, name)] = facts
        alt = _get(photo, "alt")
        if isinstance(alt, str):
            folded, name_folded = alt.strip().casefold(), name.casefold()
            # the stem is part of the name: a Path for each of 40,000 photos only when it may be
            if folded in name_folded and (
                folded == name_folded or folded == Path(name).stem.casefold()
            ):
                c.add(("photos", i, "alt"), "alt-is-file-name")
    skip = listed | accounted
    shown_folder = record.display.rsplit("/", 1)[0]
    for extra in sorted(os.listdir(folder)):  # names, in the order of sorted(iterdir())
        if extra in skip or extra == "product.yaml" or extra.startswith("."):
            continue
        shown = f"{shown_folder}/{extra}"
        dot = extra.rfind(".")  # Path.suffix
        suffix = extra[dot:] if 0 < dot < len(extra) - 1 else ""
        if suffix.lower() in IMAGE_EXTENSIONS:
            out.problems.append(problem(shown, 1, "", "unused-file", value=extra))
        else:
            out.problems.append(problem(shown, 1, "", "stray-file"))
    return read


def _check_producer(record: Record, places: Places, as_of: dt.date, out: Validation) -> _Checker:
    c = _Checker(record, as_of, out)
    stem = record.file.stem
    if isinstance(record.data.get("id"), str) and record.data["id"] != stem:
        c.add(("id",), "id-file-mismatch", value=record.data["id"], file=stem)
    c.nfc()
    c.place(places)
    sources = record.data.get("sources")
    for i in range(len(sources) if isinstance(sources, list) else 0):
        c.date(("sources", i, "date"))
    return c


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


def _province_folder_problems(loaded: LoadedCatalog, places: Places) -> list[Problem]:
    """One problem per province folder whose name is no province's (`quang-ninh`, `QuangNinh`)."""
    codenames = sorted(p.codename for p in places.provinces.values())
    found = []
    folders = sorted({shown.rsplit("/", 1)[0] for shown in loaded.product_folders.values()})
    for shown in folders:
        name = shown.rsplit("/", 1)[1]
        if places.province_by_folder(name) is not None:
            continue
        wanted = re.sub(r"[\s-]+", "_", fold(name))
        close = difflib.get_close_matches(wanted, codenames, n=1, cutoff=0.6)
        example = (
            (f"`{close[0]}`", f"`{close[0]}`")
            if close
            else (
                "tên không dấu, nối bằng `_`, ví dụ `quang_ninh`",
                "the name without tone marks joined by `_`, e.g. `quang_ninh`",
            )
        )
        found.append(
            problem(shown + "/", 1, "", "unknown-province-folder", folder=name, example=example)
        )
    return found


@dataclass(frozen=True)
class _RecordsContext:
    """What every per-record check reads; reaches forked workers without pickling, records
    included: workers are handed numbers (products first, then producers), not records."""

    products: list[Record]
    producers: list[Record]
    product_schema: str  # JSON text, compiled on first use (see _checker)
    producer_schema: str
    places: Places
    vocab: Vocabulary
    as_of: dt.date
    known_photos: Mapping[str, PhotoRow]
    known_checks: Mapping[str, Checks]


# What a worker sends back for one record: the checks of the record alone, the problems of its
# photo files, the photos that passed as ((folder name, file name), facts), the photo cache
# entries as (path, row), and whether anything had to be checked or read (not only looked up);
# facts as plain tuples (width, height, format, sha256): small to pickle, cheap to rebuild.
_Facts = tuple[int, int, str, str]
_Outcome = tuple[
    Checks, list[Problem], list[tuple[tuple[str, str], _Facts]], list[tuple[str, PhotoRow]], bool
]


def _facts_row(facts: PhotoFacts) -> _Facts:
    return (facts.width, facts.height, facts.format, facts.sha256)


def _record_checks(record: Record, context: _RecordsContext) -> Checks:
    """The schema and every check that reads nothing but the record: what a later run with the
    same bytes (and an as-of day in the span) can take from the cache."""
    scratch = Validation()
    if record.kind == "product":
        scratch.problems += _schema_problems(record, _checker(context.product_schema))
        c = _check_product(record, context.places, context.vocab, context.as_of, scratch)
    else:
        scratch.problems += _schema_problems(record, _checker(context.producer_schema))
        c = _check_producer(record, context.places, context.as_of, scratch)
    first, last = c.as_of_span()
    return record.sha256, first, last, problem_rows(scratch.problems)


def _known_checks(record: Record, context: _RecordsContext) -> Checks | None:
    checks = context.known_checks.get(record.display)
    if checks is None or checks[0] != record.sha256:
        return None
    return checks if checks[1] <= context.as_of.toordinal() <= checks[2] else None


def _check_records(numbers: list[int], context: _RecordsContext) -> list[_Outcome]:
    products = context.products
    results: list[_Outcome] = []
    for number in numbers:
        is_product = number < len(products)
        record = products[number] if is_product else context.producers[number - len(products)]
        checks = _known_checks(record, context)
        fresh = checks is None
        if checks is None:
            checks = _record_checks(record, context)
        scratch = Validation()
        if is_product:
            c = _Checker(record, context.as_of, scratch)
            fresh |= _check_photos(c, scratch, context.known_photos, record.folder) > 0
        photos = [(key, _facts_row(facts)) for key, facts in scratch.photos.items()]
        checked = list(scratch.checked.items())
        results.append((checks, scratch.problems, photos, checked, fresh))
    return results


def _fresh(outcome: _Outcome) -> bool:
    return outcome[4]


def _claim(
    holders: dict[str, Record],
    key: str,
    record: Record,
    field_name: str,
    code: str,
    value: str,
    out: Validation,
) -> None:
    """The first record to hold a key (an id, a GTIN) keeps it; a later one is reported."""
    if key in holders:
        out.problems.append(
            problem(
                record.display,
                record.line((field_name,)),
                field_name,
                code,
                value=value,
                other=holders[key].display,
            )
        )
    else:
        holders[key] = record


def _did_you_mean(value: str, candidates: set[str]) -> tuple[str, str]:
    close = difflib.get_close_matches(value, sorted(candidates), n=1, cutoff=0.7)
    if not close:
        return ("", "")
    return (f" (có phải `{close[0]}`?)", f" (did you mean `{close[0]}`?)")


def _adopt_outcome(record: Record, outcome: _Outcome, out: Validation) -> None:
    """One record's results, its problems in the order of a check without the cache."""
    checks, photo_problems, photos, checked, _ = outcome
    out.checks[record.display] = checks
    out.problems += from_rows(checks[3])
    out.problems += photo_problems
    for key, row in photos:
        out.photos[key] = PhotoFacts(*row)
    out.checked.update(checked)


def validate_records(
    loaded: LoadedCatalog,
    schemas: Schemas,
    places: Places,
    vocab: Vocabulary,
    as_of: dt.date,
    ledger: Path | None = None,
    known_photos: Mapping[str, PhotoRow] | None = None,
    known_checks: Mapping[str, Checks] | None = None,
    pools: PoolSettings = DEFAULT_POOLS,
) -> Validation:
    """known_photos, known_checks: what an earlier run found (see generator/checkcache.py).
    pools: when the records are checked in worker processes."""
    out = Validation(problems=list(loaded.problems))
    out.problems += _province_folder_problems(loaded, places)
    # The checks of one record (schema, dates, places, photo files) are independent: on every
    # core, unless earlier results answer for nearly all of them (a look-up each). What needs
    # all records (ids, producers, GTINs) follows, in one process, always on every record.
    # The schemas are compiled when a record needs them (not when every record is known):
    # workers start after a first chunk checked here, and inherit what it compiled.
    context = _RecordsContext(
        loaded.products,
        loaded.producers,
        json.dumps(schemas.product, sort_keys=True),
        json.dumps(schemas.producer, sort_keys=True),
        places,
        vocab,
        as_of,
        known_photos or {},
        known_checks or {},
    )
    count = len(loaded.products)
    numbers = range(count + len(loaded.producers))
    outcomes = map_known_first(_check_records, numbers, context, _fresh, pools)
    producer_ids: dict[str, Record] = {}
    for record, outcome in zip(loaded.producers, outcomes[count:], strict=True):
        _adopt_outcome(record, outcome, out)
        pid = record.data.get("id")
        if isinstance(pid, str):
            _claim(producer_ids, pid, record, "id", "duplicate-id", pid, out)
    for record, outcome in zip(loaded.products, outcomes[:count], strict=True):
        _adopt_outcome(record, outcome, out)
    # products name a producer by its file name; a file whose id differs, or that could not be
    # read, is reported on its own, not again on every product that names it
    producer_files = {r.file.stem for r in loaded.producers} | set(loaded.producer_files)
    product_ids: dict[str, Record] = {}
    gtins: dict[str, Record] = {}
    for record in loaded.products:
        pid = record.data.get("id")
        if isinstance(pid, str):
            _claim(product_ids, pid, record, "id", "duplicate-id", pid, out)
        gtin = record.data.get("gtin")
        if isinstance(gtin, str) and gtin.isdigit():
            # one GS1 Digital Link address (01/<GTIN-14>/) can lead to one product only
            gtin14 = gtin.zfill(14)
            _claim(gtins, gtin14, record, "gtin", "duplicate-gtin", gtin, out)
        producer = record.data.get("producer")
        if isinstance(producer, str) and producer not in producer_files:
            suggestion = _did_you_mean(producer, producer_files)
            out.problems.append(
                problem(
                    record.display,
                    record.line(("producer",)),
                    "producer",
                    "unknown-producer",
                    value=producer,
                    suggestion=suggestion,
                )
            )
    known_products = set(product_ids) | set(loaded.product_folders)  # unreadable ones too
    for record in loaded.products:
        replaced_by = _get(record.data, "withdrawn", "replaced_by")
        if isinstance(replaced_by, str) and replaced_by not in known_products:
            suggestion = _did_you_mean(replaced_by, known_products)
            out.problems.append(
                problem(
                    record.display,
                    record.line(("withdrawn", "replaced_by")),
                    "withdrawn.replaced_by",
                    "unknown-replacement",
                    value=replaced_by,
                    suggestion=suggestion,
                )
            )
    if ledger is not None:
        shown = (
            f"{loaded.root.name}/{ledger.resolve().relative_to(loaded.root).as_posix()}"
            if ledger.resolve().is_relative_to(loaded.root)
            else ledger.name
        )
        for number, pid in read_ledger(ledger):
            if pid not in loaded.product_folders:
                out.problems.append(
                    problem(shown, number, "", "published-product-missing", value=pid)
                )
    out.problems.sort()
    return out
