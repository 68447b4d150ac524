"""Every record's own checks, run on every core, or taken from what an earlier run found.

The checks of one record (schema, dates, places, photo files) are independent of the other
records, so they are spread over worker processes; a record whose bytes are unchanged takes its
results from the check cache, and its photos are read again only when their files changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from generator.checkcache import Checks, PhotoRow, from_rows, known_checks, problem_rows
from generator.config import PoolSettings
from generator.errors import Problem
from generator.load import LoadedCatalog, Record
from generator.parallel import DEFAULT_POOLS, map_known_first
from generator.photocheck import PhotoFacts
from generator.places import Places
from generator.progress import NO_PROGRESS, Progress
from generator.validate.photos import Facts, check_photos, facts_row
from generator.validate.record import RecordChecker, check_producer, check_product
from generator.validate.result import Validation
from generator.validate.schema import Schemas, schema_checker, schema_problems
from generator.vocab import Vocabulary


@dataclass(frozen=True)
class _RecordsContext:
    """What every per-record check reads; reaches forked workers without pickling, records
    included: workers are handed numbers (products first, then producers), not records."""

    products: list[Record]
    producers: list[Record]
    product_schema: str  # JSON text, compiled on first use (see schema_checker)
    producer_schema: str
    places: Places
    vocab: Vocabulary
    as_of: dt.date
    known_photos: Mapping[str, PhotoRow]
    known_checks: Mapping[str, Checks]


# What a worker sends back for one record: the checks of the record alone, the problems of its
# photo files, the photos that passed as ((folder name, file name), facts), the photo cache
# entries as (path, row), and whether anything had to be checked or read (not only looked up).
_Outcome = tuple[
    Checks, list[Problem], list[tuple[tuple[str, str], Facts]], list[tuple[str, PhotoRow]], bool
]


def _record_checks(record: Record, context: _RecordsContext) -> Checks:
    """The schema and every check that reads nothing but the record: what a later run with the
    same bytes (and an as-of day in the span) can take from the cache."""
    scratch = Validation()
    if record.kind == "product":
        scratch.problems += schema_problems(record, schema_checker(context.product_schema))
        c = check_product(record, context.places, context.vocab, context.as_of, scratch)
    else:
        scratch.problems += schema_problems(record, schema_checker(context.producer_schema))
        c = check_producer(record, context.places, context.as_of, scratch)
    first, last = c.as_of_span()
    return record.sha256, first, last, problem_rows(scratch.problems)


def _check_records(numbers: list[int], context: _RecordsContext) -> list[_Outcome]:
    products = context.products
    results: list[_Outcome] = []
    for number in numbers:
        is_product = number < len(products)
        record = products[number] if is_product else context.producers[number - len(products)]
        checks = known_checks(context.known_checks, record.display, record.sha256, context.as_of)
        fresh = checks is None
        if checks is None:
            checks = _record_checks(record, context)
        scratch = Validation()
        if is_product:
            c = RecordChecker(record, context.as_of, scratch)
            fresh |= check_photos(c, scratch, context.known_photos, record.folder) > 0
        photos = [(key, facts_row(facts)) for key, facts in scratch.photos.items()]
        checked = list(scratch.checked.items())
        results.append((checks, scratch.problems, photos, checked, fresh))
    return results


def _is_fresh(outcome: _Outcome) -> bool:
    return outcome[4]


def _adopt_outcome(record: Record, outcome: _Outcome, out: Validation) -> None:
    """One record's results, its problems in the order of a check without the cache."""
    checks, photo_problems, photos, checked, _ = outcome
    out.checks[record.display] = checks
    out.problems += from_rows(checks[3])
    out.problems += photo_problems
    for key, row in photos:
        out.photos[key] = PhotoFacts(*row)
    out.checked.update(checked)


def check_each_record(
    loaded: LoadedCatalog,
    schemas: Schemas,
    places: Places,
    vocab: Vocabulary,
    as_of: dt.date,
    known_photos: Mapping[str, PhotoRow],
    known_checks: Mapping[str, Checks],
    out: Validation,
    pools: PoolSettings = DEFAULT_POOLS,
    progress: Progress = NO_PROGRESS,
) -> None:
    """Adds the results of every record's own checks to `out`: producers first, then products.

    On every core, unless earlier results answer for nearly all of them (a look-up each). The
    schemas are compiled when a record needs them (not when every record is known): workers
    start after a first chunk checked here, and inherit what it compiled."""
    context = _RecordsContext(
        loaded.products,
        loaded.producers,
        json.dumps(schemas.product, sort_keys=True),
        json.dumps(schemas.producer, sort_keys=True),
        places,
        vocab,
        as_of,
        known_photos,
        known_checks,
    )
    count = len(loaded.products)
    numbers = range(count + len(loaded.producers))
    with progress.stage("kiểm tra hồ sơ / checking records", len(numbers)) as stage:
        outcomes = map_known_first(
            _check_records, numbers, context, _is_fresh, pools, stage.advance
        )
    for record, outcome in zip(loaded.producers, outcomes[count:], strict=True):
        _adopt_outcome(record, outcome, out)
    for record, outcome in zip(loaded.products, outcomes[:count], strict=True):
        _adopt_outcome(record, outcome, out)
