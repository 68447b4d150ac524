"""The contribution guides: generated parts up to date, and every example in them real."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, SCHEMAS_DIR
from generator.fielddocs import (
    CODEOWNERS,
    EXAMPLES_AS_OF,
    GUIDES,
    codeowners,
    error_examples,
    example_producer,
    example_product,
    field_table,
    render_guide,
    sections,
)
from generator.places import load_places
from generator.record_template import render_record
from generator.skeleton.dialogues import PHOTO_FILE
from generator.validate.schema import load_schema
from generator.yamlfile import parse_record

_YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)


def _paths(schema: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, prop in schema.get("properties", {}).items():
        out.append(prefix + key)
        if prop.get("type") == "object":
            out += _paths(prop, f"{prefix}{key}.")
        elif prop.get("type") == "array":
            out += _paths(prop.get("items", {}), f"{prefix}{key}[].")
    return out


def test_committed_guides_and_codeowners_are_up_to_date() -> None:
    script = PROJECT_ROOT / "scripts" / "make_contributing.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_generated_section_is_in_the_guide(lang: str) -> None:
    text = GUIDES[lang].read_text(encoding="utf-8")
    for name in sections(lang):
        assert text.count(f"<!-- {name}:start -->") == 1, name
        assert text.count(f"<!-- {name}:end -->") == 1, name
    assert render_guide(text, lang) == text


@pytest.mark.parametrize("kind", ["product", "producer"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_field_table_has_a_row_per_field(kind: str, lang: str) -> None:
    schema = load_schema(SCHEMAS_DIR, kind)
    rows = field_table(schema, lang).splitlines()[2:]
    assert [row.split(" | ")[0].removeprefix("| ").strip("`") for row in rows] == _paths(schema)
    place = next(row for row in rows if row.startswith("| `place.province` |"))
    yes = "có" if lang == "vi" else "yes"
    meaning = schema["properties"]["place"]["properties"]["province"]
    text = meaning["description" if lang == "vi" else "x-description-en"]
    assert place == f'| `place.province` | {yes} | {text} | `"22"` |'


def test_required_column_follows_the_parents() -> None:
    rows = {
        row.split(" | ")[0]: row.split(" | ")[1]
        for row in field_table(load_schema(SCHEMAS_DIR, "product"), "en").splitlines()[2:]
    }
    assert rows["| `certificate.number`"] == "yes"  # certificate is required
    # photos may be left out (a product without a photo yet), but a photo given needs its alt
    assert rows["| `photos[].alt`"] == "yes, when `photos` is given"
    assert rows["| `withdrawn.date`"] == "yes, when `withdrawn` is given"
    assert rows["| `certificate.revoked.decision`"] == "yes, when `certificate.revoked` is given"
    assert rows["| `sources[].url`"] == "one of `url`, `document`"
    assert rows["| `gtin`"] == "no"


def test_template_validates_once_its_photo_is_uploaded(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    folder = catalog / "products" / "quang_ninh" / example_product()["id"]
    folder.mkdir(parents=True)
    product = render_record("product", load_schema(SCHEMAS_DIR, "product"), example_product())
    (folder / "product.yaml").write_text(product, encoding="utf-8")
    Image.new("RGB", (900, 600), (90, 60, 30)).save(folder / PHOTO_FILE, "JPEG")
    (catalog / "producers").mkdir()
    producer = render_record("producer", load_schema(SCHEMAS_DIR, "producer"), example_producer())
    (catalog / "producers" / "htx-yen-tu.yaml").write_text(producer, encoding="utf-8")
    checked = check_catalog(catalog, SCHEMAS_DIR, EXAMPLES_AS_OF)
    assert [p.format() for p in checked.problems] == []


def _known(data: Any, schema: dict[str, Any], where: str) -> None:
    """Every key of a documentation snippet is a field of the schema."""
    if isinstance(data, dict):
        props = schema.get("properties", {})
        for key, value in data.items():
            assert key in props, f"{where}: unknown field {key!r}"
            _known(value, props[key], f"{where}.{key}")
    elif isinstance(data, list):
        for item in data:
            _known(item, schema.get("items", {}), f"{where}[]")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_yaml_snippets_parse_and_use_real_fields(lang: str) -> None:
    text = GUIDES[lang].read_text(encoding="utf-8")
    blocks = _YAML_BLOCK.findall(text)
    assert len(blocks) >= 5  # two templates, re-rating, revocation, withdrawal
    for block in blocks:
        parsed = parse_record(block.encode(), "snippet")
        assert parsed.problems == [], block
        schema = load_schema(SCHEMAS_DIR, "producer" if "kind" in parsed.data else "product")
        _known(parsed.data, schema, "snippet")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_error_examples_are_real_validator_lines(lang: str) -> None:
    output = error_examples(lang).split("```text\n")[2].removesuffix("```\n")
    lines = output.splitlines()
    assert len(lines) >= 3
    codes = [line.rsplit("[", 1)[1].rstrip("]") for line in lines]
    assert {"invalid-date", "wrong-type", "unknown-field", "photo-missing"} <= set(codes)
    for line in lines:
        assert re.fullmatch(r"catalog/products/\S+/product\.yaml:\d+: \S+: .+ \[[a-z-]+\]", line)


def test_codeowners_covers_every_province_and_keeps_real_teams() -> None:
    places = load_places()
    text = CODEOWNERS.read_text(encoding="utf-8")
    for info in places.provinces.values():
        assert f"/catalog/products/{info.codename}/ @" in text
    assert "PLACEHOLDERS" in text
    edited = text.replace("@ocop-quang-ninh-office", "@so-nnmt-qn/ocop")
    assert codeowners(places, edited) == edited
    assert "/generator/ @ocop-maintainers\n/schemas/ @ocop-maintainers\n" in codeowners(places)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_lots_table_example_is_valid_and_its_columns_are_the_schemas(lang: str) -> None:
    import json

    from generator.errors import format_text
    from generator.lots import LotsTable, parse_lots
    from generator.validate.lots import check_lots_table, lots_schema

    text = GUIDES[lang].read_text(encoding="utf-8")
    blocks = re.findall(r"```csv\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 1
    parsed = parse_lots(blocks[0].encode(), "lots.csv")
    assert parsed.header is not None and parsed.problems == []
    table = LotsTable("lots.csv", "", parsed.header_line, parsed.header, parsed.rows, parsed.lines)
    schema = load_schema(SCHEMAS_DIR, "lots")
    problems, _ = check_lots_table(
        table, lots_schema(json.dumps(schema)), load_places(), EXAMPLES_AS_OF
    )
    assert format_text(problems) == ""
    rows = text.split("<!-- fields:lots:start -->")[1].split("<!-- fields:lots:end -->")[0]
    named = re.findall(r"^\| `([a-z_]+)` \|", rows, re.MULTILINE)
    assert named == [f["name"] for f in schema["fields"]]
