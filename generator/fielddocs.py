"""The generated parts of the contribution guides, from the schemas and vocabularies.

CONTRIBUTING.md (Vietnamese) and CONTRIBUTING.en.md hold sections between markers such as
`<!-- fields:product:start -->` and `<!-- fields:product:end -->`. `scripts/make_contributing.py`
rewrites them with `render_guide`, and a test fails when a committed guide is out of date, so
the field tables, templates and error examples never drift from what validation does.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.config import PROJECT_ROOT, SCHEMAS_DIR
from generator.places import Places, load_places
from generator.record_template import render_record, unlisted_values, yaml_scalar
from generator.skeleton.dialogues import PHOTO_FILE
from generator.skeleton.ids import province_prefixes
from generator.validate.schema import load_schema
from generator.vocab import Vocabulary, load_vocabulary

GUIDES = {"vi": PROJECT_ROOT / "CONTRIBUTING.md", "en": PROJECT_ROOT / "CONTRIBUTING.en.md"}
CODEOWNERS = PROJECT_ROOT / ".github" / "CODEOWNERS"
MAINTAINERS = "@ocop-maintainers"  # placeholder team handle, see the CODEOWNERS header
EXAMPLES_AS_OF = dt.date(2026, 11, 20)  # fixed, so the generated examples do not change daily
_MARKER = re.compile(r"(<!-- ([a-z:_-]+):start -->\n)(.*?)(<!-- \2:end -->)", re.DOTALL)

_WORDS = {
    "vi": {
        "field": "Trường",
        "column": "Cột",
        "required": "Bắt buộc",
        "meaning": "Ý nghĩa",
        "example": "Ví dụ",
        "yes": "có",
        "no": "không",
        "when": "có, khi có `{parent}`",
        "one_of": "một trong {names}",
        "values": "Giá trị: {values}.",
        "code": "Mã",
        "province": "Tỉnh/thành phố",
        "folder": "Thư mục",
        "prefix": "Tiền tố mã gợi ý",
        "group": "Ngành/nhóm",
        "set": "Bộ sản phẩm",
        "unconfirmed": "chưa đối chiếu với văn bản gốc",
        "kind": "Loại chủ thể",
    },
    "en": {
        "field": "Field",
        "column": "Column",
        "required": "Required",
        "meaning": "Meaning",
        "example": "Example",
        "yes": "yes",
        "no": "no",
        "when": "yes, when `{parent}` is given",
        "one_of": "one of {names}",
        "values": "Values: {values}.",
        "code": "Code",
        "province": "Province/city",
        "folder": "Folder",
        "prefix": "Suggested id prefix",
        "group": "Group/subgroup",
        "set": "Product set",
        "unconfirmed": "not yet checked against the decision itself",
        "kind": "Kind of producer",
    },
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _example(prop: dict[str, Any]) -> str:
    examples = prop.get("examples")
    if not examples:
        return ""
    value = examples[0]
    if isinstance(value, list):
        return "<br>".join(f"`- {_cell(yaml_scalar(v))}`" for v in value)
    return f"`{_cell(yaml_scalar(value))}`"


def _rows(
    schema: dict[str, Any], lang: str, prefix: str, optional_parent: str | None
) -> list[list[str]]:
    words = _WORDS[lang]
    required = set(schema.get("required", []))
    alternatives = [
        name for option in schema.get("anyOf", []) for name in option.get("required", [])
    ]
    rows = []
    for key, prop in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        if key in required:
            need = words["when"].format(parent=optional_parent) if optional_parent else words["yes"]
        elif key in alternatives:
            names = ", ".join(f"`{n}`" for n in alternatives)
            need = words["one_of"].format(names=names)
            if optional_parent:
                need += f" ({words['when'].format(parent=optional_parent)})"
        else:
            need = words["no"]
        meaning = prop.get("description" if lang == "vi" else "x-description-en", "")
        if values := unlisted_values(prop, meaning):
            meaning += " " + words["values"].format(values=", ".join(f"`{v}`" for v in values))
        rows.append([f"`{path}`", need, _cell(meaning), _example(prop)])
        # children of an optional field are required only when that field is given
        child_parent = optional_parent if key in required else path
        if prop.get("type") == "object":
            rows += _rows(prop, lang, f"{path}.", child_parent)
        elif prop.get("type") == "array" and prop.get("items", {}).get("type") == "object":
            rows += _rows(prop["items"], lang, f"{path}[].", child_parent)
    return rows


def field_table(schema: dict[str, Any], lang: str) -> str:
    """Markdown table: field path, required?, meaning, example (from the schema's own text)."""
    words = _WORDS[lang]
    head = [words["field"], words["required"], words["meaning"], words["example"]]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(schema, lang, "", None)]
    return "\n".join(lines) + "\n"


def lots_table(schema: dict[str, Any], lang: str) -> str:
    """Markdown table of lots.csv's columns (its Table Schema): column, required?, meaning,
    example."""
    words = _WORDS[lang]
    head = [words["column"], words["required"], words["meaning"], words["example"]]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|"]
    for column in schema["fields"]:
        constraints = column.get("constraints", {})
        need = words["yes"] if constraints.get("required") else words["no"]
        meaning = column["description" if lang == "vi" else "x-description-en"]
        example = f"`{column['example']}`" if "example" in column else ""
        lines.append(f"| `{column['name']}` | {need} | {_cell(meaning)} | {example} |")
    return "\n".join(lines) + "\n"


def province_table(places: Places, lang: str) -> str:
    words = _WORDS[lang]
    prefixes = province_prefixes(places)
    head = [words["code"], words["province"], words["folder"], words["prefix"]]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|"]
    for code, info in places.provinces.items():
        lines.append(
            f'| `"{code}"` | {info.name} | `catalog/products/{info.codename}/` | '
            f"`{prefixes[code]}-` |"
        )
    return "\n".join(lines) + "\n"


def group_table(vocab: Vocabulary, lang: str) -> str:
    words = _WORDS[lang]
    head = [f"{words['code']} (`group`, `subgroup`)", words["group"], words["set"]]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|"]
    starred = False
    for code, group in vocab.groups.items():
        label = group.vi if lang == "vi" else group.en
        mark = "" if group.confirmed else " \\*"
        starred |= not group.confirmed
        lines.append(f"| `{code}` | **{_cell(label)}**{mark} | |")
        for sub in vocab.subgroups[code].values():
            label = sub.vi if lang == "vi" else sub.en
            mark = "" if sub.confirmed else " \\*"
            starred |= not sub.confirmed
            lines.append(f"| `{sub.code}` | {_cell(label)}{mark} | {sub.product_set} |")
    if starred:
        lines += ["", f"\\* {words['unconfirmed']} ({vocab.decision})."]
    return "\n".join(lines) + "\n"


def kind_table(vocab: Vocabulary, lang: str) -> str:
    words = _WORDS[lang]
    lines = [f"| `kind` | {words['kind']} |", "|---|---|"]
    for kind in vocab.producer_kinds.values():
        lines.append(f"| `{kind.code}` | {kind.vi if lang == 'vi' else f'{kind.en} ({kind.vi})'} |")
    return "\n".join(lines) + "\n"


def example_product() -> dict[str, Any]:
    """The product the guides' template shows: the schema's own examples."""
    return {
        "id": "qn-ruou-mo-yen-tu",
        "name": "Rượu mơ Yên Tử",
        "group": "II",
        "subgroup": "II.1.b",
        "stars": 4,
        "certificate": {
            "number": "1978/QĐ-UBND",
            "date": "2023-06-15",
            "issuer": "UBND tỉnh Quảng Ninh",
            "stars": 4,
        },
        "producer": "htx-yen-tu",
        "place": {"province": "22", "commune": "06832"},
        "photos": [{"file": PHOTO_FILE, "alt": "Chai rượu mơ màu hổ phách trên bàn gỗ"}],
        "sources": [
            {
                "title": "Quyết định công nhận sản phẩm OCOP",
                "url": "https://example.org/quyet-dinh-1978",
            }
        ],
        "updated": EXAMPLES_AS_OF.isoformat(),
    }


def example_producer() -> dict[str, Any]:
    return {
        "id": "htx-yen-tu",
        "name": "Hợp tác xã Yên Tử",
        "kind": "cooperative",
        "place": {"province": "22", "commune": "06832", "address": "Thôn Nam Mẫu"},
    }


def template_block(kind: str) -> str:
    data = example_product() if kind == "product" else example_producer()
    return "```yaml\n" + render_record(kind, load_schema(SCHEMAS_DIR, kind), data) + "```\n"


# Each breakage: (wrong line as the contributor wrote it, replacement of the right line).
_BREAKAGES = [
    ('  province: "22"', "  province: 22"),
    ('  date: "2023-06-15"', '  date: "2023-02-30"'),
    ("# shelf_life:", "shelflife:"),
]


def broken_example() -> str:
    """The template product with the mistakes contributors make most often."""
    text = render_record("product", load_schema(SCHEMAS_DIR, "product"), example_product())
    for right, wrong in _BREAKAGES:
        head, sep, tail = text.partition(right)
        assert sep, right  # the template changed: update _BREAKAGES
        text = head + wrong + tail
    return text


def error_examples(lang: str) -> str:
    """Real output of the validator on the broken template, its photo uploaded as ANH-1.jpg."""
    from PIL import Image  # only needed here, not by the tables

    from generator.catalog import check_catalog

    broken = broken_example()
    checked_lines = [
        (number, line)
        for number, line in enumerate(broken.splitlines(), start=1)
        if any(line.startswith(wrong) for _, wrong in _BREAKAGES)
        or line == f'  - file: "{PHOTO_FILE}"'
    ]
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp) / "catalog"
        folder = catalog / "products" / "quang_ninh" / "qn-ruou-mo-yen-tu"
        folder.mkdir(parents=True)
        (folder / "product.yaml").write_text(broken, encoding="utf-8")
        producer = render_record(
            "producer", load_schema(SCHEMAS_DIR, "producer"), example_producer()
        )
        (catalog / "producers").mkdir()
        (catalog / "producers" / "htx-yen-tu.yaml").write_text(producer, encoding="utf-8")
        # the photo is uploaded with the wrong case: a frequent mistake on phones
        Image.new("RGB", (800, 600), (180, 120, 40)).save(folder / "ANH-1.jpg", "JPEG")
        checked = check_catalog(catalog, SCHEMAS_DIR, EXAMPLES_AS_OF)
        shutil.rmtree(catalog)
    lines = "".join(f"{n:>3}  {line}\n" for n, line in checked_lines)
    output = "".join(p.format(lang) + "\n" for p in checked.problems)
    return f"```text\n{lines}```\n\n```text\n{output}```\n"


def codeowners(places: Places, current: str = "") -> str:
    """.github/CODEOWNERS: one line per province folder, owners kept from `current`.

    Owners written by hand on a line are kept, so the placeholders can be replaced in the file
    itself; regenerating only adds the lines of folders that are missing.
    """
    kept: dict[str, str] = {}
    for line in current.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            kept[parts[0]] = " ".join(parts[1:])

    def owned(pattern: str, placeholder: str) -> str:
        return f"{pattern} {kept.get(pattern, placeholder)}"

    lines = [
        "# Who reviews what: GitHub asks these owners to review every pull request that touches",
        "# their paths; a later line wins over an earlier one.",
        "#",
        "# The @ocop-...-office and @ocop-maintainers handles are PLACEHOLDERS: replace each with",
        "# the real GitHub team of that province's OCOP office (e.g. @org/ocop-quang-ninh) and of",
        "# the maintainers. Edit the owners here directly: scripts/make_contributing.py keeps them",
        "# and only adds lines for province folders that are missing.",
        "",
    ]
    lines += [
        owned(pattern, MAINTAINERS)
        for pattern in (
            "*",
            "/generator/",
            "/schemas/",
            "/scripts/",
            "/.github/",
            "/catalog/producers/",
            "/catalog/published-ids.txt",
        )
    ]
    lines += ["", "# One line per province folder (GitHub handles use hyphens, never '_')."]
    lines += [
        owned(f"/catalog/products/{info.codename}/", f"@ocop-{info.slug}-office")
        for info in places.provinces.values()
    ]
    return "\n".join(lines) + "\n"


def sections(lang: str) -> dict[str, Callable[[], str]]:
    places = load_places()
    vocab = load_vocabulary(SCHEMAS_DIR)
    return {
        "fields:product": lambda: field_table(load_schema(SCHEMAS_DIR, "product"), lang),
        "fields:producer": lambda: field_table(load_schema(SCHEMAS_DIR, "producer"), lang),
        "fields:lots": lambda: lots_table(load_schema(SCHEMAS_DIR, "lots"), lang),
        "provinces": lambda: province_table(places, lang),
        "groups": lambda: group_table(vocab, lang),
        "kinds": lambda: kind_table(vocab, lang),
        "template:product": lambda: template_block("product"),
        "template:producer": lambda: template_block("producer"),
        "errors": lambda: error_examples(lang),
    }


def render_guide(text: str, lang: str) -> str:
    """The guide with every generated section rewritten; the hand-written text is kept."""
    makers = sections(lang)

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in makers:
            raise KeyError(f"unknown generated section {name!r}")
        return match.group(1) + "\n" + makers[name]() + "\n" + match.group(4)

    return _MARKER.sub(replace, text)
