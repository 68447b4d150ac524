"""A build that fails, raises or is killed never damages the published site.

The site is built once (module scope); each scenario then tries to replace it and checks the
previous site is still there byte for byte, that no staging folder is published, and that the
next build cleans up and succeeds. SiteWriter's refusals and the swap are tested on their own.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import BuildReport, build_site
from generator.config import PROJECT_ROOT, BuildConfig
from generator.write import (
    SiteWriter,
    WriteError,
    lock_path_for,
    overlay_path,
    remove_stale_staging,
    staging_dir_for,
    swap_into_place,
)
from support import FIXTURE_CATALOG, make_config, tree_bytes

BASE_URL = "https://example.org/ocop/"
RECORD = "products/quang_ninh/qn-valid/product.yaml"


def leftovers(out: Path) -> list[str]:
    """Hidden folders beside the site: staging folders, an overlay not applied (not the
    site's lock, a file that stays)."""
    return sorted(
        p.name
        for p in out.parent.iterdir()
        if p.name.startswith(f".{out.name}.") and p != lock_path_for(out)
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildConfig]:
    """A catalog copy built once; scenarios restore what they change."""
    work = tmp_path_factory.mktemp("crash")
    catalog = work / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    config = make_config(catalog, work / "www" / "site", work / "cache", BASE_URL)
    assert build_site(config, BuildReport()) == 0
    yield config


@pytest.fixture
def record(site: BuildConfig) -> Iterator[Path]:
    """The qn-valid record, restored (contents and all) after the test."""
    path = site.catalog_dir / RECORD
    original = path.read_bytes()
    yield path
    path.write_bytes(original)


def test_failed_build_leaves_previous_site_byte_identical(
    site: BuildConfig, record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_bytes(site.out_dir)
    assert before and "p/qn-valid/index.html" in before
    record.write_text(
        record.read_text(encoding="utf-8").replace("stars: 4\n", "stars: 6\n", 1), encoding="utf-8"
    )
    assert build_site(site, BuildReport()) == 1
    assert tree_bytes(site.out_dir) == before
    assert leftovers(site.out_dir) == []
    assert "stars" in capsys.readouterr().out  # the problem was printed


def test_failed_first_build_creates_nothing(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    (catalog / RECORD).write_text("id: [\n", encoding="utf-8")
    config = make_config(catalog, tmp_path / "site", tmp_path / "cache", BASE_URL)
    assert build_site(config, BuildReport()) == 1
    assert not config.out_dir.exists()
    assert leftovers(config.out_dir) == []


def test_build_raising_mid_render_leaves_previous_site(
    site: BuildConfig, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renderer bug after photos, labels, datasets and pages were written to staging."""
    import generator.render.stats as stats

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("renderer bug")

    before = tree_bytes(site.out_dir)
    record.write_text(
        record.read_text(encoding="utf-8").replace("Sản phẩm mẫu còn", "Đổi tên còn", 1),
        encoding="utf-8",
    )
    monkeypatch.setattr(stats, "render_statistics", explode)
    with pytest.raises(RuntimeError, match="renderer bug"):
        build_site(site, BuildReport())
    assert tree_bytes(site.out_dir) == before
    assert leftovers(site.out_dir) == []


_CHILD = """
import sys
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from support import make_config
from generator.build import BuildReport, build_site
config = make_config(Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]), sys.argv[6])
sys.exit(build_site(config, BuildReport()))
"""


def _kill_when(config: BuildConfig, ready: str) -> Path:
    """Starts a build in a child process and SIGKILLs it once its staging folder (an overlay of
    the published site) holds the file `ready` (site-relative): the build is writing. Returns
    the staging folder."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CHILD,
            str(PROJECT_ROOT / "tests"),
            str(PROJECT_ROOT),
            str(config.catalog_dir),
            str(config.out_dir),
            str(config.cache_dir),
            config.base_url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    staging = config.out_dir.parent / f".{config.out_dir.name}.building-{child.pid}"
    deadline = time.monotonic() + 120
    try:
        while not os.path.exists(overlay_path(str(staging), ready)):
            if child.poll() is not None:
                pytest.fail(f"the build ended before `{ready}` appeared: {child.stderr.read()!r}")
            if time.monotonic() > deadline:
                pytest.fail(f"`{ready}` never appeared in {staging}")
            time.sleep(0.002)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return staging


def test_killed_builds_leave_previous_site_and_are_cleaned_up(
    site: BuildConfig, record: Path
) -> None:
    before = tree_bytes(site.out_dir)
    # a real change, so that neither the killed builds nor the next one is a no-op
    record.write_text(
        record.read_text(encoding="utf-8").replace(
            'name: "Sản phẩm mẫu còn hiệu lực"', 'name: "Sản phẩm mẫu đổi tên"', 1
        ),
        encoding="utf-8",
    )
    early = _kill_when(site, "nhan-qr/qn-valid.svg")  # killed while writing its first files
    assert early.is_dir()  # what a killed build leaves: its staging folder...
    assert tree_bytes(site.out_dir) == before  # ... and the published site, untouched
    late = _kill_when(site, "p/qn-valid/index.html")  # killed while writing pages
    assert not early.exists()  # the second build removed the first one's leftover
    assert os.path.exists(overlay_path(str(late), "nhan-qr/qn-valid.svg"))
    assert tree_bytes(site.out_dir) == before
    assert leftovers(site.out_dir) == [late.name]

    report = BuildReport()
    assert build_site(site, report) == 0
    assert not report.skipped
    assert leftovers(site.out_dir) == []  # the next build removed both
    after = tree_bytes(site.out_dir)
    pages = {rel for rel in before if rel.endswith(".html")}
    assert pages == {rel for rel in after if rel.endswith(".html")}  # complete: every page
    page = after["p/qn-valid/index.html"].decode("utf-8")
    assert "Sản phẩm mẫu đổi tên" in page and "Sản phẩm mẫu còn hiệu lực" not in page


def test_stale_staging_of_a_live_process_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "site"
    mine = tmp_path / f".site.building-{os.getpid()}"  # a build still running (this process)
    dead = tmp_path / ".site.building-999999999"
    odd = tmp_path / ".site.building-notapid"
    for folder in (mine, dead, odd):
        (folder / "x").mkdir(parents=True)
    remove_stale_staging(out)
    assert mine.is_dir() and odd.is_dir() and not dead.exists()
    assert staging_dir_for(out) == mine


# --- SiteWriter -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    [
        "../x",
        "a/../../x",
        "a/../x",
        "/etc/passwd",
        "/x",
        "",
        ".",
        "./",
        "..",
        "a\\..\\..\\x",
        "C:\\x",
    ],
)
def test_writer_refuses_paths_outside_the_site(tmp_path: Path, rel: str) -> None:
    writer = SiteWriter(tmp_path / "site")
    with pytest.raises(WriteError):
        writer.write_bytes(rel, b"x")
    with pytest.raises(WriteError):
        writer.copy_file(rel, Path(__file__))
    assert writer.written == {}
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("index.html", "index.html"),
        ("p/a/index.html", "p/a/index.html"),
        ("p/a/index.html", "p/./a/index.html"),
        ("p/a/index.html", "p//a/index.html"),
        ("p/a/index.html", "./p/a/index.html"),
        ("robots.txt", "robots.txt/"),
    ],
)
def test_writer_refuses_two_outputs_for_one_path(tmp_path: Path, first: str, second: str) -> None:
    writer = SiteWriter(tmp_path / "site")
    writer.write_text(first, "first")
    for write in (
        lambda: writer.write_text(second, "second"),
        lambda: writer.copy_file(second, Path(__file__)),
    ):
        with pytest.raises(WriteError):
            write()
    assert (tmp_path / "site" / first).read_text() == "first"
    assert len(writer.written) == 1


def test_adopted_files_never_replace_ours(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path / "site")
    writer.write_text("index.html", "ours")
    tool = tmp_path / "mkdocs"
    (tool / "gioi-thieu").mkdir(parents=True)
    (tool / "index.html").write_text("theirs")
    (tool / "gioi-thieu" / "index.html").write_text("about")
    writer.adopt_tree(tool)
    assert (tmp_path / "site" / "index.html").read_text() == "ours"
    assert (tmp_path / "site" / "gioi-thieu" / "index.html").read_text() == "about"
    assert sorted(writer.written) == ["gioi-thieu/index.html", "index.html"]


# --- the swap -----------------------------------------------------------------------------------


def _tree(root: Path, marker: str) -> Path:
    (root / "p").mkdir(parents=True)
    (root / "p" / "index.html").write_text(marker)
    return root


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_swap_replaces_the_site_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    import generator.write as write

    if not exchange:
        monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    out = _tree(tmp_path / "site", "old")
    staging = _tree(staging_dir_for(out), "new")
    swap_into_place(staging, out)
    assert (out / "p" / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_swap_into_a_missing_output(tmp_path: Path) -> None:
    out = tmp_path / "site"
    staging = _tree(staging_dir_for(out), "new")
    swap_into_place(staging, out)
    assert (out / "p" / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_renameat2_exchange_is_available_here(tmp_path: Path) -> None:
    """The atomic path is the one tested above on this machine (Linux 3.15+, glibc 2.28+)."""
    from generator.write import _exchange

    a, b = _tree(tmp_path / "a", "a"), _tree(tmp_path / "b", "b")
    assert _exchange(a, b)
    assert (a / "p" / "index.html").read_text() == "b"
