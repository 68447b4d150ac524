"""Earlier data releases survive a deploy that starts from an empty folder.

A real build of the fixture catalog is "published" (served over HTTP under a sub-path, as
GitHub Pages does); generator.releases fetches its releases into a fresh folder, and a second
build on a later day keeps the old release beside the new one. Damaged, missing or hostile
input stops the fetch with exit 1 and places nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import hashlib
import http.server
import io
import json
import shlex
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import releases
from generator.build import BuildReport, build_site
from generator.config import PROJECT_ROOT
from support import AS_OF, FIXTURE_CATALOG, QuietHandler, make_config, tree_bytes

FIRST = AS_OF.isoformat()
EMPTY = hashlib.sha256(b"").hexdigest()
SECOND = (AS_OF + dt.timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the catalog, the site it built on FIRST): the release every test starts from."""
    base = tmp_path_factory.mktemp("published")
    catalog = base / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    out = base / "www" / "ocop"
    config = make_config(catalog, out, base / "cache", "http://127.0.0.1:1/ocop/")
    with pytest.MonkeyPatch.context() as mp:
        # the release date is the catalog's last commit date, else as_of: pinned to as_of
        mp.setattr("generator.catalog.last_commit_date", lambda _path: None)
        assert build_site(config, BuildReport()) == 0
    assert (out / "data" / "releases" / FIRST / "SHA256SUMS").is_file()
    return catalog, out


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """An empty web root served at http://127.0.0.1:PORT/ocop/; each test fills its own."""
    root = tmp_path / "www"
    (root / "ocop").mkdir(parents=True)
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # a short poll: shutdown() waits for it, once per test
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield root / "ocop", f"http://127.0.0.1:{httpd.server_address[1]}/ocop/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def live(published: tuple[Path, Path], server: tuple[Path, str]) -> tuple[Path, str]:
    """The published releases on the server (a private copy each test may damage)."""
    site, url = server
    shutil.copytree(published[1] / "data" / "releases", site / "data" / "releases")
    return site, url


def _release_files(site: Path) -> dict[str, bytes]:
    return tree_bytes(site / "data" / "releases" / FIRST)


def test_fetch_restores_releases_byte_for_byte(
    live: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site, url = live
    out = tmp_path / "fresh"
    assert releases.fetch_releases(url, out) == 0
    assert _release_files(out) == _release_files(site)
    assert sorted(p.name for p in (out / "data" / "releases").iterdir()) == [FIRST]
    assert [p.name for p in out.iterdir()] == ["data"]  # no scratch folder left behind
    assert "13 tệp tải về, 0 tệp đã có sẵn" in capsys.readouterr().out

    # Present and right: kept as is (same inode, same mtime). Damaged: downloaded again.
    kept = out / "data" / "releases" / FIRST / "producers.csv"
    before = kept.stat()
    damaged = out / "data" / "releases" / FIRST / "products.csv"
    damaged.write_bytes(damaged.read_bytes().replace(b"qn-valid", b"qn-vaIid"))
    assert releases.fetch_releases(url.rstrip("/"), out) == 0  # Pages gives it without "/"
    assert kept.stat().st_ino == before.st_ino and kept.stat().st_mtime_ns == before.st_mtime_ns
    assert _release_files(out) == _release_files(site)
    assert "1 tệp tải về, 12 tệp đã có sẵn" in capsys.readouterr().out


def test_build_after_fetch_keeps_the_earlier_release(
    published: tuple[Path, Path],
    live: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, url = live
    out = tmp_path / "site"
    assert releases.fetch_releases(url, out) == 0

    catalog = tmp_path / "catalog"
    shutil.copytree(published[0], catalog)
    record = catalog / "products" / "quang_ninh" / "qn-valid" / "product.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("Sản phẩm mẫu còn hiệu lực", "Sản phẩm mẫu (đổi tên)"), "utf-8")
    config = dataclasses.replace(
        make_config(catalog, out, tmp_path / "cache", "http://127.0.0.1:1/ocop/"),
        as_of=dt.date.fromisoformat(SECOND),
    )
    monkeypatch.setattr("generator.catalog.last_commit_date", lambda _path: None)
    assert build_site(config, BuildReport()) == 0

    assert _release_files(out) == _release_files(published[1])  # the old one, byte for byte
    assert (out / "data" / "releases" / SECOND / "SHA256SUMS").is_file()
    index = json.loads((out / "data" / "releases" / "index.json").read_text(encoding="utf-8"))
    assert index["latest"] == SECOND
    assert [r["date"] for r in index["releases"]] == [SECOND, FIRST]
    # the new release was compared with the fetched one: the rename is its only change
    changes = (out / "data" / "releases" / SECOND / "changes.csv").read_text(encoding="utf-8")
    rows = [
        (r["previous_release"], r["change"], r["product_id"], r["changed_fields"])
        for r in csv.DictReader(io.StringIO(changes))
    ]
    assert rows == [(FIRST, "updated", "qn-valid", "name")]


TAMPERING: dict[str, Callable[[bytes], bytes]] = {
    "same size": lambda b: b.replace(b"qn-valid", b"qn-vaIid"),
    "longer": lambda b: b + b"x",
    "shorter": lambda b: b[:-1],
}


@pytest.mark.parametrize("how", TAMPERING)
def test_tampered_file_fails_and_places_nothing(
    live: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    site, url = live
    target = site / "data" / "releases" / FIRST / "products.csv"
    target.write_bytes(TAMPERING[how](target.read_bytes()))
    out = tmp_path / "fresh"
    assert releases.fetch_releases(url, out) == 1
    assert tree_bytes(out) == {}  # not one file, not even the good ones, no scratch folder
    err = capsys.readouterr().err
    assert "products.csv" in err and "lịch sử" in err and "history" in err


def _rewrite_index(site: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    path = site / "data" / "releases" / "index.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def _entry(doc: dict[str, Any], name: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(f for f in doc["releases"][0]["files"] if f["name"] == name)
    return entry


def test_index_and_file_agreeing_but_not_sha256sums_fails(
    live: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whoever changed a file and index.json but not SHA256SUMS is caught by SHA256SUMS."""
    site, url = live
    target = site / "data" / "releases" / FIRST / "products.csv"
    target.write_bytes(target.read_bytes() + b"\n")

    def follow(doc: dict[str, Any]) -> None:
        entry = _entry(doc, "products.csv")
        entry["bytes"] = target.stat().st_size
        entry["sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()

    _rewrite_index(site, follow)
    out = tmp_path / "fresh"
    assert releases.fetch_releases(url, out) == 1
    assert tree_bytes(out) == {}
    assert "SHA256SUMS and index.json disagree on products.csv" in capsys.readouterr().err


def test_a_missing_file_is_a_failure_not_a_first_deployment(
    live: tuple[Path, str], tmp_path: Path
) -> None:
    site, url = live
    (site / "data" / "releases" / FIRST / "sources.csv").unlink()
    assert releases.fetch_releases(url, tmp_path / "fresh") == 1
    assert tree_bytes(tmp_path / "fresh") == {}


def test_never_published_site_is_a_first_deployment(
    server: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = server  # serves nothing: index.json answers 404
    out = tmp_path / "fresh"
    assert releases.fetch_releases(url, out) == 0
    assert not out.exists()
    assert "404" in capsys.readouterr().out


def test_unreachable_site_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert releases.fetch_releases(f"http://127.0.0.1:{port}/", tmp_path, timeout=5) == 1
    assert "Could not restore" in capsys.readouterr().err
    assert releases.fetch_releases("file:///etc/", tmp_path) == 1  # http(s) only


HOSTILE_NAMES = ["../evil", "../../evil", "a/../../evil", "/tmp/evil", "..", ".evil", "a\\evil"]
HOSTILE_DATES = ["../../evil", f"{FIRST}/../..", f"{FIRST}\n", "2026-1-1", "/tmp"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_name_is_refused(
    live: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    site, url = live
    _rewrite_index(site, lambda doc: _entry(doc, "products.csv").update(name=name))
    out = tmp_path / "a" / "b" / "fresh"
    assert releases.fetch_releases(url, out) == 1
    assert "refused" in capsys.readouterr().err
    assert not [p for p in tmp_path.rglob("*evil*")]
    assert not out.exists()  # refused before anything was created


@pytest.mark.parametrize("date", HOSTILE_DATES)
def test_hostile_release_date_is_refused(
    live: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], date: str
) -> None:
    site, url = live
    _rewrite_index(site, lambda doc: doc["releases"][0].update(date=date))
    out = tmp_path / "a" / "b" / "fresh"
    assert releases.fetch_releases(url, out) == 1
    assert "is not YYYY-MM-DD" in capsys.readouterr().err
    assert not [p for p in tmp_path.rglob("*evil*")]
    assert not out.exists()


def _index(*files: dict[str, Any], dates: int = 1) -> bytes:
    return json.dumps({"releases": [{"date": FIRST, "files": list(files)}] * dates}).encode()


SUMS_ENTRY = {"name": "SHA256SUMS", "bytes": 0, "sha256": EMPTY}
MALFORMED: dict[str, bytes] = {
    "not json": b"<html>Not found</html>",
    "a list": b"[]",
    "no releases": b'{"latest": "2026-11-23"}',
    "no files": _index(),
    "no SHA256SUMS": _index({"name": "a.csv", "bytes": 1, "sha256": "0" * 64}),
    "size true": _index(SUMS_ENTRY, {"name": "a", "bytes": True, "sha256": "0" * 64}),
    "size negative": _index(SUMS_ENTRY, {"name": "a", "bytes": -1, "sha256": "0" * 64}),
    "short digest": _index(SUMS_ENTRY, {"name": "a", "bytes": 1, "sha256": "0" * 63}),
    "file twice": _index(SUMS_ENTRY, SUMS_ENTRY),
    "release twice": _index(SUMS_ENTRY, dates=2),
}


@pytest.mark.parametrize("kind", MALFORMED)
def test_malformed_index_fails(
    server: tuple[Path, str], tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    site, url = server
    (site / "data" / "releases").mkdir(parents=True)
    (site / "data" / "releases" / "index.json").write_bytes(MALFORMED[kind])
    assert releases.fetch_releases(url, tmp_path / "fresh") == 1
    assert "index.json" in capsys.readouterr().err
    assert not (tmp_path / "fresh").exists()


def test_empty_index_is_fine(server: tuple[Path, str], tmp_path: Path) -> None:
    site, url = server
    (site / "data" / "releases").mkdir(parents=True)
    (site / "data" / "releases" / "index.json").write_text('{"releases": []}')
    assert releases.fetch_releases(url, tmp_path / "fresh") == 0


def test_command_line(live: tuple[Path, str], tmp_path: Path) -> None:
    site, url = live
    assert releases.main(["--site-url", url, "--out", str(tmp_path / "site")]) == 0
    assert _release_files(tmp_path / "site") == _release_files(site)


def test_deploy_restores_releases_before_building() -> None:
    """The deploy fetches into the folder it then builds, from the address Pages publishes at."""
    workflow = yaml.safe_load(
        (PROJECT_ROOT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    )
    steps = workflow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    fetch = next(i for i, r in enumerate(runs) if "generator.releases" in r)
    build = next(i for i, r in enumerate(runs) if r.startswith("ocop build"))
    pages = next(i for i, s in enumerate(steps) if s.get("id") == "pages")
    assert pages < fetch < build
    argv = shlex.split(runs[fetch])
    assert argv[:3] == ["python", "-m", "generator.releases"]
    args = releases.build_parser().parse_args(argv[3:])
    assert args.site_url == "$SITE_URL"
    assert steps[fetch]["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    build_argv = shlex.split(runs[build])
    assert str(args.out) == build_argv[build_argv.index("--out") + 1]
