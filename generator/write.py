"""The only writer of output files: inside one folder, each path once, then published whole.

A build writes into a staging folder beside the output; only a complete build changes the
published site, so a failed or killed build leaves it as it was.

Incremental: a *manifest* says what each file of the published site holds (a content digest,
or the key of the inputs a page was rendered from). A file whose digest or key is unchanged is
not written at all: the staging folder is an *overlay* holding only what changed (each file
under a digest of its path, overlay_path). Once the build is complete it is sealed (renamed to
`.<name>.ready`, with the list of its files and of the files no longer produced) and applied:
each removal made, each file renamed into the site. A build killed while
applying leaves the sealed overlay, which the next build applies first (it only ever moves
files forward). With no known site (a first build, a lost manifest) staging holds the whole
site and replaces the published folder in one step.

A file is never written in place: it is unlinked first, or renamed over, because a published
file may be a hard link shared with the cache.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import marshal
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

# site-relative path -> (content digest or input key, size in bytes)
Manifest = dict[str, tuple[str, int]]
MANIFEST_VERSION = 1


class WriteError(Exception):
    pass


class SiteBusy(WriteError):
    """Another build or publish of the same site folder is running."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi, self.en = vi, en


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
        self, root: Path, previous: Manifest | None = None, base: Path | None = None
    ) -> None:
        """`previous`: what `base` holds, or `root` itself when no base is given. With a base
        (the published site) `root` is an overlay: it receives only the files that changed."""
        self.root = root
        self.base = base
        self.previous: Manifest = previous or {}
        self.written: dict[str, int] = {}  # site-relative path -> size in bytes
        self.keys: dict[str, str] = {}  # site-relative path -> digest or input key
        self.kept = 0  # files left as they were (in `base`, or in `root`)
        self.removals: list[str] = []  # with a base: what finish() found no longer produced
        self._made: list[str] = []  # files made (not kept), by this writer or recorded
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

    def _cleared(self, key: str) -> str:
        """Where to create the file `key`: root/key with its folder made and any older file
        there unlinked; in an overlay, its place in the overlay (made once per build)."""
        if self.base is not None:
            target = overlay_path(self._root, key)
            self._folder_of(target)
            return target
        # Strings and a set of the folders known to exist, not Path objects and a mkdir each:
        # this runs for every file a build writes (600,000 at 20,000 products with lots).
        target = f"{self._root}/{key}"
        try:
            os.unlink(target)
        except FileNotFoundError:
            self._folder_of(target)
        return target

    def _folder_of(self, target: str) -> None:
        """The folder of `target` made, once per build."""
        folder = target.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)

    def _done(self, key: str, digest: str, size: int) -> None:
        self.written[key] = size
        self.keys[key] = digest

    def unchanged(self, rel: str, input_key: str) -> bool:
        """True (and the file counts as written) when the tree (`base`, else `root`) holds
        `rel` made from the same inputs: the caller need not render it. `input_key` must cover
        every input."""
        key = self._check(rel)
        entry = self.previous.get(key)
        if entry is None or entry[0] != input_key:
            return False
        self._done(key, input_key, entry[1])
        self.kept += 1
        return True

    def path_of(self, rel: str) -> Path:
        """Where the file this build produced at `rel` is: in `root` when made now, else (kept)
        in the base."""
        key = self._key(rel)
        if self.base is None:
            return self.root / key
        made = Path(overlay_path(self._root, key))
        return made if made.exists() else self.base / key

    def _place(self, rel: str, digest: str, size: int, make: Callable[[str], None]) -> bool:
        """What every file written goes through: kept when the tree holds it made the same way,
        else made by make(path). True when it was made."""
        key = self._check(rel)
        if self.previous.get(key) == (digest, size):
            self.kept += 1
            self._done(key, digest, size)
            return False
        make(self._cleared(key))
        self._done(key, digest, size)
        self._made.append(key)
        return True

    def write_bytes(self, rel: str, data: bytes, input_key: str | None = None) -> None:
        digest = input_key or content_digest(data)
        self._place(rel, digest, len(data), lambda path: _write_new(path, data))

    def write_text(self, rel: str, text: str, input_key: str | None = None) -> None:
        self.write_bytes(rel, text.encode("utf-8"), input_key)

    def sibling(self) -> SiteWriter:
        """A writer of its own, on the same root, manifest and base, for a stage run in a child
        process; the parent then `record`s what it wrote."""
        return SiteWriter(self.root, self.previous, self.base)

    def record(self, rel: str, size: int, digest: str) -> None:
        """A file another process wrote (or kept) in this site: a worker of a parallel stage
        with its own writer (`sibling`)."""
        key = self._check(rel)
        self._done(key, digest, size)
        if self.previous.get(key) != (digest, size):
            self._made.append(key)

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
        target = self._cleared(key)
        _link(source, target)
        self._done(key, digest, os.stat(target).st_size)
        self._made.append(key)

    def move_into(self, rel: str, source: Path, input_key: str, size: int) -> bool:
        """write_bytes(rel, source's bytes, input_key) for a file this build made inside `root`
        (a large data file that waited on disk): renamed into place rather than read back and
        written again. False when the tree holds it already: `source` is then left as it
        was."""
        return self._place(rel, input_key, size, lambda path: os.replace(source, path))

    def link_written(self, rel: str, other: str, input_key: str, size: int) -> None:
        """write_bytes(rel, …) of the bytes this build wrote at `other` (a release's copy of a
        data file): a hard link to it, as no file of the tree is ever written in place."""
        first = self.path_of(other)
        self._place(rel, input_key, size, lambda path: os.link(first, path))

    def adopt_tree(self, folder: Path, prefix: str = "") -> None:
        """Moves files some tool wrote into `folder` (e.g. MkDocs) into the site, ours winning."""
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                rel = prefix + path.relative_to(folder).as_posix()
                if self._key(rel) not in self.written:
                    self.write_bytes(rel, path.read_bytes())

    def finish(self) -> int:
        """What the previous site held that this build did not produce: removed from `root`,
        or with a base kept in `removals` for apply_overlay. Returns how many."""
        stale = [rel for rel in self.previous if rel not in self.written]
        if self.base is not None:
            self.removals = stale
            return len(stale)
        _remove(self.root, stale)
        return len(stale)

    def made(self) -> list[str]:
        """The files made by this build (not kept): with a base, what the overlay holds."""
        return list(self._made)

    def manifest(self) -> Manifest:
        return {rel: (self.keys[rel], size) for rel, size in self.written.items()}


def _remove(root: Path, rels: Iterable[str]) -> None:
    """Removes the files `rels` (those already gone too) from `root`, then each folder below
    `root` that left empty, and its parents left empty by that."""
    folders: set[Path] = set()
    for rel in rels:
        path = root / rel
        path.unlink(missing_ok=True)
        folders.add(path.parent)
    # Deepest first, so a folder emptied by removing its empty subfolders goes too.
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()
            except OSError:
                break  # not empty
            folder = folder.parent


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


def _link(source: Path | str, target: Path | str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


# ------------------------------------------------------------------------------ folders


def staging_dir_for(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.building-{os.getpid()}"


def ready_dir_for(out_dir: Path) -> Path:
    """A complete overlay, sealed: it is being applied to out_dir, or was when a build died."""
    return out_dir.parent / f".{out_dir.name}.ready"


def lock_path_for(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.lock"


@contextmanager
def site_lock(out_dir: Path) -> Iterator[None]:
    """One build or publish of a site folder at a time: a second one stops at once, saying who
    holds the folder, instead of applying the overlay the first is applying or uploading a
    folder half-way through. A POSIX record lock: the kernel drops it when its process ends,
    killed or not, and forked workers do not inherit it."""
    try:
        import fcntl
    except ImportError:  # Windows: no such lock, builds are not guarded
        yield
        return
    path = lock_path_for(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise SiteBusy(
                f"thư mục {out_dir} đang được một lần dựng hoặc đăng khác dùng (tiến trình "
                f"{holder}); chờ nó xong rồi chạy lại",
                f"{out_dir} is in use by another build or publish (process {holder}); wait for "
                "it to end, then run again",
            ) from None
        # The holder's number, for the message above. Only this function opens the file:
        # closing any other descriptor of it in this process would drop the lock.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


OVERLAY_LIST = ".ocop-overlay"  # in a sealed overlay: what it moves in and removes


def overlay_path(root: str, key: str) -> str:
    """Where an overlay holds the site's file `key`: by a digest of its path, in 256 folders,
    not in the site's own layout. Most files of the site have a folder each (`p/<id>/`), and
    making then removing 350,000 folders doubled the cost of applying a template change."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()
    return f"{root}/{digest[:2]}/{digest[2:]}"


def seal_overlay(staging: Path, out_dir: Path, moves: list[str], removals: list[str]) -> Path:
    """Marks staging, a complete overlay of out_dir holding the files `moves`, as ready to apply:
    from here the build is committed, a build that finds it applies it before anything else."""
    listing = {"moves": sorted(moves), "removals": sorted(removals)}
    save_marshalled(staging / OVERLAY_LIST, MANIFEST_VERSION, listing)
    ready = ready_dir_for(out_dir)
    try:
        os.rename(staging, ready)
    except OSError as err:  # another build's overlay, not yet applied
        raise WriteError(f"{ready} is in the way ({err.strerror}); build again") from err
    return ready


def apply_overlay(ready: Path, out_dir: Path) -> int:
    """Applies a sealed overlay: the files no longer produced are removed from out_dir, then
    each file of the overlay is renamed into it, replacing the older one. Each step can be done
    again, so a build killed half-way is finished by the next. Returns the files moved."""
    listing = load_marshalled(ready / OVERLAY_LIST, MANIFEST_VERSION)
    if listing is None:
        raise WriteError(f"{ready}: its list of files is unreadable; delete it and build again")
    _remove(out_dir, listing["removals"])
    moved = 0
    source_root, target_root = os.fspath(ready), os.fspath(out_dir)
    for rel in listing["moves"]:
        source, target = overlay_path(source_root, rel), f"{target_root}/{rel}"
        try:
            os.replace(source, target)
        except FileNotFoundError:
            if not os.path.exists(source):
                continue  # moved by the build that was killed while applying it
            os.makedirs(target.rpartition("/")[0], exist_ok=True)
            os.replace(source, target)
        moved += 1
    shutil.rmtree(ready)
    return moved


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


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replaces out_dir with staging, a whole site; at every instant one complete site is at
    out_dir. The previous site is deleted."""
    if out_dir.exists() and _exchange(staging, out_dir):
        old = staging  # now holds the previous site
    else:
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        if out_dir.exists():
            os.rename(out_dir, old)
        os.rename(staging, out_dir)
    if old.exists():
        shutil.rmtree(old)


def remove_stale_staging(out_dir: Path) -> None:
    """Leftovers of killed builds (their process is gone) are deleted, never published."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.building-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(leftover, ignore_errors=True)
