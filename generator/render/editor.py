"""The web editor at `quan-tri/`: Decap CMS, configured from `schemas/`, never by hand.

Every property of the product and producer schemas becomes a form field: labels and hints in
Vietnamese from the schema's descriptions, required fields, patterns (lengths folded into
them: Decap checks no string length), enums as selects. A few properties get a widget that
knows the domain: the product id (proposed from the name by the `ocop new` rules, read-only
once saved), product group and subgroup (the vocabulary), the producer (chosen among the
producers), province and commune (searched with or without tone marks), photos (uploaded into
the product's folder). Records are written by our own format (`ocop-yaml` in ocop-editor.js),
which keeps an existing file's lines, comments and quoting and changes only what was edited.

The Decap bundle is copied from node_modules/ (installed by `./run build`, `npm ci`); the page
loads it and nothing else of the site loads it. Without node_modules the page still exists
and says how to get the editor.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator import urls
from generator.config import PROJECT_ROOT, BuildConfig, EditorSettings
from generator.places import load_places
from generator.skeleton.ids import (
    KIND_PREFIXES,
    MAX_PRODUCER_ID,
    MAX_PRODUCT_ID,
    province_prefixes,
    used_producer_ids,
    used_product_ids,
)
from generator.validate.schema import load_schema
from generator.vocab import Vocabulary, load_vocabulary
from generator.write import SiteWriter

NODE_MODULES = PROJECT_ROOT / "node_modules"
# What the page loads from node_modules: Decap's bundle with the chunks it loads on demand and
# the YAML library our record format reads and writes with.
DECAP_DIST = Path("decap-cms") / "dist"
YAML_DIST = Path("yaml") / "browser" / "dist"
BUNDLE = "decap-cms.js"
FORMAT = "ocop-yaml"
# The key our format keeps a record's original text under while it is edited (never written)
# and the one the save hook puts the product's province folder in, for the path template.
SOURCE_KEY = "ocop_source"
FOLDER_KEY = "ocop_province_folder"

WIDGET_ID = "ocop-id"
WIDGET_PROVINCE = "ocop-province"
WIDGET_COMMUNE = "ocop-commune"

# Widgets whose value is typed text: the schema's pattern applies to them.
PATTERNED = frozenset({"string", "text", WIDGET_ID, WIDGET_PROVINCE, WIDGET_COMMUNE})

PRODUCTS = "products"
PRODUCERS = "producers"


class UnmappedProperty(ValueError):
    """A schema construct the form generator does not know how to show: a schema change that
    needs a decision here, not a field silently left out."""


def editor_csp(settings: EditorSettings) -> str:
    """What Decap needs and no more. script: its config check compiles validators at run time
    ('unsafe-eval'); style: emotion writes <style> elements ('unsafe-inline'); img: previews
    of chosen photos (blob:), GitHub avatars and files; connect: the GitHub API, and the local
    proxy when one is configured (development and tests)."""
    connect = ["'self'", "blob:", "https://api.github.com"]
    if settings.local_backend:
        connect.append(origin(settings.local_backend))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob: https://avatars.githubusercontent.com "
            "https://raw.githubusercontent.com",
            "font-src 'self' data:",
            "connect-src " + " ".join(connect),
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


def origin(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


# ---------------------------------------------------------------------------------------------
# Fields from the schema


def label_of(prop: dict[str, Any], name: str) -> str:
    """A short label: the description's first clause ("Mã sản phẩm cố định, dùng làm địa chỉ
    trang: ..." -> "Mã sản phẩm cố định, dùng làm địa chỉ trang")."""
    text = str(prop.get("description") or name)
    first = re.split(r"[.:;(]\s|[.:;]$|\s\(", text, maxsplit=1)[0].strip()
    return first or name


def _length_pattern(prop: dict[str, Any]) -> str | None:
    low, high = prop.get("minLength"), prop.get("maxLength")
    if low is None and high is None:
        return None
    return "[\\s\\S]{" + f"{low or 0},{'' if high is None else high}" + "}"


def string_pattern(prop: dict[str, Any]) -> list[str] | None:
    """Decap's `pattern`: [regex, message]. Lengths join the schema's pattern as a lookahead."""
    pattern = prop.get("pattern")
    length = _length_pattern(prop)
    if pattern is None and length is None:
        return None
    examples = prop.get("examples") or []
    parts = []
    if length:
        high = prop.get("maxLength")
        parts.append(f"tối đa {high} ký tự" if high else f"ít nhất {prop['minLength']} ký tự")
    if pattern:
        parts.append("đúng dạng" + (f", ví dụ {examples[0]}" if examples else ""))
    message = "Ghi " + ", ".join(parts) + "."
    if pattern is None:
        return [f"^{length}$", message]
    if length is None:
        return [pattern, message]
    body = pattern.removeprefix("^")
    return [f"^(?={length}$){body}", message]


@dataclass(frozen=True)
class Vocab:
    groups: list[dict[str, str]]
    subgroups: list[dict[str, str]]
    kinds: dict[str, str]

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> Vocab:
        groups = [
            {"label": f"{code} · {label.vi}", "value": code}
            for code, label in vocabulary.groups.items()
        ]
        subgroups = [
            {"label": f"{code} · {label.vi}", "value": code}
            for subs in vocabulary.subgroups.values()
            for code, label in subs.items()
        ]
        kinds = {code: label.vi for code, label in vocabulary.producer_kinds.items()}
        return cls(groups, subgroups, kinds)


class FieldMaker:
    """Decap fields of one kind of record ("product" or "producer")."""

    def __init__(self, kind: str, vocab: Vocab) -> None:
        self.kind = kind
        self.vocab = vocab

    def fields(
        self, schema: dict[str, Any], path: str = "", present: bool = True
    ) -> list[dict[str, Any]]:
        """`present`: the object always exists (the record, a required object, a list item).
        Inside an optional object nothing is required by the form, or an absent revocation
        would demand its date; `ocop validate` still says what an object written lacks."""
        required = set(schema.get("required") or []) if present else set()
        return [
            self.field(name, prop, name in required, f"{path}{name}")
            for name, prop in (schema.get("properties") or {}).items()
        ]

    def field(self, name: str, prop: dict[str, Any], required: bool, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {"name": name, "label": label_of(prop, name)}
        hint = str(prop.get("description") or "")
        if hint and hint.rstrip(".") != out["label"]:
            out["hint"] = hint
        out["required"] = required
        out.update(self.widget(name, prop, path, required))
        if out["widget"] in PATTERNED and prop.get("type") == "string" and "pattern" not in out:
            pattern = string_pattern(prop)
            if pattern:
                out["pattern"] = pattern
        return out

    def widget(
        self, name: str, prop: dict[str, Any], path: str, required: bool = True
    ) -> dict[str, Any]:
        special = self.special(path)
        if special is not None:
            return special
        kind = prop.get("type")
        if "enum" in prop:
            return self.select(prop)
        if kind == "object":
            return {
                "widget": "object",
                "collapsed": not required,
                "fields": self.fields(prop, path + ".", present=required),
            }
        if kind == "array":
            return self.array(prop, path)
        if kind == "boolean":
            return {"widget": "boolean"}
        if kind in ("integer", "number"):
            number: dict[str, Any] = {
                "widget": "number",
                "value_type": "int" if kind == "integer" else "float",
            }
            for key, decap in (("minimum", "min"), ("maximum", "max")):
                if key in prop:
                    number[decap] = prop[key]
            return number
        if kind == "string":
            # Long free text (descriptions, stories, quotes) gets a text area; Markdown stays as
            # typed: a rich-text editor would rewrite it.
            widget = "text" if (prop.get("maxLength") or 0) > 300 else "string"
            out: dict[str, Any] = {"widget": widget}
            pattern = string_pattern(prop)
            if pattern:
                out["pattern"] = pattern
            return out
        raise UnmappedProperty(f"{self.kind}.{path}: type {kind!r} has no form field")

    def select(self, prop: dict[str, Any]) -> dict[str, Any]:
        values = prop["enum"]
        if all(isinstance(v, int) for v in values):
            options = [{"label": f"{v} sao", "value": v} for v in values]
        else:
            options = [{"label": self.vocab.kinds.get(v, v), "value": v} for v in values]
        return {"widget": "select", "options": options}

    def array(self, prop: dict[str, Any], path: str) -> dict[str, Any]:
        items = prop.get("items") or {}
        out: dict[str, Any] = {"widget": "list", "collapsed": False}
        if prop.get("minItems"):
            out["min"] = prop["minItems"]
        if "maxItems" in prop:
            out["max"] = prop["maxItems"]
        if items.get("type") == "object":
            out["fields"] = self.fields(items, path + ".")
            first = next(iter(items.get("properties") or {}), None)
            if first:
                out["summary"] = "{{fields." + first + "}}"
        elif items.get("type") == "string":
            out["field"] = {
                "name": "item",
                "label": label_of(items, "item"),
                **self.widget("item", items, path + ".item"),
            }
        else:
            raise UnmappedProperty(f"{self.kind}.{path}: array items have no form field")
        return out

    def special(self, path: str) -> dict[str, Any] | None:
        """Widgets that know the domain, by property path."""
        if path == "id":
            return {"widget": WIDGET_ID, "record": self.kind}
        if path in ("place.province",):
            return {"widget": WIDGET_PROVINCE}
        if path in ("place.commune",):
            return {"widget": WIDGET_COMMUNE}
        if self.kind != "product":
            return None
        if path == "group":
            return {"widget": "select", "options": self.vocab.groups}
        if path == "subgroup":
            return {"widget": "select", "options": self.vocab.subgroups}
        if path == "producer":
            return {
                "widget": "relation",
                "collection": PRODUCERS,
                "value_field": "id",
                "search_fields": ["name", "id"],
                "display_fields": ["{{name}} ({{id}})"],
                "options_length": 50,
            }
        if path == "photos.file":
            return {"widget": "image", "choose_url": False}
        return None


def _producer_hint(field: dict[str, Any]) -> dict[str, Any]:
    # Decap renders hints as Markdown: the link opens the producers' form in the editor.
    field["hint"] = (
        field.get("hint", "")
        + " Chưa có trong danh sách? [Thêm chủ thể mới](#/collections/producers/new), lưu, rồi "
        "chọn ở đây."
    ).strip()
    return field


# ---------------------------------------------------------------------------------------------
# The configuration


def editor_config(settings: EditorSettings, base_url: str, schemas_dir: Path) -> dict[str, Any]:
    vocab = Vocab.of(load_vocabulary(schemas_dir))
    product_fields = FieldMaker("product", vocab).fields(load_schema(schemas_dir, "product"))
    producer_fields = FieldMaker("producer", vocab).fields(load_schema(schemas_dir, "producer"))
    product_fields = [_producer_hint(f) if f["name"] == "producer" else f for f in product_fields]
    backend: dict[str, Any] = {
        "name": "github",
        "repo": settings.repo or "",
        "branch": settings.branch,
        "open_authoring": True,
        "squash_merges": True,
        "commit_messages": {
            "create": "Thêm {{collection}} “{{slug}}” (trình sửa web)",
            "update": "Sửa {{collection}} “{{slug}}” (trình sửa web)",
            "delete": "Xóa {{collection}} “{{slug}}” (trình sửa web)",
            "uploadMedia": "Tải lên “{{path}}”",
            "deleteMedia": "Xóa “{{path}}”",
            "openAuthoring": "{{message}}",
        },
    }
    if settings.auth_url:
        backend["base_url"] = settings.auth_url.rstrip("/")
        backend["auth_endpoint"] = settings.auth_endpoint
    config: dict[str, Any] = {
        "backend": backend,
        "publish_mode": "editorial_workflow",
        "locale": "vi",
        "site_url": base_url,
        "display_url": base_url,
        "logo_url": "",
        "search": True,
        "media_folder": "catalog/products",
        "public_folder": "",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": [
            {
                "name": PRODUCTS,
                "label": "Sản phẩm",
                "label_singular": "sản phẩm",
                "description": "Mỗi lần lưu là một đề nghị thay đổi (pull request) để kiểm tra "
                "trước khi lên trang.",
                "folder": "catalog/products",
                "path": "{{" + FOLDER_KEY + "}}/{{slug}}/product",
                "extension": "yaml",
                "format": FORMAT,
                "identifier_field": "id",
                "slug": "{{slug}}",
                "summary": "{{name}} ({{id}})",
                "create": True,
                "delete": False,  # a product is never deleted: printed QR codes point to it
                "media_folder": "",
                "public_folder": "",
                "sortable_fields": ["name", "id"],
                "fields": product_fields,
            },
            {
                "name": PRODUCERS,
                "label": "Chủ thể",
                "label_singular": "chủ thể",
                "folder": "catalog/producers",
                "extension": "yaml",
                "format": FORMAT,
                "identifier_field": "id",
                "slug": "{{slug}}",
                "summary": "{{name}} ({{id}})",
                "create": True,
                "delete": False,
                "sortable_fields": ["name", "id"],
                "fields": producer_fields,
            },
        ],
    }
    if settings.local_backend:
        config["local_backend"] = {"url": settings.local_backend}
    return config


def dump_config(config: dict[str, Any]) -> str:
    header = (
        "# Made by `ocop build` from schemas/ (generator/render/editor.py): do not edit by hand.\n"
    )
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=100)


def key_order(schemas_dir: Path) -> dict[str, list[str]]:
    """Property order below each object path ("certificate", "sources"), product first: where
    the record format places a key that an edit adds."""
    out: dict[str, list[str]] = {}

    def walk(schema: dict[str, Any], path: str) -> None:
        if schema.get("type") == "array":
            walk(schema.get("items") or {}, path)
            return
        props = schema.get("properties") or {}
        if props:
            out.setdefault(path, list(props))
            for name, prop in props.items():
                walk(prop, f"{path}.{name}" if path else name)

    for kind in ("product", "producer"):
        walk(load_schema(schemas_dir, kind), "")
    return out


def field_paths(fields: list[dict[str, Any]], prefix: str = "") -> set[str]:
    """Every property path a list of Decap fields stores: "certificate.revoked.date"."""
    out: set[str] = set()
    for f in fields:
        path = prefix + f["name"]
        out.add(path)
        out |= field_paths(f.get("fields") or [], path + ".")
    return out


# ---------------------------------------------------------------------------------------------
# What the page's own script reads: places, used ids


def places_data() -> dict[str, Any]:
    places = load_places()
    return {
        "provinces": [
            [p.code, p.name, p.codename] for p in sorted(places.provinces.values(), key=_code)
        ],
        "communes": [
            [c.code, c.name, c.province_code]
            for c in sorted(places.communes.values(), key=lambda c: c.code)
        ],
    }


def _code(p: Any) -> str:
    return str(p.code)


def ids_data(catalog_dir: Path) -> dict[str, Any]:
    """The ids in use when the site was built and the rules' prefixes: the id widget proposes
    one as `ocop new` would. The pull request's check has the last word (a record saved
    meanwhile by someone else)."""
    return {
        "product_max": MAX_PRODUCT_ID,
        "producer_max": MAX_PRODUCER_ID,
        "province_prefixes": province_prefixes(load_places()),
        "kind_prefixes": {k: [short, list(words)] for k, (short, words) in KIND_PREFIXES.items()},
        "products": sorted(used_product_ids(catalog_dir)),
        "producers": sorted(used_producer_ids(catalog_dir)),
    }


# ---------------------------------------------------------------------------------------------
# Writing the page


def bundle_files(node_modules: Path = NODE_MODULES) -> dict[str, Path]:
    """Site-relative name (below quan-tri/) -> file in node_modules; empty when not installed."""
    dist = node_modules / DECAP_DIST
    yaml_dist = node_modules / YAML_DIST
    if not (dist / BUNDLE).is_file() or not (yaml_dist / "index.js").is_file():
        return {}
    files = {BUNDLE: dist / BUNDLE}
    for path in sorted(dist.iterdir()):
        # the chunks Decap loads on demand; not its second copy (cms.js), the source maps, or
        # the WebAssembly of image conversions this configuration does not turn on
        if path.name.endswith(".decap-cms.js"):
            files[path.name] = path
    for path in sorted(yaml_dist.rglob("*.js")):
        files["yaml/" + path.relative_to(yaml_dist).as_posix()] = path
    return files


def render_editor(
    html: Any, config: BuildConfig, writer: SiteWriter, node_modules: Path = NODE_MODULES
) -> None:
    """Writes quan-tri/: the page, its configuration, our script and, when installed, Decap."""
    folder = urls.EDITOR
    settings = config.editor
    files = bundle_files(node_modules)
    for name, path in files.items():
        writer.write_bytes(folder + name, path.read_bytes())
    scripts = config.templates_dir / "editor"
    for path in sorted(scripts.iterdir()):
        if path.is_file():
            writer.write_bytes(folder + path.name, path.read_bytes())
    writer.write_text(
        folder + "config.yml",
        dump_config(editor_config(settings, config.base_url, config.schemas_dir)),
    )
    compact = {"ensure_ascii": False, "separators": (",", ":"), "sort_keys": True}
    writer.write_text(folder + "places.json", json.dumps(places_data(), **compact))
    writer.write_text(folder + "ids.json", json.dumps(ids_data(config.catalog_dir), **compact))
    writer.write_text(folder + "order.json", json.dumps(key_order(config.schemas_dir), **compact))
    page = urls.page_file(folder)
    text = html.env.get_template("editor.html").render(
        csp=editor_csp(settings),
        installed=bool(files),
        configured=bool(settings.repo or settings.local_backend),
        root="../",
        urls=urls,
        bundle=BUNDLE,
    )
    writer.write_text(page, text)
