"""The ledger of every product id ever published: `catalog/published-ids.txt`.

A printed QR code lives for years on packaging, so a product's address `p/<id>/` must never stop
working. Validation fails (`published-product-missing`) when an id listed here has no folder any
more; the build appends new ids after a successful build. Ids are only ever added: a withdrawn
product keeps its folder and its page, which says it is withdrawn.
"""

from __future__ import annotations

import os
from pathlib import Path

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
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    header, entries = _parse(text)
    added = sorted({p.id for p in catalog.products} - set(entries))
    if not added:
        return []
    for pid in added:
        entries[pid] = [pid]
    lines = header or HEADER.rstrip("\n").splitlines()
    body = [line for pid in sorted(entries) for line in entries[pid]]
    out = "\n".join([*lines, *body]) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(out, encoding="utf-8", newline="\n")
    os.replace(tmp, path)  # a killed build never leaves half a ledger
    return added
