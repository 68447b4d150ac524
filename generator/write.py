"""The only writer of output files: inside one folder, each path once, then an atomic swap.

A build writes into a staging folder beside the output; only a complete build replaces the
previous site, so a failed or killed build leaves the published folder as it was.

Incremental: the staging folder is not built from nothing. It is the site of the build before
last (kept beside the output as `.<name>.previous`), or a hard-link copy of the current site,
and a *manifest* says what each of its files holds (a content digest, or the key of the inputs
a page was rendered from). A file whose digest or key is unchanged is kept as it is; only
changed files are written and files no longer produced are removed. A file is never written in
place: it is unlinked first, because a kept file may be a hard link shared with the published
site or with the cache.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import marshal
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

T = TypeVar("T")

# site-relative path -> (content digest or input key, size in bytes)
Manifest = dict[str, tuple[str, int]]
MANIFEST_VERSION = 1


class WriteError(Exception):
    pass


def _plain(rel: str) -> bool:
    """A relative path already in its one spelling: no "", ".", ".." parts, no backslash."""
    # Called for every file of every build: first the test that settles nearly every path
    # without splitting it (no "//", no part after the first starting with ".", the first
    # neither; then no part is "", "." or "..").
    if rel and "//" not in rel and "/." not in rel and rel[0] not in "/." and rel[-1] != "/":
        return "\\" not in rel
    if not rel or rel[0] == "/" or "\\" in rel:
        return False
    return all(part not in ("", ".", "..") for part in rel.split("/"))


def content_digest(data: bytes) -> str:
    return "c:" + hashlib.blake2b(data, digest_size=16).hexdigest()


class SiteWriter:
    def __init__(
        self,
        root: Path,
        previous: Manifest | None = None,
        published: tuple[Path, Manifest] | None = None,
        threads: int = 0,
    ) -> None:
        self.root = root
        self.threads = threads or os.cpu_count() or 1  # for the links (flush_links)
        self.previous: Manifest = previous or {}  # what `root` already holds
        # The published site and what it holds, when `root` is an older one (the site before
        # last): a file the last build changed is linked from there rather than made again.
        self.published = published
        self._links: list[str] = []  # such files, linked together by flush_links()
        self.written: dict[str, int] = {}  # site-relative path -> size in bytes
        self.keys: dict[str, str] = {}  # site-relative path -> digest or input key
        self.kept = 0  # files left as they were in `root`
        self._root = os.fspath(root)
        self._folders: set[str] = set()  # folders of `root` made (or found) by this writer

    @staticmethod
    def _key(rel: str) -> str:
        """One spelling per file: "a/./b", "a//b" and "a/b" are one path, "x/" is "x"."""
        if _plain(rel):
            return rel  # the common case, without building a path object
        return PurePosixPath(rel).as_posix()

    def _check(self, rel: str) -> str:
        if not _plain(rel):
            pure = PurePosixPath(rel)
            if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in rel:
                raise WriteError(f"refusing to write outside the site: {rel!r}")
        key = self._key(rel)
        if key in self.written:
            raise WriteError(f"two outputs for one path: {rel!r}")
        return key

    def _target(self, rel: str) -> str:
        """A path ready to be created: checked, its folder made, any older file unlinked."""
        return self._cleared(self._check(rel))

    def _cleared(self, key: str) -> str:
        """root/key with its folder made and any older file there unlinked."""
        # Strings and a set of the folders known to exist, not Path objects and a mkdir each:
        # this runs for every file a build writes (600,000 at 20,000 products with lots).
        target = f"{self._root}/{key}"
        try:
            os.unlink(target)
        except FileNotFoundError:
            folder = target.rpartition("/")[0]
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
        return target

    def _done(self, key: str, digest: str, size: int) -> None:
        self.written[key] = size
        self.keys[key] = digest

    def unchanged(self, rel: str, input_key: str) -> bool:
        """True (and the file counts as written) when `root` holds `rel` made from the same
        inputs: the caller need not render it. `input_key` must cover every input."""
        key = self._check(rel)
        entry = self.previous.get(key)
        if entry is None or entry[0] != input_key:
            return self._link_published(key, input_key, None, later=True)
        self._done(key, input_key, entry[1])
        self.kept += 1
        return True

    def _link_published(self, key: str, digest: str, size: int | None, later: bool) -> bool:
        """True (and the file counts as kept) when the published site holds `key` made from
        the same inputs (`size` too, when given): it is linked into `root` from there. `later`:
        by flush_links(), for a file nothing reads before the build ends (a page); a data
        file may be read back (frictionless checks the tables in `root`), so it is linked now."""
        if self.published is None:
            return False
        entry = self.published[1].get(key)
        if entry is None or entry[0] != digest or (size is not None and entry[1] != size):
            return False
        if later:  # trusted like `previous`: the manifest says the file is there
            self._links.append(key)
        elif not self._link_now(key):
            return False  # gone from the published site: made again
        self._done(key, digest, entry[1])
        self.kept += 1
        return True

    def _link_now(self, key: str) -> bool:
        assert self.published is not None
        try:
            os.link(self.published[0] / key, self._cleared(key))
        except OSError:
            return False
        return True

    def flush_links(self) -> None:
        """Makes the links _link_published promised, on `threads` threads (a link is the
        kernel's work): after a build that changed every page they are hundreds of thousands."""
        if not self._links or self.published is None:
            return
        folder = self.published[0]
        keys, self._links = self._links, []

        def link(portion: list[str]) -> None:
            for key in portion:
                if not self._link_now(key):
                    raise WriteError(
                        f"{key}: missing from the published site {folder} although its "
                        f"manifest lists it; delete {folder} to build it whole"
                    )

        _on_threads(link, keys, self.threads, self.threads)

    def _place(self, rel: str, digest: str, size: int, make: Callable[[str], None]) -> bool:
        """What every file written goes through: kept when the tree holds it made the same way,
        linked from the published site when that holds it, else made by make(path). True when
        it was made."""
        key = self._check(rel)
        if self.previous.get(key) == (digest, size):
            self.kept += 1
        elif self._link_published(key, digest, size, later=False):
            return False
        else:
            make(self._cleared(key))
            self._done(key, digest, size)
            return True
        self._done(key, digest, size)
        return False

    def write_bytes(self, rel: str, data: bytes, input_key: str | None = None) -> None:
        digest = input_key or content_digest(data)
        self._place(rel, digest, len(data), lambda path: _write_new(path, data))

    def write_text(self, rel: str, text: str, input_key: str | None = None) -> None:
        self.write_bytes(rel, text.encode("utf-8"), input_key)

    def record(self, rel: str, size: int, digest: str) -> None:
        """A file another process wrote (or kept) in this site: a worker of a parallel stage
        with its own SiteWriter on the same root and manifest."""
        self._done(self._check(rel), digest, size)

    def copy_file(self, rel: str, source: Path | str, content_named: bool = False) -> None:
        """Hard-links when it can (derivatives in the cache are immutable), else copies.

        `content_named`: the source's name is derived from its content (the photo and label
        caches), so the name alone says whether the tree's file is the same; otherwise the
        source's name, size and time stand for its content."""
        key = self._check(rel)
        entry = self.previous.get(key)
        if content_named:
            digest = f"n:{source}"
            if entry is not None and entry[0] == digest:
                self.kept += 1
                self._done(key, digest, entry[1])
                return
        else:
            stat = os.stat(source)
            digest = f"f:{source}\0{stat.st_size}\0{stat.st_mtime_ns}"
            if entry == (digest, stat.st_size):
                self.kept += 1
                self._done(key, digest, stat.st_size)
                return
        target = self._target(rel)
        _link(source, target)
        self._done(key, digest, os.stat(target).st_size)

    def move_into(self, rel: str, source: Path, input_key: str, size: int) -> bool:
        """write_bytes(rel, source's bytes, input_key) for a file this build made inside `root`
        (a large data file that waited on disk): renamed into place rather than read back and
        written again. False when the tree holds it already, or it was linked from the
        published site: `source` is then left as it was."""
        return self._place(rel, input_key, size, lambda path: os.replace(source, path))

    def link_written(self, rel: str, other: str, input_key: str, size: int) -> None:
        """write_bytes(rel, …) of the bytes this build wrote at `other` (a release's copy of a
        data file): a hard link to it, as no file of the tree is ever written in place."""
        first = f"{self._root}/{self._key(other)}"
        self._place(rel, input_key, size, lambda path: os.link(first, path))

    def adopt_tree(self, folder: Path, prefix: str = "") -> None:
        """Moves files some tool wrote into `folder` (e.g. MkDocs) into the site, ours winning."""
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                rel = prefix + path.relative_to(folder).as_posix()
                if self._key(rel) not in self.written:
                    self.write_bytes(rel, path.read_bytes())

    def finish(self) -> int:
        """Makes the promised links, removes what `root` held that this build did not produce;
        returns how many were removed."""
        self.flush_links()
        stale = [rel for rel in self.previous if rel not in self.written]
        folders: set[Path] = set()
        for rel in stale:
            path = self.root / rel
            path.unlink(missing_ok=True)
            folders.add(path.parent)
        # Deepest first, so a folder emptied by removing its empty subfolders goes too.
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            while folder != self.root and folder.is_relative_to(self.root):
                try:
                    folder.rmdir()
                except OSError:
                    break  # not empty
                folder = folder.parent
        return len(stale)

    def manifest(self) -> Manifest:
        self.flush_links()  # a writer without finish() (a stage's child process) is done too
        return {rel: (self.keys[rel], size) for rel, size in self.written.items()}


def _write_new(path: str, data: bytes) -> None:
    """A new file (its path was just cleared), without a buffered file object's overhead."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


# ------------------------------------------------------------------------------ manifests


def save_manifest(path: Path, manifest: Manifest) -> None:
    save_marshalled(path, MANIFEST_VERSION, manifest)


def load_manifest(path: Path) -> Manifest | None:
    """None when missing, unreadable or of another version: the folder is then unknown."""
    return load_marshalled(path, MANIFEST_VERSION)


def save_marshalled(path: Path, version: int, table: dict[str, Any]) -> None:
    """`table` with its format version, atomic (written then renamed): a half-written file is
    never read as a whole one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(marshal.dumps((version, table)))
    os.replace(tmp, path)


def load_marshalled(path: Path, version: int) -> dict[str, Any] | None:
    """What save_marshalled wrote; None when missing, unreadable or of another version."""
    try:
        found, table = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if found != version or not isinstance(table, dict):
        return None
    return table


def clone_tree(source: Path, target: Path, workers: int = 1) -> None:
    """A copy of `source` made of hard links: cheap, and safe because no file of ours is ever
    written in place. Linking is the kernel's work (the GIL is released), which runs on every
    core: with `workers` > 1 the folders below the top two levels, and the files of those
    levels in portions, are shared among that many threads. Threads, not processes: a copy
    that is stopped (its process killed) leaves nothing running."""
    if workers < 2:
        _clone(source, target)
        return
    units: list[tuple[str, list[str]]] = []
    _clone_top(source, target, "", 2, units)
    _on_threads(functools.partial(_clone_units, source, target), units, workers, workers * 8)


def _on_threads(
    work: Callable[[list[T]], None], items: list[T], threads: int, portions: int
) -> None:
    """work(portion) for `portions` interleaved portions of `items`, on `threads` threads; an
    exception in one is raised here."""
    with ThreadPoolExecutor(threads) as pool:
        for _ in pool.map(work, [items[i::portions] for i in range(portions)]):
            pass


_FILES_A_UNIT = 2000


def _clone_top(
    source: Path, target: Path, rel: str, levels: int, units: list[tuple[str, list[str]]]
) -> None:
    """Makes the folders of the top `levels` levels; what is in them becomes units of work:
    (folder, []) a whole folder to copy, (folder, names) some of its files."""
    (target / rel).mkdir(parents=not rel)
    names: list[str] = []
    with os.scandir(source / rel) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            here = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                if levels > 1:
                    _clone_top(source, target, here, levels - 1, units)
                else:
                    units.append((here, []))
            elif entry.is_file(follow_symlinks=False):
                names.append(entry.name)
    for start in range(0, len(names), _FILES_A_UNIT):
        units.append((rel, names[start : start + _FILES_A_UNIT]))


def _clone_units(source: Path, target: Path, units: list[tuple[str, list[str]]]) -> None:
    for rel, names in units:
        if not names:
            _clone(source / rel, target / rel)
        else:
            for name in names:
                _link(source / rel / name, target / rel / name)


def _clone(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    with os.scandir(source) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _clone(Path(entry.path), target / entry.name)
            elif entry.is_file(follow_symlinks=False):
                _link(entry.path, target / entry.name)


def _link(source: Path | str, target: Path | str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


# ------------------------------------------------------------------------------ folders


def staging_dir_for(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.building-{os.getpid()}"


def spare_dir_for(out_dir: Path) -> Path:
    """The site of the previous build, kept to be brought up to date by the next one."""
    return out_dir.parent / f".{out_dir.name}.previous"


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swaps two folders in one step (Linux 3.15+)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def swap_into_place(staging: Path, out_dir: Path, keep: Path | None = None) -> bool:
    """Replaces out_dir with staging; at every instant one complete site is at out_dir.

    The previous site is moved to `keep` (replacing whatever was there) when given, else
    deleted. Returns True when a previous site was kept.
    """
    if keep is not None:
        shutil.rmtree(keep, ignore_errors=True)
    if out_dir.exists() and _exchange(staging, out_dir):
        old = staging  # now holds the previous site
    else:
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        if out_dir.exists():
            os.rename(out_dir, old)
        os.rename(staging, out_dir)
    if not old.exists():
        return False
    if keep is not None:
        os.rename(old, keep)
        return True
    shutil.rmtree(old)
    return False


def remove_stale_staging(out_dir: Path) -> None:
    """Leftovers of killed builds (their process is gone) are deleted, never published."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.building-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(leftover, ignore_errors=True)
