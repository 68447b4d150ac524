"""The texts that travel with the files: the licence (LICENSE.md) and the data dictionary
(README.md), written from the same table specifications as the descriptor and the data page."""

from __future__ import annotations

from generator import urls
from generator.config import BuildConfig
from generator.render.datasets.specs import TABLES, TableSpec
from generator.render.html import SITE_NAME, SITE_NAME_EN

DATA_LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


def licence_text(release: str, config: BuildConfig) -> str:
    data_page = urls.absolute(config.base_url, urls.DATA)
    return f"""# Giấy phép / Licence

Dữ liệu {SITE_NAME}, bản phát hành {release}.

## Dữ liệu / Data

Mọi bảng (CSV, JSON, SQLite, Excel) theo giấy phép Creative Commons Ghi công 4.0 Quốc tế
(CC BY 4.0): {DATA_LICENCE["path"]}
Khi dùng lại, ghi: "{SITE_NAME}, bản phát hành {release}, {data_page} (CC BY 4.0)".

All tables (CSV, JSON, SQLite, Excel) are under Creative Commons Attribution 4.0
International (CC BY 4.0). Credit: "{SITE_NAME_EN}, release {release},
{data_page} (CC BY 4.0)".

## Ảnh / Photos

Ảnh sản phẩm KHÔNG thuộc giấy phép trên. Mỗi ảnh theo giấy phép ghi ở cột `licence` của
photos.csv, ghi công theo cột `credit`; cột trống nghĩa là chưa rõ giấy phép: hỏi chủ thể
trước khi dùng lại ảnh.

Product photos are NOT covered by the licence above. Each photo is under the licence in the
`licence` column of photos.csv, credited as in `credit`; an empty licence means unknown: ask the
producer before reusing the photo.

## Hồ sơ ví dụ / Example records

Dòng có `example = true` là minh họa, không phải dữ liệu thật.
Rows with `example = true` are illustrative, not real data.
"""


def dictionary_markdown(specs: dict[str, TableSpec], release: str) -> str:
    lines = [
        f"# Từ điển dữ liệu / Data dictionary — {SITE_NAME}, {release}",
        "",
        "CSV: UTF-8, dòng tiêu đề, xuống dòng LF, ngày dạng YYYY-MM-DD, ô trống là không có giá "
        "trị. Ô văn bản bắt đầu bằng `=`, `+`, `-`, `@`, tab hoặc CR có thêm dấu `'` ở đầu để "
        'bảng tính không chạy như công thức (ví dụ mô tả Markdown bắt đầu bằng "- "); bỏ dấu '
        "này khi đọc bằng chương trình. JSON, SQLite và Excel giữ nguyên văn bản.",
        "",
        "CSV: UTF-8, header row, LF line ends, dates YYYY-MM-DD, empty cell = no value. Text "
        "cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so spreadsheets do "
        'not run them as formulas (e.g. Markdown descriptions starting with "- "); strip it '
        "when reading with a program. JSON, SQLite and Excel keep the text as is.",
    ]
    for name in TABLES:
        spec = specs[name]
        lines += [
            "",
            f"## {name}.csv — {spec.title} / {spec.title_en}",
            "",
            f"{spec.description}",
            "",
            f"{spec.description_en}",
            "",
            f"Khóa chính / primary key: {', '.join(spec.primary_key)}",
            "",
            "| cột / column | kiểu / type | tên / title | mô tả / description |",
            "|---|---|---|---|",
        ]
        for f in spec.fields:
            desc = f"{f.description} {f.description_en}".replace("|", "\\|")
            lines.append(f"| `{f.name}` | {f.type} | {f.title} / {f.title_en} | {desc} |")
    return "\n".join(lines) + "\n"
