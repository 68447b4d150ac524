"""Fixtures of the label tests: the fixture catalog, and its labels drawn once."""

from __future__ import annotations

from pathlib import Path

import pytest
from label_support import AS_OF, FIXTURE, ROOT, make_config

from generator.catalog import check_catalog
from generator.model import Catalog
from generator.render.labels.stage import LabelRun, make_labels
from generator.write import SiteWriter


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    checked = check_catalog(FIXTURE, ROOT / "schemas", AS_OF)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


@pytest.fixture(scope="session")
def site(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LabelRun]:
    tmp = tmp_path_factory.mktemp("labels")
    writer = SiteWriter(tmp / "site")
    run = make_labels(catalog, make_config(tmp), writer)
    return tmp / "site", run
