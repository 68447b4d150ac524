"""Finding the header row and mapping the list's columns to record fields.

Official lists put a title and blank rows above the header, merge header cells, split a header
over two rows ("Quyết định" above "Số" and "Ngày"), number the columns in a row under it, and
write headers in any case, with or without tone marks. Headers are compared folded (no marks,
lower case, single spaces, punctuation dropped) against the usual wordings below; the mapping
can be overridden with `--column field="Header"` (or a column letter) and is always printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.imports.read import Table, Value, column_number
from generator.imports.values import clean_text
from generator.text import column_letter, fold

HEADER_SCAN_ROWS = 30

# field -> folded header wordings, most specific first
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("ten san pham", "ten san pham ocop", "san pham", "ten sp", "san pham ocop"),
    "producer": (
        "ten chu the",
        "chu the",
        "chu the san xuat",
        "chu the ocop",
        "ten chu the san xuat",
        "don vi san xuat",
        "ten don vi",
        "co so",
        "co so san xuat",
        "ten co so",
        "don vi",
        "to chuc ca nhan",
    ),
    "address": ("dia chi", "dia chi chu the", "dia chi san xuat", "dia chi co so"),
    "stars": ("hang sao", "xep hang", "phan hang", "so sao", "ket qua phan hang", "hang"),
    "score": ("diem", "tong diem", "diem danh gia", "so diem", "diem so"),
    "group": ("nhom", "nganh", "nhom san pham", "nganh hang", "ma nganh"),
    "group_code": ("ma nganh (dien)",),
    "subgroup": ("phan nhom", "bo san pham", "bo", "ma nhom"),
    "decision": ("so quyet dinh", "quyet dinh so", "quyet dinh", "so qd", "qd so"),
    "decision_date": ("ngay quyet dinh", "quyet dinh ngay", "ngay ky", "ngay cong nhan", "ngay"),
    "issuer": ("co quan ban hanh", "co quan cong nhan", "cap cong nhan", "noi cap"),
    "commune_code": ("ma xa/phuong (dien)", "ma xa (dien)", "ma xa/phuong", "ma xa"),
    "producer_id": ("ma chu the (dien)", "ma chu the"),
    "producer_kind": ("loai chu the (dien)", "loai chu the"),
    "group_inferred": (
        "nhom do nguoi nhap xep",
        "nganh do nguoi nhap xep",
        "nhom do du an xep",
        "nganh do du an xep",
    ),
}
FIELDS = tuple(SYNONYMS)
LABELS = {
    "name": "tên sản phẩm",
    "producer": "chủ thể",
    "address": "địa chỉ",
    "stars": "hạng sao",
    "score": "điểm",
    "group": "nhóm",
    "subgroup": "phân nhóm",
    "group_code": "mã ngành",
    "decision": "số quyết định",
    "decision_date": "ngày quyết định",
    "issuer": "cơ quan ban hành",
    "commune_code": "mã xã",
    "producer_id": "mã chủ thể",
    "producer_kind": "loại chủ thể",
    "group_inferred": "nhóm do người nhập xếp",
}
# When only one of "Nhóm" / "Phân nhóm" is present it is read as the group: its values say
# whether they name a group or a subgroup (values.read_group).
_REQUIRED = ("name", "producer")


class ColumnError(ValueError):
    pass


@dataclass(frozen=True)
class Mapping:
    header_rows: tuple[int, ...]  # 1-based spreadsheet rows of the header
    first_data_row: int  # 1-based
    columns: dict[str, int]  # field -> 1-based column
    headers: dict[int, str]  # column -> header text as written (both rows joined)

    def describe(self) -> list[str]:
        return [
            f"  {LABELS[f]:<17} ← cột {column_letter(c)} “{self.headers.get(c, '')}”"
            for f, c in sorted(self.columns.items(), key=lambda item: item[1])
        ]


def _key(text: str) -> str:
    folded = fold(text)
    folded = re.sub(r"\s*\(\s*\d+\s*\)\s*$", "", folded)  # "Tên sản phẩm (2)"
    folded = re.sub(r"[^a-z0-9()/ ]+", " ", folded)
    return " ".join(folded.split())


def field_of(header: str) -> str | None:
    key = _key(header)
    if not key:
        return None
    for field, words in SYNONYMS.items():
        if key in words:
            return field
    return None


def _filled_header(table: Table, row: int) -> list[str]:
    """Row `row`'s texts, with each merged range's value spread over the range."""
    values = [clean_text(v) for v in table.rows[row - 1]] if row <= len(table.rows) else []
    for r1, c1, r2, c2 in table.merged:
        if r1 <= row <= r2:
            source = table.rows[r1 - 1][c1 - 1] if c1 - 1 < len(table.rows[r1 - 1]) else None
            while len(values) < c2:
                values.append("")
            for c in range(c1, c2 + 1):
                values[c - 1] = clean_text(source)
    return values


def _map(texts: list[str], extra: dict[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for column, text in enumerate(texts, start=1):
        field = extra.get(_key(text)) or field_of(text)
        if field and field not in found:
            found[field] = column
    return found


def _two_row(top: list[str], bottom: list[str]) -> list[str]:
    """A header over two rows: the lower text where it names a field alone, else both joined;
    a top text spreads right over blank cells that have a lower text (a merge seen as values)."""
    out = []
    carried = ""
    for column in range(max(len(top), len(bottom))):
        upper = top[column] if column < len(top) else ""
        lower = bottom[column] if column < len(bottom) else ""
        if upper:
            carried = upper
        elif lower:
            upper = carried
        else:
            carried = ""
        if lower and field_of(lower):
            out.append(lower)
        elif lower and upper and upper != lower:
            out.append(f"{upper} {lower}")
        else:
            out.append(upper or lower)
    return out


def _letters(text: str) -> bool:
    """A column given by its letter ("C"), not by its header."""
    return re.fullmatch(r"[A-Z]{1,2}", text) is not None


def _numbering_row(values: list[Value]) -> bool:
    """The "(1) (2) (3)" or "1 2 3" row official tables put under the header."""
    texts = [clean_text(v) for v in values if clean_text(v)]
    if len(texts) < 3:
        return False
    numbers = [t.strip("()") for t in texts]
    return all(n.isdigit() for n in numbers) and [int(n) for n in numbers] == list(
        range(int(numbers[0]), int(numbers[0]) + len(numbers))
    )


def find_mapping(table: Table, overrides: dict[str, str]) -> Mapping:
    # a header named by --column counts when looking for the header row
    extra = {_key(text): f for f, text in overrides.items() if not _letters(text)}
    best: tuple[int, int, list[str], dict[str, int]] | None = None
    for row in range(1, min(len(table.rows), HEADER_SCAN_ROWS) + 1):
        single = _filled_header(table, row)
        mapped = _map(single, extra)
        candidates = [(1, single, mapped)]
        if row < len(table.rows):
            joined = _two_row(single, _filled_header(table, row + 1))
            candidates.append((2, joined, _map(joined, extra)))
        for height, texts, found in candidates:
            found = {**found, **{f: column_number(t) for f, t in overrides.items() if _letters(t)}}
            if "name" not in found or len(found) < 2:
                continue
            if best is None or len(found) > len(best[3]):
                best = (row, height, texts, found)
    if best is None:
        raise ColumnError(
            f"{table.file}: không tìm thấy dòng tiêu đề có cột “Tên sản phẩm” và cột chủ thể "
            f'trong {HEADER_SCAN_ROWS} dòng đầu; chỉ rõ bằng --column name="…"'
        )
    row, height, texts, columns = best
    header_rows = tuple(range(row, row + height))
    headers = {c: t for c, t in enumerate(texts, start=1) if t}
    columns = dict(columns)
    if "subgroup" in columns and "group" not in columns:
        columns["group"] = columns.pop("subgroup")
    for field, wanted in overrides.items():
        if field not in SYNONYMS:
            raise ColumnError(
                f"--column {field}=…: không có trường “{field}”; có: {', '.join(FIELDS)}"
            )
        if _letters(wanted):
            columns[field] = column_number(wanted)
            continue
        match = [c for c, t in headers.items() if _key(t) == _key(wanted)]
        if not match:
            raise ColumnError(
                f"--column {field}=“{wanted}”: không có cột tiêu đề đó; các cột: "
                + "; ".join(f"{column_letter(c)} “{t}”" for c, t in sorted(headers.items()))
            )
        columns[field] = match[0]
    missing = [LABELS[f] for f in _REQUIRED if f not in columns]
    if missing:
        raise ColumnError(
            f'{table.file}: thiếu cột {", ".join(missing)}; chỉ rõ bằng --column producer="…"'
        )
    first = header_rows[-1] + 1
    while first <= len(table.rows) and _numbering_row(table.rows[first - 1]):
        first += 1
    return Mapping(header_rows, first, columns, headers)
