"""generator/background.py, kept for the datasets module until it imports from
generator.parallel: fresh=True is a spawned child, else a fork (tests/test_parallel.py covers
the rest)."""

from __future__ import annotations

import functools
import os

from generator.background import Background

_STATE: list[object] = []


def _state() -> list[object]:
    return list(_STATE)


def test_fresh_spawns_and_otherwise_forks() -> None:
    _STATE.append("set in the parent only")
    try:
        assert Background(functools.partial(_state), "fresh", fresh=True).result() == []
        assert Background(_state, "forked").result() == ["set in the parent only"]
        assert Background(lambda: os.getpid(), "forked").result() != os.getpid()
    finally:
        _STATE.clear()
