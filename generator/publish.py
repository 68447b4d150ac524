"""`ocop publish`: upload a built site folder to S3-compatible object storage.

What is sent, and how
---------------------
* Every file is stored with its Content-Type (charset=utf-8 for text) and a Cache-Control:
  a year and `immutable` for content-hashed assets (a name segment of at least 8 hex digits
  with at least one letter, so a date such as 20250101 is not taken for a hash; or anything
  under the top-level `assets/`), five minutes for pages, sitemaps, feeds and everything else.
* Text (html, css, js, json, xml, svg, csv, txt, feeds) is stored gzip-compressed (except
  the open-data downloads under `data/`, which must arrive byte-identical to SHA256SUMS) with
  `Content-Encoding: gzip`. The gzip header carries no time stamp (mtime=0), so the same file
  always gives the same bytes.
* Each object carries the sha256 of the *local* file as metadata (`x-amz-meta-sha256`), so
  anyone can check an object against a build without the manifest below.

Change detection: manifest first, object metadata as the fallback
-----------------------------------------------------------------
Per-object metadata alone would need one HeadObject per file on every run (ListObjectsV2 does
not return user metadata): thousands of requests for a catalog site. A manifest alone can be
wrong: a run interrupted after some uploads, or an object changed by another tool. So both:

1. ListObjectsV2 over the prefix (one request per 1000 keys) gives every key and its ETag.
2. The manifest `<prefix>.ocop-manifest.json` maps key -> sha256, headers and the ETag the
   object had when we wrote it. Where the listed ETag equals the manifest's, the object is the
   one we uploaded, and the manifest's sha256 and headers are trusted.
3. Only where the ETags differ, or the key is not in the manifest, HeadObject reads the
   object's own `sha256` metadata and headers.

A file is unchanged when its sha256 *and* the headers we would send now are what the bucket
holds, so a change of policy (a new Content-Type, a cache rule) re-sends the affected files.
The ETag is compared only for equality, never interpreted as an MD5, because S3-compatible
services compute it in their own ways.

Order: never a live page linking to a missing file
-------------------------------------------------
Uploads run in phases, each finished before the next starts: assets (new, then changed),
pages (new, then changed), then the files that list pages (sitemaps, feeds, robots.txt).
Within each group new files go before changed ones: only a changed file can start linking to a
new one. Objects whose files no longer exist are deleted only after every upload succeeded,
and the manifest is written last. A failed upload stops the run before the next phase.

Deletion stays inside the prefix and skips other publications nested in it (a sub-prefix with
its own manifest), so publishing the bucket root does not wipe a preview under `preview/`.
A folder without index.html is refused: publishing the wrong folder would empty the site.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from generator import urls
from generator.write import SiteBusy, ready_dir_for, site_lock

MANIFEST_NAME = ".ocop-manifest.json"
MANIFEST_VERSION = 1
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"
MANIFEST_CACHE = "no-cache"
DEFAULT_WORKERS = 8
DELETE_BATCH = 1000  # DeleteObjects accepts at most 1000 keys

# Fixed table instead of `mimetypes`: that module reads /etc/mime.types and the Windows
# registry, so the same site would get different headers on different machines.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",  # RFC 9239
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".geojson": "application/geo+json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".svg": "image/svg+xml",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".sqlite": "application/vnd.sqlite3",
    ".sqlite3": "application/vnd.sqlite3",
    ".db": "application/vnd.sqlite3",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
}
DEFAULT_TYPE = "application/octet-stream"

# Text types: charset=utf-8 and gzip. The generator writes all of its text as UTF-8.
TEXT_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "text/csv",
        "text/plain",
        "text/markdown",
        "application/json",
        "application/geo+json",
        "application/manifest+json",
        "application/xml",
        "application/atom+xml",
        "application/rss+xml",
        "application/yaml",
        "image/svg+xml",
    }
)

# A hash segment: >= 8 hex digits between separators, with at least one letter a-f, so that
# dates such as `report-20250101.csv` (all digits, and not immutable) do not count.
HASH_SEGMENT = re.compile(r"(?:^|[.\-_])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}(?=[.\-_]|$)")
ATOM_ROOT = re.compile(rb"<feed\b[^>]*http://www\.w3\.org/2005/Atom")
RSS_ROOT = re.compile(rb"<rss\b")

# Upload phases, in order. Pages link to assets; sitemaps and feeds list pages.
ASSET, PAGE, INDEX = 0, 1, 2
NEW, CHANGED = "new", "changed"


class PublishError(Exception):
    """An expected failure: printed as one line (Vietnamese / English), exit status 1."""

    def __init__(self, vi: str, en: str, detail: str = "") -> None:
        # `detail` is the storage service's own text, untranslated: said once, at the end.
        super().__init__(f"{vi} / {en}: {detail}" if detail else f"{vi} / {en}")


@dataclass(frozen=True)
class Headers:
    """What an object should carry besides its body; compared with what the bucket holds."""

    content_type: str
    cache_control: str
    content_encoding: str | None  # "gzip" for text, None otherwise


@dataclass(frozen=True)
class LocalFile:
    path: Path
    key: str  # full object key: prefix + site-relative POSIX path
    sha256: str  # of the local file, before compression
    headers: Headers
    kind: int  # ASSET, PAGE or INDEX


@dataclass(frozen=True)
class Upload:
    file: LocalFile
    reason: str  # NEW or CHANGED


@dataclass
class Plan:
    uploads: list[Upload]
    unchanged: list[LocalFile]
    deletes: list[str]
    manifest: dict[str, dict[str, Any]]  # entries for the unchanged files, carried over
    previous: dict[str, dict[str, Any]]  # the manifest as read from the bucket


@dataclass(frozen=True)
class Sent:
    file: LocalFile
    etag: str
    sha256: str  # of the bytes read at upload time
    size: int  # bytes on the wire (compressed for text)


# --- classifying files ------------------------------------------------------------------------


def content_type_for(rel: str, head: bytes = b"") -> str:
    """Content-Type for a site-relative path; `head` (the file's first bytes) tells feeds apart."""
    suffix = os.path.splitext(rel)[1].lower()
    base = CONTENT_TYPES.get(suffix, DEFAULT_TYPE)
    if suffix == ".xml":
        # Feeds are often named feed.xml; the root element is what makes one.
        if ATOM_ROOT.search(head):
            base = "application/atom+xml"
        elif RSS_ROOT.search(head):
            base = "application/rss+xml"
    return f"{base}; charset=utf-8" if base in TEXT_TYPES else base


def is_text(content_type: str) -> bool:
    return content_type.split(";", 1)[0] in TEXT_TYPES


def kind_for(rel: str, content_type: str) -> int:
    name = rel.rsplit("/", 1)[-1].lower()
    base = content_type.split(";", 1)[0]
    if base == "text/html":
        return PAGE
    if (
        (name.startswith("sitemap") and name.endswith(".xml"))
        or base in {"application/atom+xml", "application/rss+xml"}
        or rel == urls.ROBOTS
    ):
        return INDEX
    return ASSET


def is_hashed(rel: str) -> bool:
    """Content-addressed: the name changes whenever the content does, so it may be cached."""
    if rel.startswith(urls.ASSETS):
        return True
    stem = rel.rsplit("/", 1)[-1]
    return HASH_SEGMENT.search(stem) is not None


def cache_control_for(rel: str, kind: int) -> str:
    # Pages, sitemaps and feeds keep their URL while their content changes: always short.
    return LONG_CACHE if kind == ASSET and is_hashed(rel) else SHORT_CACHE


def normalise_prefix(prefix: str) -> str:
    """Empty, or "a/b/": no leading slash and one trailing one, so "a" never matches "ab/x"."""
    prefix = prefix.strip().strip("/")
    return f"{prefix}/" if prefix else ""


def _walk(site_dir: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(site_dir):
        # Hidden files (.DS_Store, .git, editor droppings) are not part of the site, except
        # .well-known/ which some services require.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") or d == ".well-known")
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root, name)


def is_download(rel: str) -> bool:
    """Open-data files are served as they are: `curl` or `wget` without --compressed would
    otherwise save gzip bytes, and SHA256SUMS would not match what a journalist downloaded."""
    return rel.startswith(urls.DATA) and not rel.endswith(".html")


def scan_site(site_dir: Path, prefix: str) -> list[LocalFile]:
    out = []
    for path in _walk(site_dir):
        rel = path.relative_to(site_dir).as_posix()
        digest = hashlib.sha256()
        head = b""
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                head = head or chunk[:4096]
                digest.update(chunk)
        content_type = content_type_for(rel, head)
        kind = kind_for(rel, content_type)
        headers = Headers(
            content_type=content_type,
            cache_control=cache_control_for(rel, kind),
            content_encoding="gzip" if is_text(content_type) and not is_download(rel) else None,
        )
        out.append(LocalFile(path, prefix + rel, digest.hexdigest(), headers, kind))
    return out


def encode(raw: bytes, headers: Headers) -> bytes:
    # mtime=0 and a fixed level: identical input gives identical bytes on every machine.
    return gzip.compress(raw, compresslevel=9, mtime=0) if headers.content_encoding else raw


# --- reading the bucket -----------------------------------------------------------------------


def _etag(value: str | None) -> str:
    return (value or "").strip('"')


def list_remote(client: Any, bucket: str, prefix: str) -> dict[str, str]:
    """Every key under the prefix, with its ETag."""
    keys: dict[str, str] = {}
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            keys[obj["Key"]] = _etag(obj.get("ETag"))
    return keys


def read_manifest(client: Any, bucket: str, key: str) -> dict[str, dict[str, Any]]:
    body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        data = json.loads(body)
    except ValueError:
        return {}  # unreadable: fall back to HeadObject for everything
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _entry(sha256: str, etag: str, headers: Headers) -> dict[str, Any]:
    return {
        "sha256": sha256,
        "etag": etag,
        "content_type": headers.content_type,
        "cache_control": headers.cache_control,
        "content_encoding": headers.content_encoding,
    }


def _state(entry: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("sha256", "content_type", "cache_control", "content_encoding")
    return tuple(entry.get(k) for k in keys)


def head_entry(client: Any, bucket: str, key: str, etag: str) -> dict[str, Any]:
    head = client.head_object(Bucket=bucket, Key=key)
    headers = Headers(
        content_type=head.get("ContentType", ""),
        cache_control=head.get("CacheControl", ""),
        content_encoding=head.get("ContentEncoding") or None,
    )
    return _entry(head.get("Metadata", {}).get("sha256", ""), etag, headers)


def nested_publications(remote: dict[str, str], manifest_key: str) -> list[str]:
    """Prefixes of other publications inside ours (with their own manifest): not ours to delete.

    Publishing to the bucket root must not wipe a preview published under `preview/`.
    """
    return [
        key[: -len(MANIFEST_NAME)]
        for key in remote
        if key.endswith("/" + MANIFEST_NAME) and key != manifest_key
    ]


T = TypeVar("T")
R = TypeVar("R")


def run_all(pool: ThreadPoolExecutor, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """Run fn over items in the pool and wait for all; on the first failure cancel the rest."""
    futures: list[Future[R]] = [pool.submit(fn, item) for item in items]
    results = []
    try:
        for future in as_completed(futures):
            results.append(future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results


def make_plan(
    client: Any,
    bucket: str,
    prefix: str,
    files: list[LocalFile],
    pool: ThreadPoolExecutor,
) -> Plan:
    manifest_key = prefix + MANIFEST_NAME
    remote = list_remote(client, bucket, prefix)
    manifest = read_manifest(client, bucket, manifest_key) if manifest_key in remote else {}

    # What the bucket holds for each local key: from the manifest where the object is the one
    # the manifest describes (same ETag), else from the object itself.
    known: dict[str, dict[str, Any]] = {}
    to_head: list[str] = []
    for file in files:
        etag = remote.get(file.key)
        if etag is None:
            continue
        entry = manifest.get(file.key)
        if isinstance(entry, dict) and entry.get("etag") == etag:
            known[file.key] = entry
        else:
            to_head.append(file.key)
    heads = run_all(pool, lambda k: (k, head_entry(client, bucket, k, remote[k])), to_head)
    known.update(heads)

    plan = Plan(uploads=[], unchanged=[], deletes=[], manifest={}, previous=manifest)
    for file in files:
        entry = known.get(file.key)
        wanted = _entry(file.sha256, "", file.headers)
        if entry is None:
            plan.uploads.append(Upload(file, NEW))
        elif _state(entry) != _state(wanted):
            plan.uploads.append(Upload(file, CHANGED))
        else:
            plan.unchanged.append(file)
            plan.manifest[file.key] = entry

    local = {file.key for file in files}
    foreign = nested_publications(remote, manifest_key)
    plan.deletes = sorted(
        key
        for key in remote
        if key not in local
        and key != manifest_key
        and not any(key.startswith(other) for other in foreign)
    )
    return plan


# --- writing the bucket -----------------------------------------------------------------------


def upload_one(client: Any, bucket: str, file: LocalFile) -> Sent:
    raw = file.path.read_bytes()
    # Hash what is actually sent: the file may have changed since it was scanned.
    sha256 = hashlib.sha256(raw).hexdigest()
    body = encode(raw, file.headers)
    extra: dict[str, Any] = {}
    if file.headers.content_encoding:
        extra["ContentEncoding"] = file.headers.content_encoding
    response = client.put_object(
        Bucket=bucket,
        Key=file.key,
        Body=body,
        ContentType=file.headers.content_type,
        CacheControl=file.headers.cache_control,
        # MD5 of the body: an integrity check every S3-compatible service understands.
        ContentMD5=base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode(
            "ascii"
        ),
        Metadata={"sha256": sha256},
        **extra,
    )
    return Sent(file, _etag(response.get("ETag")), sha256, len(body))


def phases(uploads: list[Upload]) -> list[list[Upload]]:
    """Groups to upload one after the other: by kind, and new before changed within a kind."""
    groups: dict[tuple[int, int], list[Upload]] = {}
    for upload in uploads:
        rank = (upload.file.kind, 0 if upload.reason == NEW else 1)
        groups.setdefault(rank, []).append(upload)
    return [groups[rank] for rank in sorted(groups)]


def delete_keys(client: Any, bucket: str, keys: list[str]) -> None:
    for start in range(0, len(keys), DELETE_BATCH):
        batch = keys[start : start + DELETE_BATCH]
        response = client.delete_objects(
            Bucket=bucket,
            Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
        )
        errors = response.get("Errors") or []
        if errors:
            first = errors[0]
            raise PublishError(
                f"không xóa được {len(errors)} tệp cũ, ví dụ {first.get('Key')}: "
                f"{first.get('Message', first.get('Code'))}",
                f"could not delete {len(errors)} old object(s), e.g. {first.get('Key')}",
            )


def write_manifest(client: Any, bucket: str, key: str, entries: dict[str, dict[str, Any]]) -> None:
    body = json.dumps(
        {"version": MANIFEST_VERSION, "files": dict(sorted(entries.items()))},
        ensure_ascii=False,
        separators=(",", ":"),  # one line: it is read by machines, thousands of entries
    ).encode("utf-8")
    client.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType="application/json; charset=utf-8",
        CacheControl=MANIFEST_CACHE,
    )


# --- the command ------------------------------------------------------------------------------


def make_client(endpoint_url: str | None, workers: int) -> Any:
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {"max_pool_connections": max(workers, 10)}
    if endpoint_url:
        # Every S3-compatible service (MinIO, Ceph, R2, ...) accepts path-style addressing; not
        # every one resolves bucket-name subdomains.
        options["s3"] = {"addressing_style": "path"}
        # boto3 >= 1.36 adds CRC checksums that several S3-compatible services reject; the
        # Content-MD5 we send keeps uploads checked. An explicit environment setting still wins.
        if "AWS_REQUEST_CHECKSUM_CALCULATION" not in os.environ:
            options["request_checksum_calculation"] = "when_required"
        if "AWS_RESPONSE_CHECKSUM_VALIDATION" not in os.environ:
            options["response_checksum_validation"] = "when_required"
    # A fresh session reads the environment now; boto3's default session caches credentials.
    session = boto3.session.Session()
    try:
        return session.client("s3", endpoint_url=endpoint_url, config=Config(**options))
    except ValueError as err:  # botocore: "Invalid endpoint: ..."
        raise PublishError(
            f"địa chỉ --endpoint-url không hợp lệ: {endpoint_url}",
            f"invalid --endpoint-url: {endpoint_url}",
        ) from err


# botocore's own rule (S3-compatible services are laxer than AWS), minus access-point ARNs.
BUCKET_NAME = re.compile(r"[a-zA-Z0-9.\-_]{1,255}")
CREDENTIAL_CODES = frozenset(
    {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"}
)
ACCESS_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "403"})


@contextmanager
def storage_errors(bucket: str, endpoint_url: str | None) -> Iterator[None]:
    """Turn the storage failures a user can fix into one clear line instead of a traceback."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    where = endpoint_url or "AWS S3"
    try:
        yield
    except (NoCredentialsError, PartialCredentialsError) as err:
        raise PublishError(
            "chưa có thông tin đăng nhập kho: đặt AWS_ACCESS_KEY_ID và AWS_SECRET_ACCESS_KEY "
            "(hoặc AWS_PROFILE)",
            "no storage credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or AWS_PROFILE)",
        ) from err
    except NoRegionError as err:
        raise PublishError(
            "chưa chọn vùng: đặt AWS_DEFAULT_REGION, ví dụ ap-southeast-1",
            "no region: set AWS_DEFAULT_REGION, e.g. ap-southeast-1",
        ) from err
    except EndpointConnectionError as err:
        raise PublishError(
            f"không kết nối được tới {where}; kiểm tra --endpoint-url và mạng",
            f"cannot connect to {where}; check --endpoint-url and the network",
        ) from err
    except ClientError as err:
        error = err.response.get("Error", {})
        code = str(error.get("Code", ""))
        if code == "NoSuchBucket":
            raise PublishError(
                f"không có kho (bucket) {bucket!r} tại {where}; kiểm tra --bucket",
                f"bucket {bucket!r} does not exist at {where}; check --bucket",
            ) from err
        if code in CREDENTIAL_CODES:
            raise PublishError(
                f"khóa truy cập không hợp lệ ({code}); kiểm tra AWS_ACCESS_KEY_ID và "
                "AWS_SECRET_ACCESS_KEY",
                f"invalid credentials ({code}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            ) from err
        if code in ACCESS_CODES:
            raise PublishError(
                f"không có quyền ghi/đọc kho {bucket!r}; khóa cần quyền List, Get, Put, Delete",
                f"access denied to bucket {bucket!r}; the key needs List, Get, Put and Delete",
            ) from err
        detail = f"{code} {error.get('Message', '')}".strip()
        raise PublishError("kho lưu trữ báo lỗi", "storage error", detail) from err
    except BotoCoreError as err:
        raise PublishError("lỗi khi làm việc với kho", "storage error", str(err)) from err
    except OSError as err:
        raise PublishError(
            f"không đọc được tệp {err.filename}: {err.strerror}",
            f"cannot read {err.filename}: {err.strerror}",
        ) from err


def human_size(n: int, lang: str) -> str:
    if n < 1000:
        return f"{n} B"
    size, unit = n / 1000, "kB"
    for bigger in ("MB", "GB"):
        if size < 1000:
            break
        size, unit = size / 1000, bigger
    text = f"{size:.1f} {unit}"
    return text.replace(".", ",") if lang == "vi" else text


def summary(uploaded: int, unchanged: int, deleted: int, sent: int, dry_run: bool) -> str:
    if dry_run:
        return (
            f"Sẽ tải lên {uploaded} tệp, {unchanged} tệp không đổi, sẽ xóa {deleted} tệp, "
            f"gửi {human_size(sent, 'vi')} / would upload {uploaded}, unchanged {unchanged}, "
            f"would delete {deleted}, {human_size(sent, 'en')} to send ({sent} bytes)"
        )
    return (
        f"Đã tải lên {uploaded} tệp, {unchanged} tệp không đổi, đã xóa {deleted} tệp, "
        f"gửi {human_size(sent, 'vi')} / uploaded {uploaded}, unchanged {unchanged}, "
        f"deleted {deleted}, {human_size(sent, 'en')} sent ({sent} bytes)"
    )


def describe(plan: Plan, bucket: str, prefix: str) -> str:
    reasons = {NEW: "mới / new", CHANGED: "đã đổi / changed"}
    lines = [
        f"Chạy thử: không thay đổi gì trên kho s3://{bucket}/{prefix} "
        "/ dry run: nothing in the bucket is changed"
    ]
    sent = 0
    for group in phases(plan.uploads):
        for upload in sorted(group, key=lambda u: u.file.key):
            sent += len(encode(upload.file.path.read_bytes(), upload.file.headers))
            lines.append(f"  tải lên / upload  {upload.file.key}  ({reasons[upload.reason]})")
    lines += [f"  xóa / delete  {key}" for key in plan.deletes]
    lines.append(summary(len(plan.uploads), len(plan.unchanged), len(plan.deletes), sent, True))
    return "\n".join(lines)


def publish(
    site_dir: Path,
    bucket: str,
    endpoint_url: str | None,
    prefix: str,
    dry_run: bool,
    client: Any,
    workers: int,
) -> str:
    """Do the work; returns the text to print. Raises PublishError for expected failures."""
    if not bucket.strip():
        raise PublishError("thiếu tên kho: thêm --bucket TÊN", "missing bucket: add --bucket NAME")
    if not BUCKET_NAME.fullmatch(bucket):
        raise PublishError(
            f"tên kho không hợp lệ: {bucket!r} (chỉ chữ thường, số, dấu chấm, gạch ngang)",
            f"invalid bucket name: {bucket!r} (lowercase letters, digits, dots, hyphens)",
        )
    if not site_dir.is_dir():
        raise PublishError(
            f"không có thư mục trang {site_dir}; chạy `ocop build` trước",
            f"site folder {site_dir} not found; run `ocop build` first",
        )
    if not (site_dir / "index.html").is_file():
        # Publishing the wrong folder would delete the live site: refuse anything that is not
        # a built site.
        raise PublishError(
            f"{site_dir} không phải trang đã dựng (thiếu index.html); chạy `ocop build` trước",
            f"{site_dir} is not a built site (no index.html); run `ocop build` first",
        )
    prefix = normalise_prefix(prefix)
    with ExitStack() as held:
        try:  # no build changes the folder while it is read and sent
            held.enter_context(site_lock(site_dir))
        except SiteBusy as err:
            raise PublishError(err.vi, err.en) from None
        if ready_dir_for(site_dir).exists():
            # No build runs (the lock): one was killed while moving its changes in, and the
            # folder mixes two versions.
            raise PublishError(
                f"{site_dir} đang dở một lần dựng (bị dừng khi chép thay đổi vào); chạy "
                "`ocop build` để hoàn tất",
                f"{site_dir} is half-way through a build's changes (it was stopped while moving "
                "them in); run `ocop build` to finish them",
            )
        with storage_errors(bucket, endpoint_url):
            files = scan_site(site_dir, prefix)
            client = client if client is not None else make_client(endpoint_url, workers)
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocop-publish") as pool:
                plan = make_plan(client, bucket, prefix, files, pool)
                if dry_run:
                    return describe(plan, bucket, prefix)
                sent: list[Sent] = []
                for group in phases(plan.uploads):
                    # run_all returns only when the whole group is stored: the ordering barrier.
                    sent += run_all(pool, lambda u: upload_one(client, bucket, u.file), group)
            delete_keys(client, bucket, plan.deletes)
            manifest = dict(plan.manifest)
            for item in sent:
                manifest[item.file.key] = _entry(item.sha256, item.etag, item.file.headers)
            if manifest != plan.previous:  # a run that changes nothing writes nothing
                write_manifest(client, bucket, prefix + MANIFEST_NAME, manifest)
        size = sum(item.size for item in sent)
        return summary(len(sent), len(plan.unchanged), len(plan.deletes), size, False)


def run_publish(
    site_dir: Path,
    bucket: str,
    endpoint_url: str | None,
    prefix: str,
    dry_run: bool = False,
    *,
    client: Any = None,
    workers: int = DEFAULT_WORKERS,
) -> int:
    """Upload `site_dir` to s3://bucket/prefix; returns the exit status.

    `client` (a boto3 S3 client) is for tests that need to watch the requests; by default one
    is made from the standard AWS environment variables and configuration files.
    """
    try:
        text = publish(site_dir, bucket, endpoint_url, prefix, dry_run, client, workers)
    except PublishError as err:
        print(f"lỗi / error: {err}", file=sys.stderr)
        return 1
    print(text)
    return 0
