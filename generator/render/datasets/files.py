"""The data files a build publishes, each made only when the tree does not already hold it.

A file made from whole tables is keyed by what it is made from (cache.key of the tables'
digests and settings): when the tree holds the file for that key at every path it goes to, it
is neither made nor written again, and its size and SHA-256 (for SHA256SUMS, the descriptor and
the data page) come from when it was made.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from generator.render.datasets.cache import FILES, DatasetCache
from generator.write import SiteWriter

# A file made this large waits on disk, not in memory, for its writes: the files derived from
# the package are written once its check passed, and a national package's are hundreds of MB.
# It waits inside the site's folder, so that it is then renamed into place (and linked for a
# release's copy), not read back and written again: a rebuild after one record changed wrote
# about 900 MB at 20,000 products with lots, a third of it spilled files copied.
SPILL_BYTES = 4 << 20
SPILL_FOLDER = ".ocop-spill"  # in the staging folder; removed by close(), never published


class FileDigest(NamedTuple):
    """A file's size and SHA-256, by its input key (cache entry "files")."""

    size: int
    sha256: str


@dataclass(frozen=True)
class DataFile:
    """A file of the data release: its bytes, or where they wait on disk (a large file), or
    neither when the tree already holds it."""

    name: str
    key: str | None  # the writer's input key (None: keyed by content)
    size: int
    sha256: str
    data: bytes | None
    spilled: Path | None = None  # where its bytes wait when they are not in `data`


class DataFiles:
    """Files made from whole tables, each under an input key (cache.key of what it is made
    from): when the tree holds the file for that key at every path it goes to, it is neither
    made nor written again, and its size and SHA-256 come from when it was made."""

    def __init__(self, writer: SiteWriter, cache: DatasetCache) -> None:
        self.writer = writer
        self.cache = cache
        self.known: dict[str, FileDigest] = cache.recall(FILES)
        self.made: dict[str, FileDigest] = {}
        self.spilled: list[Path] = []
        self.placed: dict[Path, str] = {}  # a spilled file moved into the tree -> its path

    def reuse(self, name: str, key: str, paths: Sequence[str]) -> DataFile | None:
        entry = self.known.get(key)
        held = self.writer.previous
        if not isinstance(entry, FileDigest):
            return None
        if any(held.get(path) != (key, entry.size) for path in paths):
            return None
        for path in paths:
            self.writer.unchanged(path, key)
        self.made[key] = entry
        return DataFile(name, key, entry.size, entry.sha256, None)

    def keyed(
        self, name: str, key: str, make: Callable[[], bytes], paths: Sequence[str]
    ) -> DataFile:
        """The file for `key`, made by make() unless the tree holds it at `paths`."""
        return self.reuse(name, key, paths) or self.of(name, make(), key)

    def of(self, name: str, data: bytes, key: str | None = None) -> DataFile:
        entry = FileDigest(len(data), hashlib.sha256(data).hexdigest())
        if key is not None:
            self.made[key] = entry
        if len(data) < SPILL_BYTES:
            return DataFile(name, key, entry.size, entry.sha256, data)
        folder = self.writer.root / SPILL_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        spilled = folder / f"{name}.{os.getpid()}"
        spilled.write_bytes(data)
        self.spilled.append(spilled)
        return DataFile(name, key, entry.size, entry.sha256, None, spilled)

    def write(self, file: DataFile, path: str) -> None:
        if file.data is not None:
            self.writer.write_bytes(path, file.data, file.key)
        elif file.spilled is not None:
            if file.key is None:  # keyed by content: the writer digests the bytes
                self.writer.write_bytes(path, file.spilled.read_bytes())
            elif (first := self.placed.get(file.spilled)) is not None:
                self.writer.link_written(path, first, file.key, file.size)
            elif self.writer.move_into(path, file.spilled, file.key, file.size):
                self.placed[file.spilled] = path

    def close(self) -> None:
        """Removes the files spilled to disk."""
        for path in self.spilled:
            path.unlink(missing_ok=True)
        self.spilled.clear()
        self.placed.clear()
        with contextlib.suppress(FileNotFoundError):
            (self.writer.root / SPILL_FOLDER).rmdir()

    def keep(self) -> None:
        self.cache.remember(FILES, self.made)
