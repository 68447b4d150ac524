"""Releases (generator/render/datasets/releases.py): checksums that match, earlier releases
carried forward byte for byte, a damaged one refused, an intact one not hashed again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from datasets_support import RELEASE, build, load
from generator.render.artifacts import DataIndex
from generator.render.datasets import releases
from generator.render.datasets.specs import DatasetError
from support import tree_bytes


def test_checksums_match_the_bytes(site: tuple[Path, DataIndex]) -> None:
    root, index = site
    for folder in (root / "data/latest", root / f"data/releases/{RELEASE.isoformat()}"):
        listed = {}
        for line in (folder / "SHA256SUMS").read_text("utf-8").splitlines():
            digest, name = line.split("  ")
            listed[name] = digest
        on_disk = {p.name for p in folder.iterdir()} - {"SHA256SUMS"}
        assert set(listed) == on_disk, folder
        for name, digest in listed.items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    page = (root / "data/index.html").read_text("utf-8")
    assert {d.path.rsplit("/", 1)[1] for d in index.downloads} == {
        p.name for p in (root / "data/latest").iterdir()
    }
    for d in index.downloads:
        data = (root / d.path).read_bytes()
        assert (d.size, d.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert d.sha256 in page and f'href="../{d.path}"' in page


def test_earlier_releases_are_carried_forward_byte_for_byte(
    three_releases: tuple[Path, dict[str, Path]],
) -> None:
    _, stagings = three_releases
    final = tree_bytes(stagings["r3"] / "data/releases")
    for name, day in (("r1", "2024-02-01"), ("r2", "2025-01-01")):
        own = tree_bytes(stagings[name] / "data/releases" / day)
        assert own and {f"{day}/{k}": v for k, v in own.items()}.items() <= final.items()
    index = json.loads((stagings["r3"] / "data/releases/index.json").read_text("utf-8"))
    assert index["latest"] == "2026-11-23"
    assert [r["date"] for r in index["releases"]] == ["2026-11-23", "2025-01-01", "2024-02-01"]
    page = (stagings["r3"] / "data/index.html").read_text("utf-8")
    assert "data/releases/2024-02-01/products.csv" in page


def test_a_damaged_earlier_release_stops_the_build(
    three_releases: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    published, _ = three_releases
    damaged = tmp_path / "published"
    shutil.copytree(published, damaged)
    target = damaged / "data/releases/2024-02-01/products.csv"
    target.write_bytes(target.read_bytes().replace(b"qn-valid", b"qn-vali"))
    with pytest.raises(DatasetError, match="2024-02-01 is damaged"):
        build(load(), tmp_path / "site", damaged)


def test_an_earlier_release_found_intact_is_not_hashed_again(
    three_releases: tuple[Path, dict[str, Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Years of releases are not re-read by every build; a file written since (same size, its
    modification time set back) is hashed again and fails."""
    published, _ = three_releases
    site = tmp_path / "published"
    shutil.copytree(published, site)
    hashed: list[str] = []
    real = releases.sha256_file

    def counted(path: Path) -> str:
        hashed.append(path.name)
        return real(path)

    monkeypatch.setattr(releases, "sha256_file", counted)
    build(load(), tmp_path / "first", site)
    assert "products.csv" in hashed  # a new cache: every file is checked once
    hashed.clear()
    build(load(), tmp_path / "second", site)
    assert hashed == []
    assert tree_bytes(tmp_path / "second/data/releases") == tree_bytes(
        tmp_path / "first/data/releases"
    )

    target = site / "data/releases/2024-02-01/products.csv"
    before = target.stat()
    target.write_bytes(target.read_bytes().replace(b"qn-valid", b"qn-vaIid"))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size
    with pytest.raises(DatasetError, match="2024-02-01 is damaged"):
        build(load(), tmp_path / "third", site)
