"""Id suggestion, through one import of the `ocop new` helpers (so the rules stay in one place:
province prefix, folded name, unique, never an id of the published ledger)."""

from __future__ import annotations

from generator.skeleton import (
    province_prefixes,
    suggest_producer_id,
    suggest_product_id,
    used_producer_ids,
    used_product_ids,
)

__all__ = [
    "province_prefixes",
    "suggest_producer_id",
    "suggest_product_id",
    "used_producer_ids",
    "used_product_ids",
]
