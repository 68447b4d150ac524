"""Content-addressed cache of derived files (photo sizes, labels): made once per content.

A derivative's name carries a hash of its inputs (source bytes + settings + code version), as in
Zola; a rebuild reuses what exists, and `prune` removes what no current input needs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path


def content_key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:20]


class Cache:
    def __init__(self, root: Path, namespace: str) -> None:
        self.folder = root / namespace
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.folder / name

    def file(self, name: str) -> str:
        """The path as a string: a rebuild asks for ~300,000 of them, a Path costs 5x more."""
        return f"{self.folder}{os.sep}{name}"

    def names(self) -> set[str]:
        """Every name in the cache, from one listing (not a stat per file)."""
        with os.scandir(self.folder) as entries:
            return {entry.name for entry in entries}

    def has(self, name: str) -> bool:
        return (self.folder / name).is_file()

    def store(self, name: str, data: bytes) -> Path:
        """Atomic: a reader never sees a half-written file, even if the build is killed."""
        target = self.folder / name
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return target

    def prune(self, keep: set[str], present: set[str] | None = None) -> int:
        """Removes every file not in `keep`; `present`: the names listed earlier in this build
        (files made since then are all kept ones), else the folder is listed now."""
        stale = (present if present is not None else self.names()) - keep
        for name in stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.file(name))
        return len(stale)
