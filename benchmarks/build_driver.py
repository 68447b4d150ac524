"""One `ocop build` (or `ocop validate`), as the benchmark runs it: with its own cache folder.

The same functions `ocop build` and `ocop validate` call (generator.build.build_site,
generator.catalog.check_catalog), with two differences the benchmark needs: the cache (photo
derivatives, labels, the facts of checked photos) lives beside the synthetic catalog, so a
cold run really starts empty and the project's .cache/ is never touched or pruned; and the
BuildReport (time per stage, files, bytes, skipped) is written as JSON for national.py.

    python benchmarks/build_driver.py --catalog DIR --out DIR --cache DIR --report FILE.json
    python benchmarks/build_driver.py --validate-only --catalog DIR --cache DIR
    python benchmarks/build_driver.py --lot-labels N --catalog DIR --out DIR --cache DIR \
        --report FILE.json

--lot-labels N: what `ocop labels --lots` does for the first N products that have lots (their
lot labels and sheets into --out), timed; the report gives lots, seconds, files and bytes.
"""

from __future__ import annotations

import argparse
import dataclasses
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
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--validate-only", action="store_true", help="as `ocop validate`")
    parser.add_argument("--lot-labels", type=int, default=0, metavar="N", help="products")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--base-url", default="https://ocop.example/")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument(
        "--templates", type=Path, default=None, help="site_templates/ elsewhere (a changed copy)"
    )
    args = parser.parse_args(argv)
    if args.validate_only:
        return validate(args.catalog.resolve(), args.cache.resolve(), args.as_of)
    if args.out is None or args.report is None:
        parser.error("--out and --report are needed for a build")
    if args.lot_labels:
        return lot_labels(args)
    config = BuildConfig(
        catalog_dir=args.catalog.resolve(),
        out_dir=args.out.resolve(),
        base_url=args.base_url,
        as_of=args.as_of,
        cache_dir=args.cache.resolve(),
        workers=args.jobs,
    )
    if args.templates is not None:
        config = dataclasses.replace(config, templates_dir=args.templates.resolve())
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
                "kept": report.kept,
                "removed": report.removed,
            }
        ),
        encoding="utf-8",
    )
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.stages.items())
    state = "skipped (nothing changed)" if report.skipped else f"[{stages}]"
    print(
        f"build: status {status}, {elapsed:.2f} s, {report.files} files "
        f"({report.files - report.kept} written, {report.kept} kept, {report.removed} removed) "
        f"{state}"
    )
    return status


def validate(catalog: Path, cache: Path, as_of: dt.date) -> int:
    """What `ocop validate` does (generator/cli.py, cmd_validate), with the given cache."""
    from generator.catalog import check_catalog
    from generator.config import PROJECT_ROOT
    from generator.errors import format_text

    checked = check_catalog(
        catalog,
        PROJECT_ROOT / "schemas",
        as_of,
        catalog / "published-ids.txt",
        cache_dir=cache,
        derive=False,
    )
    if checked.problems:
        sys.stdout.write(format_text(checked.problems, "en"))
        print(f"{len(checked.problems)} problem(s) to fix.", file=sys.stderr)
        return 1
    print(
        f"OK: {len(checked.loaded.products)} products, {len(checked.loaded.producers)} producers."
    )
    return 0


def lot_labels(args: argparse.Namespace) -> int:
    """The lot labels of the first `args.lot_labels` products with lots, as `ocop labels
    --lots` makes them (generator/cli.py, run_lot_labels), timed without the catalog check."""
    from generator.catalog import check_catalog
    from generator.config import PROJECT_ROOT
    from generator.render.labels.stage import make_lot_labels
    from generator.write import SiteWriter

    catalog_dir, cache = args.catalog.resolve(), args.cache.resolve()
    checked = check_catalog(catalog_dir, PROJECT_ROOT / "schemas", args.as_of, cache_dir=cache)
    assert checked.catalog is not None, checked.problems[:5]
    products = [p for p in checked.catalog.products if p.lots][: args.lot_labels]
    config = BuildConfig(
        catalog_dir=catalog_dir,
        out_dir=args.out.resolve(),
        base_url=args.base_url,
        as_of=args.as_of,
        cache_dir=cache,
    )
    writer = SiteWriter(config.out_dir)
    start = time.perf_counter()
    run = make_lot_labels(products, config, writer)
    elapsed = time.perf_counter() - start
    sheets = [sheet.path for sheet in run.sheets.values()]
    figures = {
        "products": len(products),
        "lots": len(run.labels),
        "sheets": len(sheets),
        "seconds": elapsed,
        "files": len(writer.written),
        "bytes": sum(writer.written.values()),
        "sheet_bytes": sum(writer.written[path] for path in sheets),
    }
    args.report.write_text(json.dumps(figures), encoding="utf-8")
    print(f"lot labels: {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
