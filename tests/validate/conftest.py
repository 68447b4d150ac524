"""The fixture catalog, loaded once, and validate_records on in-memory variants of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.config import PROJECT_ROOT
from generator.load import LoadedCatalog, load_records
from generator.places import load_places
from generator.validate import validate_records
from generator.validate.result import Validation
from generator.validate.schema import load_schemas
from generator.vocab import load_vocabulary
from support import AS_OF, FIXTURE_CATALOG, Validate

SCHEMAS = PROJECT_ROOT / "schemas"


@pytest.fixture(scope="module")
def context() -> dict[str, Any]:
    return {
        "loaded": load_records(FIXTURE_CATALOG),
        "schemas": load_schemas(SCHEMAS),
        "places": load_places(),
        "vocab": load_vocabulary(SCHEMAS),
    }


@pytest.fixture(scope="module")
def validate_loaded(context: dict[str, Any]) -> Validate:
    def validate(loaded: LoadedCatalog, ledger: Path | None = None) -> Validation:
        return validate_records(
            loaded, context["schemas"], context["places"], context["vocab"], AS_OF, ledger
        )

    return validate
