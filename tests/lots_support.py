"""The fixture's lots and recall (tests/fixtures/catalog, AS_OF 2026-11-23), as objects: for tests
that need them on a catalog loaded without them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from generator.model import Catalog, Inspection, Lot, Recall

D = dt.date.fromisoformat
ORIGIN = "Vùng nguyên liệu mẫu"


def _lot(
    code: str, produced: str, use_by: str, quantity: int, unit: str, line: int, **more: Any
) -> Lot:
    fields: dict[str, Any] = dict(
        origin=None,
        origin_commune=None,
        origin_commune_name=None,
        inspection=None,
        note=None,
    )
    fields.update(more)
    return Lot(code, D(produced), D(use_by), Decimal(quantity), unit, line=line, **fields)


QN_VALID_LOTS = (
    _lot(
        "L2025-01",
        "2025-03-01",
        "2026-03-01",
        1200,
        "chai",
        2,
        origin=ORIGIN,
        origin_commune="06832",
        origin_commune_name="Phường Yên Tử",
        inspection=Inspection(
            "KQ-0001/2025",
            "Phòng thử nghiệm mẫu",
            D("2025-03-05"),
            "pass",
            "https://example.org/kq-0001.pdf",
        ),
        note="Lô mẫu cho kiểm thử",
    ),
    _lot(
        "L2026-07",
        "2026-07-15",
        "2027-07-15",
        800,
        "chai",
        3,
        origin=ORIGIN,
        origin_commune="06832",
        origin_commune_name="Phường Yên Tử",
    ),
    _lot(
        "L2026-09",
        "2026-09-10",
        "2027-09-10",
        500,
        "chai",
        4,
        origin=ORIGIN,
        origin_commune="06832",
        origin_commune_name="Phường Yên Tử",
        note="Lô bị thu hồi trong dữ liệu mẫu",
    ),
)
QN_VALID_RECALL = Recall(
    id="qn-valid-2026-10-05",
    product_id="qn-valid",
    date=D("2026-10-05"),
    lots=("L2026-09",),
    reason="Lý do mẫu: kết quả kiểm nghiệm mẫu không đạt",
    action="Ngừng sử dụng; mang sản phẩm đến cửa hàng mẫu để được hoàn tiền",
    authority="Cơ quan mẫu",
    decision="Quyết định mẫu 01/QĐ-MAU",
    decision_url=None,
    contact="Cửa hàng mẫu, thôn Mẫu 1",
    ended=None,
)
NAM_LOTS = (_lot("NAM.2026.1", "2026-06-01", "2026-12-01", 40, "kg", 2),)


def with_sample_lots(catalog: Catalog) -> Catalog:
    """The catalog with the fixture's lots and recall, unless it has lots already."""
    if any(p.lots for p in catalog.products):
        return catalog
    more = {
        "qn-valid": dict(
            lots=QN_VALID_LOTS,
            recalls=(QN_VALID_RECALL,),
            lots_path="catalog/products/quang_ninh/qn-valid/lots.csv",
            lots_sha256="1" * 64,
        ),
        "qn-nam-chua-ro": dict(
            lots=NAM_LOTS,
            lots_path="catalog/products/quang_ninh/qn-nam-chua-ro/lots.csv",
            lots_sha256="2" * 64,
        ),
    }
    products = tuple(
        dataclasses.replace(p, **more[p.id]) if p.id in more else p for p in catalog.products
    )
    return dataclasses.replace(catalog, products=products)


@contextmanager
def builds_with_sample_lots() -> Iterator[None]:
    """build_site's catalog gets the fixture's lots (generator.catalog.catalog_or_report)."""
    import generator.catalog as module

    original = module.catalog_or_report

    def patched(*args: Any, **kwargs: Any) -> Catalog | None:
        catalog = original(*args, **kwargs)
        return with_sample_lots(catalog) if catalog is not None else None

    module.catalog_or_report = patched  # type: ignore[assignment]
    try:
        yield
    finally:
        module.catalog_or_report = original  # type: ignore[assignment]
