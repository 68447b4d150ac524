"""Page keys (generator/render/pages.py, html.py): a page is rendered again exactly when
something it shows changed.

A key that misses an input leaves a stale page in an incremental build; a key that changes
without a reason (a memory address, the order of a set, which object holds a string) renders
every page on every build. Both are tested here; tests/test_write.py builds sequences of
record changes incrementally and compares them with builds from nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from generator import urls
from generator.build import BuildReport, build_site
from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig, PoolSettings
from generator.derive import derive_product
from generator.model import Catalog, Product, Validity
from generator.places import load_places
from generator.render import pages as pages_module
from generator.render.artifacts import (
    DataIndex,
    LabelFiles,
    LabelIndex,
    LabelSheet,
    PhotoIndex,
    PhotoRendition,
    PhotoSize,
)
from generator.render.html import Assets, Html, plain
from generator.render.pages import (
    BY_VALUE,
    FROM_RECORD_TEXT,
    Outputs,
    PageRenderer,
    group_slug,
    render_sitemaps,
)
from generator.vocab import load_vocabulary
from generator.write import SiteWriter
from support import AS_OF, FIXTURE_CATALOG, make_config, tree_digests

SCHEMAS = PROJECT_ROOT / "schemas"
BASE_URL = "https://ocop.example/catalog/"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    checked = check_catalog(FIXTURE_CATALOG, SCHEMAS, AS_OF, release_date=AS_OF)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


def make_html(
    root: Path, as_of: dt.date = AS_OF, base_url: str = BASE_URL, **settings: Any
) -> Html:
    """settings: more BuildConfig fields (workers, pools)."""
    config = BuildConfig(
        catalog_dir=FIXTURE_CATALOG,
        out_dir=root / "published",
        base_url=base_url,
        as_of=as_of,
        cache_dir=root / "cache",
        **settings,
    )
    writer = SiteWriter(root / "site")
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    return Html(config, assets, writer)


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Html:
    return make_html(tmp_path_factory.mktemp("pages"))


def outputs_for(catalog: Catalog) -> Outputs:
    """What the photo, label and data renderers would hand over, without drawing anything."""
    photos, labels, data = PhotoIndex(), LabelIndex(), DataIndex()
    for p in catalog.products:
        photos.per_product[p.id] = tuple(
            PhotoRendition(
                ph.file,
                ph.alt,
                ph.credit,
                ph.licence,
                (PhotoSize(320, 240, f"media/{ph.sha256[:12]}-320.webp", "media/a.jpg"),),
            )
            for ph in p.photos
        )
        photos.share_cards[p.id] = f"media/{p.id}-card.jpg"
        labels.per_product[p.id] = LabelFiles(f"q/{p.id}.svg", f"q/{p.id}.png", f"q/{p.id}.pdf")
        data.product_json[p.id] = f"p/{p.id}/product.json"
    labels.sheets.append(LabelSheet("Quảng Ninh", "province", "nhan-qr/tinh/qn.pdf", 2))
    return Outputs(photos, labels, data)


def renamed(catalog: Catalog, product_id: str, name: str) -> Catalog:
    """As a new name in product.yaml reaches the model: the record's digest changes with it."""
    return with_product(
        catalog, product_id, name=name, record_sha256=hashlib.sha256(b"x").hexdigest()
    )


def with_product(catalog: Catalog, product_id: str, **changes: Any) -> Catalog:
    products = tuple(
        dataclasses.replace(p, **changes) if p.id == product_id else p for p in catalog.products
    )
    return dataclasses.replace(catalog, products=products)


def keys(catalog: Catalog, html: Html, outputs: Outputs | None = None) -> dict[str, str]:
    """Every page's key: product pages, listings, home."""
    renderer = PageRenderer(catalog, html, outputs or outputs_for(catalog))
    pages = [*renderer.product_pages(), *renderer.browse_pages(), renderer.home()]
    return {page.path: page.key for page in pages}


# ------------------------------------------------------------------------------------ plain


def test_plain_refuses_values_without_a_stable_form() -> None:
    with pytest.raises(TypeError):
        plain(lambda: 0)  # its repr is a memory address
    with pytest.raises(TypeError):
        plain({"b", "a"})  # its order changes with the hash seed
    with pytest.raises(TypeError):
        plain(object())


def test_equal_values_give_equal_keys_whichever_objects_hold_them(html: Html) -> None:
    one, other = "".join(["Sản ", "phẩm"]), "".join(["Sản", " phẩm"])
    assert one == other and one is not other
    assert html.input_key("t", [one, one]) == html.input_key("t", [one, other])
    assert html.input_key("t", [one, one]) != html.input_key("t", [one, one + "."])


def test_a_cached_property_does_not_change_a_key(html: Html) -> None:
    @dataclasses.dataclass(frozen=True)
    class Shown:
        text: str

        @functools.cached_property
        def folded(self) -> str:
            return self.text.lower()

    shown = Shown("ABC")
    before = html.input_key("t", shown)
    assert shown.folded == "abc"  # now in the instance's __dict__
    assert html.input_key("t", shown) == before


def test_plain_keeps_what_tells_values_apart() -> None:
    assert plain(Validity.VALID) == "valid"
    assert plain(dt.date(2026, 1, 2)) == "2026-01-02"
    assert plain(Path("/a/b")) == "/a/b"
    assert plain({"a": 1}) != plain({"a": 2})
    assert plain({"a": 1}) != plain({"b": 1})
    assert plain((1, (2, 3))) != plain((1, 2, 3))


KEYS_IN_A_CHILD = """
import json, sys, datetime as dt
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from generator.catalog import check_catalog
from test_pages import keys, make_html, SCHEMAS
from support import AS_OF, FIXTURE_CATALOG
catalog = check_catalog(FIXTURE_CATALOG, SCHEMAS, AS_OF, release_date=AS_OF).catalog
print(json.dumps(keys(catalog, make_html(Path(sys.argv[3])))))
"""


def test_keys_are_the_same_in_another_process(catalog: Catalog, tmp_path: Path) -> None:
    """The next build is another process, with another hash seed and other objects."""
    here = keys(catalog, make_html(tmp_path / "here"))
    tests = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    child = subprocess.run(
        [sys.executable, "-c", KEYS_IN_A_CHILD, str(tests), str(tests.parent), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    assert json.loads(child.stdout) == here
    assert len(set(here.values())) == len(here)  # and every page has its own


# ------------------------------------------------------------------------- product pages


def _changed(value: Any) -> Any:
    return value + " (khác)" if isinstance(value, str) else value


# One change for every field a product page is keyed by besides its record's digest: a field
# added to Product without a case here fails test_every_field_keyed_by_value_has_a_case.
BY_VALUE_CHANGES: dict[str, Callable[[Product], Any]] = {
    "group_label": lambda p: "Nhãn nhóm khác",
    "subgroup_label": lambda p: "Nhãn nhóm con khác",
    "producer": lambda p: dataclasses.replace(p.producer, phone="0900 000 000"),
    "place": lambda p: dataclasses.replace(p.place, commune_name="Xã khác"),
    "photos": lambda p: (dataclasses.replace(p.photos[0], sha256="0" * 64), *p.photos[1:]),
    "validity": lambda p: Validity.EXPIRED if p.validity is Validity.VALID else Validity.VALID,
    "record_path": lambda p: "catalog/products/khac/product.yaml",
    "folder": lambda p: Path("/khac"),
    "lots": lambda p: p.lots[1:],
    "lots_path": lambda p: "catalog/products/khac/lots.csv",
    "lots_sha256": lambda p: "3" * 64,
}


def test_every_field_keyed_by_value_has_a_case() -> None:
    assert set(BY_VALUE_CHANGES) == set(BY_VALUE)
    fields = {f.name for f in dataclasses.fields(Product)}
    assert FROM_RECORD_TEXT | set(BY_VALUE) == fields


# Made from one file alone, whose digest stands for them in the page key: they never change
# without it (the lots come from lots.csv).
DIGESTED = {"lots": "lots_sha256"}


@pytest.mark.parametrize("field", [*sorted(BY_VALUE_CHANGES), "record_sha256"])
def test_a_product_page_key_follows_every_field(catalog: Catalog, html: Html, field: str) -> None:
    product = next(p for p in catalog.products if p.id == "qn-valid")
    value = BY_VALUE_CHANGES.get(field, lambda p: "0" * 64)(product)
    assert value != getattr(product, field)
    changes = {field: value}
    if field in DIGESTED:
        changes[DIGESTED[field]] = "4" * 64
    before = keys(catalog, html)
    after = keys(with_product(catalog, "qn-valid", **changes), html)
    assert after["p/qn-valid/index.html"] != before["p/qn-valid/index.html"]
    assert after["p/qn-expired/index.html"] == before["p/qn-expired/index.html"]


INFERRED_NOTE = "dự án xếp theo tên sản phẩm; nguồn không ghi nhóm"


def product_page_html(catalog: Catalog, html: Html, product_id: str) -> str:
    renderer = PageRenderer(catalog, html, outputs_for(catalog))
    page = next(p for p in renderer.product_pages() if p.path == f"p/{product_id}/index.html")
    return html.render(page.template, page.path, **page.context())


def test_a_product_page_says_when_the_group_was_inferred(catalog: Catalog, html: Html) -> None:
    product = next(p for p in catalog.products if p.id == "qn-valid")
    assert not product.group_inferred
    assert INFERRED_NOTE not in product_page_html(catalog, html, "qn-valid")
    inferred = with_product(catalog, "qn-valid", group_inferred=True)
    page = product_page_html(inferred, html, "qn-valid")
    facts = page.split("<dt>Nhóm</dt>", 1)[1].split("<dt>", 1)[0]  # said beside the group
    assert f"({INFERRED_NOTE})" in facts
    assert INFERRED_NOTE not in product_page_html(inferred, html, "qn-expired")


def test_a_product_page_key_follows_its_replacement(catalog: Catalog, html: Html) -> None:
    withdrawn = next(p for p in catalog.products if p.id == "hp-withdrawn")
    assert withdrawn.withdrawn and withdrawn.withdrawn.replaced_by == "qn-valid"
    before = keys(catalog, html)
    after = keys(renamed(catalog, "qn-valid", "Tên mới của sản phẩm thay thế"), html)
    assert after["p/hp-withdrawn/index.html"] != before["p/hp-withdrawn/index.html"]
    assert after["p/hp-revoked/index.html"] == before["p/hp-revoked/index.html"]


@pytest.mark.parametrize("output", ["rendition", "share card", "label", "data"])
def test_a_product_page_key_follows_what_other_renderers_made(
    catalog: Catalog, html: Html, output: str
) -> None:
    outputs = outputs_for(catalog)
    before = keys(catalog, html, outputs)
    photos, labels, data = outputs.photos, outputs.labels, outputs.data
    if output == "rendition":  # e.g. a new Pillow: other derivative names
        first = photos.per_product["qn-valid"][0]
        size = dataclasses.replace(first.sizes[0], webp="media/khac-320.webp")
        photos.per_product["qn-valid"] = (dataclasses.replace(first, sizes=(size,)),)
    elif output == "share card":
        photos.share_cards["qn-valid"] = "media/khac-card.jpg"
    elif output == "label":
        del labels.per_product["qn-valid"]
    else:
        data.product_json["qn-valid"] = "p/qn-valid/khac.json"
    after = keys(catalog, html, outputs)
    assert after["p/qn-valid/index.html"] != before["p/qn-valid/index.html"]
    assert after["p/qn-expired/index.html"] == before["p/qn-expired/index.html"]


@pytest.mark.parametrize("setting", ["as_of", "base_url"])
def test_every_key_follows_the_settings(catalog: Catalog, tmp_path: Path, setting: str) -> None:
    before = keys(catalog, make_html(tmp_path / "a"))
    if setting == "as_of":
        after = keys(catalog, make_html(tmp_path / "b", as_of=AS_OF + dt.timedelta(days=1)))
    else:
        after = keys(catalog, make_html(tmp_path / "b", base_url="https://khac.example/"))
    assert all(after[path] != key for path, key in before.items())


def test_fields_said_to_come_from_the_record_text_do(catalog: Catalog) -> None:
    """derive_product with every input but the record changed (producer, photo facts, places,
    vocabulary, as-of date): the fields that Product.record_sha256 stands for stay the same."""
    checked = check_catalog(FIXTURE_CATALOG, SCHEMAS, AS_OF, release_date=AS_OF)
    record = next(r for r in checked.loaded.products if r.data["id"] == "qn-valid")
    product = next(p for p in catalog.products if p.id == "qn-valid")
    places, vocab = load_places(), load_vocabulary(SCHEMAS)

    def other_label(label: Any) -> Any:
        return dataclasses.replace(label, vi=label.vi + " (khác)")

    other_vocab = dataclasses.replace(
        vocab,
        groups={c: other_label(g) for c, g in vocab.groups.items()},
        subgroups={
            c: {s: other_label(label) for s, label in subs.items()}
            for c, subs in vocab.subgroups.items()
        },
    )
    other_places = dataclasses.replace(
        places,
        provinces={
            c: dataclasses.replace(i, short_name=i.short_name + " (khác)")
            for c, i in places.provinces.items()
        },
        communes={
            c: dataclasses.replace(i, name=i.name + " (khác)") for c, i in places.communes.items()
        },
    )
    facts = {
        key: dataclasses.replace(f, sha256="0" * 64, width=f.width + 1)
        for key, f in checked.validation.photos.items()
    }
    producers = {product.producer.id: dataclasses.replace(product.producer, name="Khác")}
    other = derive_product(
        record, producers, facts, other_places, other_vocab, AS_OF + dt.timedelta(days=3650)
    )
    for name in FROM_RECORD_TEXT:
        assert getattr(other, name) == getattr(product, name), name
    changed = {name for name in BY_VALUE if getattr(other, name) != getattr(product, name)}
    assert changed >= {"group_label", "producer", "place", "photos", "validity"}


# ---------------------------------------------------------------------------- listings


def test_a_listing_key_follows_its_products_and_nothing_else(catalog: Catalog, html: Html) -> None:
    before = keys(catalog, html)
    after = keys(renamed(catalog, "qn-valid", "Tên mới"), html)
    changed = {path for path in before if after[path] != before[path]}
    # The product and the one it replaces (whose page names it): their pages and listings.
    shown = [p for p in catalog.products if p.id in ("qn-valid", "hp-withdrawn")]
    assert changed == {"index.html"} | {path for p in shown for path in listed_on(p)}
    others = [p for p in catalog.products if p not in shown]
    assert all(before[path] == after[path] for p in others for path in listed_on(p)[:1])


def listed_on(product: Product) -> list[str]:
    """Its own page first, then every listing showing it (the fixture's are one page long)."""
    groups = [product.group, *([product.subgroup] if product.subgroup else [])]
    return [
        f"p/{product.id}/index.html",
        f"tinh/{product.place.province_slug}/index.html",
        f"xa/{product.place.commune_code}/index.html",
        *(f"nhom/{group_slug(code)}/index.html" for code in groups),
        f"sao/{product.stars}/index.html",
        f"chu-the/{product.producer.id}/index.html",
    ]


def test_a_listing_key_follows_its_own_inputs(catalog: Catalog, html: Html) -> None:
    """The producer's details on its page, the province's label sheet."""
    outputs = outputs_for(catalog)
    before = keys(catalog, html, outputs)
    producer = next(p for p in catalog.products if p.id == "qn-valid").producer
    changed_producer = dataclasses.replace(producer, website="https://khac.example/")
    products = tuple(
        dataclasses.replace(p, producer=changed_producer) if p.producer is producer else p
        for p in catalog.products
    )
    producers = tuple(changed_producer if p is producer else p for p in catalog.producers)
    other = dataclasses.replace(catalog, products=products, producers=producers)
    assert (
        keys(other, html, outputs)[f"chu-the/{producer.id}/index.html"]
        != (before[f"chu-the/{producer.id}/index.html"])
    )
    outputs.labels.sheets[0] = dataclasses.replace(outputs.labels.sheets[0], path="khac.pdf")
    after = keys(catalog, html, outputs)
    assert after["tinh/quang-ninh/index.html"] != before["tinh/quang-ninh/index.html"]
    assert after["tinh/hai-phong/index.html"] == before["tinh/hai-phong/index.html"]


# --------------------------------------------------------------- builds after other changes


def test_incremental_builds_after_changes_beyond_a_record_equal_fresh_ones(
    tmp_path: Path,
) -> None:
    """A producer's record, a vocabulary label (schemas/), a photo's picture and the as-of
    date: none of them is in the product's record, each shows on pages."""
    catalog, schemas = tmp_path / "catalog", tmp_path / "schemas"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    shutil.copytree(SCHEMAS, schemas)
    site = make_config(catalog, tmp_path / "www" / "site", tmp_path / "cache", BASE_URL)
    site = dataclasses.replace(site, schemas_dir=schemas)

    def build(config: BuildConfig) -> None:
        assert build_site(config, BuildReport()) == 0

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    products = catalog / "products"

    def replace_photo() -> None:  # the same file name, another picture
        target = products / "quang_ninh" / "qn-valid" / "chai-mau.jpg"
        target.unlink()  # never written in place: the build may have linked it
        shutil.copyfile(products / "quang_ninh" / "qn-expired" / "goi-mau.jpg", target)

    producer = catalog / "producers" / "htx-mau-quang-ninh.yaml"
    changes: dict[str, Callable[[], None]] = {
        "producer": lambda: edit(producer, 'name: "', 'name: "Mới '),
        "vocabulary": lambda: edit(schemas / "product-groups.yaml", 'vi: "', 'vi: "Mới '),
        "photo": replace_photo,
        "as-of": lambda: None,
    }
    build(site)
    for name, change in changes.items():
        change()
        if name == "as-of":
            site = dataclasses.replace(site, as_of=AS_OF + dt.timedelta(days=400))
        build(site)
        fresh = dataclasses.replace(site, out_dir=tmp_path / f"fresh-{name}" / "site")
        build(fresh)
        built, expected = tree_digests(site.out_dir), tree_digests(fresh.out_dir)
        if name == "as-of":  # a new release date: the site built before keeps the earlier one
            built, expected = without_releases(built), without_releases(expected)
        assert built == expected, name


def without_releases(files: dict[str, str]) -> dict[str, str]:
    return {path: digest for path, digest in files.items() if not path.startswith("data/")}


# ---------------------------------------------------------------------- writing in a pool


def test_pages_written_by_workers_are_recorded_like_the_parents(
    catalog: Catalog, tmp_path: Path
) -> None:
    """Whoever rendered a page, the writer's manifest holds it with its key (or the next build
    would neither keep it nor remove it when it is no longer made) and a second pass keeps it."""

    def write(
        root: Path, previous: dict[str, tuple[str, int]] | None = None, pooled: bool = False
    ) -> Html:
        # pooled: two workers, whatever the machine, taking two pages at a time
        settings = {"workers": 2, "pools": PoolSettings(min_items=1, chunk=2)} if pooled else {}
        html = make_html(root, **settings)
        html.writer = SiteWriter(root / "site", previous)
        renderer = PageRenderer(catalog, html, outputs_for(catalog))
        html.write_pages([*renderer.product_pages(), *renderer.browse_pages()])
        return html

    inline = write(tmp_path / "inline")  # a few dozen pages: no pool
    pooled = write(tmp_path / "pooled", pooled=True)
    pages = set(pooled.index.pages)
    assert len(pages) > 20 and set(pooled.writer.written) == pages
    assert pooled.writer.manifest() == inline.writer.manifest()
    assert tree_digests(tmp_path / "pooled" / "site") == tree_digests(tmp_path / "inline" / "site")
    again = write(tmp_path / "pooled", pooled.writer.manifest(), pooled=True)
    assert again.writer.kept == len(pages)
    assert again.writer.manifest() == pooled.writer.manifest()


# ------------------------------------------------------------------------------- sitemaps

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _locs(text: str, tag: str) -> list[str]:
    root = ElementTree.fromstring(text)
    assert root.tag == SITEMAP_NS + tag
    return [loc.text or "" for loc in root.iter(SITEMAP_NS + "loc")]


def test_a_sitemap_within_the_limit_is_one_file(tmp_path: Path) -> None:
    html = make_html(tmp_path)
    html.index.pages.extend(["index.html", "p/a/index.html"])
    made = render_sitemaps(html, ["gioi-thieu/index.html"], most=3)
    assert list(made) == [urls.SITEMAP]
    assert _locs(made[urls.SITEMAP], "urlset") == [  # in the order of their files' paths
        BASE_URL + "gioi-thieu/",
        BASE_URL,
        BASE_URL + "p/a/",
    ]


def test_a_sitemap_beyond_the_limit_is_an_index_of_parts(tmp_path: Path) -> None:
    """Search engines read at most 50,000 URLs a file (here: 6): every page in exactly one
    part, none over the limit, the index listing the parts; a new page changes its own part
    only."""
    html = make_html(tmp_path)
    pages = [f"p/syn-{n:05d}/index.html" for n in range(38)]
    html.index.pages.extend(pages)
    made = render_sitemaps(html, most=6, part_size=4)
    parts = {path: _locs(text, "urlset") for path, text in made.items() if path != urls.SITEMAP}
    assert len(parts) == 10 and all(len(locs) <= 6 for locs in parts.values())
    assert sorted(loc for locs in parts.values() for loc in locs) == sorted(
        html.absolute(page) for page in pages
    )
    assert _locs(made[urls.SITEMAP], "sitemapindex") == [BASE_URL + path for path in parts]
    assert all(urls.is_sitemap(path) for path in made)
    html.index.pages.append("p/syn-00038/index.html")
    again = render_sitemaps(html, most=6, part_size=4)  # as many parts (39 pages)
    assert {path for path in again if again[path] != made.get(path)} == {
        next(path for path, text in again.items() if "syn-00038" in text and path != urls.SITEMAP)
    }


def test_a_build_writes_the_sitemap_parts_and_removes_those_it_no_longer_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the site writer: the parts are files of the site, robots.txt names the index,
    and a build whose pages fit in one file again leaves no part behind."""
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    config = make_config(catalog, tmp_path / "site", tmp_path / "cache", BASE_URL)
    monkeypatch.setattr(pages_module, "SITEMAP_MAX", 20)
    monkeypatch.setattr(pages_module, "SITEMAP_PART", 10)
    assert build_site(config, BuildReport()) == 0
    site = config.out_dir
    parts = sorted(p.name for p in site.glob("sitemap-*.xml"))
    assert len(parts) >= 2
    listed = _locs((site / urls.SITEMAP).read_text(encoding="utf-8"), "sitemapindex")
    assert sorted(loc.removeprefix(config.base_url) for loc in listed) == parts
    assert f"Sitemap: {config.base_url}{urls.SITEMAP}" in (site / urls.ROBOTS).read_text("utf-8")
    monkeypatch.undo()
    config = dataclasses.replace(config, as_of=config.as_of + dt.timedelta(days=1))
    assert build_site(config, BuildReport()) == 0
    assert list(site.glob("sitemap-*.xml")) == []
    assert _locs((site / urls.SITEMAP).read_text(encoding="utf-8"), "urlset")
