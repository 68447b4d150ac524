"""The `ocop` command. Thin: parses options, calls one function, prints, sets the exit status."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator.config import (
    DEFAULT_BASE_URL,
    PROJECT_ROOT,
    BuildConfig,
    EditorSettings,
    normalise_base_url,
    today_in_vietnam,
)

if TYPE_CHECKING:
    from generator.model import Catalog

DESCRIPTION = """\
ocop: kiểm tra danh mục sản phẩm OCOP và dựng trang web tĩnh.
(ocop: checks the OCOP product catalog and builds the static site.)

Các lệnh thường dùng / common commands:
  ocop validate            kiểm tra hồ sơ; in "OK" hoặc danh sách lỗi cần sửa
  ocop new product         tạo mẫu hồ sơ sản phẩm mới (hỏi từng câu)
  ocop build               dựng trang web vào thư mục site/
  ocop serve               xem thử trang web tại http://localhost:8000/
"""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"viết ngày dạng YYYY-MM-DD: {text!r}") from err


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog",
        type=Path,
        default=PROJECT_ROOT / "catalog",
        help="thư mục danh mục (mặc định: catalog/) / catalog folder",
    )
    parser.add_argument(
        "--lang",
        choices=["vi", "en"],
        default="vi",
        help="ngôn ngữ thông báo / message language (vi, en)",
    )
    parser.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="tính hiệu lực chứng nhận cho ngày này (mặc định: hôm nay, giờ "
        "Việt Nam) / compute validity for this day",
    )


def _progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        choices=["auto", "bar", "lines", "off"],
        default="auto",
        help="tiến độ: thanh trên màn hình, dòng trong CI/tệp (auto), hay tắt / progress display",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocop", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")

    p = sub.add_parser("validate", help="kiểm tra hồ sơ / check the records")
    _common(p)
    p.add_argument(
        "--format",
        choices=["text", "github"],
        default="text",
        help="text: dòng lỗi dễ đọc; github: chú thích cho GitHub Actions",
    )
    _progress_option(p)

    p = sub.add_parser("build", help="dựng trang web / build the site")
    _common(p)
    p.add_argument(
        "--out",
        type=Path,
        default=PROJECT_ROOT / "site",
        help="thư mục kết quả (mặc định: site/) / output folder",
    )
    p.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help="địa chỉ công khai của trang, ví dụ https://ten.github.io/kho/",
    )
    p.add_argument("--jobs", type=int, default=0, help="số tiến trình (0: mọi lõi) / workers")
    _progress_option(p)
    p.add_argument(
        "--editor-repo",
        default=os.environ.get("OCOP_EDITOR_REPO") or None,
        metavar="CHỦ/KHO",
        help="kho GitHub mà trình sửa web gửi đề nghị thay đổi tới / the editor's GitHub repo",
    )
    p.add_argument(
        "--editor-auth-url",
        default=os.environ.get("OCOP_EDITOR_AUTH_URL") or None,
        metavar="URL",
        help="địa chỉ dịch vụ đăng nhập GitHub (OAuth) của trình sửa / the OAuth helper",
    )
    p.add_argument(
        "--editor-local",
        default=None,
        metavar="URL",
        help="decap-server trên máy này, ví dụ http://localhost:8081/api/v1 (thử trình sửa)",
    )

    p = sub.add_parser("serve", help="xem thử trang đã dựng / preview the built site")
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "site")
    p.add_argument("--port", type=int, default=8000)

    p = sub.add_parser("new", help="tạo mẫu hồ sơ mới / write a new record skeleton")
    p.add_argument("kind", choices=["product", "producer"])
    p.add_argument("--catalog", type=Path, default=PROJECT_ROOT / "catalog")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="TRƯỜNG=GIÁ_TRỊ",
        help="trả lời trước một câu hỏi, ví dụ --set id=qn-ruou-mo (không hỏi lại)",
    )
    p.add_argument(
        "--no-input", action="store_true", help="không hỏi; dùng các giá trị --set / do not ask"
    )

    p = sub.add_parser("places", help="tra mã tỉnh, xã / look up province and commune codes")
    p.add_argument(
        "query", nargs="?", default="", help='mã tỉnh ("22") hoặc tên, gõ có dấu hay không dấu'
    )

    p = sub.add_parser("fix", help="chuẩn hóa tệp sang NFC, xuống dòng LF / normalise files")
    p.add_argument("files", nargs="+", type=Path)

    p = sub.add_parser("labels", help="tạo nhãn QR / make QR labels")
    _common(p)
    p.add_argument("--id", action="append", default=[], dest="ids", help="mã sản phẩm")
    p.add_argument("--province", default=None, help="mã tỉnh, ví dụ 22")
    p.add_argument(
        "--lots",
        nargs="+",
        default=[],
        metavar="MÃ_SP",
        help="nhãn theo lô: một nhãn cho mỗi lô của các sản phẩm này và tờ in A4 của từng sản "
        "phẩm / a label per lot of these products, and each one's A4 sheet",
    )
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "labels")
    p.add_argument("--base-url", default=DEFAULT_BASE_URL)

    p = sub.add_parser("import", help="nhập danh sách OCOP (.xlsx, .csv) / import a list")
    p.add_argument("file", type=Path, help="tệp .xlsx hoặc .csv")
    p.add_argument("--catalog", type=Path, default=PROJECT_ROOT / "catalog")
    p.add_argument("--sheet", default=None, help="tên trang tính (mặc định: trang đầu)")
    p.add_argument("--decision", default=None, help="số quyết định, ví dụ 1978/QĐ-UBND")
    p.add_argument("--date", default=None, help="ngày quyết định: 15/3/2021, 2021-03 hoặc 2021")
    p.add_argument("--issuer", default=None, help="cơ quan ban hành, ví dụ UBND tỉnh Quảng Ninh")
    p.add_argument("--province", default=None, help="mã hoặc tên tỉnh của danh sách")
    p.add_argument("--source-url", default=None, help="địa chỉ web của quyết định/danh sách")
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar='TRƯỜNG="Tiêu đề"',
        help='chỉ rõ cột, ví dụ --column name="Tên SP" hoặc --column stars=F',
    )
    p.add_argument("--update", action="store_true", help="cập nhật hồ sơ đã nhập trước")
    p.add_argument(
        "--adopt",
        action="store_true",
        help="cập nhật cả hồ sơ viết tay trùng tên sản phẩm và chủ thể (giữ các trường khác) / "
        "also update hand-written records with the same product name and producer",
    )
    p.add_argument(
        "--group-inferred",
        action="store_true",
        help="cột nhóm do người lập danh sách xếp, không phải quyết định: ghi group_inferred: "
        "true vào mọi hồ sơ / the list's group was assigned by whoever made it: mark every record",
    )
    p.add_argument("--dry-run", action="store_true", help="chạy thử, không ghi gì")

    p = sub.add_parser("publish", help="tải trang lên kho S3 / upload the site to S3 storage")
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "site")
    p.add_argument("--bucket", required=True)
    p.add_argument("--endpoint-url", default=None)
    p.add_argument("--prefix", default="")
    p.add_argument("--dry-run", action="store_true")
    return parser


def _config(args: argparse.Namespace) -> BuildConfig:
    return BuildConfig(
        catalog_dir=args.catalog.resolve(),
        out_dir=getattr(args, "out", PROJECT_ROOT / "site").resolve(),
        base_url=normalise_base_url(getattr(args, "base_url", DEFAULT_BASE_URL)),
        as_of=args.as_of or today_in_vietnam(),
        lang=args.lang,
        workers=getattr(args, "jobs", 0),
        editor=EditorSettings(
            repo=getattr(args, "editor_repo", None),
            auth_url=getattr(args, "editor_auth_url", None),
            local_backend=getattr(args, "editor_local", None),
        ),
    )


def cmd_validate(args: argparse.Namespace) -> int:
    from generator.catalog import check_configured
    from generator.errors import report_problems
    from generator.progress import Progress

    config = _config(args)
    # Only the problems are wanted: the catalog the pages are made from is not derived (a
    # seventh of the time of a check; the build derives it from the same checked records).
    checked = check_configured(config, progress=Progress.for_terminal(args.progress), derive=False)
    if checked.problems:
        report_problems(checked.problems, config.lang, args.format)
        return 1
    n, m = len(checked.loaded.products), len(checked.loaded.producers)
    print(
        f"OK: {n} sản phẩm, {m} chủ thể."
        if config.lang == "vi"
        else f"OK: {n} products, {m} producers."
    )
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build import run_build
    from generator.progress import Progress

    return run_build(_config(args), Progress.for_terminal(args.progress))


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    return serve(args.out.resolve(), args.port)


def cmd_new(args: argparse.Namespace) -> int:
    from generator.skeleton import run_new

    answers = dict(item.split("=", 1) for item in args.set if "=" in item)
    return run_new(args.kind, args.catalog.resolve(), answers, interactive=not args.no_input)


def cmd_places(args: argparse.Namespace) -> int:
    from generator.places import load_places

    places = load_places()
    query = args.query.strip()
    if query.isdigit() and len(query) < 2:
        query = query.zfill(2)  # "1" -> "01" (Hà Nội)
    if query in places.provinces:
        for c in places.communes_of(query):
            print(f'"{c.code}"  {c.name}')
        return 0
    provinces = places.find_provinces(query) if query else list(places.provinces.values())
    for p in provinces:
        print(f'"{p.code}"  {p.name}  (thư mục: catalog/products/{p.codename}/)')
    if query:
        for c in places.find_communes(query):
            print(f'"{c.code}"  {c.name}, {places.provinces[c.province_code].name}')
    return 0


def cmd_fix(args: argparse.Namespace) -> int:
    import unicodedata

    for file in args.files:
        raw = file.read_bytes().removeprefix(b"\xef\xbb\xbf")
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        fixed = unicodedata.normalize("NFC", text).replace("\t", "  ")
        if fixed != text or raw != file.read_bytes():
            file.write_text(fixed, encoding="utf-8", newline="\n")
            print(f"đã sửa / fixed: {file}")
    return 0


def _product_id(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())  # "QN Ruou_Mo" too


def _unknown_product(product_id: str) -> str:
    return (
        f"Không có sản phẩm mã «{product_id}» trong danh mục. Xem mã trong tên thư mục "
        "catalog/products/<tỉnh>/<mã>/ hoặc trên trang sản phẩm."
    )


def run_labels(
    config: BuildConfig, ids: list[str], province: str | None, lots: Sequence[str] = ()
) -> int:
    """`ocop labels`: the labels of the chosen products (all when none), and the sheet of the
    chosen province (all sheets when nothing is chosen), copied into config.out_dir. With
    `lots`: the lot labels of those products instead (run_lot_labels)."""
    from generator.catalog import catalog_or_report
    from generator.render.labels.stage import make_labels
    from generator.write import SiteWriter

    if lots and (ids or province is not None):
        print(
            "--lots làm nhãn theo lô, không dùng cùng --id hay --province: chạy hai lệnh riêng.",
            file=sys.stderr,
        )
        return 2
    catalog = catalog_or_report(config, ("Chưa làm nhãn nào.", "No label was made."))
    if catalog is None:
        return 1
    if lots:
        return run_lot_labels(config, catalog, lots)
    known = {p.id: p for p in catalog.products}
    wanted = [_product_id(i) for i in ids]
    unknown = [i for i in wanted if i not in known]
    if unknown:
        for pid in unknown:
            print(_unknown_product(pid), file=sys.stderr)
        return 1
    chosen = {pid: known[pid] for pid in wanted}
    sheets = ""
    if province is not None:
        code = province.strip()
        in_province = [p for p in catalog.products if p.place.province_code == code]
        if not in_province:
            print(
                f"Không có sản phẩm nào ở tỉnh mã «{code}». Tra mã tỉnh bằng lệnh: "
                "ocop places <tên tỉnh>",
                file=sys.stderr,
            )
            return 1
        chosen.update({p.id: p for p in in_province})
        sheets = code
    elif not ids:
        chosen = dict(known)
        sheets = "all"
    writer = SiteWriter(config.out_dir)
    run = make_labels(
        catalog,
        config,
        writer,
        in_site=False,
        products=list(chosen.values()),
        sheets=sheets,
        copy=False,
    )
    for rel in writer.written:
        print(config.out_dir / rel)
    if province is not None and not run.index.sheets:
        print(
            "Không in tờ nhãn: tỉnh này không có sản phẩm còn hiệu lực chứng nhận.", file=sys.stderr
        )
    print(
        f"Đã ghi {len(writer.written)} tệp ({run.drawn} nhãn vẽ mới, {run.reused} lấy từ bộ "
        f"nhớ đệm) vào {config.out_dir}."
    )
    return 0


def run_lot_labels(config: BuildConfig, catalog: Catalog, ids: Sequence[str]) -> int:
    """`ocop labels --lots ID...`: a label per lot of each product and its A4 lot sheet, in
    config.out_dir/lo/. Every id is checked first (known, with lots), every problem told at
    once, and nothing is written unless all are right."""
    from generator.render.labels.stage import make_lot_labels
    from generator.write import SiteWriter

    known = {p.id: p for p in catalog.products}
    wanted = list(dict.fromkeys(_product_id(i) for i in ids))
    problems = []
    for pid in wanted:
        product = known.get(pid)
        if product is None:
            problems.append(_unknown_product(pid))
        elif not product.lots:
            lots_file = PurePosixPath(product.record_path).with_name("lots.csv")
            problems.append(
                f"Sản phẩm «{pid}» chưa có lô nào: ghi mỗi lô một dòng vào {lots_file} (mã lô, "
                "NSX, HSD...) rồi chạy lại lệnh."
            )
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(f"{len(problems)} lỗi cần sửa. Chưa làm nhãn nào.", file=sys.stderr)
        return 1
    writer = SiteWriter(config.out_dir)
    run = make_lot_labels([known[pid] for pid in wanted], config, writer)
    for rel in writer.written:
        print(config.out_dir / rel)
    for pid in wanted:
        for lot, reason in run.left_off[pid]:
            print(f"{pid}: lô {lot.code} không in lên tờ nhãn ({reason}).", file=sys.stderr)
    print(
        f"Đã ghi {len(writer.written)} tệp ({len(run.labels)} nhãn lô của {len(wanted)} sản "
        f"phẩm, {len(run.sheets)} tờ in A4) vào {config.out_dir}."
    )
    return 0


def cmd_labels(args: argparse.Namespace) -> int:
    return run_labels(_config(args), ids=args.ids, province=args.province, lots=args.lots)


def cmd_import(args: argparse.Namespace) -> int:
    from generator.imports.stage import ImportOptions, run_import

    columns = dict(item.split("=", 1) for item in args.column if "=" in item)
    options = ImportOptions(
        file=args.file.resolve(),
        catalog_dir=args.catalog.resolve(),
        today=today_in_vietnam(),
        sheet=args.sheet,
        decision=args.decision,
        date=args.date,
        issuer=args.issuer,
        province=args.province,
        source_url=args.source_url,
        columns={k.strip(): v.strip() for k, v in columns.items()},
        dry_run=args.dry_run,
        update=args.update,
        adopt=args.adopt,
        group_inferred=args.group_inferred,
    )
    return run_import(options)


def cmd_publish(args: argparse.Namespace) -> int:
    from generator.publish import run_publish

    return run_publish(
        args.out.resolve(), args.bucket, args.endpoint_url, args.prefix, dry_run=args.dry_run
    )


COMMANDS = {
    "validate": cmd_validate,
    "build": cmd_build,
    "serve": cmd_serve,
    "new": cmd_new,
    "places": cmd_places,
    "fix": cmd_fix,
    "labels": cmd_labels,
    "publish": cmd_publish,
    "import": cmd_import,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # `ocop places 31 | head`
        sys.stderr.close()
        return 0
