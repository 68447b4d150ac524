"""The labels stage: the same bytes in every process, the cache reused and pruned."""

from __future__ import annotations

import dataclasses
import hashlib

from label_support import (
    BASE_URL,
    digest_elsewhere,
    make_config,
    renamed,
)

from generator.config import PoolSettings
from generator.model import Catalog
from generator.render.labels import stage
from generator.render.labels.content import label_content
from generator.render.labels.stage import draw_label, make_labels, render_labels
from generator.write import SiteWriter


def test_labels_are_byte_identical_across_renders_and_processes(catalog: Catalog) -> None:
    content = label_content(catalog.products[0], BASE_URL)
    first, second = draw_label(content), draw_label(content)
    assert first == second
    here = hashlib.sha256(b"".join(first)).hexdigest()
    other = digest_elsewhere(content, "stage", "b''.join(draw_label(c))")
    assert other == here
    assert b"CreationDate" not in first[2] or b"D:20000101" in first[2]  # invariant=1
    assert b"tIME" not in first[1]


def test_unchanged_labels_are_not_drawn_again(catalog: Catalog, tmp_path) -> None:
    cache = tmp_path / "cache"
    first = make_labels(catalog, make_config(tmp_path, cache), SiteWriter(tmp_path / "a"))
    assert (first.drawn, first.reused, first.sheets_drawn) == (7, 0, 4)

    again = make_labels(catalog, make_config(tmp_path, cache), SiteWriter(tmp_path / "b"))
    assert (again.drawn, again.reused, again.sheets_drawn) == (0, 7, 0)
    for files in again.index.per_product.values():
        for rel in (files.svg, files.png, files.pdf):
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()

    changed = renamed(catalog)
    third = make_labels(changed, make_config(tmp_path, cache), SiteWriter(tmp_path / "c"))
    assert (third.drawn, third.reused) == (1, 6)
    assert third.sheets_drawn == 2  # its province's and its producer's sheet
    svg = (tmp_path / "c" / "nhan-qr" / "qn-valid.svg").read_text(encoding="utf-8")
    assert "(mới)" in svg
    assert (tmp_path / "c" / "nhan-qr" / "qn-expired.pdf").read_bytes() == (
        tmp_path / "a" / "nhan-qr" / "qn-expired.pdf"
    ).read_bytes()
    assert third.cache_names <= {p.name for p in (cache / "labels").iterdir()}


def test_worker_processes_draw_the_same_bytes(catalog: Catalog, tmp_path, monkeypatch) -> None:
    serial = make_labels(
        catalog, make_config(tmp_path, tmp_path / "c1"), SiteWriter(tmp_path / "a")
    )
    config = dataclasses.replace(
        make_config(tmp_path, tmp_path / "c2"), workers=2, pools=PoolSettings(label_min_cost=1)
    )
    parallel = make_labels(catalog, config, SiteWriter(tmp_path / "b"))
    assert parallel.drawn == serial.drawn == 7
    assert parallel.sheets_drawn == serial.sheets_drawn == 4
    written = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert written == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.*"))
    assert len(written) == 7 * 3 + 4  # svg, png, pdf of each label; 4 sheets
    for rel in written:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def test_a_build_removes_the_cached_files_it_no_longer_uses(catalog: Catalog, tmp_path) -> None:
    cache = tmp_path / "cache"
    first = make_labels(catalog, make_config(tmp_path, cache), SiteWriter(tmp_path / "a"))
    (cache / "labels" / "left-by-an-old-build.pdf").write_bytes(b"%PDF")
    changed = renamed(catalog)
    # A partial render (ocop labels) keeps what others may still use.
    partial = make_labels(changed, make_config(tmp_path, cache), SiteWriter(tmp_path / "b"))
    assert partial.pruned == 0
    assert first.cache_names <= {p.name for p in (cache / "labels").iterdir()}
    # The build's render keeps exactly what it uses: the old label of qn-valid and the old
    # sheets it was on go, with the stray file.
    index = render_labels(changed, make_config(tmp_path, cache), SiteWriter(tmp_path / "c"))
    left = {p.name for p in (cache / "labels").iterdir()}
    assert left == partial.cache_names
    assert len(first.cache_names - left) == 3 + 2
    assert sorted(index.per_product) == sorted(p.id for p in catalog.products)
    for files in index.per_product.values():
        assert (tmp_path / "c" / files.pdf).is_file()


def _one_province(catalog: Catalog, count: int, producers: int) -> Catalog:
    """`count` valid products of one province, spread over `producers` producers."""
    base = next(p for p in catalog.products if p.id == "qn-valid")
    owners = [
        dataclasses.replace(base.producer, id=f"htx-{k}", name=f"HTX mẫu {k}")
        for k in range(producers)
    ]
    products = tuple(
        dataclasses.replace(base, id=f"qn-{i:03}", name=f"Mẫu {i}", producer=owners[i % producers])
        for i in range(count)
    )
    return dataclasses.replace(catalog, products=products, producers=tuple(owners))


def test_one_large_province_is_drawn_by_every_worker(
    catalog: Catalog, tmp_path, monkeypatch
) -> None:
    """A catalog of one province would be one job, drawn by one worker while the others wait:
    it is cut by producer, its sheet a job of its own, and the files are the same."""
    big = _one_province(catalog, 60, 12)
    sizes: list[list[int]] = []
    original = stage.pool_map

    def counting(func, jobs, *args, **kwargs):  # type: ignore[no-untyped-def]
        sizes.append([len(job.labels) for job in jobs])
        return original(func, jobs, *args, **kwargs)

    monkeypatch.setattr(stage, "pool_map", counting)
    config = dataclasses.replace(
        make_config(tmp_path, tmp_path / "c1"), workers=2, pools=PoolSettings(label_min_cost=1)
    )
    make_labels(big, config, SiteWriter(tmp_path / "cut"))
    monkeypatch.setattr(stage, "_MIN_JOB_COST", 10**9)  # one job per province, as before
    make_labels(
        big, dataclasses.replace(config, cache_dir=tmp_path / "c2"), SiteWriter(tmp_path / "whole")
    )
    cut, whole = sizes
    assert whole == [60] and sum(cut) == 60 and len(cut) >= 4 and max(cut) <= 30
    written = sorted(p.relative_to(tmp_path / "cut") for p in (tmp_path / "cut").rglob("*.*"))
    assert len(written) == 60 * 3 + 1 + 12  # the province's sheet and each producer's
    for rel in written:
        assert (tmp_path / "cut" / rel).read_bytes() == (tmp_path / "whole" / rel).read_bytes()
