"""Kept only for generator/render/datasets.py until it imports Background from
generator.parallel (with method="spawn" where it passed fresh=True)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from generator import parallel

_R = TypeVar("_R")


class Background(parallel.Background[_R]):
    def __init__(self, func: Callable[[], _R], name: str, fresh: bool = False) -> None:
        super().__init__(func, name, "spawn" if fresh else "fork")
