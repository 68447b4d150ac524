"""What a static host serves of a GS1 resolver (generator/render/gs1.py): the resolver description
file and the linksets validate against GS1's own schemas (tests/render/gs1_schemas/), and the
host rules files say what Netlify and Cloudflare Pages need."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator import urls
from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig
from generator.model import Catalog
from generator.render.gs1 import (
    CERTIFICATE_SECTION,
    GS1_VOCABULARY,
    LOTS_SECTION,
    host_redirects,
    linkset,
    render_gs1_resolver,
    resolver_description,
)
from generator.render.html import Assets, Html
from generator.write import SiteWriter
from support import AS_OF, FIXTURE_CATALOG

SCHEMAS = Path(__file__).parent / "gs1_schemas"
BASE_URL = "https://nguyenvana.github.io/ocop-open-catalog/"
GTIN14 = "08930000000019"


def make_html(site: Path, base_url: str) -> Html:
    config = BuildConfig(
        catalog_dir=FIXTURE_CATALOG,
        out_dir=site,
        base_url=base_url,
        as_of=AS_OF,
        cache_dir=site.parent / "cache",
    )
    return Html(config, Assets(), SiteWriter(site))


def schema(name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(
        json.loads((SCHEMAS / name).read_text(encoding="utf-8")),
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    checked = check_catalog(FIXTURE_CATALOG, PROJECT_ROOT / "schemas", AS_OF)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


@pytest.fixture()
def site(catalog: Catalog, tmp_path: Path) -> Path:
    html = make_html(tmp_path / "site", BASE_URL)
    render_gs1_resolver(html, catalog)
    return tmp_path / "site"


def test_the_linkset_validates_against_gs1s_schema(site: Path) -> None:
    data = json.loads((site / urls.linkset(GTIN14)).read_text(encoding="utf-8"))
    errors = [e.message for e in schema("linkset-schema.json").iter_errors(data)]
    assert errors == []


def test_the_linkset_links_the_page_certificate_and_lots(catalog: Catalog, tmp_path: Path) -> None:
    html = make_html(tmp_path / "site", BASE_URL)
    products = [p for p in catalog.products if p.gtin14 == GTIN14]
    (context,) = linkset(html, GTIN14, products)["linkset"]
    page = f"{BASE_URL}p/qn-valid/"
    assert context["anchor"] == f"{BASE_URL}01/{GTIN14}"  # a Digital Link URI: no "/" at the end

    def hrefs(link_type: str) -> list[str]:
        return [target["href"] for target in context[GS1_VOCABULARY + link_type]]

    assert hrefs("pip") == hrefs("defaultLink") == [page]
    assert hrefs("certificationInfo") == [f"{page}#{CERTIFICATE_SECTION}"]
    # the lots section only: a new lot must not change the product's linkset
    assert hrefs("traceability") == [f"{page}#{LOTS_SECTION}"]
    assert hrefs("masterData") == [f"{page}product.json"]


CHANGES = {
    "name": lambda p: dataclasses.replace(p, name="Tên khác"),
    "stars": lambda p: dataclasses.replace(
        p, certificate=dataclasses.replace(p.certificate, stars=5)
    ),
    "decision": lambda p: dataclasses.replace(
        p, certificate=dataclasses.replace(p.certificate, number="99/QĐ-UBND")
    ),
    "story (not shown)": lambda p: dataclasses.replace(p, story="Chuyện khác"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_linkset_made_again_equals_one_made_from_nothing(
    catalog: Catalog, tmp_path: Path, change: str
) -> None:
    """Linksets are keyed by what they show: after any change to a product, the site brought
    up to date holds what a build from nothing makes."""
    changed = dataclasses.replace(
        catalog,
        products=tuple(CHANGES[change](p) if p.gtin14 == GTIN14 else p for p in catalog.products),
    )
    path = urls.linkset(GTIN14)
    before = make_html(tmp_path / "site", BASE_URL)
    render_gs1_resolver(before, catalog)
    original = (tmp_path / "site" / path).read_bytes()
    again = Html(before.config, Assets(), SiteWriter(tmp_path / "site", before.writer.manifest()))
    render_gs1_resolver(again, changed)
    fresh = make_html(tmp_path / "fresh", BASE_URL)
    render_gs1_resolver(fresh, changed)
    made = (tmp_path / "site" / path).read_bytes()
    assert made == (tmp_path / "fresh" / path).read_bytes()
    assert (made != original) == (change != "story (not shown)")


def test_gs1s_schema_refuses_a_link_type_written_as_a_curie(site: Path) -> None:
    """Why the linkset writes link types as full URIs: the schema refuses "gs1:pip"."""
    data: dict[str, Any] = json.loads((site / urls.linkset(GTIN14)).read_text(encoding="utf-8"))
    context = data["linkset"][0]
    context["gs1:pip"] = context.pop(GS1_VOCABULARY + "pip")
    assert not schema("linkset-schema.json").is_valid(data)


def test_the_resolver_description_validates_against_gs1s_schema(site: Path) -> None:
    data = json.loads((site / urls.GS1_RESOLVER).read_text(encoding="utf-8"))
    assert [e.message for e in schema("description-file-schema.json").iter_errors(data)] == []
    assert data["resolverRoot"] == BASE_URL.removesuffix("/")
    assert data["supportedPrimaryKeys"] == ["01"]
    assert data["supportedLinkType"] == [{"namespace": GS1_VOCABULARY, "prefix": "gs1:"}]


def test_a_description_without_its_root_is_refused_by_the_schema(tmp_path: Path) -> None:
    data = resolver_description(make_html(tmp_path / "site", BASE_URL))
    del data["resolverRoot"]
    assert not schema("description-file-schema.json").is_valid(data)


def test_headers_give_the_linkset_its_media_type(site: Path) -> None:
    rules = (site / urls.HOST_HEADERS).read_text(encoding="utf-8").split("\n")
    linkset_rule = rules.index(f"/ocop-open-catalog/{urls.linkset('*')}")
    assert rules[linkset_rule + 1] == "  Content-Type: application/linkset+json"
    resolver_rule = rules.index(f"/ocop-open-catalog/{urls.GS1_RESOLVER}")
    assert rules[resolver_rule + 1] == "  Content-Type: application/json"


def test_redirects_answer_each_link_type(catalog: Catalog, tmp_path: Path) -> None:
    rules = host_redirects(make_html(tmp_path / "site", BASE_URL), catalog).splitlines()
    gtin = f"/ocop-open-catalog/01/{GTIN14}"
    assert f"{gtin} linkType=gs1:pip /ocop-open-catalog/p/qn-valid/ 302!" in rules
    assert (
        f"{gtin} linkType=gs1:certificationInfo /ocop-open-catalog/p/qn-valid/#chung-nhan 302!"
    ) in rules
    assert f"{gtin} linkType=linkset {gtin}/linkset.json 302!" in rules
    assert f"{gtin}/10/:lot linkType=gs1:pip /ocop-open-catalog/p/qn-valid/lo/:lot/ 302!" in rules
    # only products with a GTIN have rules
    assert all("qn-nam-chua-ro" not in rule for rule in rules)


def test_the_product_page_has_the_sections_the_linkset_points_to(catalog: Catalog) -> None:
    template = (PROJECT_ROOT / "site_templates" / "product.html").read_text(encoding="utf-8")
    lots = (PROJECT_ROOT / "site_templates" / "_lots_of_product.html").read_text(encoding="utf-8")
    assert f'id="{CERTIFICATE_SECTION}"' in template
    assert f'id="{LOTS_SECTION}"' in lots
