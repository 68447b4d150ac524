"""What checking the catalog found for each file, kept between runs so that a file whose bytes
did not change is neither parsed nor checked again (at 20,000 products, parsing and the checks of
single records are nearly all of the time of `ocop validate`).

Entries are keyed by the file's display path and the SHA-256 of its bytes (modification times
alone are not trustworthy: a checkout or a copy may give other bytes an old time). A catalog
file is hashed again unless its stamp, ctime included, is the one it had when it was read, long
enough after its last change (load.stamp_holds); photos keep their file stamps, as before. One full
file per catalog folder, and beside it the changes since it was written while they are few, in
marshal (plain tuples, dicts and bytes: the fastest to load), each written atomically. Their
headers hold digests of everything else the results depend on (the code, the schemas, Python
and the libraries): after a change of any of them those results are ignored. A CRC of the
payload guards against damage: a file that does not check out is ignored, never trusted, never
an error. Cross-record checks are not cached: they always run on everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import Problem
from generator.keys import code_digest, modules

_MAGIC = b"OCOPCHK1"
_DIGEST = 32  # bytes of a SHA-256
_HEADER = len(_MAGIC) + 2 * _DIGEST + 4  # magic, two versions, CRC-32 of the payload
# The modules whose code shapes the parses and checks: the import closure of
# generator.catalog (tests/test_checkcache.py keeps the two equal), and the libraries: the
# YAML reader, the schema checkers, the commune list.
CHECK_MODULES = (
    *("__init__", "catalog", "checkcache", "config", "dates", "derive", "errors", "keys"),
    *("ledger", "load", "lots", "messages", "model", "parallel", "photocheck", "places"),
    *("progress", "text"),
    *("urls", "vocab", "yamlfile"),
    *("validate", "validate.cross_record", "validate.lots", "validate.photos", "validate.record"),
    *("validate.result", "validate.run", "validate.schema"),
)
_CHECK_LIBRARIES = ("PyYAML", "fastjsonschema", "jsonschema", "vietnam-provinces")
# Photo facts depend on less: a change elsewhere in the generator does not read 40,000 photos
# again.
_PHOTO_MODULES = ("checkcache", "keys", "photocheck")
_PHOTO_LIBRARIES = ("pillow",)
# Changes are kept beside the full file while they are at most this many, or a tenth of it.
FEW_CHANGES = 100


# A Problem as plain values: (path, line, field, code, params), the fields of Problem in order.
ProblemRow = tuple[str, int, str, str, tuple[tuple[str, str | tuple[str, str]], ...]]
# A catalog file's stamp and when it was taken (nanoseconds since the epoch): size, mtime,
# ctime, inode, then the time its bytes were read. See load.stamp_holds.
ReadStamp = tuple[int, int, int, int, int]
# What reading one file gave, keyed by display path: (sha256 of the bytes, the record's data
# marshalled, or None when the file is no record, the marshalled (lines, texts), all_nfc, the
# problems of the parse, the file's stamp when it was read).
Parse = tuple[str, bytes | None, bytes, bool, tuple[ProblemRow, ...], ReadStamp]
# The checks of one record that read nothing but the record (schema, dates, places, names),
# keyed by display path: (sha256, first and last as-of day, as ordinals, on which their
# problems are the same (only "date in the future" depends on that day), problems).
Checks = tuple[str, int, int, tuple[ProblemRow, ...]]
# A photo that passed, keyed by absolute path: (size, mtime_ns, inode, width, height, format,
# sha256): its file stamp, then its PhotoFacts.
PhotoRow = tuple[int, int, int, int, int, str, str]
_Tables = tuple[dict[str, Parse], dict[str, Checks], dict[str, PhotoRow]]


@dataclass
class KnownResults:
    parses: dict[str, Parse] = field(default_factory=dict)
    checks: dict[str, Checks] = field(default_factory=dict)
    photos: dict[str, PhotoRow] = field(default_factory=dict)
    # what the full file held, and its CRC: a save writes only what differs from it
    base: KnownResults | None = field(default=None, repr=False, compare=False)
    base_crc: bytes = field(default=b"", repr=False, compare=False)

    def tables(self) -> _Tables:
        return self.parses, self.checks, self.photos


def problem_rows(problems: Iterable[Problem]) -> tuple[ProblemRow, ...]:
    return tuple((p.path, p.line, p.field, p.code, p.params) for p in problems)


def from_rows(rows: Iterable[ProblemRow]) -> list[Problem]:
    return [Problem(*row) for row in rows]


def known_checks(
    known: Mapping[str, Checks], display: str, sha256: str, as_of: dt.date
) -> Checks | None:
    """An earlier run's checks of a file (a record or a lots table) that still hold: the same
    bytes, and an as-of day on which its problems are the same."""
    checks = known.get(display)
    if checks is None or checks[0] != sha256:
        return None
    return checks if checks[1] <= as_of.toordinal() <= checks[2] else None


@dataclass(frozen=True)
class Versions:
    """Digests of what the cached results depend on besides the catalog's files."""

    checks: bytes  # parses and record checks
    photos: bytes  # photo facts


def code_versions(schemas_dir: Path) -> Versions:
    schemas = sorted(p for p in schemas_dir.rglob("*") if p.is_file())
    return Versions(
        code_digest(modules(*CHECK_MODULES) + schemas, _CHECK_LIBRARIES, salt=_MAGIC),
        code_digest(modules(*_PHOTO_MODULES), _PHOTO_LIBRARIES, salt=_MAGIC),
    )


@dataclass(frozen=True)
class CheckCache:
    """The cache of one catalog folder: `path`, and beside it the changes since it was written
    (changes_path), so that a one-record change does not rewrite 70 MB."""

    path: Path
    versions: Versions

    @classmethod
    def of(cls, catalog_dir: Path, cache_dir: Path, schemas_dir: Path) -> CheckCache:
        # one file per catalog folder: two catalogs sharing a cache never overwrite each other
        key = hashlib.sha256(str(catalog_dir.resolve()).encode()).hexdigest()[:12]
        return cls(cache_dir / f"checks-{key}.marshal", code_versions(schemas_dir))

    @property
    def changes_path(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.changes{self.path.suffix}")

    def load(self) -> KnownResults:
        return _load_known(self.path, self.changes_path, self.versions)

    def save(self, found: KnownResults, known: KnownResults) -> None:
        """found: this run's results; known: what load() gave."""
        _save_known(self.path, self.changes_path, self.versions, found, known)


def _load_known(path: Path, changes_path: Path, versions: Versions) -> KnownResults:
    """The results of the last run; none when the file is missing or damaged, and none of a
    kind whose code (or schemas, or libraries) changed since."""
    full = _read(path, versions)
    if full is None:
        return KnownResults()
    _, tables, _, crc = full
    known = KnownResults(*map(dict, tables), base=KnownResults(*tables), base_crc=crc)
    changes = _read(changes_path, versions)
    if changes is not None and changes[0] == crc:  # changes of another full file: ignored
        _, updates, removed, _ = changes
        for table, update, gone in zip(known.tables(), updates, removed, strict=True):
            for key in gone:
                table.pop(key, None)
            table.update(update)
    return known


def _save_known(
    path: Path, changes_path: Path, versions: Versions, found: KnownResults, known: KnownResults
) -> None:
    """Only what differs from the full file, while that is little (a one-record change does not
    rewrite 70 MB); else the full file. A cache that cannot be written is not an error: the next
    run only does more work."""
    try:
        if known.base is not None:
            updates, removed = _difference(found, known.base)
            changed = sum(map(len, updates)) + sum(map(len, removed))
            if changed <= max(FEW_CHANGES, sum(map(len, found.tables())) // 10):
                _write(changes_path, versions, (known.base_crc, updates, removed))
                return
        _write(path, versions, (b"", found.tables(), ([], [], [])))
        changes_path.unlink(missing_ok=True)
    except OSError:
        pass


# A file's payload: (CRC of the full file the changes apply to (b"" in the full file itself),
# entries added or changed, keys removed), table by table.
_Removed = tuple[list[str], list[str], list[str]]
_Payload = tuple[bytes, _Tables, _Removed]


def _difference(found: KnownResults, base: KnownResults) -> tuple[_Tables, _Removed]:
    pairs = list(zip(found.tables(), base.tables(), strict=True))
    updates = tuple({k: v for k, v in new.items() if old.get(k) != v} for new, old in pairs)
    removed = tuple([k for k in old if k not in new] for new, old in pairs)
    return updates, removed  # type: ignore[return-value]


def _read(path: Path, versions: Versions) -> tuple[bytes, _Tables, _Removed, bytes] | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    payload = memoryview(raw)[_HEADER:]  # not a copy of 70 MB
    crc = _crc(payload)
    if raw[: len(_MAGIC)] != _MAGIC or raw[_HEADER - 4 : _HEADER] != crc:
        return None
    try:
        link, (parses, checks, photos), (gone_parses, gone_checks, gone_photos) = marshal.loads(
            payload
        )
    except (ValueError, EOFError, TypeError):
        return None
    tables, removed = (parses, checks, photos), (gone_parses, gone_checks, gone_photos)
    if not all(type(t) is dict for t in tables) or not all(type(r) is list for r in removed):
        return None
    if raw[len(_MAGIC) : len(_MAGIC) + _DIGEST] != versions.checks:
        parses, checks, gone_parses, gone_checks = {}, {}, [], []
    if raw[len(_MAGIC) + _DIGEST : _HEADER - 4] != versions.photos:
        photos, gone_photos = {}, []
    return link, (parses, checks, photos), (gone_parses, gone_checks, gone_photos), crc


def _write(path: Path, versions: Versions, payload: _Payload) -> bytes:
    """Atomic: a reader sees the old file or the new one, never half of one. Returns the CRC."""
    data = marshal.dumps(payload)
    crc = _crc(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(_MAGIC + versions.checks + versions.photos + crc)
            out.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return crc


def _crc(payload: bytes | memoryview) -> bytes:
    """Damage (a torn write, a flipped bit) changes it; a SHA-256 would take twice as long."""
    return zlib.crc32(payload).to_bytes(4, "big")
