"""The only writer of output files: inside one folder, each path once, then an atomic swap.

A build writes into a staging folder beside the output; only a complete build replaces the
previous site, so a failed or killed build leaves the published folder as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path, PurePosixPath


class WriteError(Exception):
    pass


class SiteWriter:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: dict[str, int] = {}  # site-relative path -> size in bytes

    @staticmethod
    def _key(rel: str) -> str:
        """One spelling per file: "a/./b", "a//b" and "a/b" are one path, "x/" is "x"."""
        return PurePosixPath(rel).as_posix()

    def _target(self, rel: str) -> Path:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in rel:
            raise WriteError(f"refusing to write outside the site: {rel!r}")
        if self._key(rel) in self.written:
            raise WriteError(f"two outputs for one path: {rel!r}")
        target = self.root.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_bytes(self, rel: str, data: bytes) -> None:
        self._target(rel).write_bytes(data)
        self.written[self._key(rel)] = len(data)

    def record(self, rel: str, size: int) -> None:
        """A file another process wrote into this site (a worker of a parallel stage)."""
        self._target(rel)  # the same refusals as for our own writes
        self.written[self._key(rel)] = size

    def write_text(self, rel: str, text: str) -> None:
        self.write_bytes(rel, text.encode("utf-8"))

    def copy_file(self, rel: str, source: Path) -> None:
        """Hard-links when it can (derivatives in the cache are immutable), else copies."""
        target = self._target(rel)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.written[self._key(rel)] = target.stat().st_size

    def adopt_tree(self, folder: Path, prefix: str = "") -> None:
        """Moves files some tool wrote into `folder` (e.g. MkDocs) into the site, ours winning."""
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                rel = prefix + path.relative_to(folder).as_posix()
                if self._key(rel) not in self.written:
                    target = self._target(rel)
                    shutil.move(str(path), target)
                    self.written[self._key(rel)] = target.stat().st_size


def staging_dir_for(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.building-{os.getpid()}"


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
    """Replaces out_dir with staging; at every instant one complete site is at out_dir."""
    if out_dir.exists() and _exchange(staging, out_dir):
        shutil.rmtree(staging)  # now holds the previous site
        return
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
