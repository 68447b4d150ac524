"""The published tables' rows, typed, from the derived catalog: one set feeds every format.

A product's status is the one on the catalog's release date, not the build day: the same
release gives the same bytes whenever it is built.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from generator import urls
from generator.config import BuildConfig
from generator.derive import validity_on
from generator.model import Catalog, Certificate, Product
from generator.render.artifacts import PhotoIndex
from generator.render.datasets.specs import DatasetError, Row, TableSpec
from generator.vocab import Vocabulary


def _group_confirmed(product: Product, vocab: Vocabulary) -> bool:
    group = vocab.groups.get(product.group)
    sub = vocab.subgroup(product.subgroup) if product.subgroup else None
    return bool(group and group.confirmed and (sub is None or sub.confirmed))


def _certificate_cells(cert: Certificate) -> Row:
    """A date the source gives only to the month or year is text at that precision (2019,
    2021-03): never a day that is not known. When the certificate ends is a span of real
    dates, equal when the day is known, so that a spreadsheet can sort and filter on it."""
    revoked = cert.revoked
    return {
        "valid_until": cert.valid_until.isoformat(),
        "valid_until_earliest": cert.valid_until.earliest,
        "valid_until_latest": cert.valid_until.latest,
        "valid_until_given": cert.valid_until_given,
        "revoked_date": revoked.date.isoformat() if revoked else None,
        "revocation_decision": revoked.decision if revoked else None,
        "revocation_reason": revoked.reason if revoked else None,
    }


def product_row(product: Product, config: BuildConfig, vocab: Vocabulary, day: dt.date) -> Row:
    p, cert, w = product, product.certificate, product.withdrawn
    return {
        "id": p.id,
        "name": p.name,
        "name_en": p.name_en,
        "url": urls.absolute(config.base_url, urls.product(p.id)),
        # The status on the release date, not the build day: the same release, the same bytes.
        "status": validity_on(day, cert, w).value,
        "status_date": day,
        "stars": p.stars,
        "group": p.group,
        "group_name": p.group_label,
        "subgroup": p.subgroup,
        "subgroup_name": p.subgroup_label,
        "group_code_confirmed": _group_confirmed(p, vocab),
        "producer_id": p.producer.id,
        "producer_name": p.producer.name,
        "province_code": p.place.province_code,
        "province_name": p.place.province_name,
        "commune_code": p.place.commune_code,
        "commune_name": p.place.commune_name,
        "address": p.place.address,
        "former_address": p.place.former_address,
        "certificate_number": cert.number,
        "certificate_date": cert.date.isoformat(),
        "certificate_date_precision": cert.date.precision.value,
        "certificate_issuer": cert.issuer,
        "certificate_score": cert.score,
        **_certificate_cells(cert),
        "withdrawn_date": w.date if w else None,
        "withdrawal_reason": w.reason if w else None,
        "replaced_by": w.replaced_by if w else None,
        "previous_certificate_count": len(p.previous_certificates),
        "gtin": p.gtin,
        "gtin14": p.gtin14,
        "description": p.description,
        "story": p.story,
        "ingredients": p.ingredients,
        "net_quantity": p.net_quantity,
        "shelf_life": p.shelf_life,
        "storage": p.storage,
        "standards": "; ".join(p.standards) or None,
        "photo_count": len(p.photos),
        "updated": p.updated,
        "example": p.example,
        "record_path": p.record_path,
        "group_inferred": p.group_inferred,
    }


def product_rows(catalog: Catalog, config: BuildConfig, day: dt.date) -> list[Row]:
    return [product_row(p, config, catalog.vocab, day) for p in catalog.products]


def producer_rows(catalog: Catalog) -> list[Row]:
    counts = Counter(p.producer.id for p in catalog.products)
    return [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "kind_name": r.kind_label,
            "representative": r.representative,
            "tax_code": r.tax_code,
            "phone": r.phone,  # already None for a household business that did not opt in
            "email": r.email,
            "website": r.website,
            "province_code": r.place.province_code,
            "province_name": r.place.province_name,
            "commune_code": r.place.commune_code,
            "commune_name": r.place.commune_name,
            "address": r.place.address,
            "former_address": r.place.former_address,
            "product_count": counts[r.id],
            "example": r.example,
            "record_path": r.record_path,
        }
        for r in catalog.producers
    ]


def certificate_rows(catalog: Catalog, day: dt.date) -> list[Row]:
    rows = []
    for p in catalog.products:
        history = (*p.previous_certificates, p.certificate)
        for n, cert in enumerate(history, 1):
            rows.append(
                {
                    "product_id": p.id,
                    "sequence": n,
                    "current": cert is p.certificate,
                    "number": cert.number,
                    "date": cert.date.isoformat(),
                    "date_precision": cert.date.precision.value,
                    "issuer": cert.issuer,
                    "stars": cert.stars,
                    "score": cert.score,
                    **_certificate_cells(cert),
                    "status": cert.status_on(day).value,
                    "status_date": day,
                }
            )
    return rows


def photo_rows(catalog: Catalog, config: BuildConfig, photos: PhotoIndex) -> list[Row]:
    rows = []
    for p in catalog.products:
        renditions = {r.file: r for r in photos.per_product.get(p.id, ())}
        for n, photo in enumerate(p.photos, 1):
            rendition = renditions.get(photo.file)
            rows.append(
                {
                    "product_id": p.id,
                    "sequence": n,
                    "file": photo.file,
                    "alt": photo.alt,
                    "credit": photo.credit,
                    "licence": photo.licence,
                    "width": photo.width,
                    "height": photo.height,
                    "url": urls.absolute(config.base_url, rendition.largest.jpeg)
                    if rendition and rendition.sizes
                    else None,
                }
            )
    return rows


def source_rows(catalog: Catalog) -> list[Row]:
    return [
        {
            "product_id": p.id,
            "sequence": n,
            "title": s.title,
            "url": s.url,
            "document": s.document,
            "date": s.date.isoformat() if s.date else None,
            "quote": s.quote,
        }
        for p in catalog.products
        for n, s in enumerate(p.sources, 1)
    ]


def _number(value: Decimal | None) -> int | float | None:
    """A quantity as the formats write numbers: 1200, 12.5."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def lot_rows(catalog: Catalog, config: BuildConfig, day: dt.date) -> list[Row]:
    rows = []
    base = config.base_url
    for p in catalog.products:
        for lot in p.lots:
            recalls = p.recalls_of(lot.code)
            tested = lot.inspection
            rows.append(
                {
                    "product_id": p.id,
                    "lot": lot.code,
                    "produced": lot.produced,
                    "use_by": lot.use_by,
                    "use_by_status": lot.status_on(day),
                    "quantity": _number(lot.quantity),
                    "unit": lot.unit,
                    "origin": lot.origin,
                    "origin_commune_code": lot.origin_commune,
                    "origin_commune_name": lot.origin_commune_name,
                    "inspection_report": tested.report if tested else None,
                    "inspection_laboratory": tested.laboratory if tested else None,
                    "inspection_date": tested.date if tested else None,
                    "inspection_result": tested.result if tested else None,
                    "inspection_url": tested.url if tested else None,
                    "note": lot.note,
                    "recall_ids": "; ".join(r.id for r in recalls) or None,
                    "recalled": any(r.active_on(day) for r in recalls),
                    "status_date": day,
                    "url": urls.absolute(base, urls.lot(p.id, lot.code)),
                    "gs1_url": urls.absolute(base, urls.gs1_lot(p.gtin14, lot.code))
                    if p.gtin14
                    else None,
                    "line": lot.line,
                    "lots_path": p.lots_path,
                    "example": p.example,
                }
            )
    return rows


def recall_rows(catalog: Catalog, config: BuildConfig, day: dt.date) -> list[Row]:
    """Newest first, as the recalls page and the feed list them."""
    by_id = {p.id: p for p in catalog.products}
    rows = []
    for r in catalog.recalls:
        product = by_id[r.product_id]
        rows.append(
            {
                "id": r.id,
                "product_id": r.product_id,
                "product_name": product.name,
                "date": r.date,
                "lots": "; ".join(r.lots) or None,
                "whole_product": not r.lots,
                "reason": r.reason,
                "action": r.action,
                "authority": r.authority,
                "decision": r.decision,
                "decision_url": r.decision_url,
                "contact": r.contact,
                "ended": r.ended,
                "active": r.active_on(day),
                "status_date": day,
                "url": urls.absolute(config.base_url, urls.recall(r.id)),
                "record_path": product.record_path,
                "example": product.example,
            }
        )
    return rows


def check_rows(spec: TableSpec, rows: Iterable[Row]) -> None:
    """A row builder and its Table Schema must name the same columns, in the same order."""
    for row in rows:
        if list(row) != spec.names:
            raise DatasetError(
                f"table {spec.name}: row columns differ from schemas/tables/{spec.name}.json",
                [f"row: {list(row)}", f"schema: {spec.names}"],
            )
        return


def table_rows(catalog: Catalog, config: BuildConfig, photos: PhotoIndex) -> dict[str, list[Row]]:
    """Every table but changes (which compares with the previous release)."""
    day = catalog.release_date
    return {
        "products": product_rows(catalog, config, day),
        "producers": producer_rows(catalog),
        "certificates": certificate_rows(catalog, day),
        "photos": photo_rows(catalog, config, photos),
        "sources": source_rows(catalog),
        "lots": lot_rows(catalog, config, day),
        "recalls": recall_rows(catalog, config, day),
    }
