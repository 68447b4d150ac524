"""What cutting the label PDFs' font subsets costs, with the labels' own subsetter and with
fontTools (fontTools.subset), against the whole labels stage of a synthetic catalog.

The labels stage is run cold, in one process, on the catalog; every subset it cuts is recorded
(the glyphs of both faces), then cut again by fontTools, one face at a time, as a fresh
TTFont each (the subsetter changes the font it is given). That is fontTools' best case: the
labels embed one font holding both faces, which with fontTools would take a merge as well.

    python benchmarks/label_fonts.py [--n 2000] [--catalog DIR] [--sample K]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig
from generator.render.labels import pdf
from generator.render.labels.font import FONTS, TrueTypeFont
from generator.render.labels.stage import make_labels
from generator.write import SiteWriter

AS_OF = dt.date(2026, 11, 20)
OUT = PROJECT_ROOT / "benchmarks" / "out"


def synthetic(n: int) -> Path:
    from synthetic import write_catalog  # benchmarks/ is the script's folder: on sys.path

    root = OUT / f"label-fonts-{n}" / "catalog"
    if not root.is_dir():
        write_catalog(root, n, OUT / "photo-bases")
    return root


def fonttools_subset(data: bytes, gids: Sequence[int]) -> bytes:
    options = ft_subset.Options()
    options.hinting = False  # as the own subsetter: no instructions, no fpgm/prep/cvt
    options.notdef_outline = True
    options.layout_features = []
    font = TTFont(io.BytesIO(data))
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(gids=list(gids))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--catalog", type=Path, default=None)
    parser.add_argument(
        "--sample", type=int, default=1, help="cut every k-th subset again with fontTools"
    )
    args = parser.parse_args()
    catalog_dir = args.catalog or synthetic(args.n)
    checked = check_catalog(catalog_dir, PROJECT_ROOT / "schemas", AS_OF)
    assert checked.catalog is not None, checked.problems[:3]
    catalog = checked.catalog

    requests: list[list[list[int]]] = []
    own = own_cpu = 0.0
    subset = pdf.subset

    def timed(faces: Sequence[tuple[TrueTypeFont, Iterable[int]]]) -> tuple[bytes, list]:
        nonlocal own, own_cpu
        faces = [(face, list(gids)) for face, gids in faces]
        requests.append([gids for _, gids in faces])
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return subset(faces)
        finally:
            own += time.perf_counter() - start
            own_cpu += time.process_time() - cpu

    pdf.subset = timed  # type: ignore[assignment]
    cache = Path(tempfile.mkdtemp(prefix="label-fonts-"))
    try:
        config = BuildConfig(
            catalog_dir=catalog_dir,
            out_dir=cache / "out",
            base_url="https://ocop.example/",
            as_of=AS_OF,
            cache_dir=cache / "cache",
            workers=1,
        )
        start, cpu = time.perf_counter(), time.process_time()
        run = make_labels(catalog, config, SiteWriter(cache / "site"))
        stage, stage_cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        pdf.subset = subset  # type: ignore[assignment]
        shutil.rmtree(cache, ignore_errors=True)

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "FFTM NOT subset" a call
    faces = [FONTS[False].read_bytes(), FONTS[True].read_bytes()]
    start, cpu = time.perf_counter(), time.process_time()
    for request in requests[:: args.sample]:
        for data, gids in zip(faces, request, strict=True):
            if gids or data is faces[0]:
                fonttools_subset(data, gids)
    # scaled to every subset
    fonttools = (time.perf_counter() - start) * len(requests) / len(requests[:: args.sample])
    fonttools_cpu = (time.process_time() - cpu) * len(requests) / len(requests[:: args.sample])

    labels, sheets, count = run.drawn, run.sheets_drawn, len(requests)
    with_ft = stage_cpu - own_cpu + fonttools_cpu
    lines = [
        f"catalog: {catalog_dir} ({len(catalog.products)} products)",
        f"labels stage, cold, 1 process: {stage:.2f} s wall, {stage_cpu:.2f} s CPU",
        f"  {labels} labels and {sheets} sheets drawn, {count} font subsets cut",
        f"  {stage_cpu / max(1, labels) * 1000:.2f} ms CPU a label (sheets included)",
        f"own subsetter: {own:.2f} s wall, {own_cpu:.2f} s CPU, "
        f"{own_cpu / count * 1000:.2f} ms CPU a subset, {own_cpu / stage_cpu:.1%} of the stage",
        f"fontTools subset (two faces, no merge; every {args.sample}. subset, scaled): "
        f"{fonttools:.1f} s wall, {fonttools_cpu:.1f} s CPU, "
        f"{fonttools_cpu / count * 1000:.1f} ms CPU a subset",
        f"  {fonttools_cpu / stage_cpu:.1f}x the CPU of the whole stage as it is; with fontTools "
        f"the stage would take {with_ft:.1f} s CPU, fontTools {fonttools_cpu / with_ft:.1%} of it",
        f"load average (1, 5, 15 min) at the end: {os.getloadavg()}",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
