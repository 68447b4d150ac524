"""`ocop publish` against a real S3 server (moto in server mode, on loopback).

The client under test speaks HTTP to the server exactly as it would to AWS or MinIO; nothing in
boto3 is mocked. Where a test needs to see the order of requests it passes its own client with
event hooks, which run inside botocore's normal request path.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from generator import publish
from generator.cli import main as cli_main
from generator.publish import LONG_CACHE, MANIFEST_NAME, SHORT_CACHE, run_publish

HTML = "text/html; charset=utf-8"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()  # port=0: the OS picked a free one
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials, and nothing from the developer's own AWS setup."""
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_REQUEST_CHECKSUM_CALCULATION",
        "AWS_RESPONSE_CHECKSUM_VALIDATION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def s3(endpoint: str) -> Any:
    """An independent client for checking the bucket from the outside."""
    return boto3.session.Session().client("s3", endpoint_url=endpoint)


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"ocop-{uuid.uuid4().hex[:12]}"  # one bucket per test: the server is shared
    s3.create_bucket(Bucket=name)
    return name


CSS = "static/main.3f9a2c1d.css"  # hashed by name
JS = "assets/app.js"  # immutable because it is under assets/
IMAGE = "img/ab12cd34ef-640.webp"
JSON = "data/products.json"
PDF = "labels/qn-ruou-mo.pdf"  # not hashed: short cache
PAGES = ["index.html", "products/qn-ruou-mo/index.html", "404.html"]
INDEXES = ["sitemap.xml", "feed.xml"]
ASSETS = [CSS, JS, IMAGE, JSON, PDF]


def page(title: str) -> str:
    return (
        f'<!doctype html><html lang="vi"><head><title>{title}</title>'
        f'<link rel="stylesheet" href="/{CSS}"></head>'
        f'<body><h1>{title}</h1><img src="/{IMAGE}"></body></html>\n'
    )


def make_site(root: Path) -> Path:
    files: dict[str, str | bytes] = {
        "index.html": page("Sản phẩm OCOP"),
        "products/qn-ruou-mo/index.html": page("Rượu Mơ Yên Tử"),
        "404.html": page("Không tìm thấy"),
        CSS: "body { font-family: sans-serif; }\n" * 20,
        JS: "document.documentElement.classList.add('js');\n",
        IMAGE: b"RIFF\x1a\x00\x00\x00WEBPVP8 " + bytes(range(256)),
        JSON: '{"products": [{"id": "qn-ruou-mo", "name": "Rượu Mơ"}]}\n',
        PDF: b"%PDF-1.7\n" + bytes(200),
        "sitemap.xml": '<?xml version="1.0"?><urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n',
        "feed.xml": '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>OCOP</title></feed>\n',
        ".DS_Store": b"\x00\x00\x00\x01Bud1",  # hidden: never published
    }
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


def keys(s3: Any, bucket: str) -> dict[str, str]:
    """Every key in the bucket with its ETag."""
    listing = s3.list_objects_v2(Bucket=bucket)
    return {obj["Key"]: obj["ETag"] for obj in listing.get("Contents", [])}


class Recorder:
    """A real client whose requests are logged in order: ("start"|"done", operation, key)."""

    def __init__(self, endpoint: str, slow: Callable[[str], bool] = lambda key: False) -> None:
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint)
        self.events: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()
        self.slow = slow
        hooks = self.client.meta.events
        for op in ("PutObject", "DeleteObjects", "HeadObject"):
            hooks.register(f"before-parameter-build.s3.{op}", self._start)
            hooks.register(f"after-call.s3.{op}", self._done)

    def _start(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        key = params.get("Key", "")
        context["recorded_key"] = key
        with self.lock:
            self.events.append(("start", model.name, key))
        # Slow some uploads down: whatever does not wait for them would overtake them here.
        if model.name == "PutObject" and self.slow(key):
            time.sleep(0.05)

    def _done(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        with self.lock:
            self.events.append(("done", model.name, context.get("recorded_key", "")))

    def puts(self) -> list[str]:
        return [key for what, op, key in self.events if what == "start" and op == "PutObject"]

    def position(self, what: str, key: str) -> int:
        return self.events.index((what, "PutObject", key))

    def ops(self) -> list[str]:
        return [op for what, op, _ in self.events if what == "start"]


def publish_with(recorder: Recorder, site: Path, bucket: str, prefix: str = "") -> int:
    return run_publish(site, bucket, None, prefix, False, client=recorder.client)


# --- pure helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("index.html", HTML),
        ("a/b.css", "text/css; charset=utf-8"),
        ("a/b.js", "text/javascript; charset=utf-8"),
        ("data.json", "application/json; charset=utf-8"),
        ("sitemap.xml", "application/xml; charset=utf-8"),
        ("feed.atom", "application/atom+xml; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("x.png", "image/png"),
        ("x.JPG", "image/jpeg"),
        ("x.webp", "image/webp"),
        ("x.pdf", "application/pdf"),
        ("open-data/products.csv", "text/csv; charset=utf-8"),
        ("x.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ocop.sqlite", "application/vnd.sqlite3"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("fonts/inter.woff2", "font/woff2"),
        ("LICENSE", "application/octet-stream"),
    ],
)
def test_content_type(rel: str, expected: str) -> None:
    assert publish.content_type_for(rel) == expected


def test_xml_feed_is_recognised_by_its_root_element() -> None:
    atom = b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    assert publish.content_type_for("feed.xml", atom) == "application/atom+xml; charset=utf-8"
    assert publish.content_type_for("rss.xml", b"<rss version='2.0'>").startswith(
        "application/rss+xml"
    )


@pytest.mark.parametrize(
    ("rel", "hashed"),
    [
        ("main.3f9a2c1d.css", True),
        ("img/ab12cd34ef-640.webp", True),
        ("assets/app.js", True),
        ("chunk_0123456789abcdef.js", True),
        ("main.css", False),
        ("img/3f9a2c1-640.webp", False),  # 7 hex digits: too short to be a content hash
        ("report-20250101.csv", False),  # a date, not a hash: all digits
        ("products/qn-ruou-mo/index.html", False),
        ("sub/assets/x.css", False),  # only the top-level assets/ folder
    ],
)
def test_hashed_names(rel: str, hashed: bool) -> None:
    assert publish.is_hashed(rel) is hashed


def test_gzip_is_deterministic() -> None:
    headers = publish.Headers("text/css; charset=utf-8", SHORT_CACHE, "gzip")
    first = publish.encode(b"body{}" * 100, headers)
    assert publish.encode(b"body{}" * 100, headers) == first
    assert first[4:8] == b"\x00\x00\x00\x00"  # MTIME: no time stamp in the header


def test_prefix_is_normalised() -> None:
    assert publish.normalise_prefix("") == ""
    assert publish.normalise_prefix("/") == ""
    assert publish.normalise_prefix(" /preview ") == "preview/"
    assert publish.normalise_prefix("a/b/") == "a/b/"


# --- against the server -----------------------------------------------------------------------


def test_first_publish_stores_every_file_with_its_headers(
    site: Path, bucket: str, endpoint: str, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 0
    out = capsys.readouterr().out
    assert "uploaded 10, unchanged 0, deleted 0" in out
    assert "Đã tải lên 10 tệp" in out

    stored = keys(s3, bucket)
    assert set(stored) == {*PAGES, *INDEXES, *ASSETS, MANIFEST_NAME}  # no .DS_Store

    expected = {
        "index.html": (HTML, SHORT_CACHE, "gzip"),
        "products/qn-ruou-mo/index.html": (HTML, SHORT_CACHE, "gzip"),
        CSS: ("text/css; charset=utf-8", LONG_CACHE, "gzip"),
        JS: ("text/javascript; charset=utf-8", LONG_CACHE, "gzip"),
        IMAGE: ("image/webp", LONG_CACHE, None),
        JSON: (
            "application/json; charset=utf-8",
            SHORT_CACHE,
            None,
        ),  # open data: served as published
        PDF: ("application/pdf", SHORT_CACHE, None),
        "sitemap.xml": ("application/xml; charset=utf-8", SHORT_CACHE, "gzip"),
        "feed.xml": ("application/atom+xml; charset=utf-8", SHORT_CACHE, "gzip"),
    }
    for key, (content_type, cache_control, encoding) in expected.items():
        obj = s3.get_object(Bucket=bucket, Key=key)
        original = (site / key).read_bytes()
        assert obj["ContentType"] == content_type, key
        assert obj["CacheControl"] == cache_control, key
        assert obj.get("ContentEncoding") == encoding, key
        assert obj["Metadata"]["sha256"] == hashlib.sha256(original).hexdigest(), key
        body = obj["Body"].read()  # botocore does not decompress: these are the stored bytes
        assert (gzip.decompress(body) if encoding else body) == original, key
        if encoding:
            assert body == gzip.compress(original, compresslevel=9, mtime=0), key


def test_second_run_sends_nothing(site: Path, bucket: str, endpoint: str) -> None:
    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 0
    recorder = Recorder(endpoint)
    assert publish_with(recorder, site, bucket) == 0
    # Not even the manifest, nor a HeadObject: the listing's ETags match the manifest.
    assert recorder.ops() == []


def test_only_the_changed_page_is_sent(
    site: Path, bucket: str, endpoint: str, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 0
    changed = "products/qn-ruou-mo/index.html"
    (site / changed).write_text(page("Rượu Mơ Yên Tử (hạng 4 sao)"), encoding="utf-8")
    capsys.readouterr()

    recorder = Recorder(endpoint)
    assert publish_with(recorder, site, bucket) == 0
    assert recorder.puts() == [changed, MANIFEST_NAME]
    assert "uploaded 1, unchanged 9, deleted 0" in capsys.readouterr().out
    body = s3.get_object(Bucket=bucket, Key=changed)["Body"].read()
    assert gzip.decompress(body) == (site / changed).read_bytes()


def test_deleted_file_is_removed_after_the_uploads(
    site: Path, bucket: str, endpoint: str, s3: Any
) -> None:
    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 0
    (site / JSON).unlink()
    (site / "index.html").write_text(page("Trang chủ mới"), encoding="utf-8")

    recorder = Recorder(endpoint)
    assert publish_with(recorder, site, bucket) == 0
    assert recorder.ops() == ["PutObject", "DeleteObjects", "PutObject"]  # page, stale, manifest
    assert recorder.puts() == ["index.html", MANIFEST_NAME]
    stored = keys(s3, bucket)
    assert JSON not in stored
    assert {*PAGES, *INDEXES, CSS, IMAGE} <= set(stored)


def test_assets_are_stored_before_any_page_starts(site: Path, bucket: str, endpoint: str) -> None:
    recorder = Recorder(endpoint, slow=lambda key: not key.endswith(".html"))
    assert run_publish(site, bucket, None, "", False, client=recorder.client, workers=8) == 0
    position = recorder.position
    first_page = min(position("start", key) for key in PAGES)
    assert all(position("done", key) < first_page for key in ASSETS)
    first_index = min(position("start", key) for key in INDEXES)
    assert all(position("done", key) < first_index for key in PAGES)
    assert recorder.events[-1] == ("done", "PutObject", MANIFEST_NAME)  # manifest last


def test_new_pages_go_before_changed_pages(site: Path, bucket: str, endpoint: str) -> None:
    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 0
    # The home page starts linking to a new product page: the new page must be there first.
    new = "products/hn-tra-sen/index.html"
    (site / new).parent.mkdir(parents=True)
    (site / new).write_text(page("Trà sen Tây Hồ"), encoding="utf-8")
    (site / "index.html").write_text(page("Trang chủ") + '<a href="/products/hn-tra-sen/">')

    recorder = Recorder(endpoint, slow=lambda key: key == new)
    assert publish_with(recorder, site, bucket) == 0
    assert recorder.position("done", new) < recorder.position("start", "index.html")
    assert recorder.puts() == [new, "index.html", MANIFEST_NAME]


def test_dry_run_changes_nothing(
    site: Path, bucket: str, endpoint: str, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_publish(site, bucket, endpoint, "", dry_run=True) == 0
    assert keys(s3, bucket) == {}
    out = capsys.readouterr().out
    assert "dry run" in out
    assert f"upload  {CSS}" in out
    assert "would upload 10, unchanged 0, would delete 0" in out

    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 0
    before = keys(s3, bucket)
    (site / PDF).unlink()
    (site / "404.html").write_text(page("Lỗi 404"), encoding="utf-8")
    capsys.readouterr()

    recorder = Recorder(endpoint)
    assert run_publish(site, bucket, None, "", True, client=recorder.client) == 0
    assert keys(s3, bucket) == before
    assert set(recorder.ops()) <= {"HeadObject"}  # reads only
    out = capsys.readouterr().out
    assert "upload  404.html  (đã đổi / changed)" in out
    assert f"delete  {PDF}" in out
    assert "would upload 1, unchanged 8, would delete 1" in out


def test_prefix_through_the_command_line(site: Path, bucket: str, endpoint: str, s3: Any) -> None:
    args = ["publish", "--out", str(site), "--bucket", bucket, "--endpoint-url", endpoint]
    assert cli_main([*args, "--prefix", "/preview"]) == 0
    stored = keys(s3, bucket)
    assert "preview/index.html" in stored
    assert f"preview/{MANIFEST_NAME}" in stored
    assert all(key.startswith("preview/") for key in stored)


def test_publishing_the_root_keeps_a_nested_preview(
    site: Path, tmp_path: Path, bucket: str, endpoint: str, s3: Any
) -> None:
    assert run_publish(site, bucket, endpoint, "preview", dry_run=False) == 0
    other = make_site(tmp_path / "other")
    (other / JSON).unlink()
    assert run_publish(other, bucket, endpoint, "", dry_run=False) == 0
    stored = keys(s3, bucket)
    assert f"preview/{JSON}" in stored  # another publication's file: not stale for the root
    assert JSON not in stored


def test_lost_manifest_falls_back_to_object_metadata(
    site: Path, bucket: str, endpoint: str, s3: Any
) -> None:
    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 0
    s3.delete_object(Bucket=bucket, Key=MANIFEST_NAME)

    recorder = Recorder(endpoint)
    assert publish_with(recorder, site, bucket) == 0
    assert recorder.puts() == [MANIFEST_NAME]  # every file recognised by its sha256 metadata
    assert recorder.ops().count("HeadObject") == 10


def test_object_changed_by_another_tool_is_sent_again(
    site: Path, bucket: str, endpoint: str, s3: Any
) -> None:
    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 0
    # Same key, other bytes, no metadata: its ETag no longer matches the manifest.
    s3.put_object(Bucket=bucket, Key=CSS, Body=b"body{color:red}", ContentType="text/css")

    recorder = Recorder(endpoint)
    assert publish_with(recorder, site, bucket) == 0
    # Deterministic gzip: the restored object has its old ETag again, so the manifest stands.
    assert recorder.puts() == [CSS]
    obj = s3.get_object(Bucket=bucket, Key=CSS)
    assert gzip.decompress(obj["Body"].read()) == (site / CSS).read_bytes()


# --- expected failures: one line, Vietnamese / English, exit 1 --------------------------------


def assert_clean_error(capsys: pytest.CaptureFixture[str], *fragments: str) -> None:
    err = capsys.readouterr().err
    assert err.startswith("lỗi / error: ")
    assert " / " in err.removeprefix("lỗi / error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


def test_missing_site_folder(
    tmp_path: Path, bucket: str, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_publish(tmp_path / "nowhere", bucket, endpoint, "", dry_run=False) == 1
    assert_clean_error(capsys, "không có thư mục trang", "site folder", "ocop build")


def test_folder_that_is_not_a_built_site(
    tmp_path: Path, bucket: str, endpoint: str, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Publishing, say, the catalog folder would delete the live site: refused.
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "a.yaml").write_text("id: x\n")
    assert run_publish(tmp_path / "catalog", bucket, endpoint, "", dry_run=False) == 1
    assert_clean_error(capsys, "index.html")
    assert keys(s3, bucket) == {}


def test_a_site_half_way_through_a_build_is_not_published(
    tmp_path: Path, bucket: str, endpoint: str, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html>", encoding="utf-8")
    (tmp_path / ".site.ready").mkdir()  # a build killed while moving its changes in
    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 1
    assert_clean_error(capsys, "ocop build", "half-way")
    assert keys(s3, bucket) == {}


def test_missing_bucket_name(site: Path, endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_publish(site, " ", endpoint, "", dry_run=False) == 1
    assert_clean_error(capsys, "thiếu tên kho", "--bucket")


def test_bucket_that_does_not_exist(
    site: Path, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_publish(site, "khong-co-kho-nay", endpoint, "", dry_run=False) == 1
    assert_clean_error(capsys, "khong-co-kho-nay", "does not exist")


def test_missing_credentials(
    site: Path,
    bucket: str,
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert run_publish(site, bucket, endpoint, "", dry_run=False) == 1
    assert_clean_error(capsys, "chưa có thông tin đăng nhập", "AWS_ACCESS_KEY_ID")
