"""load -> validate -> derive, shared by `ocop validate`, `ocop build` and the other commands."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.checkcache import CheckCache, KnownResults
from generator.config import PoolSettings, last_commit_date
from generator.derive import derive_catalog
from generator.errors import Problem, report_problems
from generator.ledger import read_ledger
from generator.load import LoadedCatalog, load_records
from generator.model import Catalog
from generator.parallel import DEFAULT_POOLS
from generator.places import load_places
from generator.progress import NO_PROGRESS, Progress
from generator.validate import validate_records
from generator.validate.result import Validation
from generator.validate.schema import load_schemas
from generator.vocab import load_vocabulary


@dataclass(frozen=True)
class CheckedCatalog:
    loaded: LoadedCatalog
    validation: Validation
    catalog: Catalog | None  # None when there are problems, or when it was not asked for

    @property
    def problems(self) -> list[Problem]:
        return self.validation.problems


@contextlib.contextmanager
def collector_paused(freeze: bool = False) -> Iterator[None]:
    """Pauses the cyclic garbage collector while many small objects are made that are in no
    reference cycle (reading a catalog: millions of dicts, lists and tuples; keying pages): it
    would walk them again and again for nothing (at 20,000 products, most of the time of
    derive, a third of that of the page keys). Forked workers inherit the pause.

    `freeze`: afterwards the objects made are moved out of the collector's sight, or its first
    collection would walk them all at once (0.4 s after a check); they are still freed when
    unused (no cycles), and `ocop build` freezes the catalog anyway."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
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
    stages: dict[str, float] | None = None,
    pools: PoolSettings = DEFAULT_POOLS,
    progress: Progress = NO_PROGRESS,
    derive: bool = True,
) -> CheckedCatalog:
    """cache_dir: where what this run found is kept (generator/checkcache.py), so that the
    next run does not parse or check again a record whose bytes did not change, nor read a
    photo whose file did not change (None: everything is read and checked).
    stages: receives the seconds of "load", "validate" and "derive" (the build's report).
    pools: when records are read and checked in worker processes. progress: shows reading and
    checking as they go (generator/progress.py). derive: False when only the problems are
    wanted (`ocop validate`): the catalog the pages are made from is then not derived."""
    with collector_paused(freeze=True):
        return _check_catalog(
            catalog_dir,
            schemas_dir,
            as_of,
            ledger,
            release_date,
            cache_dir,
            _Clock(stages),
            pools,
            progress,
            derive,
        )


class _Clock:
    """Seconds since the previous lap, added to `stages` under the lap's name (if any)."""

    def __init__(self, stages: dict[str, float] | None) -> None:
        self.stages = stages
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.stages is not None:
            self.stages[name] = self.stages.get(name, 0.0) + now - self.last
        self.last = now


def check_configured(
    config: BuildConfig,
    stages: dict[str, float] | None = None,
    progress: Progress = NO_PROGRESS,
    derive: bool = True,
) -> CheckedCatalog:
    """check_catalog as `ocop validate` and `ocop build` run it: the configured folders, as-of
    date, ledger and check cache."""
    return check_catalog(
        config.catalog_dir,
        config.schemas_dir,
        config.as_of,
        config.ledger,
        cache_dir=config.cache_dir,
        stages=stages,
        pools=config.pools,
        progress=progress,
        derive=derive,
    )


def catalog_or_report(
    config: BuildConfig,
    consequence: tuple[str, str] | None = None,
    form: str = "text",
    stages: dict[str, float] | None = None,
    progress: Progress = NO_PROGRESS,
) -> Catalog | None:
    """The one "check the catalog or stop" of `ocop validate`, `ocop build` and `ocop labels`:
    the derived catalog, or None once every problem has been reported (see report_problems)."""
    checked = check_configured(config, stages, progress)
    if checked.catalog is None:
        report_problems(checked.problems, config.lang, form, consequence)
    return checked.catalog


def _check_catalog(
    catalog_dir: Path,
    schemas_dir: Path,
    as_of: dt.date,
    ledger: Path | None,
    release_date: dt.date | None,
    cache_dir: Path | None,
    clock: _Clock,
    pools: PoolSettings,
    progress: Progress,
    derive: bool,
) -> CheckedCatalog:
    cache = CheckCache.of(catalog_dir, cache_dir, schemas_dir) if cache_dir else None
    known = cache.load() if cache else KnownResults()
    loaded = load_records(catalog_dir, known.parses, pools, progress)
    clock.lap("load")
    places = load_places()
    vocab = load_vocabulary(schemas_dir)
    schemas = load_schemas(schemas_dir)
    validation = validate_records(
        loaded, schemas, places, vocab, as_of, ledger, known.photos, known.checks, pools, progress
    )
    found = KnownResults(loaded.parses, validation.checks, validation.checked)
    if cache and found != known:  # nothing changed: the files are left as they are
        cache.save(found, known)
    clock.lap("validate")
    if validation.problems or not derive:
        return CheckedCatalog(loaded, validation, None)
    published = frozenset(pid for _, pid in read_ledger(ledger)) if ledger else frozenset()
    release = release_date or last_commit_date(catalog_dir) or as_of
    catalog = derive_catalog(loaded, validation.photos, places, vocab, as_of, release, published)
    clock.lap("derive")
    return CheckedCatalog(loaded, validation, catalog)
