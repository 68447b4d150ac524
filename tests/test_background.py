"""A stage run in a forked child: its result, its exceptions and its death reach the parent."""

from __future__ import annotations

import functools
import os
import signal

import pytest

from generator.background import Background, ChildDied
from generator.render.datasets.specs import DatasetError


def test_result_comes_back_and_the_child_sees_the_parents_objects() -> None:
    rows = [{"id": f"p{i}"} for i in range(1000)]  # inherited, not pickled on the way in
    job = Background(lambda: (os.getpid(), len(rows), rows[-1]), "test")
    pid, count, last = job.result()
    assert pid != os.getpid() and count == 1000 and last == {"id": "p999"}


def test_an_exception_is_raised_again_with_its_type() -> None:
    def fail() -> None:
        raise DatasetError("table products: row 3: bad date")

    with pytest.raises(DatasetError, match="row 3: bad date") as caught:
        Background(fail, "datasets").result()
    assert "background process datasets" in "".join(caught.value.__notes__)


def test_a_child_killed_without_answering_is_reported() -> None:
    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(ChildDied, match="datasets: exit code -9"):
        Background(die, "datasets").result()


def test_cancel_stops_a_running_child() -> None:
    import time

    job = Background(lambda: time.sleep(60), "slow")
    start = time.monotonic()
    job.cancel()
    assert time.monotonic() - start < 10


def test_a_fresh_child_is_a_new_interpreter_that_inherits_nothing() -> None:
    """fresh=True spawns: the function and its arguments are pickled, the parent's state is not
    there (what the frictionless check relies on to share no memory with the datasets child)."""
    marker = "set in the parent only"
    _STATE.append(marker)
    try:
        pid, state = Background(functools.partial(_pid_and_state, 7), "fresh", fresh=True).result()
    finally:
        _STATE.remove(marker)
    assert pid != os.getpid()
    assert state == [7]  # a forked child would have seen the marker too


def test_a_fresh_childs_exception_is_raised_again_with_its_type() -> None:
    with pytest.raises(DatasetError, match="from a fresh child"):
        Background(functools.partial(_fail, "from a fresh child"), "fresh", fresh=True).result()


_STATE: list[object] = []


def _pid_and_state(extra: int) -> tuple[int, list[object]]:
    return os.getpid(), [*_STATE, extra]


def _fail(message: str) -> None:
    raise DatasetError(message)
