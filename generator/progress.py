"""What a long stage shows while it works: a live bar on a terminal, quiet lines elsewhere.

On a terminal each long stage (reading and checking records, photos, labels, pages) shows its
count, percent, elapsed time and time left (tqdm draws it). In CI, in a pipe or in a log file a
bar would fill the log with carriage returns: there a stage with more than `min_lines` items
prints a plain line at every tenth of the way, and a smaller one prints nothing. Progress is
advanced by the main process, as workers hand back results; the one exception is the child
that draws a rebuild's labels beside the parent's stages (generator/build.py), which reports in
plain lines.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Literal, TextIO

if TYPE_CHECKING:
    from tqdm import tqdm

Mode = Literal["bar", "lines", "off"]

# Count, percent, bar, elapsed and time left; the label names the stage in both languages.
_BAR_FORMAT = "{desc}: {percentage:3.0f}% |{bar}| {n_fmt}/{total_fmt} [{elapsed}, còn {remaining}]"


def mode_for(stream: TextIO, environ: Mapping[str, str]) -> Mode:
    """A bar only for a person at a terminal: not in CI (which may fake a terminal) nor on a
    terminal that cannot move the cursor."""
    if environ.get("CI") or environ.get("TERM") == "dumb":
        return "lines"
    try:
        return "bar" if stream.isatty() else "lines"
    except (AttributeError, ValueError):  # a closed or unusual stream
        return "lines"


@dataclass
class Stage:
    """One stage's progress: `advance` as items are done; closed when the stage ends."""

    label: str
    total: int
    mode: Mode
    stream: TextIO
    min_lines: int
    done: int = 0
    _bar: tqdm | None = field(default=None, repr=False)  # type: ignore[type-arg]
    _next_line: int = 0

    def __post_init__(self) -> None:
        if self.mode == "bar" and self.total > 1:  # not for a single page (statistics)
            from tqdm import tqdm  # imported for a terminal only: a no-change build stays quick

            size = shutil.get_terminal_size()
            self._bar = tqdm(
                total=self.total,
                desc=self.label,
                file=self.stream,
                bar_format=_BAR_FORMAT,
                # the terminal's size, or 80x24 where it reports none (a pty without one: tqdm
                # would then draw nothing)
                ncols=size.columns,
                nrows=size.lines,
                mininterval=0.2,
                leave=True,
            )
        self._next_line = self._step()

    def _step(self) -> int:
        return max(1, self.total // 10)

    def advance(self, count: int = 1) -> None:
        if count <= 0:
            return
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
        elif self.mode == "lines" and self.total > self.min_lines and self.done >= self._next_line:
            print(f"{self.label}: {self.done}/{self.total}", file=self.stream, flush=True)
            step = self._step()
            # the last line always says total/total
            self._next_line = min(self.total, (self.done // step + 1) * step)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Stage:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class Progress:
    """Made once per command (`for_terminal`) and handed to the stages that take long."""

    mode: Mode = "off"
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    # A smaller stage prints no lines (in a log; a bar is always drawn): a build of a few hundred
    # products stays as quiet in CI as it always was.
    min_lines: int = 1000

    @classmethod
    def for_terminal(cls, choice: str = "auto", stream: TextIO | None = None) -> Progress:
        """choice: "auto" (a bar on a terminal, else lines), "bar", "lines" or "off"."""
        out = stream if stream is not None else sys.stderr
        if choice == "auto":
            return cls(mode_for(out, os.environ), out)
        if choice not in ("bar", "lines", "off"):
            raise ValueError(f"progress: {choice!r}")
        return cls(choice, out)  # type: ignore[arg-type]

    def stage(self, label: str, total: int) -> Stage:
        return Stage(label, total, self.mode, self.stream, self.min_lines)


NO_PROGRESS = Progress()
