"""The web editor in Chromium against decap-server on loopback, in its git mode, on a scratch
clone: what an officer does (create a product, edit a date, forget a field) and what lands in
git. decap-server's git mode keeps the editorial workflow: each new entry is a branch
`cms/<collection>/<slug>` (here the slug is the record's path), which `publish` would merge."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from generator.config import PROJECT_ROOT, EditorSettings
from generator.render.editor import NODE_MODULES, bundle_files
from support import FIXTURE_CATALOG, QuietHandler, bounded_context, make_config

SERVER = NODE_MODULES / "decap-server" / "dist" / "index.js"
NEW_NAME = "Bánh thử nghiệm Bãi Cháy"
NEW_ID = "qn-banh-thu-nghiem-bai-chay"  # generator.skeleton.ids.suggest_product_id("qn", ...)
NEW_BRANCH = f"cms/products/quang_ninh/{NEW_ID}/product"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def cms_branches(repo: Path) -> list[str]:
    """The editor's branches by name: not `git branch`, whose "* " follows whichever branch
    decap-server has checked out at that moment (it switches branches to save)."""
    refs = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/cms/")
    return sorted(refs.split())


@pytest.fixture(scope="module")
def editor_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A scratch repository holding the fixture catalog, decap-server on it, and the site
    built with the editor pointed at that server, served on loopback."""
    node = shutil.which("node")
    if node is None or not SERVER.is_file() or not bundle_files():
        pytest.skip(
            "Node.js or the npm packages are missing: ./run test installs Node (apt) and runs "
            "npm ci"
        )
    root = tmp_path_factory.mktemp("editor")
    repo = root / "repo"
    shutil.copytree(FIXTURE_CATALOG, repo / "catalog")
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    git(repo, "config", "user.name", "Kiểm thử")
    git(repo, "config", "user.email", "kiem-thu@example.org")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Danh mục mẫu")

    port = free_port()
    env = {
        **os.environ,
        "MODE": "git",
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "GIT_REPO_DIRECTORY": str(repo),
        "LOG_LEVEL": "warn",
    }
    log = (root / "decap-server.log").open("wb")
    server = subprocess.Popen([node, str(SERVER)], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(
                    f"decap-server did not start: {(root / 'decap-server.log').read_text()}"
                )
            time.sleep(0.2)

    www = root / "www"
    handler = functools.partial(QuietHandler, directory=str(www))
    http_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=http_server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{http_server.server_address[1]}/"

    from generator.build import BuildReport, build_site

    # The catalog built is a copy: the build's ledger update must not touch the scratch repo.
    catalog = root / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    config = make_config(catalog, www, root / "cache", base_url)
    config = dataclasses.replace(
        config, editor=EditorSettings(local_backend=f"http://127.0.0.1:{port}/api/v1")
    )
    assert build_site(config, BuildReport()) == 0
    from PIL import Image

    photo = root / "banh-mau.jpg"
    Image.new("RGB", (800, 600), (150, 100, 60)).save(photo, quality=85)
    try:
        yield {"repo": repo, "editor": base_url + "quan-tri/", "root": root, "photo": photo}
    finally:
        http_server.shutdown()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture()
def editor(browser: Any, editor_site: dict[str, Any]) -> Iterator[Any]:
    context = bounded_context(browser, viewport={"width": 1300, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    # (a refused save rejects a promise with nothing: Decap's way, reported as "undefined")
    page.on("pageerror", lambda e: errors.append(str(e)) if str(e) != "undefined" else None)
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    page.goto(editor_site["editor"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Bộ sưu tập").first.wait_for()
    yield page
    context.close()
    assert errors == [], errors  # no script error, nothing the page's CSP refused


def field(page: Any, name: str) -> Any:
    """The control of a field by its property name (Decap's ids: "<name>-field-<n>")."""
    return page.locator(f"[id^='{name}-field-']").first


def pick(page: Any, name: str, typed: str, option: str) -> None:
    """A select or relation (react-select): type, then choose the option shown."""
    field(page, name).click()
    page.keyboard.type(typed)
    page.get_by_text(option, exact=False).first.click()


def test_create_product_lands_on_a_branch_that_validates(
    editor: Any, editor_site: dict[str, Any]
) -> None:
    page = editor
    main_before = git(editor_site["repo"], "rev-parse", "main")
    page.goto(editor_site["editor"] + "#/collections/products/new")
    field(page, "name").fill(NEW_NAME)
    # the province and the commune are found by typing without tone marks
    field(page, "province").fill("quang ninh")
    page.get_by_role("option", name="Quảng Ninh (22)").click()
    field(page, "commune").fill("bai chay")
    page.get_by_role("option", name="Phường Bãi Cháy, Quảng Ninh (06673)").click()
    # the id is proposed from the name and the province, by the rules of `ocop new`
    expect(field(page, "id")).to_have_value(NEW_ID)
    pick(page, "group", "II", "II · Đồ uống")
    pick(page, "stars", "4", "4 sao")
    field(page, "number").fill("99/QĐ-UBND")
    field(page, "date").fill("2026-03-02")
    field(page, "issuer").fill("UBND tỉnh Quảng Ninh")
    pick(page, "producer", "htx-mau-quang", "Hợp tác xã Mẫu Quảng Ninh")
    page.get_by_role("button", name="Thêm nguồn công khai của thông tin").click()
    field(page, "title").fill("Quyết định mẫu")
    field(page, "document").fill("Quyết định mẫu cho kiểm thử")
    field(page, "updated").fill("2026-11-20")
    page.get_by_role("button", name="Thêm ảnh sản phẩm, ảnh đầu là ảnh chính").click()
    page.get_by_role("button", name="Chọn một hình").click()
    page.locator("input[type=file]").set_input_files(str(editor_site["photo"]))
    page.get_by_role("button", name="Lấy những cái đã chọn").click()
    field(page, "alt").fill("Hình minh họa: khối nâu trên nền trắng")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Mục đã được lưu").first).to_be_visible()  # in Vietnamese

    repo = editor_site["repo"]
    assert cms_branches(repo) == [NEW_BRANCH]
    # main untouched (not HEAD: decap-server checks branches out to read them)
    assert git(repo, "rev-parse", "main") == main_before
    folder = f"catalog/products/quang_ninh/{NEW_ID}"
    changed = git(repo, "diff", "--name-only", "main", NEW_BRANCH).split()
    assert changed == [f"{folder}/banh-mau.jpg", f"{folder}/product.yaml"]
    record = git(repo, "show", f"{NEW_BRANCH}:{folder}/product.yaml")
    assert record.startswith(f'id: "{NEW_ID}"\nname: "{NEW_NAME}"\n')
    assert 'producer: "htx-mau-quang-ninh"' in record
    assert 'commune: "06673"' in record and 'province: "22"' in record
    assert '  - file: "banh-mau.jpg"' in record
    # the branch, checked out, is a catalog `ocop validate` accepts
    # (an archive, not a worktree: decap-server checks the branch out when it reads it)
    checkout = editor_site["root"] / "branch"
    checkout.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", NEW_BRANCH, "catalog"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(checkout)], input=archive, check=True, timeout=60)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--catalog", str(checkout / "catalog")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: 8 sản phẩm")


def test_editing_a_date_changes_only_that_line(editor: Any, editor_site: dict[str, Any]) -> None:
    repo = editor_site["repo"]
    path = "catalog/products/quang_ninh/qn-valid/product.yaml"
    page = editor
    page.goto(editor_site["editor"] + "#/collections/products/entries/quang_ninh/qn-valid/product")
    # the id of a saved product is shown, not editable
    expect(page.locator("[data-ocop-id='qn-valid']")).to_be_visible()
    date = field(page, "date")
    expect(date).to_have_value("2025-06-15")
    date.fill("2025-06-16")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Mục đã được lưu").first).to_be_visible()
    branch = "cms/products/quang_ninh/qn-valid/product"
    diff = git(repo, "diff", "--unified=0", "main", branch, "--", path)
    changes = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changes == ['-  date: "2025-06-15"', '+  date: "2025-06-16"']
    assert git(repo, "diff", "--name-only", "main", branch).split() == [path]


def test_required_field_left_empty_is_refused_in_vietnamese(
    editor: Any, editor_site: dict[str, Any]
) -> None:
    repo = editor_site["repo"]
    before = cms_branches(repo)
    page = editor
    page.goto(editor_site["editor"] + "#/collections/products/new")
    field(page, "name").fill("Sản phẩm thiếu ngày")
    page.get_by_role("button", name="Lưu").click()
    # Decap's notice, and the field's own message, both in Vietnamese
    expect(page.get_by_text("Bạn còn thiếu vài thông tin bắt buộc").first).to_be_visible()
    missing = page.locator(
        "li", has_text=re.compile("ngày kiểm tra hồ sơ gần nhất bắt buộc nhập", re.I)
    )
    expect(missing).to_be_visible()
    assert field(page, "updated").input_value() == ""
    assert cms_branches(repo) == before  # nothing was saved
