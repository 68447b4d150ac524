"""Hostile files and folders in the catalog: paths out of it, symlinks, look-alike names, FIFOs.

Each case must give a clean problem (never a traceback, never a hang) and must never read a
file outside the catalog: an audit hook records every file opened and every folder listed while
the catalog is checked, and the symlink targets live in a sentinel folder that must stay unread.
The sentinel holds a valid record and real photos, so reading it would also show as a catalog
that validates.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.catalog import CheckedCatalog, check_catalog
from generator.config import PROJECT_ROOT
from generator.errors import format_text
from support import AS_OF, FIXTURE_CATALOG

SCHEMAS = PROJECT_ROOT / "schemas"
QN = "products/quang_ninh"
VALID = f"{QN}/qn-valid"

_touched: list[str] | None = None  # paths opened or listed while recording


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _touched is not None and event in ("open", "os.listdir", "os.scandir") and args:
        path = args[0]
        if isinstance(path, str | bytes | os.PathLike):
            _touched.append(os.fsdecode(path))


sys.addaudithook(_audit)  # cannot be removed; costs one comparison while not recording


@contextmanager
def recording() -> Iterator[list[str]]:
    global _touched
    _touched = []
    try:
        yield _touched
    finally:
        _touched = None


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s (a blocking read?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, root)
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Beside the catalog, never to be read: a valid product folder, producers, photos."""
    root = tmp_path / "outside"
    shutil.copytree(FIXTURE_CATALOG / VALID, root / "qn-valid")
    shutil.copytree(FIXTURE_CATALOG / "producers", root / "producers")
    shutil.copytree(FIXTURE_CATALOG / "products", root / "products")
    return root


def check(catalog: Path, outside: Path | None = None) -> CheckedCatalog:
    """check_catalog with a watchdog and the audit hook; asserts nothing outside was read."""
    with watchdog(20), recording() as touched:
        checked = check_catalog(catalog, SCHEMAS, AS_OF, catalog / "published-ids.txt")
        text = format_text(checked.problems, "en") + format_text(checked.problems, "vi")
    text.encode("utf-8")  # printable as `ocop validate` prints it
    if outside is not None:
        sentinel = str(outside.resolve())
        read = [p for p in touched if os.path.realpath(p).startswith(sentinel)]
        read += [p for p in touched if p.startswith(str(outside))]
        assert read == [], f"read outside the catalog: {read}"
    return checked


def found(checked: CheckedCatalog) -> set[tuple[str, int, str, str]]:
    return {(p.path, p.line, p.field, p.code) for p in checked.problems}


def set_photo(catalog: Path, name: str, escaped: bool = False) -> None:
    """Lists `name` as the product's first photo, in YAML double quotes (`escaped`: `name`
    is already written with YAML escapes such as `\\0`)."""
    record = catalog / VALID / "product.yaml"
    old = "chai-mau.jpg"
    body = name if escaped else name.replace("\\", "\\\\").replace('"', '\\"')
    quoted = f'"{body}"'
    record.write_text(
        record.read_text(encoding="utf-8").replace(f"file: {old}", f"file: {quoted}"),
        encoding="utf-8",
    )


RECORD = f"catalog/{VALID}/product.yaml"
PHOTO_LINE = 44  # `- file: chai-mau.jpg` in the fixture record


def test_fixture_is_valid_and_reads_only_the_catalog(catalog: Path, outside: Path) -> None:
    checked = check(catalog, outside)
    assert checked.problems == [] and checked.catalog is not None


# --- photo paths that leave the product folder ----------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../qn-expired/goi-mau.jpg",
        "../../../outside/qn-valid/chai-mau.jpg",
        "..",
        ".",
        "/etc/passwd",
        "/tmp/x.jpg",
        "C:\\Windows\\x.jpg",
        "..\\..\\x.jpg",
        "~root.jpg",
        "~/x.jpg",
        "sub/chai-mau.jpg",
        "./chai-mau.jpg",
    ],
)
def test_photo_path_outside_the_folder(catalog: Path, outside: Path, name: str) -> None:
    set_photo(catalog, name)
    checked = check(catalog, outside)
    codes = {p.code for p in checked.problems if p.field == "photos[0].file"}
    assert "photo-path" in codes, codes
    assert checked.catalog is None


def test_photo_file_name_too_long_for_the_disk(catalog: Path, outside: Path) -> None:
    """300 characters: the disk refuses the name (ENAMETOOLONG); a problem, not an OSError."""
    set_photo(catalog, "a" * 300 + ".jpg")
    checked = check(catalog, outside)
    codes = {p.code for p in checked.problems if p.field == "photos[0].file"}
    assert {"too-long", "photo-missing"} <= codes


def test_photo_file_name_with_nul_character(catalog: Path, outside: Path) -> None:
    set_photo(catalog, "chai\\0mau.jpg", escaped=True)  # YAML reads `\0` as a NUL
    checked = check(catalog, outside)
    assert "photo-missing" in {p.code for p in checked.problems if p.field == "photos[0].file"}


# --- symbolic links -----------------------------------------------------------------------------


def _replace_with_link(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


SYMLINKS: dict[str, tuple[Callable[[Path, Path], None], tuple[str, int, str, str]]] = {
    "photo-to-outside-photo": (
        lambda c, o: _replace_with_link(c / VALID / "chai-mau.jpg", o / "qn-valid/chai-mau.jpg"),
        (RECORD, PHOTO_LINE, "photos[0].file", "symlink"),
    ),
    "photo-to-etc-passwd": (
        lambda c, o: _replace_with_link(c / VALID / "chai-mau.jpg", Path("/etc/passwd")),
        (RECORD, PHOTO_LINE, "photos[0].file", "symlink"),
    ),
    "photo-to-dev-zero": (
        lambda c, o: _replace_with_link(c / VALID / "chai-mau.jpg", Path("/dev/zero")),
        (RECORD, PHOTO_LINE, "photos[0].file", "symlink"),
    ),
    "photo-dangling": (
        lambda c, o: _replace_with_link(c / VALID / "chai-mau.jpg", o / "nothing.jpg"),
        (RECORD, PHOTO_LINE, "photos[0].file", "symlink"),
    ),
    "photo-loop": (
        lambda c, o: _replace_with_link(c / VALID / "chai-mau.jpg", Path("chai-mau.jpg")),
        (RECORD, PHOTO_LINE, "photos[0].file", "symlink"),
    ),
    "unlisted-photo-link": (
        lambda c, o: (c / VALID / "extra.jpg").symlink_to(o / "qn-valid/chai-mau.jpg"),
        (f"catalog/{VALID}/extra.jpg", 1, "", "unused-file"),
    ),
    "product-yaml-to-outside-record": (
        lambda c, o: _replace_with_link(c / VALID / "product.yaml", o / "qn-valid/product.yaml"),
        (RECORD, 1, "", "symlink"),
    ),
    "product-folder-to-outside-folder": (
        lambda c, o: _replace_with_link(c / VALID, o / "qn-valid"),
        (f"catalog/{VALID}", 1, "", "symlink"),
    ),
    "province-folder-to-outside": (
        lambda c, o: (c / "products/ha_noi").symlink_to(o / "products/quang_ninh"),
        ("catalog/products/ha_noi", 1, "", "symlink"),
    ),
    "products-folder-to-outside": (
        lambda c, o: _replace_with_link(c / "products", o / "products"),
        ("catalog/products", 1, "", "symlink"),
    ),
    "producers-folder-to-outside": (
        lambda c, o: _replace_with_link(c / "producers", o / "producers"),
        ("catalog/producers", 1, "", "symlink"),
    ),
    "producer-file-to-outside": (
        lambda c, o: _replace_with_link(
            c / "producers/htx-mau-quang-ninh.yaml", o / "producers/htx-mau-quang-ninh.yaml"
        ),
        ("catalog/producers/htx-mau-quang-ninh.yaml", 1, "", "symlink"),
    ),
}


@pytest.mark.parametrize("name", sorted(SYMLINKS))
def test_symlink_is_refused_and_never_followed(catalog: Path, outside: Path, name: str) -> None:
    make, expected = SYMLINKS[name]
    make(catalog, outside)
    checked = check(catalog, outside)
    assert expected in found(checked), sorted(found(checked))
    assert checked.catalog is None


# --- names: spaces, Vietnamese letters, NFC and NFD, case -----------------------------------


@pytest.mark.parametrize(
    "name", ["ảnh chai mẫu.jpg", "Ảnh Đặc Sản (1).jpg", "chai  mau .jpg", "ảnh#1 & 2%.jpg"]
)
def test_listed_exactly_is_valid(catalog: Path, outside: Path, name: str) -> None:
    os.rename(catalog / VALID / "chai-mau.jpg", catalog / VALID / name)
    set_photo(catalog, name)
    checked = check(catalog, outside)
    assert checked.problems == [], format_text(checked.problems, "en")
    assert checked.catalog is not None


def test_nfd_file_name_for_nfc_record(catalog: Path, outside: Path) -> None:
    """A name copied from a Mac is NFD on disk while the record (NFC) looks identical: one
    problem that says so, and not also "file not used"."""
    nfd = unicodedata.normalize("NFD", "ảnh.jpg")
    os.rename(catalog / VALID / "chai-mau.jpg", catalog / VALID / nfd)
    set_photo(catalog, "ảnh.jpg")
    checked = check(catalog, outside)
    [missing] = [p for p in checked.problems if p.code == "photo-missing"]
    assert (missing.path, missing.line, missing.field) == (RECORD, PHOTO_LINE, "photos[0].file")
    assert "NFD" in missing.message("en") and "NFD" in missing.message("vi")
    assert "unused-file" not in {p.code for p in checked.problems}


def test_nfd_record_for_nfc_file_name(catalog: Path, outside: Path) -> None:
    os.rename(catalog / VALID / "chai-mau.jpg", catalog / VALID / "ảnh.jpg")
    set_photo(catalog, unicodedata.normalize("NFD", "ảnh.jpg"))
    checked = check(catalog, outside)
    codes = {p.code for p in checked.problems}
    assert {"not-nfc", "photo-missing"} <= codes
    assert "unused-file" not in codes


def test_photo_listed_in_other_case(catalog: Path, outside: Path) -> None:
    set_photo(catalog, "Chai-Mau.JPG")
    checked = check(catalog, outside)
    [missing] = [p for p in checked.problems if p.code == "photo-missing"]
    assert "chai-mau.jpg" in missing.message("en") and "case" in missing.message("en")
    assert "unused-file" not in {p.code for p in checked.problems}


def test_product_folders_differing_in_case(catalog: Path, outside: Path) -> None:
    shutil.copytree(catalog / VALID, catalog / QN / "QN-valid")
    checked = check(catalog, outside)
    assert (f"catalog/{VALID}", 1, "", "case-clash") in found(checked)
    assert checked.catalog is None


def test_producer_files_differing_in_case(catalog: Path, outside: Path) -> None:
    producers = catalog / "producers"
    shutil.copy(producers / "htx-mau-quang-ninh.yaml", producers / "HTX-mau-quang-ninh.yaml")
    checked = check(catalog, outside)
    assert ("catalog/producers/htx-mau-quang-ninh.yaml", 1, "", "case-clash") in found(checked)


# --- things that are not regular files --------------------------------------------------------


def test_fifo_named_like_a_listed_photo(catalog: Path, outside: Path) -> None:
    """Opening a FIFO blocks forever: it must be recognised without being read."""
    (catalog / VALID / "chai-mau.jpg").unlink()
    os.mkfifo(catalog / VALID / "chai-mau.jpg")
    checked = check(catalog, outside)
    assert (RECORD, PHOTO_LINE, "photos[0].file", "photo-not-image") in found(checked)


def test_fifo_named_like_an_unlisted_photo(catalog: Path, outside: Path) -> None:
    os.mkfifo(catalog / VALID / "extra.jpg")
    checked = check(catalog, outside)
    assert (f"catalog/{VALID}/extra.jpg", 1, "", "unused-file") in found(checked)


def test_fifo_named_product_yaml(catalog: Path, outside: Path) -> None:
    (catalog / VALID / "product.yaml").unlink()
    os.mkfifo(catalog / VALID / "product.yaml")
    checked = check(catalog, outside)
    assert (f"catalog/{VALID}/", 1, "", "missing-record") in found(checked)


def test_fifo_named_like_a_producer(catalog: Path, outside: Path) -> None:
    os.mkfifo(catalog / "producers/x.yaml")
    checked = check(catalog, outside)
    assert ("catalog/producers/x.yaml", 1, "", "stray-file") in found(checked)


def test_fifo_among_provinces(catalog: Path, outside: Path) -> None:
    os.mkfifo(catalog / "products/x")
    checked = check(catalog, outside)
    assert ("catalog/products/x", 1, "", "stray-file") in found(checked)


def test_folder_named_like_a_photo(catalog: Path, outside: Path) -> None:
    (catalog / VALID / "chai-mau.jpg").unlink()
    (catalog / VALID / "chai-mau.jpg").mkdir()
    checked = check(catalog, outside)
    assert (RECORD, PHOTO_LINE, "photos[0].file", "photo-not-image") in found(checked)


def test_folder_named_product_yaml_and_producer(catalog: Path, outside: Path) -> None:
    (catalog / VALID / "product.yaml").unlink()
    (catalog / VALID / "product.yaml").mkdir()
    (catalog / "producers/y.yaml").mkdir()
    checked = check(catalog, outside)
    assert {
        (f"catalog/{VALID}/", 1, "", "missing-record"),
        ("catalog/producers/y.yaml", 1, "", "stray-file"),
    } <= found(checked)


def test_socket_in_product_folder(
    catalog: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    server = socket.socket(socket.AF_UNIX)
    try:
        with monkeypatch.context() as patch:
            patch.chdir(catalog / VALID)  # a relative name: socket paths are short (108 bytes)
            server.bind("s.jpg")
        checked = check(catalog, outside)
    finally:
        server.close()
    assert (f"catalog/{VALID}/s.jpg", 1, "", "unused-file") in found(checked)


def test_photo_listed_as_product_yaml(catalog: Path, outside: Path) -> None:
    set_photo(catalog, "product.yaml")
    checked = check(catalog, outside)
    assert "photo-not-image" in {p.code for p in checked.problems}


# --- names the disk holds but UTF-8 does not --------------------------------------------------


def test_file_names_that_are_not_utf8(catalog: Path, outside: Path) -> None:
    os.rename(catalog / VALID / "chai-mau.jpg", os.fsencode(catalog / VALID) + b"/\xff.jpg")
    os.mkdir(os.fsencode(catalog / QN) + b"/qn-\xe9")
    shutil.copy(
        catalog / "producers/hkd-mau-hai-phong.yaml",
        os.fsencode(catalog / "producers") + b"/\xff.yaml",
    )
    checked = check(catalog, outside)
    assert checked.catalog is None
