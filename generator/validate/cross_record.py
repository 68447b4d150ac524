"""The checks that need every record at once: ids and GTINs held by one record each, producers
and replacements that exist, province folders that are provinces, and the ledgers of published
products, lots and recalls.

They are never cached: a record's bytes can stay the same while another record takes its id.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from generator.config import ledger_paths
from generator.errors import Problem, did_you_mean, problem
from generator.ledger import read_ledger
from generator.load import LoadedCatalog, Record, display_path
from generator.lots import LOTS_FILE, recall_ids, recall_product
from generator.places import Places
from generator.text import closest, fold
from generator.validate.record import value_at


def province_folder_problems(loaded: LoadedCatalog, places: Places) -> list[Problem]:
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


def _claim(
    holders: dict[str, Record],
    key: str,
    record: Record,
    field_name: str,
    code: str,
    value: str,
    out: list[Problem],
) -> None:
    """The first record to hold a key (an id, a GTIN) keeps it; a later one is reported."""
    if key in holders:
        out.append(
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
    return did_you_mean(closest(value, candidates))


def cross_record_problems(loaded: LoadedCatalog, ledger: Path | None) -> list[Problem]:
    """`ledger`: the published-ids file, or None not to compare the catalog with one."""
    out: list[Problem] = []
    producer_ids: dict[str, Record] = {}
    for record in loaded.producers:
        pid = record.data.get("id")
        if isinstance(pid, str):
            _claim(producer_ids, pid, record, "id", "duplicate-id", pid, out)
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
            out.append(
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
        replaced_by = value_at(record.data, "withdrawn", "replaced_by")
        if isinstance(replaced_by, str) and replaced_by not in known_products:
            suggestion = _did_you_mean(replaced_by, known_products)
            out.append(
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
        shown = _shown(loaded, ledger)
        for number, pid in read_ledger(ledger):
            if pid not in loaded.product_folders:
                out.append(problem(shown, number, "", "published-product-missing", value=pid))
        lots_ledger, recalls_ledger = ledger_paths(ledger)
        out += _lots_ledger_problems(loaded, lots_ledger)
        out += _recalls_ledger_problems(loaded, recalls_ledger)
    return out


def _shown(loaded: LoadedCatalog, ledger: Path) -> str:
    """A ledger's path in messages: as every catalog file's, or its name when it lies outside."""
    resolved = ledger.resolve()
    return (
        display_path(loaded.root, resolved) if resolved.is_relative_to(loaded.root) else ledger.name
    )


def _lots_ledger_problems(loaded: LoadedCatalog, ledger: Path) -> list[Problem]:
    """Each published lot is still in its product's lots.csv. A lot of a product whose folder is
    gone (reported as such) or whose table could not be read (reported too) is not named again."""
    out: list[Problem] = []
    entries = read_ledger(ledger)
    if not entries:
        return out
    shown = _shown(loaded, ledger)
    for number, entry in entries:
        pid, _, code = entry.partition("/")
        folder = loaded.product_folders.get(pid)
        codes = loaded.lot_codes(folder) if folder is not None else None
        if codes is None:
            continue
        if code not in codes:
            file = f"{folder}/{LOTS_FILE}"
            out.append(problem(shown, number, "", "published-lot-missing", value=entry, file=file))
    return out


def _recalls_ledger_problems(loaded: LoadedCatalog, ledger: Path) -> list[Problem]:
    """Each published recall is still in its product's record, with the same date and place
    among that day's recalls (its id). A product whose folder is gone, or whose record could not
    be read, is reported on its own."""
    out: list[Problem] = []
    entries = read_ledger(ledger)
    if not entries:
        return out
    shown = _shown(loaded, ledger)
    records = {r.display.rsplit("/", 1)[0]: r for r in loaded.products}
    ids: dict[str, set[str]] = {}
    for number, recall_id in entries:
        pid = recall_product(recall_id)
        folder = loaded.product_folders.get(pid) if pid else None
        if folder is None or pid is None:
            continue
        record = records.get(folder)
        if record is None:
            continue
        if folder not in ids:
            recalls = record.data.get("recalls")
            dates = [value_at(r, "date") for r in (recalls if isinstance(recalls, list) else [])]
            ids[folder] = set(recall_ids(pid, [d if isinstance(d, str) else "" for d in dates]))
        if recall_id not in ids[folder]:
            out.append(
                problem(
                    shown,
                    number,
                    "",
                    "published-recall-missing",
                    value=recall_id,
                    file=record.display,
                )
            )
    return out
