"""What applying an overlay costs per file on this machine's file system, two ways.

A rebuild's overlay holds the changed files; each is renamed over the published file of the
same path (generator/write.py, apply_overlay), and the old file is freed. This times that move
for files just written (their data not yet on disk): as a rename over the old file, and as an
unlink of the old file and then a rename, in turn, over `--files` pages of 3,000 bytes in
folders of ten (ext4 writes out the data of a file renamed over another, auto_da_alloc). It
also times the unlink of a synced file by size: a file system mounted with `discard` pays for
every block it frees at once, which an empty file does not have.

    python benchmarks/rename_over.py [--files 20000] [--rounds 3] [--folder DIR]

The folder (default: benchmarks/out/rename-over) is emptied first and removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from generator.config import PROJECT_ROOT

PAGE = b"x" * 3000


def published(root: Path, files: int) -> list[str]:
    paths = []
    for i in range(files):
        folder = root / "p" / str(i // 10)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "index.html" if i % 10 == 0 else folder / f"{i}.html"
        path.write_bytes(PAGE)
        paths.append(os.fspath(path))
    return paths


def overlay(root: Path, files: int) -> list[str]:
    root.mkdir(parents=True)
    paths = [os.fspath(root / f"{i:08d}") for i in range(files)]
    for path in paths:
        with open(path, "wb") as out:
            out.write(PAGE)
    return paths


def one_round(folder: Path, files: int, unlink_first: bool) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    targets = published(folder / "site", files)
    os.sync()  # the published site is on disk; the overlay, as after a build, is not
    sources = overlay(folder / "overlay", files)
    start = time.perf_counter()
    for source, target in zip(sources, targets, strict=True):
        if unlink_first:
            os.unlink(target)
            os.rename(source, target)
        else:
            os.replace(source, target)
    seconds = time.perf_counter() - start
    os.sync()
    return seconds / files


def unlink_cost(folder: Path, size: int, files: int) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    paths = [os.fspath(folder / f"{i:08d}") for i in range(files)]
    for path in paths:
        with open(path, "wb") as out:
            out.write(b"x" * size)
    os.sync()
    start = time.perf_counter()
    for path in paths:
        os.unlink(path)
    return (time.perf_counter() - start) / files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=PROJECT_ROOT / "benchmarks/out/rename-over")
    args = parser.parse_args(argv)
    print(f"load {os.getloadavg()[0]:.2f}; {args.files} files a round, {args.rounds} rounds each")
    times: dict[str, list[float]] = {"rename over": [], "unlink, then rename": []}
    for _ in range(args.rounds):  # in turn, so that both see the same moments of the machine
        times["rename over"].append(one_round(args.folder, args.files, unlink_first=False))
        times["unlink, then rename"].append(one_round(args.folder, args.files, unlink_first=True))
    for name, values in times.items():
        shown = ", ".join(f"{v * 1e6:.0f}" for v in values)
        print(f"{name}: median {statistics.median(values) * 1e6:.0f} us a file ({shown})")
    ratio = statistics.median(times["unlink, then rename"]) / statistics.median(
        times["rename over"]
    )
    print(f"unlink, then rename / rename over: {ratio:.2f}")
    for size in (0, 100, 3000):
        cost = unlink_cost(args.folder / "unlink", size, args.files // 2)
        print(f"unlink of a synced {size}-byte file: {cost * 1e6:.1f} us")
    shutil.rmtree(args.folder, ignore_errors=True)
    print(f"load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
