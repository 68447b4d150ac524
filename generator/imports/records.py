"""Writing imported records as YAML, and finding the ones an earlier import wrote.

Each record written by `ocop import` starts with a comment line carrying the decision and the
row's identity (folded product and producer names, not the row's position), so a re-run knows
its own records whatever the order of the list, and leaves every other record alone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.imports.producers import name_key
from generator.yamlfile import parse_record

MARKER = "# ocop import: "
PRODUCT_FILE = "product.yaml"
# Fields an import sets; on --update these are replaced and every other field is kept.
PRODUCT_FIELDS = ("id", "name", "group", "subgroup", "stars", "certificate", "producer", "place")
# Set by an import, never removed by one: a group once marked as assigned by whoever entered
# it stays marked until someone who found it in a source removes the mark by hand.
GROUP_INFERRED = "group_inferred"


def marker_line(identity: dict[str, str]) -> str:
    return MARKER + json.dumps(identity, ensure_ascii=False, sort_keys=True)


def read_marker(file: Path) -> dict[str, str] | None:
    try:
        with file.open(encoding="utf-8") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError):
        return None
    if not first.startswith(MARKER):
        return None
    try:
        found = json.loads(first[len(MARKER) :])
    except json.JSONDecodeError:
        return None
    return found if isinstance(found, dict) else None


@dataclass(frozen=True)
class ExistingProducts:
    """The catalog's product records, as an import needs them: those an import wrote, by
    (decision, row identity), and those written by hand, by (name key, producer id)."""

    imported: dict[tuple[str, str], Path]
    hand_written: dict[tuple[str, str], Path]


def existing_products(catalog_dir: Path) -> ExistingProducts:
    """One walk over the product records; a hand-written one is parsed for its name and
    producer, an imported one only has its first line read."""
    imported: dict[tuple[str, str], Path] = {}
    hand_written: dict[tuple[str, str], Path] = {}
    for file in sorted((catalog_dir / "products").glob(f"*/*/{PRODUCT_FILE}")):
        found = read_marker(file)
        if found is not None:
            if "decision" in found and "row" in found:
                imported[(found["decision"], found["row"])] = file
            continue
        data = read_data(file)
        if data and isinstance(data.get("name"), str) and isinstance(data.get("producer"), str):
            hand_written[(name_key(data["name"]), data["producer"])] = file
    return ExistingProducts(imported, hand_written)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML one


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, item in value.items():
        if isinstance(item, dict):
            out.append(f"{pad}{key}:")
            _emit(item, indent + 2, out)
        elif isinstance(item, list):
            out.append(f"{pad}{key}:")
            for element in item:
                if isinstance(element, dict):
                    inner: list[str] = []
                    _emit(element, indent + 4, inner)
                    inner[0] = f"{pad}  - {inner[0].lstrip()}"
                    out += inner
                else:
                    out.append(f"{pad}  - {_scalar(element)}")
        else:
            out.append(f"{pad}{key}: {_scalar(item)}")


def render(identity: dict[str, str], note: str, data: dict[str, Any]) -> str:
    out = [marker_line(identity), f"# {note}"]
    _emit(data, 0, out)
    return "\n".join(out) + "\n"


def read_data(file: Path) -> dict[str, Any] | None:
    data = parse_record(file.read_bytes(), file.name).data
    return data if isinstance(data, dict) else None


def merged(existing: dict[str, Any], fresh: dict[str, Any], order: list[str]) -> dict[str, Any]:
    """The existing record with the import's fields replaced, in the schema's order."""
    out = dict(existing)
    for key in PRODUCT_FIELDS:
        if key in fresh:
            out[key] = fresh[key]
        elif key == "subgroup":
            out.pop(key, None)
    if fresh.get(GROUP_INFERRED):
        out[GROUP_INFERRED] = True
    sources = list(existing.get("sources") or [])
    for source in fresh.get("sources", []):
        if source not in sources:
            sources.append(source)
    out["sources"] = sources
    out["updated"] = fresh["updated"]
    keys = [k for k in order if k in out] + [k for k in out if k not in order]
    return {k: out[k] for k in keys}


def write_new(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("x", encoding="utf-8", newline="\n") as handle:  # never overwrite
        handle.write(text)


def replace(file: Path, text: str) -> None:
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, file)
