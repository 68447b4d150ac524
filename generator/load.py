"""Stage 1: walk catalog/ and read every record, keeping line numbers. Never raises on bad input."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import Problem, problem
from generator.parallel import map_chunks
from generator.yamlfile import FieldPath, parse_record

PRODUCT_FILE = "product.yaml"
_NEAR_MISSES = {"product.yml", "Product.yaml", "product.yaml.txt", "san-pham.yaml", "product.YAML"}
_IGNORED = {"README.md", ".gitkeep", ".DS_Store", "Thumbs.db"}


@dataclass(frozen=True)
class Record:
    kind: str  # "product" | "producer"
    display: str  # path shown in messages: "catalog/products/quang_ninh/x/product.yaml"
    file: Path  # absolute path of the YAML file
    data: dict[str, Any]
    lines: dict[FieldPath, int]
    sha256: str
    texts: dict[FieldPath, str] = field(default_factory=dict)  # source of non-text values
    all_nfc: bool = False  # every text value is known to be NFC (checked on the whole file)

    @property
    def folder(self) -> Path:
        return self.file.parent

    def line(self, path: FieldPath) -> int:
        """Line of a field, or of its nearest parent that exists (a missing field)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


@dataclass
class LoadedCatalog:
    root: Path
    products: list[Record] = field(default_factory=list)
    producers: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # product folders that exist, by display path, even when their record failed to parse:
    # the ledger check must not claim such a product "disappeared"
    product_folders: dict[str, str] = field(default_factory=dict)  # folder name -> display
    # likewise every producer file, read or not (misnamed `.yml`, YAML errors): products that
    # name it are not told that the producer does not exist
    producer_files: dict[str, str] = field(default_factory=dict)  # file stem -> display


def display_path(root: Path, file: Path) -> str:
    return f"{root.name}/{file.relative_to(root).as_posix()}"


def load_records(catalog_dir: Path) -> LoadedCatalog:
    root = catalog_dir.resolve()
    out = LoadedCatalog(root)
    _load_products(root, out)
    _load_producers(root, out)
    return out


def _read(root: Path, file: Path, kind: str, out: LoadedCatalog) -> Record | None:
    shown = display_path(root, file)
    if file.is_symlink():
        out.problems.append(problem(shown, 1, "", "symlink"))
        return None
    if not file.is_file():  # a FIFO named `x.yaml` would block the read forever
        out.problems.append(problem(shown, 1, "", "stray-file"))
        return None
    raw = file.read_bytes()
    parsed = parse_record(raw, shown)
    out.problems += parsed.problems
    if parsed.data is None:
        return None
    sha256 = hashlib.sha256(raw).hexdigest()
    return Record(
        kind, shown, file, parsed.data, parsed.lines, sha256, parsed.texts, parsed.all_nfc
    )


def _case_clashes(root: Path, entries: list[Path], out: LoadedCatalog) -> None:
    seen: dict[str, Path] = {}
    for entry in entries:
        key = entry.name.casefold()
        if key in seen:
            shown = display_path(root, entry)
            out.problems.append(problem(shown, 1, "", "case-clash", other=seen[key].name))
        else:
            seen[key] = entry


def _load_products(root: Path, out: LoadedCatalog) -> None:
    products_dir = root / "products"
    if products_dir.is_symlink():  # would read records from outside the catalog
        out.problems.append(problem(display_path(root, products_dir), 1, "", "symlink"))
        return
    if not products_dir.is_dir():
        return
    provinces = sorted(products_dir.iterdir())
    record_files: list[Path] = []
    for province_dir in provinces:
        if province_dir.name in _IGNORED:
            continue
        if province_dir.is_symlink():
            out.problems.append(problem(display_path(root, province_dir), 1, "", "symlink"))
            continue
        if not province_dir.is_dir():
            out.problems.append(problem(display_path(root, province_dir), 1, "", "stray-file"))
            continue
        product_dirs = sorted(province_dir.iterdir())
        _case_clashes(root, product_dirs, out)
        for product_dir in product_dirs:
            shown_dir = display_path(root, product_dir)
            if product_dir.name in _IGNORED:
                continue
            if product_dir.is_symlink():
                out.problems.append(problem(shown_dir, 1, "", "symlink"))
                continue
            if not product_dir.is_dir():
                out.problems.append(problem(shown_dir, 1, "", "stray-file"))
                continue
            out.product_folders[product_dir.name] = shown_dir
            record_file = product_dir / PRODUCT_FILE
            if not record_file.is_file() and not record_file.is_symlink():
                near = [p for p in product_dir.iterdir() if p.name in _NEAR_MISSES]
                if near:
                    shown = display_path(root, near[0])
                    out.problems.append(
                        problem(shown, 1, "", "wrong-file-name", expected=PRODUCT_FILE)
                    )
                else:
                    out.problems.append(problem(shown_dir + "/", 1, "", "missing-record"))
                continue
            record_files.append(record_file)
    # Parsing is independent per file: spread over the cores (the largest part of validation).
    for record, problems in map_chunks(_read_many, record_files, root, "product"):
        out.problems += problems
        if record is not None:
            out.products.append(record)


def _read_many(
    files: list[Path], root: Path, kind: str
) -> list[tuple[Record | None, list[Problem]]]:
    results = []
    for file in files:
        scratch = LoadedCatalog(root)
        record = _read(root, file, kind, scratch)
        results.append((record, scratch.problems))
    return results


def _load_producers(root: Path, out: LoadedCatalog) -> None:
    producers_dir = root / "producers"
    if producers_dir.is_symlink():
        out.problems.append(problem(display_path(root, producers_dir), 1, "", "symlink"))
        return
    if not producers_dir.is_dir():
        return
    files = sorted(producers_dir.iterdir())
    _case_clashes(root, files, out)
    for file in files:
        if file.name in _IGNORED:
            continue
        shown = display_path(root, file)
        if file.suffix.lower() in (".yaml", ".yml") and not file.is_dir():
            out.producer_files.setdefault(file.stem, shown)
        if file.suffix in (".yml", ".YAML", ".YML"):
            expected = file.stem + ".yaml"
            out.problems.append(problem(shown, 1, "", "wrong-file-name", expected=expected))
            continue
        if file.suffix != ".yaml" or file.is_dir():
            out.problems.append(problem(shown, 1, "", "stray-file"))
            continue
        record = _read(root, file, "producer", out)
        if record is not None:
            out.producers.append(record)
