"""Content-addressed cache of derived files (photo sizes, labels): made once per content.

A derivative's name carries a hash of its inputs (source bytes + settings + code version), as in
Zola; a rebuild reuses what exists, and `prune` removes what no current input needs.
"""

from __future__ import annotations

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

    def has(self, name: str) -> bool:
        return (self.folder / name).is_file()

    def store(self, name: str, data: bytes) -> Path:
        """Atomic: a reader never sees a half-written file, even if the build is killed."""
        target = self.folder / name
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return target

    def prune(self, keep: set[str]) -> int:
        removed = 0
        for path in self.folder.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
