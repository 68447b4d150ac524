"""Table specifications (generator/render/datasets/specs.py)."""

from __future__ import annotations

import json

from datasets_support import SCHEMAS
from generator.render.datasets.specs import load_table_specs


def test_field_descriptions_come_from_the_record_schemas() -> None:
    product_schema = json.loads((SCHEMAS / "product.schema.json").read_text("utf-8"))
    specs = load_table_specs(SCHEMAS)
    name = next(f for f in specs["products"].fields if f.name == "name")
    assert name.source == "product#/name"
    assert name.description == product_schema["properties"]["name"]["description"]
    issuer = next(f for f in specs["certificates"].fields if f.name == "issuer")
    cert = product_schema["properties"]["certificate"]["properties"]["issuer"]
    assert (issuer.description, issuer.description_en) == (
        cert["description"],
        cert["x-description-en"],
    )
    assert all(
        f.description and f.description_en and f.title and f.title_en
        for spec in specs.values()
        for f in spec.fields
    )
