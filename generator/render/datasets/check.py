"""The package check: nothing is derived from a release that frictionless and the key checks
have not passed; an invalid table stops the build.

frictionless reads every cell of a package. Its checks are of two kinds:
 - row checks (types, constraints, cell counts, the header) depend on one line and its table's
   schema: frictionless reads every line it has not found valid under the same schema before
   (all of them in a first build), and the published descriptor unless it found this very
   descriptor valid before. Verdicts are kept by digest once a check passed.
 - table checks (unique fields, primary keys, foreign keys) depend only on the key columns:
   keys.py makes them on every row's key cells, where frictionless would read products.csv
   again for each foreign key.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from generator.parallel import Background
from generator.render.datasets.cache import (
    CHECKED,
    VERDICTS,
    DatasetCache,
    canonical,
    table_entry,
)
from generator.render.datasets.csv_json import EncodedTable, csv_header
from generator.render.datasets.keys import key_errors, keys_digest
from generator.render.datasets.specs import DatasetError

TABLE_ERRORS = frozenset({"primary-key", "unique-error", "foreign-key"})


@dataclass(frozen=True)
class ValidLines:
    """The lines of a table found valid (cache entry "lines-<table>")."""

    schema: str  # cache.key of the table's resource as published, for its row checks
    table: str  # the digest of the table whose every line was found valid ("" when none)
    lines: frozenset[bytes]  # digests of the lines found valid


def _rows_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource as published, for its row checks: without hash and size (what is read is a
    part of the file) and foreign keys (key_errors's business)."""
    out = {k: v for k, v in resource.items() if k not in ("hash", "bytes")}
    out["schema"] = {k: v for k, v in resource["schema"].items() if k != "foreignKeys"}
    return out


@dataclass(frozen=True)
class FrictionlessJob:
    """What frictionless is to read (small enough to send to a worker process)."""

    folder: str  # holds <table>.csv: the lines of each table to read, after its header
    descriptor: str | None  # the published datapackage.json, unless found valid before
    rows: dict[str, Any] | None  # a package of those files
    row_numbers: dict[str, list[int]]  # per table: the published row number of each line read


@dataclass
class CheckPlan:
    """What frictionless has not vouched for yet, and what to keep once the check passed."""

    descriptor: str | None = None
    rows: dict[str, Any] | None = None
    keys: bool = True  # key_errors to run: the keys are not those of a passed check
    row_numbers: dict[str, list[int]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # name in the job's folder -> bytes
    valid_lines: dict[str, ValidLines] = field(default_factory=dict)
    verdicts: list[str] = field(default_factory=list)  # the descriptor's, the keys

    @property
    def lines_read(self) -> int:
        """Bytes of lines frictionless reads: a large job runs in a worker process."""
        return sum(map(len, self.files.values()))

    def job(self, folder: Path) -> FrictionlessJob:
        return FrictionlessJob(str(folder), self.descriptor, self.rows, self.row_numbers)


def check_plan(
    package: dict[str, Any], descriptor: Path, tables: dict[str, EncodedTable], cache: DatasetCache
) -> CheckPlan:
    """What has not been found valid yet: the descriptor, lines, the keys."""
    plan = CheckPlan()
    known = cache.recall(VERDICTS)
    package_key = cache.key("package", descriptor.read_bytes())
    if package_key not in known:
        plan.verdicts.append(package_key)
        plan.descriptor = str(descriptor)
    keys_key = cache.key("keys", keys_digest(tables))
    plan.keys = keys_key not in known
    if plan.keys:
        plan.verdicts.append(keys_key)
    resources = {r["name"]: r for r in package["resources"]}
    rows = [r for name, table in tables.items() if (r := _plan_rows(plan, resources[name], table))]
    if rows:
        plan.rows = {k: v for k, v in package.items() if k != "resources"}
        plan.rows["resources"] = rows
    return plan


def _plan_rows(
    plan: CheckPlan, published: dict[str, Any], table: EncodedTable
) -> dict[str, Any] | None:
    """The table's resource for the row checks when some of its lines were never found valid
    under its schema (their file goes in the plan); None when all were."""
    name = table.spec.name
    resource = _rows_resource(published)
    schema_key = table.cache.key("rows", canonical(resource))
    seen = table.cache.load(table_entry("lines", name), ValidLines)
    if seen is None or seen.schema != schema_key:
        seen = ValidLines(schema_key, "", frozenset())
    if seen.table == table.digest:
        return None  # every line of this very table was found valid
    digests = [hashlib.blake2b(line, digest_size=16).digest() for line in table.lines]
    plan.valid_lines[name] = ValidLines(schema_key, table.digest, frozenset(digests))
    new = [i for i, digest in enumerate(digests) if digest not in seen.lines]
    if not new:
        return None
    plan.row_numbers[name] = [i + 2 for i in new]  # row 1 is the header
    header = csv_header(table.spec).encode("utf-8")
    plan.files[resource["path"]] = b"".join([header, *(table.lines[i] for i in new)])
    return resource


def _error_line(task: str, error: Any) -> str:
    where = task
    row = getattr(error, "row_number", None)
    fieldname = getattr(error, "field_name", None)
    if row is not None:
        where += f" row {row}"
    if fieldname:
        where += f" field {fieldname}"
    return f"{where}: {error.type}: {error.message}"


def _report_lines(
    report: Any, skip: frozenset[str] = frozenset(), row_numbers: dict[str, list[int]] | None = None
) -> list[str]:
    """A frictionless report as "where: type: message" lines; `row_numbers` turns the rows of
    a file of some lines into the rows of the file they were taken from."""
    lines = [f"package: {e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        numbers = (row_numbers or {}).get(task.name)
        for error in task.errors:
            if error.type in skip:
                continue
            row = getattr(error, "row_number", None)
            if numbers is not None and row is not None:
                real = {**error.to_descriptor(), "rowNumber": numbers[row - 2]}
                error = type(error).from_descriptor(real)  # its message names the real row
            lines.append(_error_line(task.name, error))
    return lines


def _descriptor_errors(path: str) -> list[str]:
    """What frictionless finds wrong in the published descriptor itself, files aside."""
    import frictionless

    try:
        frictionless.Package(path).to_descriptor(validate=True)
    except frictionless.FrictionlessException as err:
        return [f"package: {e.type}: {e.message}" for e in err.to_errors()]
    return []


def run_frictionless(job: FrictionlessJob) -> list[str]:
    """frictionless on what the job names; "where: type: message" lines, rows as published.
    Table errors among the lines read are left to key_errors, which sees every row."""
    errors: list[str] = []
    if job.descriptor is not None:
        errors += _descriptor_errors(job.descriptor)
    if job.rows is not None:
        import frictionless

        try:  # a copy: frictionless may normalise the descriptor it is given
            package = frictionless.Package(json.loads(json.dumps(job.rows)), basepath=job.folder)
            report = package.validate()
        except frictionless.FrictionlessException as err:
            report = frictionless.Report.from_validation(errors=err.to_errors())
        errors += _report_lines(report, TABLE_ERRORS, job.row_numbers)
    return list(dict.fromkeys(errors))


def package_errors(descriptor_path: str) -> list[str]:
    """frictionless on the whole package as written, every file read (the tests compare the
    incremental check with this)."""
    import frictionless

    return _report_lines(frictionless.validate(descriptor_path))


class PackageCheck:
    """The package check: check_plan's frictionless job and key_errors. A large frictionless
    job (a first build reads every line) runs in a new process from start(), while this one
    goes on; the job is a folder of CSV files and a descriptor, so the process need not share
    this one's memory. A small job runs here when the result is asked for, as starting a
    process would cost more; key_errors always does (a few set lookups).
    Verdicts are kept once the check passed."""

    def __init__(
        self,
        plan: CheckPlan,
        tables: dict[str, EncodedTable],
        cache: DatasetCache,
        child_from_bytes: int,
    ) -> None:
        """child_from_bytes: lines to read from which frictionless runs in its own process
        (PoolSettings.validation_bytes)."""
        self.plan = plan
        self.child_from_bytes = child_from_bytes
        self.tables = tables
        self.cache = cache
        self.folder = Path(tempfile.mkdtemp(prefix="ocop-check-"))
        self.lines_read = plan.lines_read
        for name, data in plan.files.items():
            (self.folder / name).write_bytes(data)
        plan.files.clear()  # in the folder now: a first build's every line, not held twice
        self.job = plan.job(self.folder)
        self.child: Background[list[str]] | None = None

    def start(self) -> None:
        """Starts a large job's process (once); a small job waits for result()."""
        if self.child is None and self.lines_read >= self.child_from_bytes:
            self.child = Background(
                partial(run_frictionless, self.job), "frictionless", method="spawn"
            )

    def result(self) -> None:
        self.start()
        errors = run_frictionless(self.job) if self.child is None else self.child.result()
        if self.plan.keys:
            errors += key_errors(self.tables)
        if errors:
            raise DatasetError("frictionless: datapackage.json is not valid", errors)
        for name, entry in self.plan.valid_lines.items():  # every line is now known valid
            self.cache.save(table_entry("lines", name), entry)
        self.cache.save(CHECKED, self.cache.code)
        if self.plan.verdicts:
            self.cache.remember(VERDICTS, dict.fromkeys(self.plan.verdicts, True))

    def close(self) -> None:
        if self.child is not None:  # also when making another format failed meanwhile
            self.child.cancel()
            self.child = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PackageCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
