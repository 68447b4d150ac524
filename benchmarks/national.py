"""National-scale benchmark: a synthetic catalog of N products, built and compared with Hugo.

    ./run bench [N]                 # N products, default 20,000 (or: python benchmarks/national.py)
    ... --quick                     # N = 2,000, a fast check
    ... --skip-hugo --keep          # no Hugo reference; keep benchmarks/out/national-N/
    ... --photos-only               # only the 12 MP phone-photo micro-benchmark
    ... --lots 10                   # 10 synthetic lots per product, and a one-lot rebuild

Measured, each as its own child process (wall time, CPU time of the process and its workers,
peak memory): `ocop validate`; a cold build (empty cache, no output); a rebuild with nothing
changed; a rebuild after one product.yaml changed; a full rebuild with a warm cache (output
deleted); Hugo rendering the same products as the reference. Then the per-item costs, the built
site's size, the search index's first-query budget, and a photo micro-benchmark. With --lots:
lots.csv per product, a rebuild after one lot is added to one product and the files it changed,
the lot pages' cost, files and bytes. `ocop import` of a 5,000-row province list (import_list.py)
is measured as its own process. The table goes
to stdout and to benchmarks/out/results-<N>.md (and .json). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
# The sibling modules, and the project's own `generator` package first: an editable install
# made before generator/__init__.py existed resolves `generator` as a namespace package.
for _path in (str(BENCH), str(BENCH.parent)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import measure  # noqa: E402
import synthetic  # noqa: E402

from generator import urls  # noqa: E402
from generator.config import PROJECT_ROOT  # noqa: E402
from generator.write import Manifest, load_manifest  # noqa: E402

PY = sys.executable
DRIVER = BENCH / "build_driver.py"
IMPORT_LIST = BENCH / "import_list.py"
NEW_LOT = "SYN-MOI-01"  # the lot the one-lot rebuild adds: no synthetic code has this form
CHILD_ENV = {**os.environ, "PYTHONPATH": str(BENCH.parent)}  # children import ./generator too
DEFAULT_OUT = BENCH / "out"
GB = 1024**3
# Issue 19's targets, each against its anchor measured in the same run.
TARGETS = {
    "validate_s": 3.0,  # `ocop validate`, cold
    "one_record_vs_hugo": 0.3,  # a one-record rebuild vs Hugo's full render, first time too
    "template_vs_hugo": 1.5,  # every page rendered again, caches warm
    "cold_minus_photos_vs_hugo": 4.0,  # the cold build without the photo stage
    "photos_vs_floor": 1.3,  # the photo job vs the encoders on the same pixels
    "cold_vs_hugo_same_work": 0.1,  # vs Hugo making the same pages and the same photos
    "memory_bytes": 1.5 * GB,  # process tree
    "no_change_s": 0.3,
    "search_gzip_bytes": 150 * 1024,
}
FLOOR_PHOTOS = 40  # photos of the encoder-floor measurement (benchmarks/photo_floor.py)
PHONE_PHOTOS = 12


def log(message: str) -> None:
    print(f"== {message}", file=sys.stderr, flush=True)


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# ------------------------------------------------------------------------------ builds


CODE = (PROJECT_ROOT / "generator", PROJECT_ROOT / "site_templates", PROJECT_ROOT / "schemas")


def run_build(label: str, work: Path, jobs: int, templates: Path | None = None) -> dict[str, Any]:
    report = work / f"report-{label.replace(' ', '-')}.json"
    report.unlink(missing_ok=True)
    cmd = [
        PY,
        str(DRIVER),
        "--catalog",
        str(work / "catalog"),
        "--out",
        str(work / "site"),
        "--cache",
        str(work / "cache"),
        "--report",
        str(report),
        "--as-of",
        synthetic.AS_OF.isoformat(),
        "--jobs",
        str(jobs),
    ]
    if templates is not None:
        cmd += ["--templates", str(templates)]
    before = measure.code_fingerprint(*CODE)
    result = measure.run(label, cmd, cwd=PROJECT_ROOT, env=CHILD_ENV).check()
    data = json.loads(report.read_text(encoding="utf-8"))
    out = _figures(result)
    out["code"] = before
    if measure.code_fingerprint(*CODE) != before:
        out["code"] = "changed during the run"
        log(f"{label}: the code under generator/ changed during this run")
    out.update(
        stages=data["stages"],
        skipped=data["skipped"],
        files=data["files"],
        bytes=data["bytes"],
        kept=data.get("kept", 0),
        removed=data.get("removed", 0),
        inner_s=data["seconds"],
    )
    log(
        f"{label}: {result.wall:.2f} s wall, {result.cpu:.2f} s CPU, "
        f"{result.tree_peak / 1e6:.0f} MB peak (load {result.load:.2f}) "
        + ("skipped" if data["skipped"] else json.dumps(_rounded(data["stages"])))
    )
    return out


def _figures(result: measure.Measured) -> dict[str, Any]:
    return {
        "wall": result.wall,
        "cpu": result.cpu,
        "maxrss": result.maxrss,
        "tree_peak": result.tree_peak,
        "load": result.load,
    }


def _rounded(stages: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in stages.items()}


def edit_one_record(path: Path) -> bytes:
    """Renames one product (its page, card, label, search rows change); returns the original."""
    original = path.read_bytes()
    text = original.decode("utf-8")
    changed = text.replace("Sản phẩm tổng hợp", "Sản phẩm tổng hợp (đã sửa)", 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    return original


# ------------------------------------------------------------------------------ hugo


def add_one_lot(product_files: list[Path]) -> tuple[str, str | None, Path]:
    """Appends NEW_LOT to the lots.csv of a product in the middle of the catalog, one with a
    GTIN if there is one near (its lot also has a GS1 address): (id, GTIN-14, lots.csv)."""
    middle = len(product_files) // 2
    order = product_files[middle:] + product_files[:middle]
    chosen = next((f for f in order[:200] if "\ngtin: " in f.read_text(encoding="utf-8")), order[0])
    text = chosen.read_text(encoding="utf-8")
    gtin = next(
        (
            line.split(":", 1)[1].strip().strip("'\"")
            for line in text.splitlines()
            if line.startswith("gtin:")
        ),
        None,
    )
    number = int(chosen.parent.name.removeprefix("syn-"))
    produced = synthetic.AS_OF - dt.timedelta(days=1)
    row = synthetic.lot_row(random.Random(number), number, 0, produced, "")
    row[0] = NEW_LOT
    lots = chosen.parent / "lots.csv"
    with lots.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(row)
    return chosen.parent.name, gtin.zfill(14) if gtin else None, lots


def site_manifest(work: Path) -> Manifest:
    """What the benchmark's site holds, file by file (the build's own manifest of out_dir)."""
    (path,) = (work / "cache" / "builds").glob("*.site.manifest")
    manifest = load_manifest(path)
    assert manifest is not None, path
    return manifest


def changed_files(before: Manifest, after: Manifest) -> dict[str, list[str]]:
    """Files written (content or input key changed), added and removed between two builds."""
    return {
        "changed": sorted(p for p in after.keys() & before.keys() if after[p][0] != before[p][0]),
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
    }


def one_lot_kinds(product_id: str, gtin14: str | None, paths: list[str]) -> dict[str, list[str]]:
    """The files a one-lot rebuild touched, by what they are: the lot's pages, the product's
    own files (its page, its JSON), the tables (data/), the sitemap (which must list the new
    pages), and anything else."""
    lot_pages = [urls.lot(product_id, NEW_LOT)]
    if gtin14:
        lot_pages.append(urls.gs1_lot(gtin14, NEW_LOT))
    kinds: dict[str, list[str]] = {
        "lot page": [],
        "product page": [],
        "tables": [],
        "sitemap": [],
        "other": [],
    }
    for path in paths:
        if any(path.startswith(page) for page in lot_pages):
            kinds["lot page"].append(path)
        elif path.startswith(urls.product(product_id)):
            kinds["product page"].append(path)
        elif path.startswith(urls.DATA):
            kinds["tables"].append(path)
        elif urls.is_sitemap(path):
            kinds["sitemap"].append(path)
        else:
            kinds["other"].append(path)
    return kinds


def lot_site_size(site: Path) -> tuple[int, int]:
    """Files and bytes of the lot pages: p/<id>/lo/ and 01/<GTIN>/10/."""
    files = size = 0
    for folder in [*site.glob("p/*/lo"), *site.glob("01/*/10")]:
        f, b = tree_size(folder)
        files, size = files + f, size + b
    return files, size


def run_import(work: Path, rows: int) -> dict[str, Any]:
    """`ocop import` of a synthetic province list of `rows` rows (import_list.py), as a child."""
    report = work / "import.json"
    cmd = [PY, str(IMPORT_LIST), "--rows", str(rows), "--json", str(report)]
    result = measure.run(f"import, {rows:,}-row list", cmd, cwd=PROJECT_ROOT, env=CHILD_ENV)
    result.check()
    data = json.loads(report.read_text(encoding="utf-8"))
    out = _figures(result)
    out.update(data)
    out["note"] = (
        f"{rows:,} rows: import {data['seconds']:.2f} s ({data['seconds'] / rows * 1000:.2f} ms "
        f"a row), {data['written']:,} records written"
    )
    log(f"import: {result.wall:.2f} s wall, {result.cpu:.2f} s CPU ({out['note']})")
    return out


LOT_LABEL_PRODUCTS = 100  # products whose lot labels are drawn for the on-demand figure


def run_lot_labels(work: Path) -> dict[str, Any]:
    """`ocop labels --lots` for LOT_LABEL_PRODUCTS products, as a child (build_driver.py)."""
    report = work / "lot-labels.json"
    cmd = [PY, str(DRIVER), "--lot-labels", str(LOT_LABEL_PRODUCTS)]
    cmd += ["--catalog", str(work / "catalog"), "--out", str(work / "lot-labels")]
    cmd += ["--cache", str(work / "cache"), "--report", str(report)]
    cmd += ["--as-of", synthetic.AS_OF.isoformat()]
    result = measure.run("lot labels", cmd, cwd=PROJECT_ROOT, env=CHILD_ENV).check()
    out = _figures(result)
    out.update(json.loads(report.read_text(encoding="utf-8")))
    log(f"lot labels: {out['lots']} lots in {out['seconds']:.2f} s ({result.wall:.2f} s wall)")
    return out


def prepare_hugo(work: Path, catalog_dir: Path) -> Path | None:
    """Writes the Hugo site beside the catalog (preparation, not timed); None without Hugo."""
    if shutil.which("hugo") is None:
        log("hugo is not installed: skipped (./run bench installs it)")
        return None
    import hugo_content

    from generator.catalog import check_catalog

    log("writing the Hugo content files (preparation, not timed)")
    checked = check_catalog(catalog_dir, PROJECT_ROOT / "schemas", synthetic.AS_OF)
    assert checked.catalog is not None, "the synthetic catalog must be valid"
    site = work.resolve() / "hugo"  # hugo wants absolute folders
    hugo_content.write_hugo_site(checked.catalog, site)
    return site


def run_hugo(site: Path) -> dict[str, Any]:
    """One cold `hugo --quiet` (no output, no cache) of the prepared site. The last run's
    output is moved aside, not deleted just before (as for our full rebuild): the kernel's
    work after deleting its 47,000 files would slow this run."""
    if (site / "public").exists():
        aside = site.parent / "hugo-outputs-aside"
        aside.mkdir(exist_ok=True)
        (site / "public").rename(aside / str(len(list(aside.iterdir()))))
    shutil.rmtree(site.parent / "hugo-cache", ignore_errors=True)
    cmd = [
        "hugo",
        "--quiet",
        "--noBuildLock",
        "--source",
        str(site),
        "--destination",
        str(site / "public"),
        "--cacheDir",
        str(site.parent / "hugo-cache"),
    ]
    result = measure.run("hugo", cmd).check()
    log(
        f"hugo: {result.wall:.2f} s wall, {result.cpu:.2f} s CPU, "
        f"{result.maxrss / 1e6:.0f} MB (load {result.load:.2f})"
    )
    return _figures(result)


def paired_rebuilds(
    work: Path, product_files: list[Path], hugo_site: Path, pairs: int, jobs: int
) -> dict[str, Any]:
    """Hugo's cold render and a one-record rebuild in turn, `pairs` times, each rebuild another
    product renamed (and left so): the ratio pair by pair holds when the machine's speed drifts
    between runs, which a best-of-N anchor measured minutes apart does not (Hugo alone took 17
    and 26 s in one run)."""
    # products away from those the other rows rename (N/2 and N/3)
    step = max(1, len(product_files) // (pairs + 7))
    made = []
    for k in range(pairs):
        hugo = run_hugo(site=hugo_site)
        edit_one_record(product_files[(k + 1) * step])
        ours = run_build(f"paired one-record rebuild {k + 1}", work, jobs)
        made.append(
            {
                "hugo": hugo["wall"],
                "hugo_load": hugo["load"],
                "ours": ours["wall"],
                "load": ours["load"],
                "written": ours["files"] - ours["kept"],
                "ratio": ours["wall"] / hugo["wall"],
            }
        )
    return {
        "pairs": made,
        "median_ratio": statistics.median(p["ratio"] for p in made),
        "median_ours": statistics.median(p["ours"] for p in made),
        "median_hugo": statistics.median(p["hugo"] for p in made),
    }


def best_hugo(site: Path, runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = dict(min(runs, key=lambda r: r["wall"]))
    files, size = tree_size(site / "public")
    best.update(
        runs=[r["wall"] for r in runs],
        files=files,
        bytes=size,
        product_pages=sum(1 for _ in (site / "public" / "p").glob("*/index.html")),
    )
    return best


def changed_templates(work: Path) -> Path:
    """A copy of site_templates/ whose base layout has one comment more: every page changes."""
    copy = work / "templates-changed"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT / "site_templates", copy)
    base = copy / "base.html"
    text = base.read_text(encoding="utf-8")
    assert "</body>" in text, "site_templates/base.html ends its body"
    base.write_text(text.replace("</body>", "<!-- mẫu đã đổi (benchmark) --></body>", 1), "utf-8")
    return copy


def run_hugo_photos(work: Path, catalog_dir: Path, products: int) -> dict[str, Any] | None:
    """Hugo making our photo derivatives and share cards for a sample of products, cold, and
    the same site without images: its cost a photo (benchmarks/hugo_photos.py)."""
    if shutil.which("hugo") is None or products <= 0:
        return None
    import hugo_photos

    from generator.catalog import check_catalog

    checked = check_catalog(catalog_dir, PROJECT_ROOT / "schemas", synthetic.AS_OF)
    assert checked.catalog is not None, "the synthetic catalog must be valid"
    sample = hugo_photos.write_photo_sites(
        checked.catalog, work.resolve() / "hugo-photos", products
    )
    out: dict[str, Any] = {"products": sample.products, "photos": sample.photos}
    for name, site in (("with photos", sample.with_photos), ("pages only", sample.pages_only)):
        cache = site.parent / f"{site.name}-cache"
        shutil.rmtree(cache, ignore_errors=True)
        cmd = ["hugo", "--quiet", "--noBuildLock", "--source", str(site)]
        cmd += ["--destination", str(site / "public"), "--cacheDir", str(cache)]
        result = measure.run(f"hugo {name}", cmd).check()
        out[name] = _figures(result)
    photos = max(sample.photos, 1)
    out["wall_per_photo"] = (out["with photos"]["wall"] - out["pages only"]["wall"]) / photos
    out["cpu_per_photo"] = (out["with photos"]["cpu"] - out["pages only"]["cpu"]) / photos
    log(
        f"hugo with photos: {sample.products} products, {sample.photos} photos, "
        f"{out['with photos']['wall']:.2f} s wall ({out['pages only']['wall']:.2f} s without "
        f"images): {out['wall_per_photo'] * 1000:.0f} ms wall a photo"
    )
    return out


def run_photo_floor(count: int = FLOOR_PHOTOS) -> dict[str, Any]:
    """The photo job against libwebp and libjpeg-turbo on the same pixels (photo_floor.py)."""
    import photo_floor

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        figures = photo_floor.measure(count, Path(folder))
    figures["load"] = load
    log(f"photo job vs encoder floor: {figures['ratio whole / floor']:.2f}x (load {load:.2f})")
    return figures


# ------------------------------------------------------------------------------ output checks


def tree_size(root: Path) -> tuple[int, int]:
    files = size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            files += 1
            size += os.lstat(os.path.join(folder, name)).st_size
    return files, size


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def search_budget(site: Path) -> dict[str, Any]:
    """gzip sizes of what a first query fetches: meta, the largest token shard and data chunk."""
    search = site / "search"
    meta = search / "meta.json"
    shards = sorted((gzip_size(p), p.name) for p in (search / "t").glob("*.json"))
    chunks = sorted((gzip_size(p), p.name) for p in (search / "d").glob("*.json"))
    out: dict[str, Any] = {
        "meta": gzip_size(meta) if meta.is_file() else 0,
        "meta_raw": meta.stat().st_size if meta.is_file() else 0,
        "shard_max": shards[-1] if shards else (0, "-"),
        "shard_count": len(shards),
        "chunk_max": chunks[-1] if chunks else (0, "-"),
        "chunk_count": len(chunks),
    }
    out["largest"] = max(out["meta"], out["shard_max"][0], out["chunk_max"][0])
    out["first_query_total"] = out["meta"] + out["shard_max"][0] + out["chunk_max"][0]
    return out


# ------------------------------------------------------------------------------ photos


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def photo_benchmark(out_dir: Path, count: int = PHONE_PHOTOS) -> dict[str, Any] | None:
    """12 MP phone JPEGs through render_photos: ms per source photo, cold and cached."""
    try:
        from generator.render.photos import PhotoStats, render_photos
    except ImportError as err:
        log(f"photo micro-benchmark skipped: {err}")
        return None
    from generator.catalog import check_catalog
    from generator.config import BuildConfig
    from generator.write import SiteWriter

    cache = out_dir / "photo-bases"
    cache.mkdir(parents=True, exist_ok=True)
    log(f"photo micro-benchmark: {count} phone photos 4000x3000")
    phones: list[bytes] = []
    for k in range(count):
        path = cache / f"phone-{synthetic.GENERATOR_VERSION}-{k:02d}.jpg"
        if not path.is_file():
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(synthetic.phone_photo(1000 + k, rotated=k % 2 == 1))
            tmp.replace(path)
        phones.append(path.read_bytes())
    served = iter(phones)

    with tempfile.TemporaryDirectory(dir=out_dir) as tmp_name:
        tmp = Path(tmp_name)
        # one photo per product until the phones run out: products get 1-3 photo entries,
        # every entry one distinct phone photo
        sizes: list[int] = []

        def phone(_number: int, _k: int) -> bytes:
            data = next(served, None) or synthetic.with_comment(phones[0], f"{len(sizes)}")
            sizes.append(len(data))
            return data

        made = synthetic.write_catalog(
            tmp / "catalog", max(1, count // 2), cache, photo_bytes=phone, photos_per_product=2
        )
        checked = check_catalog(tmp / "catalog", PROJECT_ROOT / "schemas", synthetic.AS_OF)
        if checked.catalog is None:
            raise SystemExit(
                "photo benchmark catalog invalid:\n"
                + "\n".join(str(p) for p in checked.problems[:10])
            )
        config = BuildConfig(
            catalog_dir=tmp / "catalog",
            out_dir=tmp / "site",
            base_url="https://ocop.example/",
            as_of=synthetic.AS_OF,
            cache_dir=tmp / "cache",
            workers=0,
        )
        result: dict[str, Any] = {
            "photos": made.photos,
            "products": made.products,
            "source_mb": sum(sizes) / len(sizes) / 1e6,
        }
        for state in ("cold", "warm"):
            stats = PhotoStats()
            site = tmp / f"site-{state}"
            site.mkdir()
            load = os.getloadavg()[0]
            cpu0, start = _cpu_seconds(), time.perf_counter()
            render_photos(checked.catalog, config, SiteWriter(site), stats)
            wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu0
            result[state] = {
                "wall": wall,
                "cpu": cpu,
                "load": load,
                "decoded": stats.decoded,
                "cards_made": stats.cards_made,
                "files_made": stats.files_made,
                "files_linked": stats.files_linked,
            }
            log(
                f"photos {state}: {wall:.2f} s wall, {cpu:.2f} s CPU for {made.photos} photos "
                f"(load {load:.2f})"
            )
    return result


# ------------------------------------------------------------------------------ report


def _s(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _mb(value: float) -> str:
    return f"{value / 1e6:,.0f} MB" if value >= 1e7 else f"{value / 1e6:.1f} MB"


def _kb(value: float) -> str:
    return f"{value / 1024:.1f} KB"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "**FAIL**")


def _vs_hugo(run: dict[str, Any], hugo: dict[str, Any] | None, seconds: float | None = None) -> str:
    wall = run["wall"] if seconds is None else seconds
    if not hugo:
        return f"{_s(wall)} s"
    ratio = wall / hugo["wall"]
    return f"{ratio:.2f}x Hugo ({_s(wall)} s vs {_s(hugo['wall'])} s; load {run['load']:.2f})"


def hugo_same_work(results: dict[str, Any]) -> float | None:
    """Hugo's page-only build of the catalog plus its cost a photo (from the sample) times the
    catalog's photos: what Hugo would take for our pages and our photos (an extrapolation)."""
    hugo, sample = results.get("hugo"), results.get("hugo_photos")
    if not hugo or not sample:
        return None
    return float(hugo["wall"] + sample["wall_per_photo"] * results["catalog"]["photos"])


def judge(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    runs = results["runs"]
    hugo = results.get("hugo")
    rows: list[tuple[str, str, str, str]] = []

    def ratio_row(
        name: str, run: dict[str, Any], goal: float, seconds: float | None = None
    ) -> None:
        wall = run["wall"] if seconds is None else seconds
        ok = None if not hugo else wall / hugo["wall"] <= goal
        rows.append((name, _vs_hugo(run, hugo, seconds), f"<= {goal:g}x Hugo", _verdict(ok)))

    if "validate" in runs:
        wall = runs["validate"]["wall"]
        text = f"{_s(wall)} s (load {runs['validate']['load']:.2f})"
        if "validate, photo facts cached" in runs:
            text += f"; {_s(runs['validate, photo facts cached']['wall'])} s with the check cache"
        goal = TARGETS["validate_s"]
        rows.append(("`ocop validate`, cold", text, f"<= {goal:g} s", _verdict(wall <= goal)))
    for label in (
        "one-record rebuild",
        "one-record rebuild, again",
        "one-record rebuild, another product",
        "one-record rebuild after the template change",
    ):
        if label in runs:
            first = " (the first after the cold build)" if label == "one-record rebuild" else ""
            ratio_row(f"{label}{first}", runs[label], TARGETS["one_record_vs_hugo"])
    paired = results.get("paired")
    if paired:
        ratios = ", ".join(f"{p['ratio']:.2f}" for p in paired["pairs"])
        loads = [p["load"] for p in paired["pairs"]]
        goal = TARGETS["one_record_vs_hugo"]
        rows.append(
            (
                f"one-record rebuild, another product each time, in turn with Hugo "
                f"(median of {len(paired['pairs'])} pairs)",
                f"{paired['median_ratio']:.2f}x Hugo (pairs: {ratios}; medians "
                f"{_s(paired['median_ours'])} s vs {_s(paired['median_hugo'])} s; load "
                f"{min(loads):.2f}-{max(loads):.2f})",
                f"<= {goal:g}x Hugo",
                _verdict(paired["median_ratio"] <= goal),
            )
        )
    if "template-change rebuild" in runs:
        ratio_row(
            "template-change rebuild", runs["template-change rebuild"], TARGETS["template_vs_hugo"]
        )
    if "cold build" in runs:
        cold = runs["cold build"]
        photos = cold["stages"].get("photos", 0.0)
        ratio_row(
            "cold build without the photo stage (derivatives and share cards)",
            cold,
            TARGETS["cold_minus_photos_vs_hugo"],
            cold["wall"] - photos,
        )
    floor = results.get("photo_floor")
    if floor:
        ratio = floor["ratio whole / floor"]
        rows.append(
            (
                "photo job vs the encoders on the same pixels (CPU, medians)",
                f"{ratio:.2f}x ({floor['whole job, CPU ms a photo']:.1f} vs "
                f"{floor['encoders only (floor), CPU ms a photo']:.1f} ms a photo, "
                f"{floor['photos']} photos; load {floor['load']:.2f})",
                f"<= {TARGETS['photos_vs_floor']:g}x",
                _verdict(ratio <= TARGETS["photos_vs_floor"]),
            )
        )
    same = hugo_same_work(results)
    if same and "cold build" in runs:
        cold = runs["cold build"]
        sample = results["hugo_photos"]
        rows.append(
            (
                "cold build vs Hugo making the same pages and photos (extrapolated)",
                f"{cold['wall'] / same:.2f} ({_s(cold['wall'])} s vs {_s(same)} s: Hugo's pages "
                f"{_s(hugo['wall'])} s + {sample['wall_per_photo'] * 1000:.0f} ms a photo, "
                f"measured on {sample['photos']} photos, x {results['catalog']['photos']:,})",
                f"<= {TARGETS['cold_vs_hugo_same_work']:g}",
                _verdict(cold["wall"] / same <= TARGETS["cold_vs_hugo_same_work"]),
            )
        )
    if runs:
        label, peak_run = max(runs.items(), key=lambda item: item[1]["tree_peak"])
        peak = peak_run["tree_peak"]
        rows.append(
            (
                "peak memory of any run (process tree, PSS)",
                f"{_mb(peak)} ({label})",
                "<= 1.5 GB",
                _verdict(peak <= TARGETS["memory_bytes"]),
            )
        )
    if "no-change rebuild" in runs:
        first = runs["no-change rebuild"]
        nc = runs.get("no-change rebuild, again", first)
        ok = first["skipped"] and nc["skipped"] and nc["wall"] <= TARGETS["no_change_s"]
        state = "skipped" if first["skipped"] and nc["skipped"] else "REBUILT"
        rows.append(
            (
                "no-change rebuild",
                f"{_s(nc['wall'])} s ({state}; {nc['inner_s']:.2f} s inside the process; load "
                f"{nc['load']:.2f}); the first, right after the cold build: {_s(first['wall'])} s",
                f"does no work, <= {TARGETS['no_change_s']:g} s",
                _verdict(ok),
            )
        )
    one_lot = results.get("one_lot")
    if one_lot:
        other = one_lot["kinds"]["other"]
        counts = ", ".join(f"{len(v)} {k}" for k, v in one_lot["kinds"].items() if v)
        rows.append(
            (
                "one-lot rebuild: files changed",
                f"{counts}" + (f" (other: {', '.join(other[:8])})" if other else ""),
                "the lot's pages, its product page, the tables, the sitemap",
                _verdict(not other and bool(one_lot["kinds"]["lot page"])),
            )
        )
    if results.get("search"):
        s = results["search"]
        rows.append(
            (
                "search: largest file of a first query (gzip)",
                _kb(s["largest"]),
                "<= 150 KB",
                _verdict(s["largest"] <= TARGETS["search_gzip_bytes"]),
            )
        )
    return rows


def render_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    n = results["n"]
    runs = results["runs"]
    hugo = results.get("hugo")
    title = (
        "Photo micro-benchmark"
        if results.get("photos_only")
        else (f"National benchmark: N = {n:,} products")
    )
    lines = [
        f"## {title} ({results['date']})",
        "",
        f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory']} RAM; Python {m['python']}; "
        f"{m['os']}; Hugo {m['hugo']}. Code: {m.get('commit', '?')}. "
        f"Load average (1, 5, 15 min) at start: {results['load_start']}, "
        f"at end: {results.get('load_end', '?')}.",
        "",
    ]
    codes = {r["code"] for r in runs.values() if "code" in r}
    if len(codes) > 1:
        lines += [
            "**Warning: the code under generator/ changed between or during the builds "
            f"({', '.join(sorted(codes))}); the figures mix versions.**",
            "",
        ]
    if "catalog" in results:
        c = results["catalog"]
        lines += [
            f"Synthetic catalog: {c['products']:,} products, {c['producers']:,} producers, "
            f"{c['photos']:,} photos ({synthetic.PHOTO_SIZE[0]}x{synthetic.PHOTO_SIZE[1]} "
            f"JPEG), all `example: true`; written in {_s(c['seconds'])} s. "
            f"As-of date {synthetic.AS_OF.isoformat()}."
            + (
                f" {c['lots']:,} lots ({c['lots'] // max(c['products'], 1)} a product, "
                "synthetic, in lots.csv beside each record)."
                if c.get("lots")
                else ""
            ),
            "",
        ]
    rows = judge(results)
    if rows:
        lines += ["### Targets", "", "| target | measured | goal | result |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
        lines.append("")
    if runs or hugo:
        lines += [
            "### Runs",
            "",
            "Each run is its own process. CPU = user + sys of the process and its workers. "
            "Peak (largest process) = ru_maxrss; peak (tree) = sampled sum of PSS over all "
            "processes of the run. Load = 1-minute load average before the run.",
            "",
            "| run | wall s | CPU s | peak, largest process | peak, tree | load | note |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for label, r in runs.items():
            note = r.get("note", "")
            if "skipped" in r:
                note = "skipped (nothing changed)" if r["skipped"] else f"{r['files']:,} files"
                if r.get("kept"):
                    written = r["files"] - r["kept"]
                    note += f" ({written:,} written, {r['kept']:,} kept, {r['removed']:,} removed)"
            lines.append(
                f"| {label} | {_s(r['wall'])} | {_s(r['cpu'])} | {_mb(r['maxrss'])} | "
                f"{_mb(r['tree_peak'])} | {r['load']:.2f} | {note} |"
            )
        if hugo:
            runs_text = ", ".join(_s(w) for w in hugo["runs"])
            lines.append(
                f"| Hugo (best of {len(hugo['runs'])}: {runs_text} s) | "
                f"{_s(hugo['wall'])} | {_s(hugo['cpu'])} | {_mb(hugo['maxrss'])} | "
                f"{_mb(hugo['tree_peak'])} | {hugo['load']:.2f} | "
                f"{hugo['product_pages']:,} product pages, {hugo['files']:,} files, "
                f"{_mb(hugo['bytes'])} |"
            )
        lines.append("")
    if results.get("paired"):
        lines += [
            "### One-record rebuild in turn with Hugo",
            "",
            "Hugo's cold render, then a one-record rebuild (another product renamed each "
            "time), in turn; the ratio is taken pair by pair.",
            "",
            "| pair | Hugo s | load | one-record rebuild s | load | files written | ratio |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for k, p in enumerate(results["paired"]["pairs"], start=1):
            lines.append(
                f"| {k} | {_s(p['hugo'])} | {p['hugo_load']:.2f} | {_s(p['ours'])} | "
                f"{p['load']:.2f} | {p['written']:,} | {p['ratio']:.2f}x |"
            )
        lines.append("")
    staged = {k: r for k, r in runs.items() if r.get("stages")}
    if staged:
        names: list[str] = []
        for r in staged.values():
            names += [s for s in r["stages"] if s not in names]
        lines += [
            "### Time per stage (s)",
            "",
            "| stage | " + " | ".join(staged) + " |",
            "|---|" + "---:|" * len(staged),
        ]
        for name in names:
            cells = [_s(r["stages"].get(name, 0.0)) for r in staged.values()]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    per_item = results.get("per_item")
    if per_item:
        lines += ["### Per item", "", "| cost | figure |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in per_item.items()]
        lines.append("")
    if results.get("site"):
        site = results["site"]
        lines += [
            f"Built site: {site['files']:,} files, {_mb(site['bytes'])} "
            f"({site['media_files']:,} files, {_mb(site['media_bytes'])} under media/).",
            "",
        ]
    if results.get("lot_site"):
        lot_site = results["lot_site"]
        lots = max(results["catalog"].get("lots", 0), 1)
        lines += [
            f"Lot pages (p/<id>/lo/, 01/<GTIN>/10/): {lot_site['files']:,} files, "
            f"{_mb(lot_site['bytes'])} ({lot_site['bytes'] / lots / 1024:.1f} KB a lot).",
            "",
        ]
    if results.get("lot_labels"):
        made = results["lot_labels"]
        lots, total = made["lots"], results["catalog"]["lots"]
        per_lot = made["seconds"] / max(lots, 1)
        label_bytes = (made["bytes"] - made["sheet_bytes"]) / max(lots, 1)
        sheet_bytes = made["sheet_bytes"] / max(made["sheets"], 1)
        lines += [
            "### Lot labels on demand (`ocop labels --lots`, not made by the build)",
            "",
            f"{lots:,} lots of {made['products']} products in {_s(made['seconds'])} s (one "
            f"process): {per_lot * 1000:.2f} ms a lot (SVG + PNG + PDF), "
            f"{label_bytes / 1024:.1f} KB a lot; {made['sheets']} A4 lot sheets, "
            f"{sheet_bytes / 1024:.1f} KB each. Were the build to make them for all "
            f"{total:,} lots: {3 * total:,} files, {_mb(label_bytes * total)} and "
            f"{_s(per_lot * total)} s of one core, drawn again for every lot whose product "
            "changes.",
            "",
        ]
    if results.get("one_lot"):
        one = results["one_lot"]
        touched = [*one["changed"], *one["added"], *one["removed"]]
        lines += [
            f"### One lot added ({one['product']}/{NEW_LOT}): files the rebuild changed",
            "",
            f"{len(one['changed'])} changed, {len(one['added'])} added, "
            f"{len(one['removed'])} removed.",
            "",
            "| kind | files |",
            "|---|---|",
        ]
        for kind, paths in one["kinds"].items():
            shown = ", ".join(f"`{p}`" for p in paths[:12])
            more = f" and {len(paths) - 12:,} more" if len(paths) > 12 else ""
            lines.append(f"| {kind} ({len(paths)}) | {shown}{more} |")
        lines.append("")
        assert len(touched) == sum(len(v) for v in one["kinds"].values())
    if results.get("search"):
        s = results["search"]
        lines += [
            "### Search index, first query (gzip level 6)",
            "",
            "| file | gzip |",
            "|---|---:|",
            f"| search/meta.json ({_kb(s['meta_raw'])} raw) | {_kb(s['meta'])} |",
            f"| largest token shard search/t/{s['shard_max'][1]} (of {s['shard_count']}) | "
            f"{_kb(s['shard_max'][0])} |",
            f"| largest data chunk search/d/{s['chunk_max'][1]} (of {s['chunk_count']}) | "
            f"{_kb(s['chunk_max'][0])} |",
            f"| total of the three | {_kb(s['first_query_total'])} |",
            "",
        ]
    photo = results.get("photo_bench")
    if photo:
        count = photo["photos"]
        lines += [
            f"### Photo micro-benchmark: {count} phone JPEGs, 4000x3000, "
            f"{photo['source_mb']:.1f} MB each, {photo['products']} share cards",
            "",
            "All derivatives (WebP + JPEG at 320/640/1280 px) and the share cards, "
            f"`render_photos` on all {m['cores']} cores.",
            "",
            "| state | wall s | ms per photo (wall) | CPU ms per photo | decoded | files made |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for state in ("cold", "warm"):
            r = photo[state]
            lines.append(
                f"| {state} | {_s(r['wall'])} | {r['wall'] / count * 1000:.0f} | "
                f"{r['cpu'] / count * 1000:.0f} | {r['decoded']} | {r['files_made']} |"
            )
        lines.append("")
    return "\n".join(lines)


def per_item_costs(results: dict[str, Any]) -> dict[str, str]:
    runs = results["runs"]
    n = results["n"]
    photos = results["catalog"]["photos"]
    out: dict[str, str] = {}
    cold = runs.get("cold build", {}).get("stages", {})
    warm = runs.get("one-record rebuild", {}).get("stages", {})
    full = runs.get("full rebuild, warm cache", {}).get("stages", {})
    if "pages" in cold:
        out["HTML pages stage / product (cold)"] = f"{cold['pages'] / n * 1000:.2f} ms"
    if "labels" in cold:
        out["labels stage / product (cold)"] = f"{cold['labels'] / n * 1000:.2f} ms"
    if "labels" in warm:
        out["labels stage / product (one-record rebuild)"] = f"{warm['labels'] / n * 1000:.2f} ms"
    if "photos" in cold:
        out["photos stage / photo (cold, 800x600 sources)"] = (
            f"{cold['photos'] / photos * 1000:.2f} ms"
        )
    if "photos" in warm:
        out["photos stage / photo (cached)"] = f"{warm['photos'] / photos * 1000:.3f} ms"
    lots = results["catalog"].get("lots", 0)
    lot_stage = next((name for name in cold if "lot" in name), None)
    if lots and lot_stage:
        out[f"{lot_stage} stage / lot (cold)"] = f"{cold[lot_stage] / lots * 1000:.3f} ms"
    elif lots and "pages" in cold:
        out["HTML pages stage / (product + lot) (cold; lot pages not a stage of their own)"] = (
            f"{cold['pages'] / (n + lots) * 1000:.3f} ms"
        )
    one_lot = runs.get("one-lot rebuild", {})
    if lots and one_lot:
        out["one-lot rebuild (whole run)"] = f"{one_lot['wall']:.2f} s"
    imported = runs.get(f"import, {results.get('import_rows', 0):,}-row list")
    if imported:
        rows = results["import_rows"]
        out["`ocop import` / row (in the process)"] = f"{imported['seconds'] / rows * 1000:.2f} ms"
    checked = sum(cold.get(stage, 0.0) for stage in ("load", "validate", "derive"))
    if checked:
        out["load+validate+derive / product (cold)"] = f"{checked / n * 1000:.2f} ms"
    if "datasets" in full:
        out["datasets stage / product (warm)"] = f"{full['datasets'] / n * 1000:.2f} ms"
    sample = results.get("hugo_photos")
    if sample:
        out[f"Hugo making our photos / photo (sample of {sample['photos']}, cold, wall)"] = (
            f"{sample['wall_per_photo'] * 1000:.0f} ms"
        )
    hugo = results.get("hugo")
    if hugo:
        out["Hugo / product page (whole run)"] = f"{hugo['wall'] / n * 1000:.2f} ms"
    if "cold build" in runs:
        out["cold build / product (whole run)"] = f"{runs['cold build']['wall'] / n * 1000:.1f} ms"
    return out


# ------------------------------------------------------------------------------ main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="National-scale benchmark of `ocop build` against Hugo."
    )
    parser.add_argument(
        "count", nargs="?", type=int, default=None, metavar="N", help="products (default 20000)"
    )
    parser.add_argument("--n", type=int, default=None, help="products (same as N)")
    parser.add_argument("--quick", action="store_true", help="N = 2000, a fast check")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep benchmarks/out/national-N/ (catalog, site, cache, Hugo site)",
    )
    parser.add_argument("--skip-hugo", action="store_true", help="no Hugo reference run")
    parser.add_argument("--skip-photos", action="store_true", help="no photo micro-benchmark")
    parser.add_argument(
        "--photos-only", action="store_true", help="only the phone-photo micro-benchmark"
    )
    parser.add_argument(
        "--lots",
        type=int,
        default=0,
        metavar="K",
        help="K synthetic lots per product (lots.csv) and a one-lot rebuild; 0: none, as the "
        "figures before lots existed",
    )
    parser.add_argument(
        "--import-rows",
        type=int,
        default=5000,
        metavar="R",
        help="rows of the synthetic province list `ocop import` reads (0: no import figure)",
    )
    parser.add_argument("--hugo-runs", type=int, default=2, help="Hugo runs; the best counts")
    parser.add_argument(
        "--pairs",
        type=int,
        default=3,
        metavar="K",
        help="Hugo and a one-record rebuild in turn, K times: the median ratio (0: none)",
    )
    parser.add_argument(
        "--hugo-photo-products",
        type=int,
        default=100,
        metavar="K",
        help="products of the sample Hugo makes our photos for (0: none)",
    )
    parser.add_argument("--jobs", type=int, default=0, help="build workers (0: all cores)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="work folder")
    parser.add_argument(
        "--render", type=Path, default=None, metavar="RESULTS.json", help="only print a table again"
    )
    args = parser.parse_args(argv)
    args.n = args.n or args.count or (2000 if args.quick else 20000)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        print(render_markdown(json.loads(args.render.read_text(encoding="utf-8"))))
        return 0
    out_dir: Path = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    n = args.n
    results: dict[str, Any] = {
        "n": n,
        "date": dt.date.today().isoformat(),
        "machine": measure.machine(),
        "load_start": loadavg(),
        "runs": {},
        "photos_only": args.photos_only,
    }
    log(f"machine: {results['machine']}; load {results['load_start']}")
    name = f"results-{n}" if not args.photos_only else "results-photos"

    if not args.photos_only:
        work = out_dir / f"national-{n}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        log(f"writing a synthetic catalog of {n:,} products into {work / 'catalog'}")
        start = time.perf_counter()
        made = synthetic.write_catalog(
            work / "catalog", n, out_dir / "photo-bases", lots_per_product=args.lots
        )
        results["catalog"] = {
            "products": made.products,
            "producers": made.producers,
            "photos": made.photos,
            "lots": made.lots,
            "seconds": time.perf_counter() - start,
        }
        log(
            f"catalog: {made.products:,} products, {made.producers:,} producers, "
            f"{made.photos:,} photos in {results['catalog']['seconds']:.1f} s"
        )
        try:
            measure_builds(args, work, made, results)
            if args.import_rows:
                results["import_rows"] = args.import_rows
                label = f"import, {args.import_rows:,}-row list"
                results["runs"][label] = run_import(work, args.import_rows)
                results["per_item"] = per_item_costs(results)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    if not args.skip_photos or args.photos_only:
        results["photo_bench"] = photo_benchmark(out_dir)

    results["load_end"] = loadavg()
    text = render_markdown(results)
    print(text)
    (out_dir / f"{name}.md").write_text(text + "\n", encoding="utf-8")
    (out_dir / f"{name}.json").write_text(
        json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8"
    )
    log(f"written: {out_dir / (name + '.md')}")
    return 0


def measure_builds(
    args: argparse.Namespace, work: Path, made: synthetic.SyntheticCatalog, results: dict[str, Any]
) -> None:
    runs = results["runs"]
    catalog = work / "catalog"
    as_of = synthetic.AS_OF.isoformat()

    # `ocop validate` twice: as CI runs it (no cache), then with the facts of unchanged
    # photos cached (a contributor's second run). Its own cache folder: the cold build's stays
    # empty, and the project's .cache/ is not touched.
    for label in ("validate", "validate, photo facts cached"):
        cmd = [PY, str(DRIVER), "--validate-only", "--catalog", str(catalog), "--as-of", as_of]
        cmd += ["--cache", str(work / "validate-cache")]
        result = measure.run(label, cmd, cwd=PROJECT_ROOT, env=CHILD_ENV).check()
        runs[label] = _figures(result)
        log(f"{label}: {result.wall:.2f} s wall, {result.cpu:.2f} s CPU ({result.stdout.strip()})")

    # Hugo runs before and after the builds (best counts): the machine's load drifts
    hugo_site = None if args.skip_hugo else prepare_hugo(work, catalog)
    if hugo_site:
        results["hugo_photos"] = run_hugo_photos(work, catalog, args.hugo_photo_products)
    results["photo_floor"] = run_photo_floor()
    hugo_runs = (
        [run_hugo(hugo_site) for _ in range(max(1, args.hugo_runs - 1))] if hugo_site else []
    )

    runs["cold build"] = run_build("cold build", work, args.jobs)
    runs["no-change rebuild"] = run_build("no-change rebuild", work, args.jobs)
    if not runs["no-change rebuild"]["skipped"]:
        # someone edited generator/ or docs/ meanwhile (the fingerprint covers the code): again
        log("the no-change rebuild did rebuild (inputs changed during the run?): once more")
        runs["no-change rebuild"] = run_build("no-change rebuild", work, args.jobs)
    # Right after a cold build that wrote ~6 GB the kernel has dropped most inodes of the
    # catalog, and the walk waits for the disk; a maintainer's next build finds them cached.
    runs["no-change rebuild, again"] = run_build("no-change rebuild, again", work, args.jobs)

    # Every rebuild writes what changed into an overlay of the published site, applied at the
    # end (generator/write.py); the first after a cold build and later ones are measured.
    target = made.product_files[len(made.product_files) // 2]
    original = edit_one_record(target)
    runs["one-record rebuild"] = run_build("one-record rebuild", work, args.jobs)
    target.write_bytes(original)
    runs["one-record rebuild, again"] = run_build("one-record rebuild, again", work, args.jobs)
    # "again" puts the first name back: its files are made and moved in again. Another
    # product renamed (and left so: the runs below start from it) is what a second merged
    # change costs.
    edit_one_record(made.product_files[len(made.product_files) // 3])
    runs["one-record rebuild, another product"] = run_build(
        "one-record rebuild, another product", work, args.jobs
    )
    if hugo_site and args.pairs > 0:
        results["paired"] = paired_rebuilds(
            work, made.product_files, hugo_site, args.pairs, args.jobs
        )

    if made.lots:
        # One lot appended to one product's lots.csv; the lot stays (a published lot never
        # disappears), so the figures below count it.
        before = site_manifest(work)
        product_id, gtin14, _ = add_one_lot(made.product_files)
        runs["one-lot rebuild"] = run_build("one-lot rebuild", work, args.jobs)
        touched = changed_files(before, site_manifest(work))
        paths = [*touched["changed"], *touched["added"], *touched["removed"]]
        results["one_lot"] = {
            "product": product_id,
            "gtin14": gtin14,
            **touched,
            "kinds": one_lot_kinds(product_id, gtin14, paths),
        }
        log(f"one lot added to {product_id}: {len(paths)} files changed")
        results["lot_labels"] = run_lot_labels(work)

    # A template change: every page rendered again and written, every cache warm.
    templates = changed_templates(work)
    runs["template-change rebuild"] = run_build(
        "template-change rebuild", work, args.jobs, templates=templates
    )
    # The build after it: one record's change on top of a site every page of which was just
    # replaced.
    original = edit_one_record(target)
    runs["one-record rebuild after the template change"] = run_build(
        "one-record rebuild after the template change", work, args.jobs, templates=templates
    )
    target.write_bytes(original)

    files, size = tree_size(work / "site")
    media_files, media_size = tree_size(work / "site" / "media")
    results["site"] = {
        "files": files,
        "bytes": size,
        "media_files": media_files,
        "media_bytes": media_size,
    }
    results["search"] = search_budget(work / "site")
    if made.lots:
        lot_files, lot_bytes = lot_site_size(work / "site")
        results["lot_site"] = {"files": lot_files, "bytes": lot_bytes}

    # Nothing to start from. Moved aside, not deleted: the kernel's work after deleting the
    # site and the site before last (1.2 million files, before the overlay) slowed the build
    # that followed by half (sys time 56 -> 130 s in a run at 20,000); it goes with the work
    # folder at the end.
    aside = work / "sites-before-the-full-rebuild"
    aside.mkdir()
    (work / "site").rename(aside / "site")
    runs["full rebuild, warm cache"] = run_build("full rebuild, warm cache", work, args.jobs)

    if hugo_site:
        hugo_runs.append(run_hugo(hugo_site))
        results["hugo"] = best_hugo(hugo_site, hugo_runs)
    results["per_item"] = per_item_costs(results)


if __name__ == "__main__":
    sys.exit(main())
