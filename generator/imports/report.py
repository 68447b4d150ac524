"""What the import says: problems pointing into the spreadsheet, the summary, and the
`FILE.can-xu-ly.xlsx` workbook of rows left to resolve.

A problem reads like the project's other errors, with the cell instead of a line:
`danh-sach.xlsx:Sheet1!C14: hạng sao: "ba sao" không đọc được; viết 3, 4 hoặc 5 [import-stars]`.
The workbook holds the original rows as they were, a column saying what is missing or
ambiguous (with the candidates), the decision facts of each row, and empty columns to fill;
importing it resolves those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.imports.read import Value

ISSUE_COLUMN = "Cần xử lý"
FILL_COLUMNS = (
    ("commune_code", "Mã xã/phường (điền)"),
    ("group", "Mã ngành (điền)"),
    ("producer_id", "Mã chủ thể (điền)"),
    ("producer_kind", "Loại chủ thể (điền)"),
)
FACT_COLUMNS = (
    ("decision", "Số quyết định"),
    ("decision_date", "Ngày quyết định"),
    ("issuer", "Cơ quan ban hành"),
)
SOURCE_COLUMN = "Dòng gốc"


@dataclass(frozen=True, order=True)
class ImportProblem:
    where: str  # "danh-sach.xlsx:Sheet1!C14"
    label: str  # "hạng sao"
    message: str  # Vietnamese
    code: str  # "import-stars"

    def format(self) -> str:
        what = f"{self.label}: " if self.label else ""
        return f"{self.where}: {what}{self.message} [{self.code}]"


@dataclass
class Unresolved:
    source: str  # "Sheet1!14"
    values: list[Value]  # the original row, as read
    issues: list[str]
    facts: dict[str, str]  # decision, decision_date, issuer as used for the row
    filled: dict[str, str]  # what was already filled in (a re-imported can-xu-ly file)


def output_path(source: Path) -> Path:
    stem = source.stem.removesuffix(".can-xu-ly")
    return source.with_name(f"{stem}.can-xu-ly.xlsx")


def write_unresolved(
    target: Path, headers: list[str], rows: list[Unresolved], fill_in: dict[str, int]
) -> None:
    """Original columns (without earlier issue/fill/fact columns), then the issue, the facts,
    and the columns to fill. `fill_in` says which original columns were fill columns."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    skip = {c - 1 for c in fill_in.values()}
    skip |= {i for i, h in enumerate(headers) if h in (ISSUE_COLUMN, SOURCE_COLUMN)}
    skip |= {i for i, h in enumerate(headers) if h in dict(FACT_COLUMNS).values()}
    kept = [i for i in range(len(headers)) if i not in skip]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Can xu ly"
    titles = [
        SOURCE_COLUMN,
        *(headers[i] for i in kept),
        ISSUE_COLUMN,
        *(t for _, t in FACT_COLUMNS),
        *(t for _, t in FILL_COLUMNS),
    ]
    sheet.append(titles)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        original = [row.values[i] if i < len(row.values) else None for i in kept]
        sheet.append(
            [
                row.source,
                *original,
                "; ".join(row.issues),
                *(row.facts.get(f, "") for f, _ in FACT_COLUMNS),
                *(row.filled.get(f, "") for f, _ in FILL_COLUMNS),
            ]
        )
    fill = PatternFill("solid", fgColor="FFF2CC")
    first_fill = len(titles) - len(FILL_COLUMNS) + 1
    for column in sheet.iter_cols(min_row=2, min_col=first_fill):
        for cell in column:
            cell.fill = fill
    issue_column = len(kept) + 2
    for (cell,) in sheet.iter_rows(min_row=2, min_col=issue_column, max_col=issue_column):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions[openpyxl.utils.get_column_letter(issue_column)].width = 60
    sheet.freeze_panes = "B2"
    tmp = target.with_name(f".{target.name}.tmp")
    book.save(tmp)
    tmp.replace(target)
