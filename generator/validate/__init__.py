"""Stage 2: the JSON Schemas plus every check that needs more than one field or file.

Returns problems; never raises for bad input. A record with schema errors still gets the checks
its well-typed fields allow, so one run reports everything a contributor has to fix.

The parts: `schema` (the schemas, and their errors said as what to write instead), `record`
(the checks of one record), `photos` (a product's photo folder), `run` (every record's own
checks on every core, or from the check cache), `lots` (each product's lots.csv, and the lots
its recalls name), `cross_record` (ids, GTINs, producers, the ledgers: what needs every record
at once), `result` (what a run returns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from generator.checkcache import Checks, PhotoRow
from generator.config import PoolSettings
from generator.load import LoadedCatalog
from generator.parallel import DEFAULT_POOLS
from generator.places import Places
from generator.progress import NO_PROGRESS, Progress
from generator.validate.cross_record import cross_record_problems, province_folder_problems
from generator.validate.lots import check_lots_tables, recall_problems
from generator.validate.result import Validation
from generator.validate.run import check_each_record
from generator.validate.schema import Schemas
from generator.vocab import Vocabulary


def validate_records(
    loaded: LoadedCatalog,
    schemas: Schemas,
    places: Places,
    vocab: Vocabulary,
    as_of: dt.date,
    ledger: Path | None = None,
    known_photos: Mapping[str, PhotoRow] | None = None,
    known_checks: Mapping[str, Checks] | None = None,
    pools: PoolSettings = DEFAULT_POOLS,
    progress: Progress = NO_PROGRESS,
) -> Validation:
    """known_photos, known_checks: what an earlier run found (see generator/checkcache.py).
    pools: when the records are checked in worker processes."""
    out = Validation(problems=list(loaded.problems))
    out.problems += province_folder_problems(loaded, places)
    # Each record's own checks first; what needs all records (ids, producers, GTINs) follows,
    # in one process, always on every record.
    check_each_record(
        loaded,
        schemas,
        places,
        vocab,
        as_of,
        known_photos or {},
        known_checks or {},
        out,
        pools,
        progress,
    )
    check_lots_tables(loaded, schemas.lots, places, as_of, known_checks or {}, out, pools)
    out.problems += recall_problems(loaded)
    out.problems += cross_record_problems(loaded, ledger)
    out.problems.sort()
    return out
