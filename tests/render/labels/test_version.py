"""The label drawing's version: a digest of the package's code and fonts, no number to bump."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.render.labels import version


def key_of(package: Path, fonts: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(version, "PACKAGE", package)
    monkeypatch.setattr(version, "FONT_DIR", fonts)
    version.code_key.cache_clear()
    try:
        return version.code_key()
    finally:
        version.code_key.cache_clear()


def test_any_change_of_a_module_or_a_font_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package, fonts = tmp_path / "labels", tmp_path / "fonts"
    shutil.copytree(version.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(version.FONT_DIR, fonts)
    base = key_of(package, fonts, monkeypatch)
    assert base == key_of(version.PACKAGE, version.FONT_DIR, monkeypatch)  # same bytes
    for path in (package / "png.py", package / "sheets.py", fonts / "DejaVuSans-Bold.ttf"):
        data = path.read_bytes()
        path.write_bytes(data + b"\n")
        assert key_of(package, fonts, monkeypatch) != base, path.name
        path.write_bytes(data)
    (package / "new_backend.py").write_text("", encoding="utf-8")  # a module added
    assert key_of(package, fonts, monkeypatch) != base
