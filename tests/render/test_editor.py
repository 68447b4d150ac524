"""The web editor's configuration, generated from schemas/ (generator/render/editor.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import urls
from generator.config import PROJECT_ROOT, SCHEMAS_DIR, EditorSettings
from generator.render.editor import (
    UnmappedProperty,
    bundle_files,
    dump_config,
    editor_config,
    editor_csp,
    field_paths,
    key_order,
    string_pattern,
)
from generator.render.html import CSP

GOLDEN = PROJECT_ROOT / "tests" / "golden" / "quan-tri" / "config.yml"
SETTINGS = EditorSettings(repo="ocop-vn/danh-muc", auth_url="https://dang-nhap.example.org/")


def schema_paths(schema: dict[str, Any], prefix: str = "") -> set[str]:
    """Every property path of a schema, through objects and arrays of objects."""
    out: set[str] = set()
    for name, prop in (schema.get("properties") or {}).items():
        path = prefix + name
        out.add(path)
        inner = prop.get("items", {}) if prop.get("type") == "array" else prop
        out |= schema_paths(inner, path + ".")
    return out


def collection(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in config["collections"] if c["name"] == name)


@pytest.mark.parametrize(("kind", "name"), [("product", "products"), ("producer", "producers")])
def test_every_schema_property_has_a_field(kind: str, name: str) -> None:
    schema = json.loads((SCHEMAS_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    config = editor_config(SETTINGS, "https://ocop.example/", SCHEMAS_DIR)
    fields = field_paths(collection(config, name)["fields"])
    assert schema_paths(schema) - fields == set()
    assert fields - schema_paths(schema) == set()


def test_a_new_property_gets_a_field_and_an_unknown_kind_stops_the_build(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR, schemas)
    path = schemas / "product.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["recalls"] = {
        "type": "array",
        "description": "Các lần thu hồi lô hàng.",
        "items": {
            "type": "object",
            "properties": {
                "date": {"type": "string", "description": "Ngày.", "pattern": "^[0-9]{4}$"},
                "lots": {"type": "array", "items": {"type": "string", "description": "Lô."}},
            },
            "required": ["date"],
        },
    }
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    products = collection(editor_config(SETTINGS, "https://x/", schemas), "products")
    recalls = next(f for f in products["fields"] if f["name"] == "recalls")
    assert recalls["widget"] == "list" and not recalls["required"]
    assert recalls["fields"][0] == {
        "name": "date",
        "label": "Ngày",
        "required": True,
        "widget": "string",
        "pattern": ["^[0-9]{4}$", "Ghi đúng dạng."],
    }
    assert recalls["fields"][1]["field"]["widget"] == "string"

    schema["properties"]["recalls"]["items"]["properties"]["lots"]["items"] = {"type": "null"}
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(UnmappedProperty, match=r"product\.recalls\.lots"):
        editor_config(SETTINGS, "https://x/", schemas)


def test_configuration_matches_golden() -> None:
    text = dump_config(editor_config(SETTINGS, "https://ocop.example/", SCHEMAS_DIR))
    if os.environ.get("OCOP_REGENERATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_configuration_says_what_the_issue_asks() -> None:
    config = editor_config(SETTINGS, "https://ocop.example/", SCHEMAS_DIR)
    assert config["publish_mode"] == "editorial_workflow"
    assert config["locale"] == "vi"
    backend = config["backend"]
    assert backend["name"] == "github" and backend["open_authoring"] is True
    assert backend["repo"] == "ocop-vn/danh-muc"
    assert backend["base_url"] == "https://dang-nhap.example.org"
    assert "local_backend" not in config  # only when asked for (development, tests)
    products = collection(config, "products")
    assert products["folder"] == "catalog/products"
    assert products["path"] == "{{ocop_province_folder}}/{{slug}}/product"
    assert products["media_folder"] == "" and products["public_folder"] == ""
    assert products["delete"] is False
    by_name = {f["name"]: f for f in products["fields"]}
    assert by_name["stars"]["options"] == [
        {"label": "3 sao", "value": 3},
        {"label": "4 sao", "value": 4},
        {"label": "5 sao", "value": 5},
    ]
    assert by_name["group"]["options"][0] == {"label": "I · Thực phẩm", "value": "I"}
    assert {"label": "I.4.a · Tương, nước mắm, gia vị lỏng", "value": "I.4.a"} in by_name[
        "subgroup"
    ]["options"]
    assert by_name["producer"]["widget"] == "relation"
    assert by_name["producer"]["collection"] == "producers"
    assert "#/collections/producers/new" in by_name["producer"]["hint"]
    place = {f["name"]: f for f in by_name["place"]["fields"]}
    assert place["commune"]["widget"] == "ocop-commune" and place["commune"]["required"]
    photos = {f["name"]: f for f in by_name["photos"]["fields"]}
    assert photos["file"]["widget"] == "image"
    assert by_name["sources"]["min"] == 1
    kinds = {f["name"]: f for f in collection(config, "producers")["fields"]}["kind"]
    assert {"label": "Hợp tác xã", "value": "cooperative"} in kinds["options"]
    # inside an optional object nothing is required: an absent revocation asks for nothing
    certificate = {f["name"]: f for f in by_name["certificate"]["fields"]}
    assert certificate["number"]["required"] is True
    revoked = {f["name"]: f for f in certificate["revoked"]["fields"]}
    assert revoked["date"]["required"] is False


@pytest.mark.parametrize(
    ("prop", "good", "bad"),
    [
        ({"minLength": 1, "maxLength": 5}, ["a", "abcde", "a\nb"], ["", "abcdef"]),
        ({"pattern": "^[0-9]{2}$"}, ["22"], ["2", "222"]),
        (
            {"pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 8},
            ["qn-ab", "qn-abcde"],
            ["qn-abcdef", "QN", "qn--a"],
        ),
    ],
)
def test_string_pattern_enforces_schema_lengths_and_patterns(
    prop: dict[str, Any], good: list[str], bad: list[str]
) -> None:
    pattern, message = string_pattern(prop) or ["", ""]
    assert message.startswith("Ghi ")
    assert all(re.search(pattern, text) for text in good)
    assert not any(re.search(pattern, text) for text in bad)


def test_key_order_follows_the_schemas() -> None:
    order = key_order(SCHEMAS_DIR)
    assert order[""][:3] == ["id", "name", "name_en"]
    assert order["certificate"][:3] == ["number", "date", "issuer"]
    assert order["sources"] == ["title", "url", "document", "date", "quote"]


def test_editor_policy_only_on_the_editor() -> None:
    local = editor_csp(EditorSettings(local_backend="http://127.0.0.1:8081/api/v1"))
    assert "connect-src 'self' blob: https://api.github.com http://127.0.0.1:8081;" in local
    assert "127.0.0.1" not in editor_csp(SETTINGS)
    assert "unsafe" not in CSP  # every other page keeps its policy


def test_page_without_bundle_says_how_to_get_it(built_site: tuple[Path, str]) -> None:
    out, _ = built_site
    page = (out / urls.page_file(urls.EDITOR)).read_text(encoding="utf-8")
    editor_files = sorted(p.name for p in (out / urls.EDITOR).iterdir())
    assert "config.yml" in editor_files and "places.json" in editor_files
    config = yaml.safe_load((out / urls.EDITOR / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"]["repo"] == ""  # no repository given: the page says so
    if bundle_files():
        assert "chưa được cấu hình" in page
    else:
        assert "npm ci" in page
    assert "decap-cms.js" not in page  # nothing to load until configured


def test_no_public_page_loads_the_editor(built_site: tuple[Path, str]) -> None:
    out, _ = built_site
    for page in out.rglob("*.html"):
        if page.parent.name == "quan-tri":
            continue
        scripts = re.findall(r"<script[^>]*>", page.read_text(encoding="utf-8"))
        assert not [s for s in scripts if "decap-cms" in s or "ocop-editor" in s], page


def test_product_page_links_to_its_record_in_the_editor(built_site: tuple[Path, str]) -> None:
    out, _ = built_site
    page = (out / "p" / "qn-valid" / "index.html").read_text(encoding="utf-8")
    href = "../../" + urls.editor_entry("quang_ninh", "qn-valid")
    assert f'<a href="{href}" rel="nofollow">Sửa trang này</a>' in page
    assert href.endswith("quan-tri/#/collections/products/entries/quang_ninh/qn-valid/product")
