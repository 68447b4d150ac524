"""Runs one command as a child process and measures it: wall time, CPU time, peak memory.

CPU time and the largest process's peak RSS come from `os.wait4` (the child plus every
descendant it waited for, e.g. a ProcessPoolExecutor's workers). The memory the whole process
tree holds at once is sampled from /proc (every second; every 0.1 s in the first second) as
the sum of PSS (proportional set size: pages shared by forked workers are split between them,
not counted once per process).
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    label: str
    wall: float  # seconds
    cpu: float  # user + sys seconds of the child and its waited-for descendants
    maxrss: int  # bytes: peak RSS of the largest single process
    tree_peak: int  # bytes: peak of the sampled sum of PSS over the process tree
    returncode: int
    stdout: str
    stderr: str
    load: float  # 1-minute load average just before the run
    extra: dict[str, object] = field(default_factory=dict)

    def check(self) -> Measured:
        if self.returncode != 0:
            sys.stderr.write(self.stdout[-4000:] + self.stderr[-4000:])
            raise SystemExit(f"{self.label}: exit status {self.returncode}")
        return self


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except OSError:
            continue
        found += [int(x) for x in text.split()]
    return found


def _memory(pid: int) -> int:
    """PSS of one process in bytes (RSS when smaps_rollup is unavailable); 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def tree_memory(root: int) -> int:
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _memory(pid)
        stack += _children(pid)
    return total


class _Sampler(threading.Thread):
    """Every 0.1 s for the first second (short runs), then every second: reading smaps_rollup
    of processes holding hundreds of MB costs the kernel a few ms each, and at 0.1 s the
    sampler itself took a quarter of a core."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_memory(self.pid))
            self._halt.wait(0.1 if time.perf_counter() - start < 1.0 else 1.0)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run(
    label: str, cmd: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> Measured:
    # What the run before left for the kernel to write back is written now, untimed: a
    # one-record rebuild leaves ~600 MB at 20,000 products with lots, which slowed the Hugo
    # run after it, and Hugo's 310 MB slow the run after Hugo.
    os.sync()
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, cwd=cwd, env=env)
        sampler = _Sampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return Measured(
        label,
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss * 1024,
        sampler.peak,
        proc.returncode,
        stdout,
        stderr,
        load,
    )


def machine() -> dict[str, str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        hugo = subprocess.run(
            ["hugo", "version"], capture_output=True, text=True, timeout=30
        ).stdout.split()[1]
    except (OSError, subprocess.SubprocessError, IndexError):
        hugo = "not installed"
    try:  # read-only git queries: which code was measured
        root = Path(__file__).resolve().parent.parent
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
        commit = f"{commit}{' + uncommitted changes' if dirty else ''}"
    except OSError:
        commit = "?"
    return {
        "commit": commit or "?",
        "cores": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "hugo": hugo,
    }


def code_fingerprint(*folders: Path) -> str:
    """Hash of the code being measured: a build during which it changed is not comparable."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]
