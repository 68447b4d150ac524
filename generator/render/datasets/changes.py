"""The changes log: what changed since the previous release (changes.csv and CHANGES.md).

Each product gets at most one change, the most significant; a product is never silently
dropped (expired, revoked and withdrawn products stay in the tables with their status).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from generator import urls
from generator.config import BuildConfig
from generator.render.datasets.columns import TableColumns, unneutralise
from generator.render.datasets.specs import Row, TableSpec

CHANGE_ORDER = ("added", "re-rated", "expired", "revoked", "withdrawn", "updated", "removed")
CHANGE_TITLES = {
    "added": "Thêm mới",
    "re-rated": "Có quyết định công nhận mới (nâng, hạ hạng hoặc công nhận lại)",
    "expired": "Hết hạn",
    "revoked": "Bị thu hồi",
    "withdrawn": "Ngừng",
    "updated": "Sửa hồ sơ",
    "removed": "Hồ sơ bị xóa",
}
STATUS_TEXT = {
    "valid": "còn hiệu lực",
    "unknown_date": "chưa rõ hiệu lực",
    "expired": "hết hạn",
    "revoked": "bị thu hồi",
    "withdrawn": "đã ngừng",
}
# Columns whose change is not a change of the record: recomputed each release or per build.
NOT_RECORD_CHANGES = frozenset({"status", "status_date", "url"})


@dataclass(frozen=True)
class Change:
    kind: str
    product_id: str
    before: dict[str, str] | None  # the previous release's products.csv row
    after: dict[str, str] | None  # this release's products.csv row
    changed_fields: tuple[str, ...]


def classify_changes(
    previous: list[dict[str, str]] | None, current: list[dict[str, str]]
) -> list[Change]:
    """One change per product, the most significant: a new status (withdrawn, revoked,
    expired) before a new certificate (re-rated) before any other edit (updated).
    `previous` None is the first release: every product is "added"."""
    before = {r["id"]: r for r in previous or []}
    after = {r["id"]: r for r in current}
    changes = []
    for pid in sorted(before.keys() | after.keys()):
        old, new = before.get(pid), after.get(pid)
        if old is None:
            changes.append(Change("added", pid, None, new, ()))
            continue
        if new is None:
            changes.append(Change("removed", pid, old, None, ()))
            continue
        compared = [k for k in new if k in old and k not in NOT_RECORD_CHANGES]
        changed = tuple(k for k in compared if old[k] != new[k])
        status_old, status_new = old.get("status"), new.get("status")
        if status_new != status_old and status_new in ("withdrawn", "revoked", "expired"):
            kind = status_new
        elif (old.get("certificate_number"), old.get("stars")) != (
            new.get("certificate_number"),
            new.get("stars"),
        ):
            kind = "re-rated"
        elif changed or status_new != status_old:
            kind = "updated"  # e.g. a revocation withdrawn by a correction
        else:
            continue
        changes.append(Change(kind, pid, old, new, changed))
    return changes


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text else None


def change_rows(
    changes: list[Change],
    current_rows: dict[str, Row],
    release: dt.date,
    previous_release: dt.date | None,
    config: BuildConfig,
) -> list[Row]:
    rows = []
    for c in changes:
        typed = current_rows.get(c.product_id)
        old = c.before or {}
        rows.append(
            {
                "release": release,
                "previous_release": previous_release,
                "change": c.kind,
                "product_id": c.product_id,
                "name": typed["name"] if typed else unneutralise(old.get("name", "")),
                "province_code": typed["province_code"] if typed else old.get("province_code"),
                "province_name": typed["province_name"]
                if typed
                else unneutralise(old.get("province_name", "")) or None,
                "stars_before": _int_or_none(old.get("stars")),
                "stars": typed["stars"] if typed else None,
                "status_before": old.get("status") or None,
                "status": typed["status"] if typed else None,
                "certificate_before": unneutralise(old.get("certificate_number", "")) or None,
                "certificate_number": typed["certificate_number"] if typed else None,
                "changed_fields": "; ".join(c.changed_fields) or None,
                "url": urls.absolute(config.base_url, urls.product(c.product_id)),
            }
        )
    return rows


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")


def _md_escape(text: str) -> str:
    return MD_SPECIAL.sub(r"\\\1", text)


def _change_line(r: Row, kind: str) -> str:
    bits = [f"[{_md_escape(r['name'])}]({r['url']}) (`{r['product_id']}`)"]
    if r["province_name"]:
        bits.append(_md_escape(r["province_name"]))
    if r["stars_before"] and r["stars"] and r["stars_before"] != r["stars"]:
        bits.append(f"{r['stars_before']}★ → {r['stars']}★")
    elif r["stars"]:
        bits.append(f"{r['stars']}★")
    if r["status"]:
        bits.append(STATUS_TEXT[r["status"]])
    if kind == "re-rated" and r["certificate_number"]:
        bits.append(f"quyết định {_md_escape(r['certificate_number'])}")
    if kind == "updated" and r["changed_fields"]:
        bits.append(f"sửa: {_md_escape(r['changed_fields'])}")
    return "- " + ", ".join(bits)


def changes_markdown(
    rows: list[Row], release: dt.date, previous: dt.date | None, limit: int | None = None
) -> str:
    """Markdown without headings: the site's Markdown renderer keeps headings for pages.
    `limit` lists at most that many products per kind (the data page; the files have all)."""
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(r["change"], []).append(r)
    if previous is None:
        lines = [
            f"Bản phát hành **{release.isoformat()}** là bản đầu tiên: "
            f"{len(rows)} sản phẩm được thêm."
        ]
    elif not rows:
        lines = [
            f"Bản phát hành **{release.isoformat()}**: không có thay đổi so với bản "
            f"**{previous.isoformat()}**."
        ]
    else:
        summary = ", ".join(
            f"{len(groups[k])} {CHANGE_TITLES[k].split(' (')[0].lower()}"
            for k in CHANGE_ORDER
            if k in groups
        )
        lines = [
            f"Bản phát hành **{release.isoformat()}** so với bản "
            f"**{previous.isoformat()}**: {summary}."
        ]
    for kind in CHANGE_ORDER:
        group = groups.get(kind)
        if not group:
            continue
        lines += ["", f"**{CHANGE_TITLES[kind]} ({len(group)})**", ""]
        lines += [_change_line(r, kind) for r in group[:limit]]
        if limit is not None and len(group) > limit:
            lines.append(f"- … và {len(group) - limit} sản phẩm khác (xem changes.csv)")
    return "\n".join(lines) + "\n"


def current_products(
    specs: dict[str, TableSpec],
    rows: dict[str, list[Row]],
    previous_rows: list[dict[str, str]] | None,
) -> list[dict[str, str]]:
    """This release's products.csv rows, to compare with the previous release's; the first
    release compares nothing (every product is added), so only the ids are needed."""
    if previous_rows is None:
        return [{"id": r["id"]} for r in rows["products"]]
    cells = TableColumns(specs["products"], rows["products"]).csv_cells()
    return [dict(zip(specs["products"].names, c, strict=True)) for c in cells]
