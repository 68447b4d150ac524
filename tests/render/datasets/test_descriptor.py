"""The Data Package descriptor (generator/render/datasets/descriptor.py): v1, valid, complete."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless

from datasets_support import GOLDEN_HEADERS, RELEASE
from generator.render.artifacts import DataIndex


def test_frictionless_validates_latest_and_release(site: tuple[Path, DataIndex]) -> None:
    root, index = site
    for folder in ("data/latest", f"data/releases/{RELEASE.isoformat()}"):
        report = frictionless.validate(str(root / folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert index.release == "2026-11-23"


def test_descriptor_is_v1_with_licence_version_and_dated_created(
    site: tuple[Path, DataIndex],
) -> None:
    package = json.loads((site[0] / "data/latest/datapackage.json").read_text("utf-8"))
    assert package["profile"] == "tabular-data-package"  # v1: frictionless-py lacks v2
    assert package["version"] == "2026-11-23"
    assert package["created"] == "2026-11-23T00:00:00Z"  # the release date, not the clock
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["sources"]
    names = [r["name"] for r in package["resources"]]
    assert names == list(GOLDEN_HEADERS)
    products = package["resources"][0]["schema"]
    assert products["primaryKey"] == ["id"]
    assert {
        "fields": "producer_id",
        "reference": {"resource": "producers", "fields": "id"},
    } in products["foreignKeys"]
    for resource in package["resources"]:
        assert resource["hash"].startswith("sha256:")
        for f in resource["schema"]["fields"]:
            assert f["title"] and f["description"], (resource["name"], f["name"])
    photos = next(r for r in package["resources"] if r["name"] == "photos")
    assert "licence" in photos["licenses"][0]["title"]


def test_lots_and_recalls_are_keyed_and_refer_to_products(
    site: tuple[Path, DataIndex], tmp_path: Path
) -> None:
    latest = site[0] / "data/latest"
    package = json.loads((latest / "datapackage.json").read_text("utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    to_products = {"fields": "product_id", "reference": {"resource": "products", "fields": "id"}}
    assert resources["lots"]["schema"]["primaryKey"] == ["product_id", "lot"]
    assert resources["recalls"]["schema"]["primaryKey"] == ["id"]
    for name in ("lots", "recalls"):
        assert resources[name]["schema"]["foreignKeys"] == [to_products]
    # frictionless holds the tables to their keys: a lot of a product not in products.csv fails
    copy = tmp_path / "latest"
    shutil.copytree(latest, copy)
    lots = (
        (copy / "lots.csv")
        .read_text("utf-8")
        .replace("\nqn-valid,L2026-07,", "\nqn-gone,L2026-07,")
    )
    (copy / "lots.csv").write_text(lots, "utf-8")
    for resource in package["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (copy / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), "utf-8")
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert [
        (task.name, error.type, error.row_number) for task in report.tasks for error in task.errors
    ] == [("lots", "foreign-key", 4)]
