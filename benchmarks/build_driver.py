"""One `ocop build`, as the benchmark runs it: `build_site` with its own cache folder.

The same function `ocop build` calls (generator.build.build_site), with two differences the
benchmark needs: the derivative cache lives beside the synthetic catalog (a cold build empties
it; the project's .cache/ is never touched or pruned), and the BuildReport (time per stage,
files, bytes, skipped) is written as JSON for national.py to read.

    python benchmarks/build_driver.py --catalog DIR --out DIR --cache DIR --report FILE.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from generator.build import BuildReport, build_site
from generator.config import BuildConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--base-url", default="https://ocop.example/")
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args(argv)
    config = BuildConfig(
        catalog_dir=args.catalog.resolve(),
        out_dir=args.out.resolve(),
        base_url=args.base_url,
        as_of=args.as_of,
        cache_dir=args.cache.resolve(),
        workers=args.jobs,
    )
    report = BuildReport()
    start = time.perf_counter()
    status = build_site(config, report)
    elapsed = time.perf_counter() - start
    args.report.write_text(
        json.dumps(
            {
                "status": status,
                "seconds": elapsed,
                "skipped": report.skipped,
                "stages": report.stages,
                "files": report.files,
                "bytes": report.bytes,
            }
        ),
        encoding="utf-8",
    )
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.stages.items())
    state = "skipped (nothing changed)" if report.skipped else f"[{stages}]"
    print(f"build: status {status}, {elapsed:.2f} s, {report.files} files {state}")
    return status


if __name__ == "__main__":
    sys.exit(main())
