"""The checks of one record that need more than its schema: real dates in a sensible order, known
places and product groups, Unicode NFC, GTIN check digits, no raw HTML.

Each reads the record alone (never another record or a file), so that its results can be kept
in the check cache while the record's bytes stay the same; only a date in the future depends on
the as-of day, and `RecordChecker.as_of_span` says on which days the results hold.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from generator.dates import PartialDate
from generator.errors import problem
from generator.load import Record
from generator.places import Places
from generator.validate.result import Validation
from generator.validate.schema import DATE_SHAPE, PARTIAL_DATE_SHAPE
from generator.vocab import Vocabulary
from generator.yamlfile import FieldPath, dotted

_HTML_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*|!--)")


def _strings(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))


def value_at(data: Any, *path: str | int) -> Any:
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


class RecordChecker:
    def __init__(self, record: Record, as_of: dt.date, out: Validation) -> None:
        self.record = record
        self.as_of = as_of
        self.out = out
        self._dates: dict[FieldPath, PartialDate | None] = {}  # each date is judged once
        self._future_reported: set[FieldPath] = set()
        self._latest_past: dt.date | None = None  # latest date compared with as_of, not after

    def add(self, path: FieldPath, code: str, **params: object) -> None:
        self.out.problems.append(
            problem(self.record.display, self.record.line(path), dotted(path), code, **params)
        )

    def date(
        self, path: FieldPath, future_ok: bool = False, partial: bool = False
    ) -> PartialDate | None:
        """The date at `path`, once checked; None when absent or wrong (reported once).
        `partial`: the field may give only the year or month (YYYY, YYYY-MM)."""
        if path not in self._dates:
            value = value_at(self.record.data, *path)
            day = None
            shape = PARTIAL_DATE_SHAPE if partial else DATE_SHAPE
            if isinstance(value, str) and shape.match(value):  # else the schema reports
                try:
                    day = PartialDate.parse(value)
                except ValueError:
                    code = "invalid-month" if len(value) == 7 else "invalid-date"
                    self.add(path, code, value=value)
            self._dates[path] = day
        day = self._dates[path]
        if day is None or future_ok:
            return day
        # a partial date is in the future only when all of it is: "2026" on 23/11/2026 is not
        if day.earliest <= self.as_of:
            self._latest_past = max(day.earliest, self._latest_past or day.earliest)
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
        """Reported only when certainly out of order: "2023" is not before "2023-06-15"."""
        a = self.date(later, future_ok=True, partial=True)
        b = self.date(earlier, future_ok=True, partial=True)
        if a is not None and b is not None and a.latest <= b.earliest:
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
        province = value_at(self.record.data, "place", "province")
        commune = value_at(self.record.data, "place", "commune")
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


def _check_certificate(c: RecordChecker, base: FieldPath) -> None:
    c.date((*base, "date"), partial=True)
    c.order((*base, "valid_until"), (*base, "date"), dotted((*base, "date")))
    if value_at(c.record.data, *base, "revoked") is not None:
        c.date((*base, "revoked", "date"), partial=True)
        c.order((*base, "revoked", "date"), (*base, "date"), dotted((*base, "date")))


def check_product(
    record: Record,
    places: Places,
    vocab: Vocabulary,
    as_of: dt.date,
    out: Validation,
) -> RecordChecker:
    """Everything but the photo files: what reads nothing but the record (see photos.py)."""
    c = RecordChecker(record, as_of, out)
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
    current_date = c.date(("certificate", "date"), future_ok=True, partial=True)
    stars, cert_stars = data.get("stars"), value_at(data, "certificate", "stars")
    if isinstance(cert_stars, int) and isinstance(stars, int) and cert_stars != stars:
        c.add(("stars",), "stars-mismatch", value=stars, other=cert_stars)
    previous = data.get("previous_certificates")
    for i in range(len(previous) if isinstance(previous, list) else 0):
        _check_certificate(c, ("previous_certificates", i))
        earlier = c.date(("previous_certificates", i, "date"), future_ok=True, partial=True)
        # only when certainly not earlier: two certificates "2021" may be months apart
        if earlier and current_date and earlier.earliest >= current_date.latest:
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
        c.date(("sources", i, "date"), partial=True)
    recalls = data.get("recalls")
    for i in range(len(recalls) if isinstance(recalls, list) else 0):
        start = c.date(("recalls", i, "date"))
        end = c.date(("recalls", i, "ended"))
        if start is not None and end is not None and end.earliest < start.earliest:
            c.add(
                ("recalls", i, "ended"),
                "date-order",
                value=end.isoformat(),
                other_field=f"recalls[{i}].date",
                other=start.isoformat(),
            )
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


def check_producer(
    record: Record, places: Places, as_of: dt.date, out: Validation
) -> RecordChecker:
    c = RecordChecker(record, as_of, out)
    stem = record.file.stem
    if isinstance(record.data.get("id"), str) and record.data["id"] != stem:
        c.add(("id",), "id-file-mismatch", value=record.data["id"], file=stem)
    c.nfc()
    c.place(places)
    sources = record.data.get("sources")
    for i in range(len(sources) if isinstance(sources, list) else 0):
        c.date(("sources", i, "date"), partial=True)
    return c
