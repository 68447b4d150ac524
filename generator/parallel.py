"""Work on every core: the one place the generator starts processes.

Two shapes of work:

- many independent items (records, pages, photos, labels) spread over a pool of worker
  processes: `map_with_context` and `map_known_first` (results in order, a large read-only
  object inherited by the workers), `pool_map` (one call per item, in order or as each is done);
- one stage in a child process while this one goes on (`Background`): the datasets while the
  pages render, a workbook while the other formats are made, the frictionless check.

Workers and children are forked, stated here and not left to the platform's default (Python
3.14 no longer forks by default on Linux): a fork inherits the loaded modules and the catalog,
so nothing large is pickled on the way in. A spawned child (`method="spawn"`) is a new
interpreter that inherits nothing: for a job that reads files rather than this process's
objects, whose allocations would otherwise copy the pages it shares with the parent. Small
inputs run inline, where a pool costs more than it saves (the amounts: config.PoolSettings).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    as_completed,
    wait,
)
from typing import Any, Generic, Literal, TypeVar

from generator.config import PoolSettings

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")

StartMethod = Literal["fork", "spawn"]
DEFAULT_POOLS = PoolSettings()


def worker_count(requested: int = 0) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _fork_pool(workers: int, **options: Any) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork"), **options
    )


# ------------------------------------------------------------------------------ item by item


def pool_map(
    func: Callable[[T], R],
    items: Sequence[T],
    workers: int = 0,
    *,
    pooled: bool = True,
    chunksize: int = 1,
    ordered: bool = True,
) -> Iterator[R]:
    """func(item) for every item, in forked workers (at most one per item); inline when
    `pooled` is false (too little work to pay for starting workers), with one worker or item,
    or where processes cannot be forked. `ordered`: results in the items' order, else each as
    soon as it is done (for progress). An exception in a worker is raised here with its type,
    and the tasks not yet started are dropped (not finished first)."""
    count = worker_count(workers)
    if not pooled or count < 2 or len(items) < 2 or not can_fork():
        yield from map(func, items)
        return
    with _fork_pool(min(count, len(items))) as pool:
        try:
            if ordered:
                yield from pool.map(func, items, chunksize=chunksize)
            else:
                futures: list[Future[R]] = [pool.submit(func, item) for item in items]
                for future in as_completed(futures):
                    yield future.result()
        except BaseException:  # a failed item, Ctrl-C, or the caller stopped early
            pool.shutdown(wait=True, cancel_futures=True)
            raise


# ------------------------------------------------------------------------------ in chunks


_worker_context: Any = None  # set once in each forked worker by _adopt_context, never in the parent


def _adopt_context(context: Any) -> None:
    global _worker_context
    _worker_context = context


def _call_with_context(func: Callable[[list[T], Any], list[R]], chunk: list[T]) -> list[R]:
    return func(chunk, _worker_context)


def _no_progress(count: int) -> None:
    pass


def map_with_context(
    func: Callable[[list[T], C], list[R]],
    items: Sequence[T],
    context: C,
    workers: int = 0,
    pools: PoolSettings = DEFAULT_POOLS,
    advance: Callable[[int], None] = _no_progress,
) -> list[R]:
    """func(chunk, context) -> one result per item, in order, chunks of `pools.chunk` items,
    shared between `workers` - 1 forked workers and this process; `context` reaches the
    workers as inherited memory (initializer arguments are not pickled under fork). Fewer than
    `pools.min_items` items run inline. `advance(n)` is called here as each chunk of n items
    is done (a stage's progress)."""
    count = worker_count(workers)
    if count < 2 or len(items) < pools.min_items or not can_fork():
        inline = func(list(items), context)
        advance(len(items))
        return inline
    size = pools.chunk
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)]
    results: list[list[R]] = [[] for _ in chunks]
    # count - 1 workers, and this process takes chunks too rather than only waiting: each
    # worker ends up holding a copy of much of what it inherits (reading an object writes its
    # reference count, which copies the page it is on), so a worker fewer is that much less
    # memory for the same cores. Two chunks a worker wait in the queue while this one works.
    ahead = 2 * (count - 1)
    pending: dict[Future[list[R]], int] = {}
    taken = 0
    with _fork_pool(count - 1, initializer=_adopt_context, initargs=(context,)) as pool:
        try:
            while taken < len(chunks) or pending:
                while taken < len(chunks) and len(pending) < ahead:
                    pending[pool.submit(_call_with_context, func, chunks[taken])] = taken
                    taken += 1
                if taken < len(chunks):
                    results[taken] = func(chunks[taken], context)
                    advance(len(results[taken]))
                    taken += 1
                    finished = [future for future in pending if future.done()]
                else:
                    finished = list(wait(pending, return_when=FIRST_COMPLETED).done)
                for future in finished:
                    number = pending.pop(future)
                    results[number] = future.result()
                    advance(len(results[number]))
        except BaseException:  # a failed chunk (here or in a worker), or Ctrl-C
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [result for part in results for result in part]


def map_known_first(
    func: Callable[[list[T], C], list[R]],
    items: Sequence[T],
    context: C,
    costly: Callable[[R], bool],
    pools: PoolSettings = DEFAULT_POOLS,
    advance: Callable[[int], None] = _no_progress,
) -> list[R]:
    """func(chunk, context) for every item, results in order. While earlier results answer for
    nearly every item, each costs a look-up and a few system calls: they run here, where forked
    workers would cost more than they save (results pickled back, inherited pages copied). Once
    a chunk has real work for one item in ten (many records changed, no cache, or new photo
    stamps after a fresh checkout), the rest go to every core."""
    results: list[R] = []
    step = pools.chunk
    for start in range(0, len(items), step):
        done = func(list(items[start : start + step]), context)
        results += done
        advance(len(done))
        if 10 * sum(map(costly, done)) >= len(done):
            rest = items[start + step :]
            results += map_with_context(func, rest, context, 0, pools, advance)
            break
    return results


# ------------------------------------------------------------------------------ one stage


class ChildDied(RuntimeError):
    pass


class Background(Generic[R]):
    """func() run in a child process while this one goes on; result() waits for its value.

    method "fork" (the default): the child inherits everything this process holds (no pickling
    of the catalog); only the result comes back, pickled through a pipe. "spawn": a new
    interpreter; `func` is then pickled and must be a module-level function or a partial of one.
    For a job that reads files rather than the parent's objects: a fork's allocations land in
    the pages it shares with the parent and copy them (a fork of the datasets child running
    frictionless held 400 MB of copies). An exception in the child is raised again here with its
    type; a child that dies without answering raises ChildDied. On Linux the child dies with this
    process: a killed build leaves nothing running."""

    def __init__(self, func: Callable[[], R], name: str, method: StartMethod = "fork") -> None:
        self.name = name
        context = multiprocessing.get_context(method)
        self._receive, send = context.Pipe(duplex=False)
        # Not a daemon: the child may start processes of its own (a daemon may not).
        self._process = context.Process(target=_child, args=(func, send, os.getpid()), name=name)
        self._process.start()
        send.close()  # the parent keeps only the reading end: EOF when the child is gone

    def result(self) -> R:
        try:
            kind, payload = pickle.loads(self._receive.recv_bytes())
        except EOFError:
            kind, payload = "died", None
        finally:
            self._receive.close()
            self._process.join()
        if kind == "ok":
            return payload  # type: ignore[no-any-return]
        if kind == "error":
            error, text = payload
            error.add_note(f"(in the background process {self.name})\n{text}")
            raise error
        raise ChildDied(f"{self.name}: exit code {self._process.exitcode}")

    def cancel(self) -> None:
        """Stops the child (the parent failed): nothing it makes is used."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receive.close()


def _die_with_parent(parent: int) -> None:
    """Asks Linux to kill this process when its parent dies (PR_SET_PDEATHSIG): a build that is
    killed leaves no child writing into the staging folder the next build removes. Elsewhere a
    no-op."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request: nobody is waiting for this one
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _child(func: Callable[[], Any], send: Any, parent: int) -> None:
    if sys.platform == "linux":
        _die_with_parent(parent)
    try:
        message: tuple[str, Any] = ("ok", func())
        data = pickle.dumps(message)
    except BaseException as err:
        try:
            data = pickle.dumps(("error", (err, traceback.format_exc())))
        except Exception:
            data = pickle.dumps(("error", (RuntimeError(repr(err)), traceback.format_exc())))
    send.send_bytes(data)
    send.close()
