"""What a pull request adds or changes in catalog/, summarised in Vietnamese for reviewers.

    python -m generator.prsummary --base origin/main >> "$GITHUB_STEP_SUMMARY"

compares the records at the merge base of `--base` and HEAD with those at HEAD (committed
content, like `git diff base...HEAD`). Records are compared as raw YAML data, not as the
validated model, so the summary is written even when the pull request still has errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.config import IDS_LEDGER, today_in_vietnam
from generator.dates import PartialDate
from generator.derive import VALIDITY_MONTHS
from generator.ledger import read_ledger
from generator.load import PRODUCT_FILE, load_records
from generator.places import load_places
from generator.yamlfile import parse_record

LEDGER = IDS_LEDGER
MAX_ITEMS = 300  # per section: a step summary holds at most 1 MiB (bulk imports are larger)


@dataclass(frozen=True)
class Records:
    """Some or all records of one version of the catalog.

    Only the records a pull request touches are needed: a record absent from both sides is
    simply not mentioned.
    """

    products: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> YAML data
    producers: dict[str, dict[str, Any]] = field(default_factory=dict)
    photos: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> {file: content id}
    published: frozenset[str] = frozenset()  # ids in published-ids.txt
    broken: frozenset[str] = frozenset()  # "products/<id>", "producers/<id>": unreadable YAML


# --- reading one side --------------------------------------------------------------------------


def records_from_dir(catalog_dir: Path) -> Records:
    """Every record of a catalog folder (for comparisons outside git)."""
    loaded = load_records(catalog_dir)
    products = {r.folder.name: r.data for r in loaded.products}
    photos = {
        r.folder.name: {
            f.name: hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(r.folder.iterdir())
            if f.is_file() and f.name != PRODUCT_FILE
        }
        for r in loaded.products
    }
    producers = {r.file.stem: r.data for r in loaded.producers}
    ledger = frozenset(pid for _, pid in read_ledger(catalog_dir / LEDGER))
    return Records(products, producers, photos, ledger)


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", *args], cwd=repo, input=stdin, capture_output=True, check=True, timeout=300
    ).stdout


def _blobs(repo: Path, oids: Sequence[str]) -> list[bytes]:
    """Contents of many blobs through one `git cat-file --batch`."""
    if not oids:
        return []
    raw = _git(repo, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in oids).encode())
    out, at = [], 0
    for _ in oids:
        end = raw.index(b"\n", at)
        size = int(raw[at:end].split()[2])
        out.append(raw[end + 1 : end + 1 + size])
        at = end + 1 + size + 1  # the content is followed by a newline
    return out


@dataclass(frozen=True)
class Touched:
    products: frozenset[str]  # product ids (folder names) with any changed file
    producers: frozenset[str]
    ledger: bool


def touched(repo: Path, base: str, head: str, catalog: str = "catalog") -> Touched:
    raw = _git(repo, "diff", "--name-only", "--no-renames", "-z", base, head, "--", catalog)
    products, producers, ledger = set(), set(), False
    for path in filter(None, raw.decode("utf-8").split("\0")):
        parts = path[len(catalog) + 1 :].split("/")
        if parts[0] == "products" and len(parts) >= 4:
            products.add(parts[2])
        elif parts[0] == "producers" and len(parts) == 2 and parts[1].endswith(".yaml"):
            producers.add(parts[1].removesuffix(".yaml"))
        elif parts == [LEDGER]:
            ledger = True
    return Touched(frozenset(products), frozenset(producers), ledger)


def records_from_git(
    repo: Path,
    commit: str,
    products: Iterable[str],
    producers: Iterable[str],
    catalog: str = "catalog",
) -> Records:
    """The named records as they are in `commit`, wherever their province folder is."""
    wanted_products, wanted_producers = set(products), set(producers)
    listing = _git(repo, "ls-tree", "-r", "-z", commit, "--", catalog)
    yaml_files: list[tuple[str, str, str]] = []  # (kind, id, oid)
    photos: dict[str, dict[str, str]] = {}
    ledger_oid = None
    for entry in filter(None, listing.decode("utf-8").split("\0")):
        meta, path = entry.split("\t", 1)
        oid = meta.split()[2]
        parts = path[len(catalog) + 1 :].split("/")
        if parts[0] == "products" and len(parts) == 4 and parts[2] in wanted_products:
            if parts[3] == PRODUCT_FILE:
                yaml_files.append(("products", parts[2], oid))
            else:
                photos.setdefault(parts[2], {})[parts[3]] = oid
        elif parts[0] == "producers" and len(parts) == 2:
            stem = parts[1].removesuffix(".yaml")
            if parts[1].endswith(".yaml") and stem in wanted_producers:
                yaml_files.append(("producers", stem, oid))
        elif parts == [LEDGER]:
            ledger_oid = oid
    contents = _blobs(
        repo, [oid for _, _, oid in yaml_files] + ([ledger_oid] if ledger_oid else [])
    )
    found: dict[str, dict[str, dict[str, Any]]] = {"products": {}, "producers": {}}
    broken = set()
    for (kind, rid, _), raw in zip(yaml_files, contents, strict=False):
        data = parse_record(raw, f"{kind}/{rid}").data
        if not isinstance(data, dict):
            broken.add(f"{kind}/{rid}")
            data = {}
        found[kind][rid] = data
    published: frozenset[str] = frozenset()
    if ledger_oid:
        lines = contents[-1].decode("utf-8", "replace").splitlines()
        published = frozenset(t for t in (line.split("#", 1)[0].strip() for line in lines) if t)
    for rid in wanted_products:  # a folder whose product.yaml is missing still exists
        if rid in photos and rid not in found["products"]:
            found["products"][rid] = {}
            broken.add(f"products/{rid}")
    return Records(found["products"], found["producers"], photos, published, frozenset(broken))


def summarise_git(repo: Path, base_ref: str, as_of: dt.date, catalog: str = "catalog") -> str:
    base = _git(repo, "merge-base", base_ref, "HEAD").decode().strip()
    what = touched(repo, base, "HEAD", catalog)
    before = records_from_git(repo, base, what.products, what.producers, catalog)
    after = records_from_git(repo, "HEAD", what.products, what.producers, catalog)
    return summarise_changes(before, after, as_of)


# --- comparing -------------------------------------------------------------------------------

_MARKDOWN = re.compile(r"([\\`*_\[\]<>|#])")


def _md(value: Any) -> str:
    """Record text is untrusted: shown literally, never as Markdown or HTML."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(value).split()))


def _get(data: Any, *path: str) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _partial(value: Any) -> PartialDate | None:
    try:
        return PartialDate.parse(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _expiry(certificate: Any) -> PartialDate | None:
    """The last day of validity, as precise as the decision's date (2026, 2026-03, 2026-03-15)."""
    given = _partial(_get(certificate, "valid_until"))
    issued = _partial(_get(certificate, "date"))
    return given or (issued.plus_months(VALIDITY_MONTHS) if issued else None)


def _state(ends: PartialDate, as_of: dt.date) -> str:
    """By the rule of the pages: valid or expired only when so whatever the exact day."""
    if as_of <= ends.earliest:
        return f"còn hiệu lực đến {ends.isoformat()}"
    if as_of > ends.latest:
        return f"**đã hết hiệu lực** từ {ends.isoformat()}"
    return f"**chưa rõ còn hiệu lực** (hết hiệu lực trong {ends.isoformat()}, không rõ ngày)"


def _stars(value: Any) -> str:
    return f"{value}★" if isinstance(value, int) and not isinstance(value, bool) else "?★"


def _decision(certificate: Any) -> str:
    number, day = _get(certificate, "number"), _get(certificate, "date")
    text = f"quyết định {_md(number)}" if number else "quyết định ?"
    if not isinstance(day, str) or not day:
        return text
    # a date the source gives only to the month or year is said so: "tháng 2021-03", "năm 2019"
    word = {7: "tháng", 4: "năm"}.get(len(day), "ngày")
    return f"{text} {word} {_md(day)}"


def _province(data: dict[str, Any]) -> str:
    code = _get(data, "place", "province")
    info = load_places().provinces.get(code) if isinstance(code, str) else None
    return info.short_name if info else "tỉnh ?"


def _who(rid: str, data: dict[str, Any], kind: str = "product") -> str:
    name = data.get("name") if isinstance(data.get("name"), str) else rid
    where = f", {_province(data)}" if kind == "product" and data else ""
    return f"**{_md(name)}** (`{rid}`{where})"


def _same(a: Any, b: Any) -> bool:
    """The same certification decision: same number and date."""
    return _get(a, "number") == _get(b, "number") and _get(a, "date") == _get(b, "date")


def _changed_fields(old: dict[str, Any], new: dict[str, Any], ignore: set[str]) -> list[str]:
    keys = sorted((set(old) | set(new)) - ignore)
    return [k for k in keys if old.get(k) != new.get(k)]


@dataclass
class _Sections:
    added: list[str] = field(default_factory=list)
    rerated: list[str] = field(default_factory=list)
    validity: list[str] = field(default_factory=list)  # expiries and renewals
    revoked: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    producers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_TITLES = [
    ("added", "Sản phẩm mới"),
    ("rerated", "Xếp hạng lại"),
    ("validity", "Hết hiệu lực, gia hạn"),
    ("revoked", "Thu hồi chứng nhận"),
    ("withdrawn", "Ngừng sản phẩm"),
    ("removed", "Hồ sơ bị xóa"),
    ("edited", "Sửa thông tin sản phẩm"),
    ("producers", "Chủ thể"),
]


def _product_events(
    rid: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    before: Records,
    after: Records,
    as_of: dt.date,
    out: _Sections,
) -> None:
    if new is None:
        assert old is not None
        published = rid in before.published or rid in after.published
        note = (
            " Sản phẩm đã công bố: mã QR đã in trỏ tới trang này. Không xóa hồ sơ; khôi phục "
            "và ghi `withdrawn:` (ngày, lý do)."
            if published
            else ""
        )
        out.removed.append(f"- {_who(rid, old)}: hồ sơ bị xóa.{note}")
        if published:
            out.warnings.append(f"Hồ sơ đã công bố `{rid}` bị xóa.")
        return
    cert = new.get("certificate")
    ends = _expiry(cert)
    if old is None:
        line = f"- {_who(rid, new)}: {_stars(new.get('stars'))}, {_decision(cert)}"
        if ends:
            line += f", {_state(ends, as_of)}"
        out.added.append(line + ".")
        return
    old_cert = old.get("certificate")
    same_certificate = _same(old_cert, cert)
    history = new.get("previous_certificates")
    # a re-rating or renewal keeps the replaced certificate in the product's history
    kept = same_certificate or (
        isinstance(history, list) and any(_same(old_cert, c) for c in history)
    )
    lost = (
        ""
        if kept
        else (
            f" Chứng nhận cũ ({_decision(old_cert)}) chưa được chuyển vào `previous_certificates`."
        )
    )
    if old.get("stars") != new.get("stars"):
        out.rerated.append(
            f"- {_who(rid, new)}: {_stars(old.get('stars'))} → {_stars(new.get('stars'))} "
            f"({_decision(cert)}).{lost}"
        )
    elif not same_certificate:
        out.validity.append(
            f"- {_who(rid, new)}: chứng nhận mới ({_decision(cert)}), hiệu lực "
            f"đến {ends.isoformat() if ends else '?'}.{lost}"
        )
    old_ends = _expiry(old_cert)
    if same_certificate and old_ends != ends:
        shown = ends.isoformat() if ends else "?"
        expired = " (đã hết hiệu lực)" if ends and ends.latest < as_of else ""
        out.validity.append(
            f"- {_who(rid, new)}: ngày hết hiệu lực "
            f"{old_ends.isoformat() if old_ends else '?'} → {shown}{expired}."
        )
    revoked, was_revoked = _get(cert, "revoked"), _get(old_cert, "revoked")
    if revoked and (not was_revoked or not same_certificate):
        reason = _get(revoked, "reason")
        out.revoked.append(
            f"- {_who(rid, new)}: thu hồi theo quyết định {_md(_get(revoked, 'decision'))} ngày "
            f"{_md(_get(revoked, 'date'))}" + (f" — {_md(reason)}" if reason else "") + "."
        )
    elif was_revoked and not revoked and same_certificate:
        out.edited.append(f"- {_who(rid, new)}: **bỏ ghi thu hồi** chứng nhận; kiểm tra kỹ.")
    withdrawn, was_withdrawn = new.get("withdrawn"), old.get("withdrawn")
    if withdrawn and not was_withdrawn:
        replaced = _get(withdrawn, "replaced_by")
        out.withdrawn.append(
            f"- {_who(rid, new)}: ngừng từ {_md(_get(withdrawn, 'date'))} — "
            f"{_md(_get(withdrawn, 'reason'))}"
            + (f"; thay bằng `{_md(replaced)}`" if replaced else "")
            + "."
        )
    elif was_withdrawn and not withdrawn:
        out.edited.append(f"- {_who(rid, new)}: **bỏ ghi ngừng sản phẩm**; kiểm tra kỹ.")
    if old.get("id") != new.get("id"):
        out.warnings.append(f"Mã sản phẩm `{rid}` bị đổi; mã không bao giờ đổi (mã QR đã in).")
    ignore = {"stars", "certificate", "previous_certificates", "withdrawn", "updated"}
    fields = _changed_fields(old, new, ignore)
    if old.get("previous_certificates") != new.get("previous_certificates") and not (
        old.get("stars") != new.get("stars") or not same_certificate
    ):
        fields.append("previous_certificates")
    if same_certificate and old_cert != cert:
        inner = _changed_fields(old_cert or {}, cert or {}, {"revoked", "valid_until"})
        fields += [f"certificate.{k}" for k in inner]
    photos_old, photos_new = before.photos.get(rid, {}), after.photos.get(rid, {})
    if photos_old != photos_new:
        changed = sorted(
            k for k in set(photos_old) | set(photos_new) if photos_old.get(k) != photos_new.get(k)
        )
        fields.append("ảnh " + ", ".join(f"`{_md(k)}`" for k in changed))
    if fields:
        out.edited.append(
            f"- {_who(rid, new)}: "
            + ", ".join(f if f.startswith("ảnh") else f"`{f}`" for f in fields)
            + "."
        )


def summarise_changes(base: Records | None, head: Records, as_of: dt.date | None = None) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY; `base` None: every record of `head` is new."""
    as_of = as_of or today_in_vietnam()
    before = base or Records()
    out = _Sections()
    product_ids = sorted(
        set(before.products) | set(head.products) | set(head.photos) | set(before.photos)
    )
    for rid in product_ids:
        old, new = before.products.get(rid), head.products.get(rid)
        if old is None and new is None:
            continue
        _product_events(rid, old, new, before, head, as_of, out)
    for rid in sorted(set(before.producers) | set(head.producers)):
        old, new = before.producers.get(rid), head.producers.get(rid)
        if old is None and new is not None:
            out.producers.append(f"- Chủ thể mới {_who(rid, new, 'producer')}.")
        elif new is None and old is not None:
            out.producers.append(f"- Chủ thể {_who(rid, old, 'producer')} bị xóa.")
        elif old != new and new is not None and old is not None:
            fields = ", ".join(f"`{k}`" for k in _changed_fields(old, new, set()))
            out.producers.append(f"- {_who(rid, new, 'producer')}: sửa {fields}.")
    unpublished = sorted(before.published - head.published)
    if unpublished:
        out.warnings.append(
            "Mã bị xóa khỏi published-ids.txt: "
            + ", ".join(f"`{_md(i)}`" for i in unpublished)
            + "."
        )
    for item in sorted(head.broken):
        out.warnings.append(f"Không đọc được `{_md(item)}`: xem lỗi của bước `ocop validate`.")
    return _render(out, as_of)


def _render(out: _Sections, as_of: dt.date) -> str:
    lines = ["## Tóm tắt thay đổi danh mục OCOP", ""]
    counted = [(title, getattr(out, key)) for key, title in _TITLES if getattr(out, key)]
    if not counted and not out.warnings:
        lines.append("Pull request này không thay đổi hồ sơ nào trong `catalog/`.")
        return "\n".join(lines) + "\n"
    for warning in out.warnings:
        lines.append(f"> [!WARNING]\n> {warning}\n")
    if counted:
        lines += ["| Thay đổi | Số hồ sơ |", "|---|---:|"]
        lines += [f"| {title} | {len(items)} |" for title, items in counted]
        lines.append("")
    for title, items in counted:
        lines += [f"### {title}", "", *items[:MAX_ITEMS]]
        if len(items) > MAX_ITEMS:
            lines.append(f"- … và {len(items) - MAX_ITEMS} hồ sơ khác.")
        lines.append("")
    lines.append(f"_Hiệu lực tính đến ngày {as_of.isoformat()} (giờ Việt Nam)._")
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator.prsummary",
        description="Tóm tắt (tiếng Việt, Markdown) thay đổi của pull request trong catalog/.",
    )
    parser.add_argument("--base", required=True, help="nhánh gốc, ví dụ origin/main")
    parser.add_argument("--repo", type=Path, default=Path("."), help="thư mục kho git")
    parser.add_argument("--catalog", default="catalog", help="thư mục danh mục trong kho")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        text = summarise_git(args.repo, args.base, args.as_of or today_in_vietnam(), args.catalog)
    except subprocess.CalledProcessError as err:
        detail = err.stderr.decode("utf-8", "replace").strip() if err.stderr else ""
        print(f"git: {detail or err}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
