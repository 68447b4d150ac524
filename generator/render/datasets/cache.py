"""What the datasets stage keeps between builds, so that a one-record change does not cost the
work of a whole national catalog.

What each row encodes to, the files made from whole tables, the workbook's sheets, the last
database and frictionless's verdicts are kept in config.cache_dir/datasets, each under a digest
of everything it depends on (the rows' values, the table schemas, this package's code, the
library versions): a changed input finds nothing, never a stale answer. Each entry is a named
record of the module that uses it, stored with pickle; a missing, unreadable or foreign entry
only makes the build slower.

The entries have fixed names (one per table and kind, and a few for the whole package), so the
folder does not grow from build to build; prune() removes what the current code would never
read (a table no longer published, an entry kind gone) and the temporary files of a build
killed while writing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import sqlite3
import zlib
from collections.abc import Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from generator import keys
from generator.cache import Cache
from generator.render.datasets.specs import TABLES, Row, TableSpec

VERDICTS_KEPT = 256  # verdicts and file digests remembered (a few builds' worth)

# The entries: a few for the whole package, and one per table of each of TABLE_ENTRIES.
RELEASES_VERIFIED = "releases-verified"  # stat stamp -> SHA-256 of earlier releases' files
CHECKED = "checked"  # the code of the last build whose package passed its check
VERDICTS = "verdicts"  # frictionless's and key_errors's verdicts that passed
FILES = "files"  # a file's input key -> its size and SHA-256
DATABASE = "ocop.sqlite"  # the last database made, with the row keys it holds
TABLE_ENTRIES = ("rows", "lines", "sheet", "sheet-rows")

T = TypeVar("T")


def table_entry(kind: str, table: str) -> str:
    """The entry of one kind kept per table (encoded rows, valid lines, workbook sheets)."""
    if kind not in TABLE_ENTRIES:
        raise ValueError(f"no cache entry kind {kind!r}")
    return f"{kind}-{table}"


def entry_names() -> set[str]:
    """Every entry the current code reads: prune() removes the others."""
    per_table = {table_entry(kind, table) for kind in TABLE_ENTRIES for table in TABLES}
    return {*per_table, RELEASES_VERIFIED, CHECKED, VERDICTS, FILES, DATABASE}


@functools.cache  # the build asks before the stage (datasets_checked_before), the stage again
def _code_key() -> str:
    """The code of every module of this package, and the libraries whose output or verdict the
    caches hold."""
    return code_digest(Path(__file__).parent)


def code_digest(package: Path) -> str:
    """Of every module in the folder `package` (by name and content), Python, frictionless
    and the linked SQLite and zlib."""
    return keys.code_digest(
        sorted(package.glob("*.py")),
        ("frictionless",),
        (sqlite3.sqlite_version, zlib.ZLIB_RUNTIME_VERSION),
        salt=b"datasets",
    ).hex()


class DatasetCache:
    """Named entries under cache_dir/datasets; writes are atomic (generator.cache)."""

    def __init__(self, cache_dir: Path) -> None:
        self.files = Cache(cache_dir, "datasets")
        self.code = _code_key()

    def key(self, *parts: str | bytes) -> str:
        """A digest of this package's code and `parts` (each length-prefixed: unambiguous)."""
        digest = hashlib.blake2b(self.code.encode(), digest_size=16)
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def load(self, name: str, kind: type[T]) -> T | None:
        """The entry if it is a `kind`; None when missing, unreadable or of another kind.
        Read from the file as it is unpickled: a large entry is not held twice."""
        try:
            with self.files.path(name).open("rb") as file:
                found = pickle.load(file)
        except Exception:  # a damaged or foreign file fails in any way: only a miss
            return None
        return found if isinstance(found, kind) else None

    def save(self, name: str, value: Any) -> None:
        """Atomic as Cache.store (a temporary file renamed), pickled into the file as it is
        made: a large entry is not also held as one pickle."""
        target = self.files.path(name)
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as file:
                pickle.dump(value, file, 5)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def recall(self, name: str) -> dict[str, Any]:
        """A small table of remembered answers (verdicts, file digests), newest last."""
        return self.load(name, dict) or {}

    def remember(self, name: str, entries: dict[str, Any]) -> None:
        """Adds `entries` to the table, keeping the newest VERDICTS_KEPT. Another build
        saving at the same time may drop an entry: that is a miss later, never a wrong
        answer."""
        table = self.recall(name)
        for key, value in entries.items():
            table.pop(key, None)
            table[key] = value
        self.save(name, dict(list(table.items())[-VERDICTS_KEPT:]))

    def prune(self) -> int:
        """Removes the entries the current code never reads and abandoned temporary files;
        how many were removed."""
        keep = entry_names() | {n for n in self.files.names() if _being_written(n)}
        return self.files.prune(keep)


def _being_written(name: str) -> bool:
    """A temporary file of Cache.store (".<name>.<pid>.tmp") whose process is still alive."""
    stem, _, pid = name.removesuffix(".tmp").rpartition(".")
    if not (name.startswith(".") and name.endswith(".tmp") and stem and pid.isdigit()):
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False  # a build killed while writing
    except PermissionError:
        return True  # alive, another user's
    return True


def datasets_checked_before(cache_dir: Path) -> bool:
    """Whether an earlier build with this code had its package checked. Without that (a first
    build, a new cache, new code) every row is read by frictionless and every format is made
    from nothing: the stage's longest and largest run (the build does not overlap it with the
    page workers then). A changed table schema is not seen here: its rows are all read again
    beside the pages."""
    cache = DatasetCache(cache_dir)
    return cache.load(CHECKED, str) == cache.code


def row_keys(spec: TableSpec, rows: Sequence[Row]) -> list[bytes]:
    """Per row, a digest of its values in column order. pickle writes each value with its
    type, so 1, 1.0 and True (equal in Python) get different keys."""
    values = itemgetter(*spec.names)
    return [hashlib.blake2b(pickle.dumps(values(r), 5), digest_size=16).digest() for r in rows]


def worth_saving(new: int, total: int) -> bool:
    """A cache is written again when more than 1 % of its entries are new: after a small
    edit, encoding or checking the few rows again next time costs less than rewriting it."""
    return new * 100 > total


def canonical(value: Any) -> str:
    """JSON with sorted keys: the same value, the same text (for cache keys)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
