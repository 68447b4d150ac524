"""Benchmark: `ocop import` of a synthetic 5,000-row province list.

The list is SYNTHETIC (made here, titled as such, every name invented) and is imported into a
throwaway catalog in a temporary folder, never into catalog/. It mixes current addresses, old
addresses that map to one commune, and old ones split between several (left to resolve), and
shares producers between rows as real lists do. Prints the total and the cost per row, with
the machine's load (uptime) beside it, since other work on the machine changes the figures.

    python benchmarks/import_list.py [--rows 5000] [--json FILE]

--json: the figures also as JSON (national.py reads them).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.imports.stage import ImportOptions, run_import
from generator.places import load_places

OLD_ADDRESSES = (
    "phường Bàng La, quận Đồ Sơn, thành phố Hải Phòng",  # one commune
    "xã Tây Hưng, huyện Tiên Lãng, thành phố Hải Phòng",  # one commune
    "xã Đại Hà, huyện Kiến Thụy, thành phố Hải Phòng",  # split: left to resolve
)
STARS = ("3", "3 sao", "4★", "4 sao (cấp tỉnh)", 5)


def make_list(path: Path, rows: int) -> None:
    communes = load_places().communes_of("31")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(["DANH SÁCH TỔNG HỢP (DỮ LIỆU GIẢ ĐỂ ĐO TỐC ĐỘ, SYNTHETIC)"])
    sheet.append([])
    sheet.append(["STT", "Tên sản phẩm", "Tên chủ thể", "Địa chỉ", "Hạng sao", "Nhóm"])
    for i in range(rows):
        if i % 10 == 0:
            address = OLD_ADDRESSES[(i // 10) % len(OLD_ADDRESSES)]
        else:
            commune = communes[i % len(communes)]
            address = f"Thôn {i % 7 + 1}, {commune.name}, thành phố Hải Phòng"
        sheet.append(
            [
                i + 1,
                f"Sản phẩm thử số {i + 1}",
                f"Hợp tác xã thử số {i // 3 + 1}",
                address,
                STARS[i % len(STARS)],
                "I",
            ]
        )
    book.save(path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args()
    rows = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "danh-sach-synthetic.xlsx"
        catalog = Path(tmp) / "catalog"
        (catalog / "products").mkdir(parents=True)
        (catalog / "producers").mkdir()
        started = time.perf_counter()
        make_list(source, rows)
        made = time.perf_counter() - started
        options = ImportOptions(
            file=source,
            catalog_dir=catalog,
            today=dt.date(2026, 1, 1),
            decision="1/QĐ-THU",
            date="15/3/2021",
            issuer="UBND thành phố Hải Phòng (giả)",
            province="31",
        )
        printed = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(printed):
            status = run_import(options)
        took = time.perf_counter() - started
        written = len(list((catalog / "products").glob("*/*/product.yaml")))
        left = (Path(tmp) / "danh-sach-synthetic.can-xu-ly.xlsx").exists()
    print(f"rows: {rows} (synthetic), list made in {made:.1f} s")
    print(f"import: {took:.2f} s total, {took / rows * 1000:.2f} ms per row, exit {status}")
    print(f"products written: {written}; file to resolve written: {left}")
    print(printed.getvalue().strip().splitlines()[-1])
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if args.json:
        figures = {
            "rows": rows,
            "seconds": took,
            "status": status,
            "written": written,
            "to_resolve": left,
        }
        args.json.write_text(json.dumps(figures) + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
