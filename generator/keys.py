"""The digest of the code that makes a cached result: one way for every cache to know when its
entries were made by other code.

A cache entry is valid while the source of the modules that made it, the Python that ran them
and the libraries whose output it holds are the same; nobody has to remember to bump a version
number. Callers name what shapes their results, no more: a change elsewhere in the generator
does not throw their entries away.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import marshal
import sys
from collections.abc import Iterable
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent


def library_version(name: str) -> str:
    """The installed version of a distribution, "-" when it is not installed."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def code_digest(
    files: Iterable[Path],
    libraries: Iterable[str] = (),
    runtime: Iterable[str] = (),
    salt: bytes = b"",
) -> bytes:
    """SHA-256 over the Python version, the versions of `libraries` (distribution names), the
    `runtime` strings (versions of linked C libraries: SQLite, zlib), and every file's name and
    bytes (modules, fonts, schemas), in the order given. `salt`: the cache's own format tag."""
    digest = hashlib.sha256(salt)
    digest.update(f"{sys.version}\0{marshal.version}\0".encode())
    for name in libraries:
        digest.update(f"{name}={library_version(name)}\0".encode())
    for part in runtime:
        digest.update(f"{part}\0".encode())
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode() + data)
    return digest.digest()


def modules(*names: str) -> list[Path]:
    """The source files of generator modules named relative to the package: "photos" ->
    generator/photos.py, "render.photos" (or "render/photos") -> generator/render/photos.py;
    a package stands for its __init__.py, "render.labels.*" for every module of the package."""
    files: list[Path] = []
    for name in names:
        whole = name.endswith(".*")
        path = GENERATOR.joinpath(*name.removesuffix(".*").replace("/", ".").split("."))
        if whole:
            files += sorted(path.rglob("*.py"))
        elif path.is_dir():
            files.append(path / "__init__.py")
        else:
            files.append(path.with_suffix(".py"))
    return files
