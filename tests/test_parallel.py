"""generator/parallel.py: the pool paths give exactly what the inline paths give, in order;
workers and children are forked whatever the platform's default; a spawned child inherits
nothing; an exception in a worker or child is raised here with its type; a child that dies
raises ChildDied."""

from __future__ import annotations

import functools
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, PoolSettings
from generator.errors import format_text
from generator.parallel import (
    DEFAULT_POOLS,
    Background,
    ChildDied,
    map_known_first,
    map_with_context,
    pool_map,
)
from support import AS_OF, FIXTURE_CATALOG

EVERY_ITEM_POOLED = PoolSettings(min_items=1, chunk=1)


class Refused(ValueError):
    """An exception of the project's own: it must come back as itself, not as a RuntimeError."""


_STATE: list[object] = []  # set in the parent: a fork sees it, a spawned interpreter does not


def squares(chunk: list[int], offset: int) -> list[int]:
    return [n * n + offset for n in chunk]


def pid_of(chunk: list[int], _: object) -> list[int]:
    return [os.getpid() for _ in chunk]


def pid_and_items(chunk: list[int], _: object) -> list[tuple[int, int]]:
    time.sleep(0.005)  # long enough for every worker to take chunks
    return [(os.getpid(), item) for item in chunk]


def refuse_item(chunk: list[int], failing: int) -> list[int]:
    if failing in chunk:
        raise Refused(f"item {failing}")
    return chunk


def state_and_pid(item: int) -> tuple[int, list[object], int]:
    return item, list(_STATE), os.getpid()


def refuse_three(item: int) -> int:
    if item == 3:
        raise Refused(f"item {item}")
    return item


def _pid_and_state(extra: int) -> tuple[int, list[object]]:
    return os.getpid(), [*_STATE, extra]


def _fail(message: str) -> None:
    raise Refused(message)


@pytest.fixture
def marker() -> object:
    marker = "set in the parent only"
    _STATE.append(marker)
    yield marker
    _STATE.remove(marker)


@pytest.fixture
def spawn_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform's default start method is not fork (as from Python 3.14 on Linux)."""
    default = multiprocessing.context._default_context  # type: ignore[attr-defined]
    monkeypatch.setattr(default, "_actual_context", multiprocessing.get_context("spawn"))
    assert multiprocessing.get_start_method() == "spawn"


# ------------------------------------------------------------------------------ pools


def test_chunks_in_a_pool_keep_their_order() -> None:
    items = list(range(20))
    pooled = PoolSettings(min_items=1, chunk=3)
    found = map_with_context(squares, items, 1, workers=2, pools=pooled)
    assert found == [n * n + 1 for n in items]
    pids = map_with_context(pid_of, items, None, workers=2, pools=pooled)
    assert set(pids) - {os.getpid()}  # the pool path was taken
    assert len(set(pids)) == 2  # one worker, and this process took chunks too


def test_this_process_and_the_workers_share_the_chunks() -> None:
    """With 3 cores: 2 workers and this process, each chunk run once, results in order."""
    items = list(range(200))
    pooled = PoolSettings(min_items=1, chunk=2)
    found = map_with_context(pid_and_items, items, None, workers=3, pools=pooled)
    assert [item for _, item in found] == items
    pids = {pid for pid, _ in found}
    assert os.getpid() in pids and len(pids) == 3


def test_a_failed_chunk_here_or_in_a_worker_is_raised_with_its_type() -> None:
    pooled = PoolSettings(min_items=1, chunk=1)
    for failing in (0, 2):  # chunks 0 and 1 are queued for the one worker, 2 runs here
        with pytest.raises(Refused, match=f"item {failing}"):
            map_with_context(refuse_item, list(range(8)), failing, workers=2, pools=pooled)


def test_few_items_run_inline() -> None:
    items = list(range(20))
    assert map_with_context(pid_of, items, None, workers=2) == [os.getpid()] * 20
    assert set(map_known_first(pid_of, items, None, lambda _: True)) == {os.getpid()}


def test_known_first_goes_to_the_pool_once_a_chunk_has_work() -> None:
    items = list(range(12))
    pooled = PoolSettings(min_items=1, chunk=4)
    pids = map_known_first(pid_of, items, None, lambda _: True, pooled)
    assert pids[:4] == [os.getpid()] * 4  # the first chunk here
    assert set(pids[4:]) - {os.getpid()}  # the rest shared with a worker
    cheap = map_known_first(pid_of, items, None, lambda _: False, pooled)
    assert cheap == [os.getpid()] * 12  # nothing costly: all here


@pytest.mark.parametrize("ordered", [True, False], ids=["in-order", "as-done"])
def test_pool_map_gives_every_result(ordered: bool, marker: object) -> None:
    found = list(pool_map(state_and_pid, range(10), 2, ordered=ordered))
    if ordered:
        assert [item for item, _, _ in found] == list(range(10))
    assert sorted(item for item, _, _ in found) == list(range(10))
    assert all(state == [marker] for _, state, _ in found)  # forked: the parent's state
    assert os.getpid() not in {pid for _, _, pid in found}


def test_pool_map_not_pooled_runs_here() -> None:
    found = list(pool_map(state_and_pid, range(5), 2, pooled=False))
    assert {pid for _, _, pid in found} == {os.getpid()}
    assert {pid for _, _, pid in pool_map(state_and_pid, range(5), 1)} == {os.getpid()}


@pytest.mark.parametrize("ordered", [True, False], ids=["in-order", "as-done"])
def test_an_exception_in_a_worker_is_raised_with_its_type(ordered: bool) -> None:
    with pytest.raises(Refused, match="item 3"):
        list(pool_map(refuse_three, range(40), 2, ordered=ordered))


def test_pools_and_children_fork_whatever_the_default(
    spawn_by_default: None, marker: object
) -> None:
    """A spawned worker would import this module again and see an empty _STATE; a spawned
    child could not even take a lambda."""
    found = list(pool_map(state_and_pid, range(4), 2))
    assert all(state == [marker] for _, state, _ in found)
    assert os.getpid() not in {pid for _, _, pid in found}
    context = (lambda: None, list(_STATE))  # a lambda cannot be pickled: inherited, not sent
    pooled = PoolSettings(min_items=1, chunk=1)
    states = map_with_context(_context_state, [0, 1], context, 2, pooled)
    assert states == [[marker], [marker]]
    pid, state = Background(lambda: (os.getpid(), list(_STATE)), "forked").result()
    assert pid != os.getpid() and state == [marker]


def _context_state(chunk: list[int], context: tuple[object, list[object]]) -> list[object]:
    return [context[1] for _ in chunk]


# ------------------------------------------------------------------------------ children


def test_a_childs_result_comes_back_and_it_sees_the_parents_objects() -> None:
    rows = [{"id": f"p{i}"} for i in range(1000)]  # inherited, not pickled on the way in
    job = Background(lambda: (os.getpid(), len(rows), rows[-1]), "test")
    pid, count, last = job.result()
    assert pid != os.getpid() and count == 1000 and last == {"id": "p999"}


def test_a_childs_exception_is_raised_again_with_its_type() -> None:
    def fail() -> None:
        raise Refused("table products: row 3: bad date")

    with pytest.raises(Refused, match="row 3: bad date") as caught:
        Background(fail, "datasets").result()
    assert "background process datasets" in "".join(caught.value.__notes__)


def test_a_child_killed_without_answering_is_reported() -> None:
    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(ChildDied, match="datasets: exit code -9"):
        Background(die, "datasets").result()


def test_cancel_stops_a_running_child() -> None:
    job = Background(lambda: time.sleep(60), "slow")
    start = time.monotonic()
    job.cancel()
    assert time.monotonic() - start < 10


def test_a_spawned_child_is_a_new_interpreter_that_inherits_nothing(marker: object) -> None:
    """The function and its arguments are pickled, the parent's state is not there (what the
    frictionless check relies on to share no memory with the datasets child)."""
    child = Background(functools.partial(_pid_and_state, 7), "fresh", method="spawn")
    pid, state = child.result()
    assert pid != os.getpid()
    assert state == [7]  # a forked child would have seen the marker too


def test_a_spawned_childs_exception_is_raised_again_with_its_type() -> None:
    child = Background(functools.partial(_fail, "from a spawned child"), "fresh", method="spawn")
    with pytest.raises(Refused, match="from a spawned child"):
        child.result()


# ------------------------------------------------------------------------------ the build


def test_validation_in_a_pool_equals_inline(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    record = catalog / "products" / "quang_ninh" / "qn-valid" / "product.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("stars: 4", "stars: 6"), encoding="utf-8"
    )
    schemas = PROJECT_ROOT / "schemas"
    inline = check_catalog(catalog, schemas, AS_OF, catalog / "published-ids.txt")
    pooled = check_catalog(
        catalog, schemas, AS_OF, catalog / "published-ids.txt", pools=EVERY_ITEM_POOLED
    )
    assert inline.problems  # the broken record is reported...
    assert format_text(pooled.problems) == format_text(inline.problems)  # ...the same way


def test_site_built_in_a_pool_is_byte_identical(tmp_path: Path) -> None:
    import hashlib

    from generator.build import BuildReport, build_site
    from support import make_config

    def build(name: str, pools: PoolSettings = DEFAULT_POOLS) -> dict[str, str]:
        catalog = tmp_path / name / "catalog"
        shutil.copytree(FIXTURE_CATALOG, catalog)
        out = tmp_path / name / "site"
        config = make_config(catalog, out, tmp_path / name / "cache", "https://ocop.example/")
        config = replace(config, workers=2, pools=pools)
        assert build_site(config, BuildReport()) == 0
        return {
            p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }

    inline = build("inline")
    every_pool = PoolSettings(min_items=1, chunk=1, photo_batch=1, label_min_cost=1)
    assert build("pooled", every_pool) == inline


def test_check_catalog_leaves_the_collector_as_it_was() -> None:
    """check_catalog pauses the cyclic garbage collector while it reads (millions of objects,
    no cycles) and must hand it back as it found it, on or off."""
    import gc

    schemas = PROJECT_ROOT / "schemas"
    assert gc.isenabled()
    check_catalog(FIXTURE_CATALOG, schemas, AS_OF)
    assert gc.isenabled()
    gc.disable()
    try:
        check_catalog(FIXTURE_CATALOG, schemas, AS_OF)
        assert not gc.isenabled()
    finally:
        gc.enable()


_ORPHAN = """
import sys, time
sys.path[:0] = [sys.argv[1]]
from generator.parallel import Background
job = Background(lambda: time.sleep(60), "sleeper")
print(job._process.pid, flush=True)
time.sleep(60)
"""


def test_a_child_dies_with_its_parent() -> None:
    """A build killed while its child copies the site or makes the datasets: the child does not
    go on writing into a staging folder the next build removes."""
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN, str(PROJECT_ROOT)], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    os.kill(child, 0)  # running
    parent.kill()
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and _state(child) != "Z":
        assert time.monotonic() < deadline, "the child outlived its parent"
        time.sleep(0.01)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
