"""load -> validate -> derive, shared by `ocop validate`, `ocop build` and the other commands."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.config import last_commit_date
from generator.derive import derive_catalog
from generator.errors import Problem
from generator.load import LoadedCatalog, load_records
from generator.model import Catalog
from generator.photocheck import load_known_photos, save_known_photos
from generator.places import load_places
from generator.validate import Validation, load_schemas, read_ledger, validate_records
from generator.vocab import load_vocabulary


@dataclass(frozen=True)
class CheckedCatalog:
    loaded: LoadedCatalog
    validation: Validation
    catalog: Catalog | None  # None when there are problems

    @property
    def problems(self) -> list[Problem]:
        return self.validation.problems


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading a catalog makes millions of small dicts, lists and tuples that all live until
    the end, and none in a reference cycle: the cyclic garbage collector would walk them again
    and again for nothing (at 20,000 products, most of the time of derive). Forked workers
    inherit the pause."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


if TYPE_CHECKING:
    from generator.config import BuildConfig


def check_catalog(
    catalog_dir: Path,
    schemas_dir: Path,
    as_of: dt.date,
    ledger: Path | None = None,
    release_date: dt.date | None = None,
    cache_dir: Path | None = None,
) -> CheckedCatalog:
    """cache_dir: where the facts of photos that passed are kept, so that a photo whose file
    did not change is not read again by the next run (None: every photo is checked)."""
    with _collector_paused():
        return _check_catalog(catalog_dir, schemas_dir, as_of, ledger, release_date, cache_dir)


def check_configured(config: BuildConfig) -> CheckedCatalog:
    """check_catalog as `ocop validate` and `ocop build` run it: the configured folders, as-of
    date, ledger and photo-facts cache."""
    return check_catalog(
        config.catalog_dir,
        config.schemas_dir,
        config.as_of,
        config.ledger,
        cache_dir=config.cache_dir,
    )


def _check_catalog(
    catalog_dir: Path,
    schemas_dir: Path,
    as_of: dt.date,
    ledger: Path | None,
    release_date: dt.date | None,
    cache_dir: Path | None,
) -> CheckedCatalog:
    loaded = load_records(catalog_dir)
    places = load_places()
    vocab = load_vocabulary(schemas_dir)
    # one file per catalog folder: two catalogs sharing a cache never overwrite each other
    key = hashlib.sha256(str(catalog_dir.resolve()).encode()).hexdigest()[:12]
    facts_file = cache_dir / f"photo-facts-{key}.json" if cache_dir else None
    known = load_known_photos(facts_file) if facts_file else {}
    validation = validate_records(
        loaded, load_schemas(schemas_dir), places, vocab, as_of, ledger, known
    )
    if facts_file:
        save_known_photos(facts_file, validation.checked)
    if validation.problems:
        return CheckedCatalog(loaded, validation, None)
    published = frozenset(pid for _, pid in read_ledger(ledger)) if ledger else frozenset()
    release = release_date or last_commit_date(catalog_dir) or as_of
    catalog = derive_catalog(loaded, validation.photos, places, vocab, as_of, release, published)
    return CheckedCatalog(loaded, validation, catalog)
