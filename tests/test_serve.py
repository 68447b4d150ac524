"""`ocop serve` (generator/serve.py) answers as the static host does."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.serve import make_server, site_root
from support import serving

NOT_FOUND_PAGE = '<!doctype html><body data-root="/ocop/"><h1>Không tìm thấy trang</h1></body>'


def fetch(url: str, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    (tmp_path / "p" / "qn-valid").mkdir(parents=True)
    (tmp_path / "index.html").write_text("home", encoding="utf-8")
    (tmp_path / "p" / "qn-valid" / "index.html").write_text("product", encoding="utf-8")
    (tmp_path / "404.html").write_text(NOT_FOUND_PAGE, encoding="utf-8")
    return tmp_path


def running(site_dir: Path) -> Iterator[str]:
    with serving(make_server(site_dir, 0)) as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture()
def base(site: Path) -> Iterator[str]:
    yield from running(site)


def test_a_missing_path_gets_the_site_404_page_with_status_404(base: str) -> None:
    assert fetch(base + "P/QN-Valid") == (404, NOT_FOUND_PAGE)
    assert fetch(base + "p/khong-co/") == (404, NOT_FOUND_PAGE)
    assert fetch(base + "p/khong-co/", "HEAD") == (404, "")  # how the 404 page's script asks


def test_pages_are_served_at_the_root_and_at_the_path_built_for(base: str) -> None:
    assert fetch(base) == (200, "home")
    assert fetch(base + "p/qn-valid/") == (200, "product")
    assert fetch(base + "ocop/p/qn-valid/") == (200, "product")  # the 404 page's own links
    assert fetch(base + "ocop/p/qn-valid/", "HEAD")[0] == 200


def test_without_a_404_page_the_server_answers_plainly(site: Path) -> None:
    (site / "404.html").unlink()
    for url in running(site):
        status, text = fetch(url + "nothing")
        assert status == 404 and "Không tìm thấy" not in text


def test_site_root_is_read_from_the_404_page(
    site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert site_root(site) == "/ocop/"
    assert site_root(tmp_path_factory.mktemp("empty")) == "/"
