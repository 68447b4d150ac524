"""Stage 3: valid records -> the model (validity on the as-of date, labels, URLs). Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from generator.dates import PartialDate
from generator.load import LoadedCatalog, Record
from generator.lots import LotsTable, recall_ids
from generator.model import (
    Catalog,
    Certificate,
    Inspection,
    Lot,
    Outlet,
    Photo,
    Place,
    Producer,
    Product,
    Recall,
    Revocation,
    Source,
    Validity,
    Withdrawal,
)
from generator.photocheck import PhotoFacts
from generator.places import Places
from generator.vocab import Vocabulary

VALIDITY_MONTHS = 36


def _partial(value: str | None) -> PartialDate | None:
    return PartialDate.parse(value) if value else None


def derive_certificate(raw: dict[str, Any], default_stars: int) -> Certificate:
    issued = PartialDate.parse(raw["date"])
    revoked = raw.get("revoked")
    return Certificate(
        number=raw["number"],
        date=issued,
        issuer=raw["issuer"],
        valid_until=_partial(raw.get("valid_until")) or issued.plus_months(VALIDITY_MONTHS),
        valid_until_given="valid_until" in raw,
        stars=raw.get("stars", default_stars),
        score=raw.get("score"),
        revoked=Revocation(
            PartialDate.parse(revoked["date"]), revoked["decision"], revoked.get("reason")
        )
        if revoked
        else None,
    )


def derive_place(raw: dict[str, Any], places: Places) -> Place:
    province = places.provinces[raw["province"]]
    commune = places.communes[raw["commune"]]
    return Place(
        province.code,
        province.short_name,
        province.slug,
        commune.code,
        commune.name,
        raw.get("address"),
        raw.get("former_address"),
    )


def derive_producer(record: Record, places: Places, vocab: Vocabulary) -> Producer:
    d = record.data
    kind = d["kind"]
    # A household business's phone is a person's phone: published only when marked public.
    phone = d.get("phone") if kind != "household_business" or d.get("phone_public") else None
    return Producer(
        id=d["id"],
        name=d["name"],
        kind=kind,
        kind_label=vocab.producer_kinds[kind].vi,
        place=derive_place(d["place"], places),
        representative=d.get("representative"),
        tax_code=d.get("tax_code"),
        phone=phone,
        email=d.get("email"),
        website=d.get("website"),
        example=bool(d.get("example", False)),
        record_path=record.display,
    )


def validity_on(day: dt.date, certificate: Certificate, withdrawn: Withdrawal | None) -> Validity:
    if withdrawn and withdrawn.date <= day:
        return Validity.WITHDRAWN
    return certificate.status_on(day)


def _photo(raw: dict[str, Any], folder: Path, facts: PhotoFacts) -> Photo:
    name = raw["file"]
    return Photo(
        name,
        folder / name,
        raw["alt"],
        raw.get("credit"),
        raw.get("licence"),
        facts.width,
        facts.height,
        facts.sha256,
    )


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _read_each(values: Sequence[str], read: Callable[[str], Any]) -> list[Any]:
    """read(value) for each value, once per distinct value (a table of 200,000 lots has a few
    hundred dates); None for an empty cell."""
    meaning = {value: read(value) for value in set(values) if value}
    meaning[""] = None
    return list(map(meaning.__getitem__, values))


def derive_lots(table: LotsTable, places: Places) -> tuple[Lot, ...]:
    """The lots of a checked table, in the file's order; an empty cell is None."""
    count = len(table.rows)
    columns = list(zip(*table.rows, strict=True)) if table.rows else []

    def cells(name: str) -> Sequence[str]:
        number = table.columns.get(name)
        return columns[number] if number is not None and columns else ("",) * count

    def text(name: str) -> list[str | None]:
        return [value or None for value in cells(name)]

    communes = places.communes
    inspection = zip(
        text("inspection_report"),
        text("inspection_laboratory"),
        _read_each(cells("inspection_date"), dt.date.fromisoformat),
        text("inspection_result"),
        text("inspection_url"),
        strict=True,
    )
    return tuple(
        Lot(
            code=code,
            produced=produced,
            use_by=use_by,
            quantity=quantity,
            unit=unit,
            origin=origin,
            origin_commune=commune,
            origin_commune_name=communes[commune].name if commune else None,
            inspection=Inspection(*tested) if any(tested) else None,
            note=note,
            line=line,
        )
        for code, produced, use_by, quantity, unit, origin, commune, tested, note, line in zip(
            cells("lot"),
            _read_each(cells("produced"), dt.date.fromisoformat),
            _read_each(cells("use_by"), dt.date.fromisoformat),
            _read_each(cells("quantity"), Decimal),
            text("unit"),
            text("origin"),
            text("origin_commune"),
            inspection,
            text("note"),
            table.lines,
            strict=True,
        )
    )


def derive_recalls(product_id: str, raw: list[dict[str, Any]]) -> tuple[Recall, ...]:
    """The recalls of a record, in its order (oldest first), with their ids."""
    ids = recall_ids(product_id, [r["date"] for r in raw])
    return tuple(
        Recall(
            id=recall_id,
            product_id=product_id,
            date=dt.date.fromisoformat(r["date"]),
            lots=tuple(r.get("lots", ())),
            reason=r["reason"],
            action=r["action"],
            authority=r.get("authority"),
            decision=r.get("decision"),
            decision_url=r.get("decision_url"),
            contact=r.get("contact"),
            ended=_day(r.get("ended", "")),
        )
        for recall_id, r in zip(ids, raw, strict=True)
    )


def derive_product(
    record: Record,
    producers: dict[str, Producer],
    photos: dict[tuple[str, str], PhotoFacts],
    places: Places,
    vocab: Vocabulary,
    as_of: dt.date,
    lots: LotsTable | None = None,
) -> Product:
    """lots: the product's lots.csv, when it has one."""
    d = record.data
    certificate = derive_certificate(d["certificate"], d["stars"])
    withdrawn = d.get("withdrawn")
    withdrawal = (
        Withdrawal(
            dt.date.fromisoformat(withdrawn["date"]),
            withdrawn["reason"],
            withdrawn.get("replaced_by"),
        )
        if withdrawn
        else None
    )
    subgroup = d.get("subgroup")
    gtin = d.get("gtin")
    folder = record.folder
    product_id = d["id"]
    return Product(
        id=d["id"],
        name=d["name"],
        name_en=d.get("name_en"),
        group=d["group"],
        group_label=vocab.groups[d["group"]].vi,
        subgroup=subgroup,
        subgroup_label=vocab.subgroups[d["group"]][subgroup].vi if subgroup else None,
        group_inferred=d.get("group_inferred", False),
        stars=d["stars"],
        certificate=certificate,
        previous_certificates=tuple(
            derive_certificate(c, c["stars"]) for c in d.get("previous_certificates", [])
        ),
        producer=producers[d["producer"]],
        place=derive_place(d["place"], places),
        gtin=gtin,
        gtin14=gtin.zfill(14) if gtin else None,
        description=d.get("description"),
        story=d.get("story"),
        ingredients=d.get("ingredients"),
        net_quantity=d.get("net_quantity"),
        shelf_life=d.get("shelf_life"),
        storage=d.get("storage"),
        standards=tuple(d.get("standards", [])),
        where_to_buy=tuple(
            Outlet(w["name"], w.get("address"), w.get("url")) for w in d.get("where_to_buy", [])
        ),
        photos=tuple(
            _photo(p, folder, photos[(product_id, p["file"])]) for p in d.get("photos", [])
        ),
        sources=tuple(
            Source(
                s["title"], s.get("url"), s.get("document"), _partial(s.get("date")), s.get("quote")
            )
            for s in d["sources"]
        ),
        updated=dt.date.fromisoformat(d["updated"]),
        withdrawn=withdrawal,
        example=bool(d.get("example", False)),
        validity=validity_on(as_of, certificate, withdrawal),
        record_path=record.display,
        folder=folder,
        record_sha256=record.sha256,
        lots=derive_lots(lots, places) if lots is not None else (),
        recalls=derive_recalls(product_id, d.get("recalls", [])),
        lots_path=lots.display if lots is not None else None,
        lots_sha256=lots.sha256 if lots is not None else None,
    )


def derive_catalog(
    loaded: LoadedCatalog,
    photos: dict[tuple[str, str], PhotoFacts],
    places: Places,
    vocab: Vocabulary,
    as_of: dt.date,
    release_date: dt.date,
    published_ids: frozenset[str] = frozenset(),
) -> Catalog:
    """Only called on a catalog without problems: every lookup here is known to succeed."""
    producers = {r.data["id"]: derive_producer(r, places, vocab) for r in loaded.producers}
    products = [
        derive_product(r, producers, photos, places, vocab, as_of, loaded.lots_of(r))
        for r in loaded.products
    ]
    return Catalog(
        products=tuple(sorted(products, key=lambda p: p.id)),
        producers=tuple(sorted(producers.values(), key=lambda p: p.id)),
        as_of=as_of,
        release_date=release_date,
        places=places,
        vocab=vocab,
        published_ids=published_ids,
    )
