"""A record written as commented YAML: every field under its schema description, the fields
without a value commented out with an example, so the file itself teaches the format.

`ocop new` writes its skeletons with it, and the contribution guides show their templates with
it (generator/fielddocs.py), so the guides show exactly what `ocop new` writes."""

from __future__ import annotations

import json
from typing import Any

# Events of a record's later life: documented in CONTRIBUTING.md, never part of a new record.
SKIPPED = frozenset({"withdrawn", "example", "revoked", "recalls"})


def yaml_scalar(value: Any) -> str:
    """Text always in double quotes: codes keep their leading zeros, `:` `#` `*` stay text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _example(prop: dict[str, Any]) -> str:
    examples = prop.get("examples")
    return " " + yaml_scalar(examples[0]) if examples else ""


def _example_lines(key: str, prop: dict[str, Any], indent: int, note: bool) -> list[str]:
    """An unanswered field as plain YAML lines (commented out by the caller)."""
    pad = " " * indent
    trailing = f"  # {prop.get('description', '')}" if note and prop.get("description") else ""
    kind = prop.get("type")
    if kind == "object":
        lines = [f"{pad}{key}:{trailing}"]
        for child, child_prop in prop.get("properties", {}).items():
            if child not in SKIPPED:
                lines += _example_lines(child, child_prop, indent + 2, True)
        return lines
    if kind == "array":
        items = prop.get("items", {})
        if items.get("type") == "object":
            inner: list[str] = []
            for child, child_prop in items.get("properties", {}).items():
                if child not in SKIPPED:
                    inner += _example_lines(child, child_prop, indent + 4, True)
            inner[0] = f"{pad}  - {inner[0].lstrip()}"
            return [f"{pad}{key}:{trailing}", *inner]
        return [f"{pad}{key}:{trailing}", f"{pad}  -{_example(items) or ' ...'}"]
    return [f"{pad}{key}:{_example(prop)}{trailing}"]


def unlisted_values(prop: dict[str, Any], description: str) -> list[str]:
    """The values a field allows (its enum), when its description does not name them all."""
    enum = prop.get("enum")
    if enum and not all(str(v) in description for v in enum):
        return [str(v) for v in enum]
    return []


def _comment(prop: dict[str, Any]) -> str:
    """The schema description, plus the allowed values when it does not list them."""
    text = prop.get("description", "")
    if values := unlisted_values(prop, text):
        text += " Một trong: " + ", ".join(values) + "."
    return text


def _emit_object(schema: dict[str, Any], data: dict[str, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, prop in schema.get("properties", {}).items():
        if key in SKIPPED and key not in data:
            continue
        if prop.get("description"):
            out.append(f"{pad}# {_comment(prop)}")
        if key not in data:
            out += [f"{pad}# {line[indent:]}" for line in _example_lines(key, prop, indent, False)]
            continue
        value = data[key]
        if isinstance(value, dict):
            out.append(f"{pad}{key}:")
            _emit_object(prop, value, indent + 2, out)
        elif isinstance(value, list):
            out.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, dict):
                    inner: list[str] = []
                    _emit_object(prop.get("items", {}), item, indent + 4, inner)
                    first = next(
                        i for i, line in enumerate(inner) if not line.lstrip().startswith("#")
                    )
                    # the comments above the item's first field sit with the "- " marker
                    inner[:first] = [f"{pad}  {line.lstrip()}" for line in inner[:first]]
                    inner[first] = f"{pad}  - {inner[first].lstrip()}"
                    out += inner
                else:
                    out.append(f"{pad}  - {yaml_scalar(item)}")
        else:
            out.append(f"{pad}{key}: {yaml_scalar(value)}")


def render_record(kind: str, schema: dict[str, Any], data: dict[str, Any]) -> str:
    what, field_name = ("sản phẩm", "gtin") if kind == "product" else ("chủ thể", "email")
    header = [
        f"# Hồ sơ {what} OCOP. Ý nghĩa từng trường: CONTRIBUTING.md (English: CONTRIBUTING.en.md).",
        '# Dòng bắt đầu bằng "#" là ghi chú. Để điền một trường đang tắt (ví dụ',
        f'# "# {field_name}: ..."), xóa "# " ở đầu dòng có tên trường rồi sửa giá trị.',
        "# Kiểm tra hồ sơ: ocop validate",
    ]
    out = list(header)
    _emit_object(schema, data, 0, out)
    return "\n".join(out) + "\n"
