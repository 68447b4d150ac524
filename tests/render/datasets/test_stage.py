"""The datasets stage (generator/render/datasets/stage.py): the same bytes every time, from
nothing or after a change, the workbook in a forked child or not; and the data page made from
what it returns (pages.render_data_page)."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from datasets_support import (
    AS_OF,
    GOLDEN_HEADERS,
    IN_CHILDREN,
    assert_same_tree,
    build,
    build_again,
    grown,
    load,
    replace_product,
)
from generator import urls
from generator.model import Catalog
from generator.render.artifacts import DataIndex
from generator.render.datasets import check, csv_json, files, sqlite, stage
from generator.render.datasets.specs import DatasetError
from support import tree_bytes


def test_two_builds_are_byte_identical(
    catalog: Catalog, site: tuple[Path, DataIndex], tmp_path: Path
) -> None:
    again = tmp_path / "site"
    build(load(), again)  # a fresh load too: nothing may hang on object identity or the clock
    first, second = tree_bytes(site[0]), tree_bytes(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    # Excel: every zip entry carries the release date, whatever the clock said.
    with zipfile.ZipFile(io.BytesIO(first["data/latest/ocop.xlsx"])) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 23, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "2026-11-23T00:00:00Z" in core


def test_a_large_check_runs_beside_the_workbooks_child(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first national build has both a workbook child and a frictionless process: the
    frictionless process (spawned, it reads files and holds little) starts before the workbook
    is waited for, so the two and the datasets process share the cores."""
    events: list[str] = []
    real_background, real_result = stage.Background, stage.ForkedCall.result

    def background(func: Any, name: str, method: str = "fork") -> Any:
        events.append(f"start {name} ({method})")
        return real_background(func, name, method)

    def result(self: stage.ForkedCall) -> Any:
        found = real_result(self)
        events.append("workbook made")
        return found

    monkeypatch.setattr(stage, "Background", background)
    monkeypatch.setattr(check, "Background", background)
    monkeypatch.setattr(stage.ForkedCall, "result", result)
    build(catalog, tmp_path / "site", pools=IN_CHILDREN)
    assert events == ["start to_xlsx (fork)", "start frictionless (spawn)", "workbook made"]


def test_workbook_made_in_a_forked_child_is_the_same(
    catalog: Catalog,
    site: tuple[Path, DataIndex],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The path a national catalog takes: the workbook comes from a forked child."""
    build(catalog, tmp_path / "forked", pools=IN_CHILDREN)
    first, forked = tree_bytes(site[0]), tree_bytes(tmp_path / "forked")
    assert first.keys() == forked.keys()
    assert [k for k in first if first[k] != forked[k]] == []


def test_large_files_waiting_on_disk_are_the_same(
    catalog: Catalog,
    site: tuple[Path, DataIndex],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large file waits on disk until it is written (files.SPILL_BYTES): the same bytes,
    nothing is left waiting after the stage, and a file is moved into place, a release's copy
    linked to it, rather than written again."""
    monkeypatch.setattr(files, "SPILL_BYTES", 1)
    spilled: list[Path] = []
    real_close = files.DataFiles.close

    def close(self: files.DataFiles) -> None:
        spilled.extend(self.spilled)
        real_close(self)

    monkeypatch.setattr(files.DataFiles, "close", close)
    build(catalog, tmp_path / "spilled")
    first, later = tree_bytes(site[0]), tree_bytes(tmp_path / "spilled")
    assert first.keys() == later.keys()
    assert [k for k in first if first[k] != later[k]] == []
    assert len(spilled) > 10
    assert not [path for path in spilled if path.exists()]
    assert not (tmp_path / "spilled" / files.SPILL_FOLDER).exists()
    latest = tmp_path / "spilled" / urls.data_latest("products.csv")
    release = tmp_path / "spilled" / urls.data_release(AS_OF.isoformat(), "products.csv")
    assert latest.stat().st_ino == release.stat().st_ino and latest.stat().st_nlink == 2


def test_tables_encoded_a_few_rows_at_a_time_are_the_same(
    catalog: Catalog,
    site: tuple[Path, DataIndex],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first build encodes each table csv_json.ENCODE_CHUNK rows at a time: the same
    files, whatever the chunk (each chunk's columns may hold other types)."""
    monkeypatch.setattr(csv_json, "ENCODE_CHUNK", 2)
    build(catalog, tmp_path / "chunked")
    first, chunked = tree_bytes(site[0]), tree_bytes(tmp_path / "chunked")
    assert first.keys() == chunked.keys()
    assert [k for k in first if first[k] != chunked[k]] == []


def test_a_failure_in_the_workbook_child_stops_the_build(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> bytes:
        raise ValueError("hỏng trong tiến trình con")

    monkeypatch.setattr(stage, "to_xlsx", broken)
    with pytest.raises(DatasetError, match="hỏng trong tiến trình con"):
        build(catalog, tmp_path / "site", pools=IN_CHILDREN)
    assert not (tmp_path / "site/data/latest/ocop.xlsx").exists()


def _edits(base: Catalog) -> list[tuple[str, Catalog]]:
    renamed = replace_product(base, 500, name='Tên mới, có dấu phẩy và "ngoặc kép"')
    p = renamed.products[700]
    rescored = replace_product(
        renamed, 700, certificate=dataclasses.replace(p.certificate, score=87.5)
    )
    both = replace_product(replace_product(rescored, 100, name="Một"), 900, name="Hai")
    # two of the first products that have photos (some fixture products have none)
    first, second = [i for i, p in enumerate(both.products) if p.photos][:2]
    r = both.products[second]
    # Only a photos row changes: products.csv stays, the product's JSON does not.
    photos = (dataclasses.replace(r.photos[0], alt="Ảnh mới"), *r.photos[1:])
    new_alt = replace_product(both, second, photos=photos)
    q = new_alt.products[first]
    fewer_photos = replace_product(new_alt, first, photos=q.photos[:-1])
    added = dataclasses.replace(
        fewer_photos,
        products=tuple(
            sorted(
                (*fewer_photos.products, dataclasses.replace(q, id="zz-moi", name="Mới")),
                key=lambda x: x.id,
            )
        ),
    )
    return [
        ("renamed", renamed),
        ("rescored", rescored),
        ("unchanged", rescored),
        ("two renamed", both),
        ("a photo's text", new_alt),
        ("fewer photos", fewer_photos),
        ("added", added),
        ("back to the start", base),
    ]


def test_each_change_gives_the_bytes_of_a_build_from_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"updated": 0}
    real_update = sqlite._update_sqlite

    def counted(*args: Any) -> bytes:
        calls["updated"] += 1
        return real_update(*args)

    monkeypatch.setattr(sqlite, "_update_sqlite", counted)
    base = grown(load())
    cache = tmp_path / "cache"
    built = build_again(base, tmp_path / "step-0", cache)
    for n, (what, catalog) in enumerate(_edits(base), 1):
        built = build_again(catalog, tmp_path / f"step-{n}", cache, built)
        fresh = tmp_path / f"fresh-{n}"
        build_again(catalog, fresh, tmp_path / f"cache-{n}")
        assert_same_tree(built.root, fresh, what)
        # Only what changed is written again: one product.json for one product.
        jsons = {rel for rel in built.written if rel.endswith("product.json")}
        if what == "renamed":
            assert jsons == {f"p/{catalog.products[500].id}/product.json"}
        if what == "unchanged":
            assert jsons == set()
            assert not {rel for rel in built.written if rel.startswith("data/latest/")}
        if what == "a photo's text":
            second = [i for i, p in enumerate(catalog.products) if p.photos][1]  # as in _edits
            assert jsons == {f"p/{catalog.products[second].id}/product.json"}
            assert "data/latest/products.csv" not in built.written
    assert calls["updated"] >= 2  # the database was updated in place, not only made afresh


def test_data_page_explains_every_field_licence_citation_and_gaps(
    site: tuple[Path, DataIndex],
) -> None:
    page = (site[0] / "data/index.html").read_text("utf-8")
    for table, header in GOLDEN_HEADERS.items():
        for column in header.split(","):
            assert f'id="{table}-{column}"' in page, (table, column)
    assert "creativecommons.org/licenses/by/4.0/" in page
    assert "data/releases/2026-11-23/" in page  # how to cite, with the release date
    assert "example = true" in page and "group_code_confirmed" in page
    assert "2025" in page  # place codes are those after the 2025 reform
    assert 'type="application/atom+xml"' in page
    assert " style=" not in page and "<style" not in page
