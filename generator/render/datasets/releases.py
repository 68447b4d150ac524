"""Data releases: each one dated, never rewritten, listed in data/releases/index.json.

Releases are named by the catalog's release date. Earlier releases are copied byte for byte
from the previously published site (config.out_dir) after their SHA256SUMS are checked: the
deploy must restore that site before building (generator/releases.py fetches it), or older
releases vanish from the new one. Only the CSV package is kept per release (the SQLite, Excel
and JSON files are derived from it and would multiply the site's size); data/latest/ has every
format.

The records, names and checksum files here are shared with the fetcher that restores the
releases (generator/releases.py): both sides read and write the same index and folders.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator import urls
from generator.config import BuildConfig
from generator.render.datasets.cache import RELEASES_VERIFIED, DatasetCache
from generator.render.datasets.files import DataFile, DataFiles
from generator.render.datasets.specs import DatasetError
from generator.write import SiteWriter

# A release folder is an ISO date; a file is a plain name (no "/", cannot start with ".", so
# never ".." or hidden). The fetcher refuses an index naming anything else.
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SUMS = "SHA256SUMS"


@dataclass(frozen=True)
class ReleaseFile:
    """A file of a release as index.json and SHA256SUMS list it."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Release:
    """A release as index.json lists it (the fetcher reads the same records back)."""

    date: str
    files: tuple[ReleaseFile, ...]
    folder: Path | None = None  # where it was read from (the previously published site)

    def names(self) -> set[str]:
        return {f.name for f in self.files}


def parse_sha256sums(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        name = name.removeprefix("*")
        if not sep or not re.fullmatch(r"[0-9a-f]{64}", digest) or not SAFE_NAME.match(name):
            raise DatasetError(f"SHA256SUMS: unreadable line {line!r}")
        out.append((name, digest))
    return out


def sha256sums(files: Iterable[DataFile]) -> bytes:
    """`sha256sum -c SHA256SUMS` format: hex digest, two spaces, name."""
    ordered = sorted(files, key=lambda f: f.name)
    return "".join(f"{f.sha256}  {f.name}\n" for f in ordered).encode("utf-8")


def sha256_file(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def carry_forward_releases(
    config: BuildConfig,
    writer: SiteWriter,
    current: str,
) -> dict[str, Release]:
    """Copies every earlier release from the published site, byte for byte, after checking
    its SHA256SUMS: a release is immutable, and a damaged one must not be republished.
    A release with the current date is replaced (a second catalog change on the same day).
    Files are streamed one at a time: years of releases need not fit in memory.

    A file is hashed again only when its stat stamp (size, modification and change times,
    inode) differs from the one it had when last found intact: every write changes its
    ctime, which no tool can set back. A year of weekly releases at 20,000 products is ~2 GB,
    otherwise read and hashed twice by every build; and the staging tree already holding a
    file with that SHA-256 (the writer's manifest) is not rewritten."""
    root = config.out_dir / urls.DATA_RELEASES
    found: dict[str, Release] = {}
    if not root.is_dir():
        return found
    cache = DatasetCache(config.cache_dir)
    verified = cache.recall(RELEASES_VERIFIED)
    intact: dict[str, str] = {}  # stamp -> SHA-256, of every file found intact now
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or not ISO_DATE.match(folder.name) or folder.name == current:
            continue
        sums_path = folder / SUMS
        if not sums_path.is_file():
            raise DatasetError(f"release {folder.name} has no SHA256SUMS: {sums_path}")
        sums = sums_path.read_bytes()
        listed = parse_sha256sums(sums.decode("utf-8"))
        problems = []
        sizes = {}
        for name, digest in listed:
            path = folder / name
            if not path.is_file():
                problems.append(f"{path}: missing")
                continue
            st = path.stat()
            stamp = f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}"
            if verified.get(stamp) != digest and sha256_file(path) != digest:
                problems.append(f"{path}: checksum differs")
                continue
            intact[stamp] = digest
            sizes[name] = st.st_size
        if problems:
            raise DatasetError(f"release {folder.name} is damaged; restore it", problems)
        files = [ReleaseFile(SUMS, len(sums), hashlib.sha256(sums).hexdigest())]
        writer.write_bytes(urls.data_release(folder.name, SUMS), sums)
        for name, digest in sorted(dict(listed).items()):
            if name == SUMS:
                continue
            rel, key = urls.data_release(folder.name, name), f"sha256:{digest}"
            if not writer.unchanged(rel, key):
                writer.write_bytes(rel, (folder / name).read_bytes(), key)
            files.append(ReleaseFile(name, sizes[name], digest))
        files.sort(key=lambda f: f.name)
        found[folder.name] = Release(folder.name, tuple(files), folder)
    if intact != verified:
        cache.save(RELEASES_VERIFIED, intact)
    return found


def read_csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def previous_products(
    releases: dict[str, Release], release: str
) -> tuple[str | None, list[dict[str, str]] | None]:
    """The newest release before this one and its products.csv rows (None, None: none)."""
    earlier = [d for d in releases if d < release]
    if not earlier:
        return None, None
    previous = max(earlier)
    folder = releases[previous].folder
    if "products.csv" not in releases[previous].names() or folder is None:
        raise DatasetError(f"release {previous} has no products.csv to compare with")
    return previous, read_csv_rows((folder / "products.csv").read_bytes())


def release_index(releases: dict[str, Release], latest: str) -> tuple[list[Release], str]:
    """Releases newest first, and data/releases/index.json."""
    release_list = [releases[d] for d in sorted(releases, reverse=True)]
    index_json = {
        "latest": latest,
        "releases": [
            {
                "date": r.date,
                "path": urls.data_release(r.date),
                "files": [{"name": f.name, "bytes": f.size, "sha256": f.sha256} for f in r.files],
            }
            for r in release_list
        ],
    }
    return release_list, json.dumps(index_json, ensure_ascii=False, indent=1) + "\n"


def publish_release(
    files: DataFiles,
    core: dict[str, DataFile],
    latest: dict[str, DataFile],
    releases: dict[str, Release],
    release: str,
) -> list[Release]:
    """The release folder, data/latest/'s other files, both SHA256SUMS and
    data/releases/index.json; returns the releases, newest first."""
    release_files = dict(core)
    release_files[SUMS] = files.of(SUMS, sha256sums(core.values()))
    for name, file in sorted(release_files.items()):
        files.write(file, urls.data_release(release, name))
    for name in sorted(latest.keys() - core.keys()):
        files.write(latest[name], urls.data_latest(name))
    latest[SUMS] = files.of(SUMS, sha256sums(latest.values()))
    files.write(latest[SUMS], urls.data_latest(SUMS))
    files.keep()
    releases[release] = Release(
        release,
        tuple(ReleaseFile(n, f.size, f.sha256) for n, f in sorted(release_files.items())),
    )
    release_list, index_json = release_index(releases, release)
    files.writer.write_text(urls.RELEASES_INDEX, index_json)
    return release_list
