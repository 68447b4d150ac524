"""Restores the earlier data releases from the live site before a build.

    python -m generator.releases --site-url https://owner.github.io/repo/ --out site

A build copies every earlier release it finds in its output folder (see
generator/render/datasets/releases.py, carry_forward_releases, which shares its records, names
and checksum files with this fetcher). A deploy that starts from a fresh checkout
has no output folder, so without this step every earlier release would silently vanish from the
new site. This reads `data/releases/index.json` of the published site and downloads every file of
every release into `<out>/data/releases/<date>/`, each checked against the size and SHA-256 that
index.json lists and against the release's own SHA256SUMS.

A site never published (HTTP 404 on index.json) is a first deployment: nothing to fetch, exit 0.
Any other failure exits 1, and nothing is placed: the deploy stops rather than publishing a site
that lost its history. Files are downloaded into a scratch folder inside `<out>` and moved into
place (os.replace, one atomic rename per file) only once every file of every release checks out.
index.json itself is not written: the build lists the release folders it finds and writes a new
one.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import urls

# The same records and naming rules as the build that reads the folders back.
from generator.render.datasets.releases import (
    ISO_DATE,
    SAFE_NAME,
    SUMS,
    Release,
    ReleaseFile,
    parse_sha256sums,
    sha256_file,
)
from generator.render.datasets.specs import DatasetError

INDEX = urls.RELEASES_INDEX
HEX64 = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 16
MAX_INDEX_BYTES = 32 * 1024 * 1024  # far above years of daily releases; refuses a runaway body
USER_AGENT = "ocop-open-catalog (release fetch)"


class ReleaseFetchError(Exception):
    """The earlier releases could not be restored exactly; the deploy must stop."""


class NotPublished(Exception):
    """index.json answers 404: the site has never been published."""


def _fail(where: str, what: str) -> ReleaseFetchError:
    return ReleaseFetchError(f"{INDEX}: {where}: {what}")


def parse_index(data: bytes) -> list[Release]:
    """index.json -> releases, refusing anything that could name a path outside the release
    folders or that the build could not read back."""
    try:
        doc: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise ReleaseFetchError(f"{INDEX}: not JSON ({err})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("releases"), list):
        raise _fail("top level", 'needs an object with a "releases" list')
    releases: list[Release] = []
    dates: set[str] = set()
    for n, item in enumerate(doc["releases"]):
        where = f"releases[{n}]"
        if not isinstance(item, dict):
            raise _fail(where, "not an object")
        date = item.get("date")
        # fullmatch: `$` alone would accept a trailing newline
        if not isinstance(date, str) or not ISO_DATE.fullmatch(date):
            raise _fail(where, f"date {date!r} is not YYYY-MM-DD")
        if date in dates:
            raise _fail(where, f"release {date} listed twice")
        dates.add(date)
        entries = item.get("files")
        if not isinstance(entries, list) or not entries:
            raise _fail(where, f"release {date} lists no files")
        files: dict[str, ReleaseFile] = {}
        for k, entry in enumerate(entries):
            at = f"{where}.files[{k}]"
            if not isinstance(entry, dict):
                raise _fail(at, "not an object")
            name, size, digest = entry.get("name"), entry.get("bytes"), entry.get("sha256")
            if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
                raise _fail(at, f"file name {name!r} is not a plain file name; refused")
            if name in files:
                raise _fail(at, f"{name} listed twice")
            # bool is an int in Python; a size of `true` is malformed, not 1
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise _fail(at, f"{name}: bytes {size!r} is not a size")
            if not isinstance(digest, str) or not HEX64.fullmatch(digest):
                raise _fail(at, f"{name}: sha256 {digest!r} is not a SHA-256 hex digest")
            files[name] = ReleaseFile(name, size, digest)
        if SUMS not in files:
            raise _fail(where, f"release {date} has no {SUMS}")
        releases.append(Release(date, tuple(files[k] for k in sorted(files))))
    return releases


class Fetcher:
    def __init__(self, site_url: str, timeout: float) -> None:
        self.site_url = site_url
        self.timeout = timeout
        # A query string the CDN has never seen: GitHub Pages caches for minutes, and a stale
        # index.json beside a fresh same-day release would look like a checksum mismatch.
        self.token = uuid.uuid4().hex

    def url(self, path: str) -> str:
        return self.site_url + urllib.parse.quote(path)

    def _open(self, path: str) -> http.client.HTTPResponse:
        request = urllib.request.Request(
            f"{self.url(path)}?fetch={self.token}", headers={"User-Agent": USER_AGENT}
        )
        response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=self.timeout)
        return response

    def index(self) -> bytes:
        try:
            with self._open(INDEX) as response:
                data = response.read(MAX_INDEX_BYTES + 1)
        except urllib.error.HTTPError as err:
            if err.code == 404:
                raise NotPublished from None
            raise ReleaseFetchError(f"{self.url(INDEX)}: HTTP {err.code} {err.reason}") from None
        except (OSError, http.client.HTTPException) as err:
            raise ReleaseFetchError(f"{self.url(INDEX)}: {err}") from None
        if len(data) > MAX_INDEX_BYTES:
            raise ReleaseFetchError(f"{self.url(INDEX)}: larger than {MAX_INDEX_BYTES} bytes")
        return data

    def download(self, path: str, expected: ReleaseFile, dest: Path) -> None:
        """Streams one file to `dest`, hashing as it goes; stops at the first byte too many."""
        url = self.url(path)
        digest = hashlib.sha256()
        size = 0
        try:
            with self._open(path) as response, dest.open("xb") as out:
                while chunk := response.read(CHUNK):
                    size += len(chunk)
                    if size > expected.size:
                        raise ReleaseFetchError(
                            f"{url}: more than the {expected.size} bytes index.json lists"
                        )
                    digest.update(chunk)
                    out.write(chunk)
        except urllib.error.HTTPError as err:
            raise ReleaseFetchError(f"{url}: HTTP {err.code} {err.reason}") from None
        except (OSError, http.client.HTTPException) as err:  # refused, reset, timed out
            raise ReleaseFetchError(f"{url}: {err}") from None
        if size != expected.size:
            raise ReleaseFetchError(f"{url}: {size} bytes, index.json lists {expected.size}")
        if digest.hexdigest() != expected.sha256:
            raise ReleaseFetchError(f"{url}: SHA-256 differs from index.json")


def _matches(path: Path, expected: ReleaseFile) -> bool:
    if not path.is_file() or path.stat().st_size != expected.size:
        return False
    return sha256_file(path) == expected.sha256


def _check_sums(release: Release, sums: bytes) -> None:
    """The release's SHA256SUMS must list exactly the other files, with index.json's digests:
    the build copies what SHA256SUMS lists, so the two must not disagree."""
    try:
        listed = dict(parse_sha256sums(sums.decode("utf-8")))
    except (UnicodeDecodeError, DatasetError) as err:
        raise ReleaseFetchError(f"release {release.date}: {SUMS} unreadable: {err}") from None
    indexed = {f.name: f.sha256 for f in release.files if f.name != SUMS}
    if listed != indexed:
        differ = sorted(
            n for n in listed.keys() | indexed.keys() if listed.get(n) != indexed.get(n)
        )
        raise ReleaseFetchError(
            f"release {release.date}: {SUMS} and index.json disagree on {', '.join(differ)}"
        )


@dataclass
class Outcome:
    releases: int = 0
    downloaded: int = 0
    kept: int = 0


def _restore(fetcher: Fetcher, out_dir: Path) -> Outcome:
    releases = parse_index(fetcher.index())
    outcome = Outcome(releases=len(releases))
    if not releases:
        return outcome
    target_root = out_dir / urls.DATA_RELEASES
    out_dir.mkdir(parents=True, exist_ok=True)
    # Scratch space on the same file system, so each file moves into place by one rename.
    scratch = Path(tempfile.mkdtemp(prefix=".releases-fetch-", dir=out_dir))
    try:
        staged: list[tuple[Path, Path]] = []  # (downloaded file, where it goes)
        for release in releases:
            folder = target_root / release.date
            for f in release.files:
                final = folder / f.name
                if _matches(final, f):
                    outcome.kept += 1
                    continue
                temp = scratch / release.date / f.name
                temp.parent.mkdir(exist_ok=True)
                fetcher.download(urls.data_release(release.date, f.name), f, temp)
                staged.append((temp, final))
                outcome.downloaded += 1
            sums_at = scratch / release.date / SUMS
            _check_sums(release, (sums_at if sums_at.is_file() else folder / SUMS).read_bytes())
        # Every file of every release checked: only now does anything reach the output.
        for temp, final in staged:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return outcome


def fetch_releases(site_url: str, out_dir: Path, timeout: float = 30) -> int:
    """Downloads every earlier release of the site at `site_url` into `out_dir`; 0 on success
    or on a site never published, 1 (with a message) on anything else."""
    url = site_url.strip()
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        print(
            f"Địa chỉ trang phải bắt đầu bằng https:// / The site URL must be http(s): {url!r}",
            file=sys.stderr,
        )
        return 1
    url = url if url.endswith("/") else url + "/"
    fetcher = Fetcher(url, timeout)
    try:
        outcome = _restore(fetcher, out_dir)
    except NotPublished:
        print(
            f"Chưa có trang nào được xuất bản tại {url} ({INDEX}: HTTP 404): lần xuất bản đầu "
            "tiên, không có bản phát hành cũ để tải. / Nothing published at that address yet "
            "(HTTP 404): first deployment, no earlier releases to fetch."
        )
        return 0
    except (ReleaseFetchError, OSError) as err:
        print(
            "Không khôi phục được các bản phát hành dữ liệu cũ; dừng lại để trang mới không mất "
            "lịch sử dữ liệu. / Could not restore the earlier data releases; stopping so the "
            f"new site does not lose its data history.\n{type(err).__name__}: {err}",
            file=sys.stderr,
        )
        return 1
    print(
        f"Đã khôi phục {outcome.releases} bản phát hành vào {out_dir / urls.DATA_RELEASES} "
        f"({outcome.downloaded} tệp tải về, {outcome.kept} tệp đã có sẵn). / Restored "
        f"{outcome.releases} release(s): {outcome.downloaded} file(s) downloaded, "
        f"{outcome.kept} already present."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator.releases",
        description="Tải các bản phát hành dữ liệu đã xuất bản về thư mục trang trước khi dựng. "
        "/ Fetches the published data releases into the site folder before a build.",
    )
    parser.add_argument(
        "--site-url", required=True, help="trang đã xuất bản, ví dụ https://owner.github.io/repo/"
    )
    parser.add_argument("--out", type=Path, default=Path("site"), help="thư mục trang (site)")
    parser.add_argument("--timeout", type=float, default=30, help="giây cho mỗi yêu cầu")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return fetch_releases(args.site_url, args.out, args.timeout)


if __name__ == "__main__":
    raise SystemExit(main())
