"""`ocop new product|producer`: asks in Vietnamese, then writes a commented record skeleton.

Every field of the written record is preceded by its schema description, and the optional
fields nobody answered are left as commented-out lines, so the file itself teaches the format.
Answers can be given in advance (`--set key=value`); with `interactive=False` nothing is asked.

The parts: `prompts` (asking, re-asking, picking among matches), `answers` (an answer's type,
date form and schema), `resolvers` (places, groups, producers by name), `ids` (suggested and
used ids), `dialogues` (the questions of each kind of record); the file itself is written by
generator/record_template.py, which the contribution guides share."""

from __future__ import annotations

import sys
from pathlib import Path

from generator.config import SCHEMAS_DIR, today_in_vietnam
from generator.load import display_path
from generator.places import load_places
from generator.record_template import render_record
from generator.skeleton.dialogues import (
    PHOTO_FILE,
    PRODUCER_KEYS,
    PRODUCT_KEYS,
    DialogueContext,
    producer_dialogue,
    product_dialogue,
)
from generator.skeleton.prompts import Session
from generator.validate.schema import load_schema
from generator.vocab import load_vocabulary


def run_new(kind: str, catalog_dir: Path, answers: dict[str, str], interactive: bool) -> int:
    """Asks, writes the skeleton, prints the next steps. 0 when written, 1 otherwise."""
    catalog_dir = catalog_dir.resolve()
    schema = load_schema(SCHEMAS_DIR, kind)
    session = Session({k.strip(): v for k, v in answers.items()}, interactive)
    context = DialogueContext(
        catalog_dir,
        schema,
        load_places(),
        load_vocabulary(SCHEMAS_DIR),
        today_in_vietnam(),
        session,
        PRODUCT_KEYS if kind == "product" else PRODUCER_KEYS,
    )
    if interactive:
        what = "sản phẩm" if kind == "product" else "chủ thể"
        print(f"Tạo hồ sơ {what} mới trong {catalog_dir}. Ctrl+C để dừng.")
    try:
        target = (product_dialogue if kind == "product" else producer_dialogue)(context)
    except (EOFError, KeyboardInterrupt):
        print("\nĐã dừng, không tạo tệp nào.", file=sys.stderr)
        return 1
    if target is None:
        print("Không tạo hồ sơ:", file=sys.stderr)
        for error in session.errors or ["thiếu câu trả lời"]:
            print(f"  - {error}", file=sys.stderr)
        return 1
    file, record_id = target
    shown = display_path(catalog_dir, file)
    if file.exists() or (kind == "product" and file.parent.exists()):
        print(f"Không ghi đè: {shown} đã có. Chọn mã khác.", file=sys.stderr)
        return 1
    text = render_record(kind, schema, context.data)
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
        handle.write(text)
    print(f"Đã tạo {shown}")
    print("Việc tiếp theo:")
    if kind == "product":
        folder = shown.rsplit("/", 1)[0]
        print(
            f"  1. Tải ảnh sản phẩm lên thư mục {folder}/ với tên {PHOTO_FILE} (JPEG, PNG hoặc "
            "WebP; cạnh ngắn ít nhất 600 px; tối đa 15 MB). Thêm ảnh khác vào `photos`."
        )
        print('  2. Mở product.yaml, điền các trường tùy chọn nếu có (xóa "# " đầu dòng).')
    else:
        print(f'  1. Mở {file.name}, điền các trường tùy chọn nếu có (xóa "# " đầu dòng).')
        print(f"  2. Thêm sản phẩm của chủ thể này: ocop new product --set producer={record_id}")
    print("  3. Kiểm tra: ocop validate")
    print("  4. Mở pull request (xem CONTRIBUTING.md).")
    return 0
