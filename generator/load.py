"""Stage 1: walk catalog/ and read every record, keeping line numbers. Never raises on bad input."""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.checkcache import Parse, ReadStamp, from_rows, problem_rows
from generator.config import PoolSettings
from generator.errors import Problem, problem
from generator.lots import LOTS_FILE, MAX_LOTS_BYTES, LotsTable, parse_lots
from generator.parallel import DEFAULT_POOLS, map_known_first
from generator.photocheck import lstat, read_file
from generator.progress import NO_PROGRESS, Progress
from generator.yamlfile import MAX_RECORD_BYTES, FieldPath, parse_record

PRODUCT_FILE = "product.yaml"
_NEAR_MISSES = {"product.yml", "Product.yaml", "product.yaml.txt", "san-pham.yaml", "product.YAML"}
_IGNORED = {"README.md", ".gitkeep", ".DS_Store", "Thumbs.db"}
_LOTS_SUFFIX = "/" + LOTS_FILE


@dataclass(frozen=True)
class Record:
    kind: str  # "product" | "producer"
    display: str  # path shown in messages: "catalog/products/quang_ninh/x/product.yaml"
    file: Path  # absolute path of the YAML file
    data: dict[str, Any]
    sha256: str  # of the file's bytes
    marks: bytes = field(repr=False)  # marshalled (lines, texts): see _marks
    all_nfc: bool = False  # every text value is known to be NFC (checked on the whole file)

    @functools.cached_property
    def _marks(self) -> tuple[dict[FieldPath, int], dict[FieldPath, str]]:
        """Line numbers and source texts are only read to report a problem: decoded on first
        use (for all 30,000 records of a national catalog, 0.2 s of a 2 s check)."""
        lines, texts = marshal.loads(self.marks)
        return lines, texts

    @property
    def lines(self) -> dict[FieldPath, int]:
        return self._marks[0]

    @property
    def texts(self) -> dict[FieldPath, str]:
        """Source of the values YAML did not read as text (`06652`, `yes`)."""
        return self._marks[1]

    @functools.cached_property
    def folder(self) -> Path:
        return self.file.parent  # asked for by checks and derive: one Path, not one each time

    def line(self, path: FieldPath) -> int:
        """Line of a field, or of its nearest parent that exists (a missing field)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


@dataclass
class LoadedCatalog:
    root: Path
    products: list[Record] = field(default_factory=list)
    producers: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # product folders that exist, by display path, even when their record failed to parse:
    # the ledger check must not claim such a product "disappeared"
    product_folders: dict[str, str] = field(default_factory=dict)  # folder name -> display
    # likewise every producer file, read or not (misnamed `.yml`, YAML errors): products that
    # name it are not told that the producer does not exist
    producer_files: dict[str, str] = field(default_factory=dict)  # file stem -> display
    # what reading each file gave, by display path: the next run's `known`
    parses: dict[str, Parse] = field(default_factory=dict)
    # the lots.csv read as a table, by the display path of its product folder; lots_files:
    # every product folder that has one, read or not (a table that could not be read is
    # reported once, not again as missing lots)
    lots: dict[str, LotsTable] = field(default_factory=dict)
    lots_files: set[str] = field(default_factory=set)
    _lot_codes: dict[str, set[str] | None] = field(default_factory=dict, repr=False)

    def lots_of(self, record: Record) -> LotsTable | None:
        return self.lots.get(record.display.rsplit("/", 1)[0])

    def lot_codes(self, folder: str) -> set[str] | None:
        """The lot codes of a product folder's lots.csv (empty without one), made once for the
        recalls' and the ledger's checks; None when the table could not be read or has no
        `lot` column: reported on its own, not again as missing lots."""
        if folder not in self._lot_codes:
            table = self.lots.get(folder)
            if table is None:
                codes = None if folder in self.lots_files else set()
            else:
                codes = set(table.column("lot")) if "lot" in table.columns else None
            self._lot_codes[folder] = codes
        return self._lot_codes[folder]


def display_path(root: Path, file: Path) -> str:
    base, full = str(root), str(file)
    if full.startswith(base) and full[len(base) : len(base) + 1] == os.sep and base != os.sep:
        # what relative_to would give, without its cost (it is called for every file)
        return f"{root.name}/{full[len(base) + 1 :].replace(os.sep, '/')}"
    return f"{root.name}/{file.relative_to(root).as_posix()}"


def load_records(
    catalog_dir: Path,
    known: Mapping[str, Parse] | None = None,
    pools: PoolSettings = DEFAULT_POOLS,
    progress: Progress = NO_PROGRESS,
) -> LoadedCatalog:
    """known: parses of an earlier run, by display path (see generator/checkcache.py); a file
    whose bytes are those of its known parse is not parsed again. out.parses: this run's.
    pools: when the files are read in worker processes."""
    root = catalog_dir.resolve()
    out = LoadedCatalog(root)
    product_files, lots_files = _list_products(root, out)
    producer_plan = _list_producers(root, out)
    producer_files = [entry for entry in producer_plan if isinstance(entry, tuple)]
    # Reading is independent per file: products, their lots and producers alike are spread over
    # the cores when there is parsing to do (the largest part of validation), read here when
    # their bytes are known. Problems keep the order of a serial read: products (listing, then
    # records), then producers (listing and records interleaved, by name). Workers get plain
    # strings, not Paths (pickled for each file), and inherit `known`.
    every = product_files + lots_files + producer_files
    files = [(str(file), shown) for file, shown in every]
    context = (known or {}, time.time_ns())  # before any file is read: see stamp_holds
    with progress.stage("đọc hồ sơ / reading records", len(files)) as stage:
        outcomes = map_known_first(_read_many, files, context, _parsed, pools, stage.advance)
    for (file, shown), outcome in zip(product_files, outcomes, strict=False):  # the rest follow
        _adopt(file, shown, "product", outcome, known, out.products, out)
    lots_outcomes = outcomes[len(product_files) : len(product_files) + len(lots_files)]
    for (_, shown), outcome in zip(lots_files, lots_outcomes, strict=True):
        _adopt_lots(shown, outcome, known, out)
    producer_outcomes = iter(outcomes[len(product_files) + len(lots_files) :])
    for entry in producer_plan:
        if isinstance(entry, tuple):
            _adopt(*entry, "producer", next(producer_outcomes), known, out.producers, out)
        else:
            out.problems.append(entry)
    return out


# What reading one file gives: its Parse; None when its known parse holds (same bytes or same
# stamp: nothing to send back); a Problem when it is no regular file (nothing read, nothing to
# remember).
_Outcome = Parse | Problem | None


def _adopt(
    file: Path,
    shown: str,
    kind: str,
    outcome: _Outcome,
    known: Mapping[str, Parse] | None,
    records: list[Record],
    out: LoadedCatalog,
) -> None:
    parse = _adopt_parse(shown, outcome, known, out)
    if parse is not None and parse[1] is not None:
        sha256, data, marks, all_nfc, *_ = parse
        records.append(Record(kind, shown, file, marshal.loads(data), sha256, marks, all_nfc))


def _adopt_parse(
    shown: str, outcome: _Outcome, known: Mapping[str, Parse] | None, out: LoadedCatalog
) -> Parse | None:
    """What reading a file gave (its known parse when its bytes did not change), kept for the
    next run, its problems reported; None when it was no regular file."""
    if isinstance(outcome, Problem):
        out.problems.append(outcome)
        return None
    parse = outcome if outcome is not None else known[shown]  # type: ignore[index]
    out.parses[shown] = parse
    out.problems += from_rows(parse[4])
    return parse


def _adopt_lots(
    shown: str, outcome: _Outcome, known: Mapping[str, Parse] | None, out: LoadedCatalog
) -> None:
    folder = shown.rsplit("/", 1)[0]
    out.lots_files.add(folder)
    parse = _adopt_parse(shown, outcome, known, out)
    if parse is not None and parse[1] is not None:
        sha256, data, _, all_nfc, *_ = parse
        header_line, header, rows, lines = marshal.loads(data)
        out.lots[folder] = LotsTable(shown, sha256, header_line, header, rows, lines, all_nfc)


def _read_lots(raw: bytes, sha256: str, shown: str, stamp: ReadStamp) -> Parse:
    """A lots.csv as a Parse: the table marshalled in place of a record's data."""
    parsed = parse_lots(raw, shown)
    if parsed.header is None:
        return sha256, None, b"", False, problem_rows(parsed.problems), stamp
    data = marshal.dumps((parsed.header_line, parsed.header, parsed.rows, parsed.lines))
    return sha256, data, b"", parsed.all_nfc, problem_rows(parsed.problems), stamp


# A file changed less than this long before its bytes were read may change again without its
# stamp changing: file systems keep times in steps (FAT: 2 seconds).
RACY_NS = 3_000_000_000


def stamp_holds(earlier: ReadStamp, now: ReadStamp) -> bool:
    """The bytes of a file whose stamp is `now` are those read when its stamp was `earlier`.

    The stamp holds the ctime, which no program can set (a checkout, `cp -p`, `tar` or `rsync`
    may give a file an old mtime, never an old ctime: writing the file or setting its mtime
    sets the ctime to the present), and the inode (a file replaced by another is a new inode).
    A file changed within RACY_NS before it was read might be changed again within the same
    time step, as git's index knows: such a stamp is not trusted, the file is hashed again."""
    return earlier[:4] == now[:4] and max(earlier[1], earlier[2]) + RACY_NS < earlier[4]


def _read(file: str, shown: str, known: Mapping[str, Parse], started: int) -> _Outcome:
    info = lstat(file)
    if info is not None and stat.S_ISLNK(info.st_mode):
        return problem(shown, 1, "", "symlink")
    if info is None or not stat.S_ISREG(info.st_mode):  # a FIFO would block the read forever
        return problem(shown, 1, "", "stray-file")
    stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, started)
    earlier = known.get(shown)
    if earlier is not None and stamp_holds(earlier[5], stamp):
        return None  # not read: the 30,000 reads and hashes were most of a check with the cache
    is_lots = shown.endswith(_LOTS_SUFFIX)
    # one byte past the limit is enough to know the file is too large
    raw = read_file(file, info.st_size, (MAX_LOTS_BYTES if is_lots else MAX_RECORD_BYTES) + 1)
    sha256 = hashlib.sha256(raw).hexdigest()
    if earlier is not None and earlier[0] == sha256:
        if earlier[5][:4] == stamp[:4]:
            return None  # a file changed just before it was read last time: kept as it is
        return (*earlier[:5], stamp)  # the same bytes in a new file (a checkout): new stamp
    if is_lots:
        return _read_lots(raw, sha256, shown, stamp)
    parsed = parse_record(raw, shown)
    if parsed.data is None:
        return sha256, None, b"", False, problem_rows(parsed.problems), stamp
    # Marshalled here: bytes cost nothing to send from a worker, and the cache keeps them as is.
    data = marshal.dumps(parsed.data)
    marks = marshal.dumps((parsed.lines, parsed.texts))
    return sha256, data, marks, parsed.all_nfc, problem_rows(parsed.problems), stamp


def _parsed(outcome: _Outcome) -> bool:
    return isinstance(outcome, tuple)


def _read_many(
    files: list[tuple[str, str]], context: tuple[Mapping[str, Parse], int]
) -> list[_Outcome]:
    """context: the known parses, and when reading started (time.time_ns())."""
    known, started = context
    return [_read(file, shown, known, started) for file, shown in files]


def _case_clashes(shown_parent: str, names: list[str]) -> list[Problem]:
    """Names a case-insensitive disk (Windows, macOS) cannot hold side by side."""
    found = []
    seen: dict[str, str] = {}
    for name in names:
        key = name.casefold()
        if key in seen:
            found.append(problem(f"{shown_parent}/{name}", 1, "", "case-clash", other=seen[key]))
        else:
            seen[key] = name
    return found


def _sorted_entries(folder: Path) -> list[os.DirEntry[str]]:
    """The entries of a folder in the order of sorted(folder.iterdir()); scandir tells whether
    each is a folder or a symlink without a stat call."""
    with os.scandir(folder) as scan:
        return sorted(scan, key=lambda entry: entry.name)


_Files = list[tuple[Path, str]]


def _list_products(root: Path, out: LoadedCatalog) -> tuple[_Files, _Files]:
    """Every product.yaml to read, and every lots.csv beside one, with their display paths;
    what is wrong with the folders goes to out.problems."""
    products_dir = root / "products"
    record_files: _Files = []
    lots_files: _Files = []
    if products_dir.is_symlink():  # would read records from outside the catalog
        out.problems.append(problem(display_path(root, products_dir), 1, "", "symlink"))
        return record_files, lots_files
    if not products_dir.is_dir():
        return record_files, lots_files
    provinces = sorted(products_dir.iterdir())
    for province_dir in provinces:
        if province_dir.name in _IGNORED:
            continue
        shown_province = display_path(root, province_dir)
        if province_dir.is_symlink():
            out.problems.append(problem(shown_province, 1, "", "symlink"))
            continue
        if not province_dir.is_dir():
            out.problems.append(problem(shown_province, 1, "", "stray-file"))
            continue
        entries = _sorted_entries(province_dir)
        out.problems += _case_clashes(shown_province, [entry.name for entry in entries])
        for entry in entries:
            name = entry.name
            shown_dir = f"{shown_province}/{name}"
            if name in _IGNORED:
                continue
            if entry.is_symlink():
                out.problems.append(problem(shown_dir, 1, "", "symlink"))
                continue
            if not entry.is_dir():
                out.problems.append(problem(shown_dir, 1, "", "stray-file"))
                continue
            out.product_folders[name] = shown_dir
            record_file = province_dir.joinpath(name, PRODUCT_FILE)
            if not os.path.isfile(record_file) and not os.path.islink(record_file):
                product_dir = province_dir / name
                near = [p for p in product_dir.iterdir() if p.name in _NEAR_MISSES]
                if near:
                    shown = display_path(root, near[0])
                    out.problems.append(
                        problem(shown, 1, "", "wrong-file-name", expected=PRODUCT_FILE)
                    )
                else:
                    out.problems.append(problem(shown_dir + "/", 1, "", "missing-record"))
                continue
            record_files.append((record_file, f"{shown_dir}/{PRODUCT_FILE}"))
            lots_file = province_dir.joinpath(name, LOTS_FILE)
            if os.path.lexists(lots_file):
                lots_files.append((lots_file, f"{shown_dir}/{LOTS_FILE}"))
    return record_files, lots_files


def _list_producers(root: Path, out: LoadedCatalog) -> list[tuple[Path, str] | Problem]:
    """The producer files to read (with their display paths), in name order, with the problems
    of the others in their place (they join out.problems after the products' problems)."""
    producers_dir = root / "producers"
    if producers_dir.is_symlink():
        return [problem(display_path(root, producers_dir), 1, "", "symlink")]
    if not producers_dir.is_dir():
        return []
    shown_dir = display_path(root, producers_dir)
    entries = _sorted_entries(producers_dir)
    plan: list[tuple[Path, str] | Problem] = []
    plan += _case_clashes(shown_dir, [entry.name for entry in entries])
    for entry in entries:
        if entry.name in _IGNORED:
            continue
        file = producers_dir / entry.name
        shown = f"{shown_dir}/{entry.name}"
        if file.suffix.lower() in (".yaml", ".yml") and not entry.is_dir():
            out.producer_files.setdefault(file.stem, shown)
        if file.suffix in (".yml", ".YAML", ".YML"):
            expected = file.stem + ".yaml"
            plan.append(problem(shown, 1, "", "wrong-file-name", expected=expected))
            continue
        if file.suffix != ".yaml" or entry.is_dir():
            plan.append(problem(shown, 1, "", "stray-file"))
            continue
        plan.append((file, shown))
    return plan
