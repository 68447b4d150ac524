"""One function run in a forked child process while the parent goes on: two stages at once.

The child inherits everything the parent holds (no pickling of the catalog); only its result
comes back, pickled through a pipe. An exception in the child is raised again in the parent
with its type; a child that dies without answering raises ChildDied.
"""

from __future__ import annotations

import multiprocessing
import pickle
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

_R = TypeVar("_R")


class ChildDied(RuntimeError):
    pass


class Background(Generic[_R]):
    """`fresh`: a new interpreter (spawned) instead of a fork; `func` is then pickled and must
    be a module-level function or a partial of one. For a job that reads files rather than the
    parent's objects: a fork's allocations land in the pages it shares with the parent and
    copy them (a fork of the datasets child running frictionless held 400 MB of copies)."""

    def __init__(self, func: Callable[[], _R], name: str, fresh: bool = False) -> None:
        self.name = name
        context = multiprocessing.get_context("spawn" if fresh else "fork")
        self._receive, send = context.Pipe(duplex=False)
        # Not a daemon: the child may start processes of its own (a daemon may not).
        self._process = context.Process(target=_child, args=(func, send), name=name)
        self._process.start()
        send.close()  # the parent keeps only the reading end: EOF when the child is gone

    def result(self) -> _R:
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


def _child(func: Callable[[], Any], send: Any) -> None:
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
