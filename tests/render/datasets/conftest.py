"""Fixtures shared by the datasets tests: the fixture catalog, data/ built from it once, and
three releases built in turn, each over the site the previous build published."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from datasets_support import build, load, old_catalogs
from generator.model import Catalog
from generator.render.artifacts import DataIndex


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load()


@pytest.fixture(scope="session")
def site(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DataIndex]:
    staging = tmp_path_factory.mktemp("data-a") / "site"
    return staging, build(catalog, staging)


@pytest.fixture(scope="session")
def three_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """R1, R2 and the fixture built in turn, each over the site the previous build published."""
    tmp = tmp_path_factory.mktemp("releases")
    r1, r2 = old_catalogs(tmp)
    published = tmp / "published"
    stagings = {}
    for name, catalog in (("r1", r1), ("r2", r2), ("r3", load())):
        staging = tmp / f"staging-{name}"
        build(catalog, staging, published)
        stagings[name] = staging
        if published.exists():
            shutil.rmtree(published)
        shutil.copytree(staging, published)  # the deploy restores what it last published
    return published, stagings
