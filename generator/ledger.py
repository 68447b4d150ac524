"""The ledgers of what was ever published: `catalog/published-ids.txt` (product ids),
`published-lots.txt` (`<product id>/<LOT>`) and `published-recalls.txt` (recall ids).

A printed QR code lives for years on packaging, so a product's address `p/<id>/` must never stop
working. Validation fails (`published-product-missing`) when an id listed here has no folder any
more; the build appends new ids after a successful build. Ids are only ever added: a withdrawn
product keeps its folder and its page, which says it is withdrawn. Lots are printed on lot
labels, and a recall is news someone may have read: their ledgers work the same way
(`published-lot-missing`, `published-recall-missing`).
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.config import ledger_paths
from generator.model import Catalog

HEADER = """\
# Mã mọi sản phẩm đã từng được công bố, mỗi dòng một mã, xếp theo thứ tự chữ cái.
# Mỗi mã là địa chỉ cố định p/<mã>/ mà mã QR trên bao bì đã in trỏ tới, nên không bao giờ
# được xóa hay đổi: xóa thư mục của một mã có ở đây thì `ocop validate` báo lỗi
# published-product-missing. Sản phẩm ngừng sản xuất vẫn giữ hồ sơ (ghi `withdrawn`).
# Tệp do `ocop build` tự thêm mã mới; không cần sửa tay.
#
# Every product id ever published, one per line, sorted. Printed QR codes point to p/<id>/,
# so ids are never removed: `ocop build` appends new ones after a successful build.
"""


LOTS_HEADER = """\
# Mọi lô đã từng được công bố, mỗi dòng một lô dạng <mã sản phẩm>/<mã lô>, xếp theo thứ tự chữ
# cái. Nhãn lô đã in trỏ tới p/<mã sản phẩm>/lo/<mã lô>/, nên lô không bao giờ được xóa hay đổi
# mã: xóa dòng của một lô có ở đây khỏi lots.csv thì `ocop validate` báo lỗi
# published-lot-missing. Tệp do `ocop build` tự thêm lô mới; không cần sửa tay.
#
# Every lot ever published, one per line as <product id>/<lot code>, sorted. Printed lot labels
# point to p/<id>/lo/<lot>/, so lots are never removed: `ocop build` appends new ones.
"""

RECALLS_HEADER = """\
# Mọi đợt thu hồi đã từng được công bố, mỗi dòng một mã <mã sản phẩm>-<ngày> (thêm -2, -3 cho
# đợt thứ hai, thứ ba cùng ngày), xếp theo thứ tự chữ cái. Thu hồi là tin người mua có thể đã
# đọc, nên không bao giờ được xóa: xóa một đợt có ở đây khỏi `recalls:` thì `ocop validate`
# báo lỗi published-recall-missing; thu hồi kết thúc thì ghi `ended:`. Tệp do `ocop build` tự
# thêm đợt mới; không cần sửa tay.
#
# Every recall ever published, one id per line (<product id>-<date>, -2, -3 for a further recall
# the same day), sorted. A recall is never removed (write `ended:` when it is over): `ocop
# build` appends new ones.
"""


def _parse(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """(header comment lines, id -> its lines: comments just above it, then its own line)."""
    header: list[str] = []
    entries: dict[str, list[str]] = {}
    pending: list[str] = []
    seen_id = False
    for line in text.splitlines():
        pid = line.split("#", 1)[0].strip()
        if not pid:
            if not seen_id:
                header.append(line)
            elif line.strip():
                pending.append(line)  # a note about the next id travels with it when sorting
            continue
        seen_id = True
        if pid not in entries:
            entries[pid] = [*pending, line.rstrip()]
        pending = []
    while header and not header[-1].strip():
        header.pop()
    return header, entries


def read_ledger(path: Path) -> list[tuple[int, str]]:
    """Published product ids, one per line, with their line numbers; `#` starts a comment."""
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if text:
            entries.append((number, text))
    return entries


def read_ids(path: Path) -> set[str]:
    return {pid for _, pid in read_ledger(path)}


def update_ledger(path: Path, catalog: Catalog) -> list[str]:
    """Adds the catalog's ids not yet listed; never removes one. Returns the added ids, sorted.

    The file is rewritten (atomically) only when something is added, keeping its header comment,
    any note written beside or above an id, and one id a line in sorted order."""
    return _append(path, {p.id for p in catalog.products}, HEADER)


def published_lots(catalog: Catalog) -> set[str]:
    """`<product id>/<LOT>` of every lot of the catalog: the lots ledger's entries."""
    return {f"{p.id}/{lot.code}" for p in catalog.products for lot in p.lots}


def update_lots_ledger(path: Path, catalog: Catalog) -> list[str]:
    """As update_ledger, for the catalog's lots."""
    return _append(path, published_lots(catalog), LOTS_HEADER)


def update_recalls_ledger(path: Path, catalog: Catalog) -> list[str]:
    """As update_ledger, for the catalog's recalls."""
    return _append(path, {r.id for p in catalog.products for r in p.recalls}, RECALLS_HEADER)


def update_ledgers(ids_ledger: Path, catalog: Catalog) -> bool:
    """After a successful build: the products, lots and recalls ledgers (the last two beside
    the first). True when any of them changed."""
    lots, recalls = ledger_paths(ids_ledger)
    changed = bool(update_ledger(ids_ledger, catalog))
    changed |= bool(update_lots_ledger(lots, catalog))
    return bool(update_recalls_ledger(recalls, catalog)) or changed


def _append(path: Path, current: set[str], default_header: str) -> list[str]:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    # Nearly every build adds nothing: the ids alone answer that, as _parse reads them, without
    # gathering each id's lines (200,000 lots).
    if current <= {line.split("#", 1)[0].strip() for line in text.splitlines()}:
        return []
    header, entries = _parse(text)
    added = sorted(current - set(entries))
    if not added:
        return []
    for pid in added:
        entries[pid] = [pid]
    lines = header or default_header.rstrip("\n").splitlines()
    body = [line for pid in sorted(entries) for line in entries[pid]]
    out = "\n".join([*lines, *body]) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(out, encoding="utf-8", newline="\n")
    os.replace(tmp, path)  # a killed build never leaves half a ledger
    return added
