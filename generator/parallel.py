"""Runs independent per-record work on every core, in record order.

Worker processes are forked (they inherit the loaded modules), take chunks of a few hundred
items, and return plain picklable results; small inputs run inline, where a pool costs more
than it saves. `map_with_context` hands each worker a large read-only object (a renderer with
its catalog) through the fork itself, so it is never pickled.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")

MIN_ITEMS_FOR_POOL = 1000
CHUNK = 250


def worker_count(requested: int = 0) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def map_chunks(
    func: Callable[..., list[R]],
    items: Sequence[T],
    *args: Any,
    workers: int = 0,
) -> list[R]:
    """func(chunk, *args) -> one result per item; results come back in the items' order."""
    count = worker_count(workers)
    if (
        count < 2
        or len(items) < MIN_ITEMS_FOR_POOL
        or "fork" not in (multiprocessing.get_all_start_methods())
    ):
        return func(list(items), *args)
    chunks = [list(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)]
    context = multiprocessing.get_context("fork")
    results: list[R] = []
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        for part in pool.map(func, chunks, *([arg] * len(chunks) for arg in args)):
            results.extend(part)
    return results


_worker_context: Any = None  # set once in each forked worker by _adopt_context, never in the parent


def _adopt_context(context: Any) -> None:
    global _worker_context
    _worker_context = context


def _call_with_context(func: Callable[[list[T], Any], list[R]], chunk: list[T]) -> list[R]:
    return func(chunk, _worker_context)


def map_with_context(
    func: Callable[[list[T], Any], list[R]],
    items: Sequence[T],
    context: Any,
    workers: int = 0,
) -> list[R]:
    """func(chunk, context) -> one result per item, in order; `context` reaches forked workers
    as inherited memory (initializer arguments are not pickled under fork)."""
    count = worker_count(workers)
    if (
        count < 2
        or len(items) < MIN_ITEMS_FOR_POOL
        or "fork" not in (multiprocessing.get_all_start_methods())
    ):
        return func(list(items), context)
    chunks = [list(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)]
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_adopt_context,
        initargs=(context,),
    )
    results: list[R] = []
    with pool:
        for part in pool.map(_call_with_context, [func] * len(chunks), chunks):
            results.extend(part)
    return results


def map_known_first(
    func: Callable[[list[T], C], list[R]],
    items: Sequence[T],
    context: C,
    costly: Callable[[R], bool],
) -> list[R]:
    """func(chunk, context) for every item, results in order. While earlier results answer for
    nearly every item, each costs a look-up and a few system calls: they run here, where forked
    workers would cost more than they save (results pickled back, inherited pages copied). Once
    a chunk has real work for one item in ten (many records changed, no cache, or new photo
    stamps after a fresh checkout), the rest go to every core."""
    results: list[R] = []
    step = CHUNK
    for start in range(0, len(items), step):
        done = func(list(items[start : start + step]), context)
        results += done
        if 10 * sum(map(costly, done)) >= len(done):
            results += map_with_context(func, items[start + step :], context)
            break
    return results
