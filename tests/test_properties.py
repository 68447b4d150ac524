"""Property-based tests (hypothesis): no input crashes stage 1-3, no record text turns into code.

(a) any bytes, YAML-looking text, or a randomly edited valid record as a record file:
    check_catalog returns problems or a catalog, never raises;
(b) valid records mutated as data (fields dropped, replaced by arbitrary JSON-like values,
    keys added): validate_records (and derive, when valid) never raise;
(c) the page renderer, fed records whose every text field is arbitrary or hostile text
    (script tags, template syntax, `javascript:` links, markdown link tricks, entities): the
    pages contain no executable markup, and template syntax in data is never evaluated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT
from generator.derive import derive_catalog
from generator.errors import format_text
from generator.load import LoadedCatalog, load_records
from generator.model import Catalog, Outlet, Product, Source, Withdrawal
from generator.places import load_places
from generator.render.artifacts import (
    DataIndex,
    LabelIndex,
    PhotoIndex,
    PhotoRendition,
    PhotoSize,
)
from generator.render.html import Assets, Html
from generator.render.pages import Outputs, render_pages
from generator.validate import validate_records
from generator.validate.schema import load_schemas
from generator.vocab import load_vocabulary
from generator.write import SiteWriter
from support import AS_OF, FIXTURE_CATALOG, make_config

SCHEMAS = PROJECT_ROOT / "schemas"
PRODUCT = "products/quang_ninh/qn-valid/product.yaml"
PRODUCER = "producers/htx-mau-quang-ninh.yaml"
HOUSEHOLD = "producers/hkd-mau-hai-phong.yaml"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # no .hypothesis/ folder in the tree; failures print their example
)


# --- (a) bytes and text as a record file ---------------------------------------------------

_FIELDS = [
    "id", "name", "name_en", "group", "subgroup", "stars", "certificate", "number", "date",
    "issuer", "valid_until", "revoked", "producer", "place", "province", "commune", "address",
    "gtin", "description", "story", "photos", "file", "alt", "sources", "title", "url",
    "where_to_buy", "withdrawn", "reason", "replaced_by", "updated", "kind", "phone",
    "phone_public", "tên", "<<", "? ", "1", "~", "",
]  # fmt: skip
_VALUES = [
    "", "x", '"quoted"', "'single'", '"unclosed', "[", "]", "{", "}", "[a, b]", "{a: 1}", "&a",
    "*a", "!!python/object:os.system", "!!binary aGk=", "!local", "|", ">-", "|+", "---", "...",
    "%YAML 1.1", "# comment", "\t", "\r", "\r\n", "\x00", "\ufeff", "\u2028", "\x85", "\\",
    '"\\x01"', '"\\ud800"', "0x1F", "0o17", "1_000", "1:30", ".nan", "-.inf", "1e400",
    "9" * 120, "2023-02-30", "2023-06-15", "2023-06-15 10:00:00", "yes", "No", "null", "~",
    "true", "3", "4.5", "-1", "06652", '"22"', '"06832"', "javascript:alert(1)",
    "https://example.org/", "<script>alert(1)</script>", "Sản phẩm", "Sa\u0309n", "đ", "Đ",
]  # fmt: skip


@st.composite
def yamlish(draw: st.DrawFn) -> bytes:
    """Lines that look like a record: indentation, a field name, a separator, a value."""
    lines = []
    for _ in range(draw(st.integers(1, 25))):
        indent = " " * draw(st.sampled_from([0, 0, 0, 2, 2, 4, 1, 3, 6]))
        dash = draw(st.sampled_from(["", "", "- ", "-", "? "]))
        key = draw(st.sampled_from(_FIELDS) | st.text(max_size=6))
        sep = draw(st.sampled_from([": ", ": ", ":", " : ", ":\n", ""]))
        value = draw(st.sampled_from(_VALUES) | st.text(max_size=12))
        lines.append(f"{indent}{dash}{key}{sep}{value}")
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoded = ending.join(lines).encode("utf-8", "surrogatepass")
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + encoded


@st.composite
def edited(draw: st.DrawFn, original: bytes) -> bytes:
    """The valid record with a few random edits: insertions, deletions, replacements."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(
            st.sampled_from([v.encode("utf-8", "surrogatepass") for v in _VALUES])
            | st.binary(max_size=4)
        )
        if kind == "insert":
            data[at:at] = piece
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        else:
            data[at : at + len(piece)] = piece
    return bytes(data)


@pytest.fixture(scope="module")
def work_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("props") / "catalog"
    shutil.copytree(FIXTURE_CATALOG, root)
    return root


def _check_with(catalog: Path, target: str, raw: bytes) -> None:
    path = catalog / target
    original = (FIXTURE_CATALOG / target).read_bytes()
    path.write_bytes(raw)
    try:
        checked = check_catalog(catalog, SCHEMAS, AS_OF, catalog / "published-ids.txt")
        assert (checked.catalog is None) == bool(checked.problems)
        format_text(checked.problems, "vi")
        format_text(checked.problems, "en").encode("utf-8")
    finally:
        path.write_bytes(original)


_TARGETS = st.sampled_from([PRODUCT, PRODUCER, HOUSEHOLD])


@SETTINGS
@given(raw=st.binary(max_size=2000), target=_TARGETS)
def test_any_bytes_as_a_record(work_catalog: Path, raw: bytes, target: str) -> None:
    _check_with(work_catalog, target, raw)


@SETTINGS
@given(raw=yamlish(), target=_TARGETS)
def test_yaml_looking_text_as_a_record(work_catalog: Path, raw: bytes, target: str) -> None:
    _check_with(work_catalog, target, raw)


@SETTINGS
@given(data=st.data(), target=_TARGETS)
def test_randomly_edited_valid_record(work_catalog: Path, data: st.DataObject, target: str) -> None:
    raw = data.draw(edited((FIXTURE_CATALOG / target).read_bytes()))
    _check_with(work_catalog, target, raw)


# --- (b) records mutated as data -----------------------------------------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["2023-02-30", "2024-02-29", "22", "06832", "I", "I.3.c", "qn-valid"])
)
JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


def _mutate(data: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    data = json.loads(json.dumps(data))  # a deep copy
    for _ in range(draw(st.integers(1, 5))):
        paths = [p for p in _paths(data) if p]
        action = draw(st.sampled_from(["drop", "replace", "add"]))
        if action == "add" or not paths:
            parents = [p for p in _paths(data) if isinstance(_at(data, p), dict)]
            parent = _at(data, draw(st.sampled_from(parents)))
            key = draw(st.sampled_from(sorted(_FIELDS)) | st.text(max_size=8))
            parent[key] = draw(JSON)
            continue
        path = draw(st.sampled_from(paths))
        parent = _at(data, path[:-1])
        if action == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    return data


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


@pytest.fixture(scope="module")
def checking() -> dict[str, Any]:
    return {
        "loaded": load_records(FIXTURE_CATALOG),
        "schemas": load_schemas(SCHEMAS),
        "places": load_places(),
        "vocab": load_vocabulary(SCHEMAS),
    }


def _validate(ctx: dict[str, Any], loaded: LoadedCatalog) -> None:
    validation = validate_records(
        loaded, ctx["schemas"], ctx["places"], ctx["vocab"], AS_OF, FIXTURE_CATALOG / "ledger"
    )
    format_text(validation.problems, "en").encode("utf-8")
    format_text(validation.problems, "vi")
    if not validation.problems:
        derive_catalog(
            loaded, validation.photos, ctx["places"], ctx["vocab"], AS_OF, AS_OF, frozenset()
        )


@SETTINGS
@given(data=st.data())
def test_mutated_records_never_crash(checking: dict[str, Any], data: st.DataObject) -> None:
    loaded: LoadedCatalog = checking["loaded"]
    kind = data.draw(st.sampled_from(["products", "producers"]))
    records = list(getattr(loaded, kind))
    index = data.draw(st.integers(0, len(records) - 1))
    mutated = _mutate(records[index].data, data.draw)
    records[index] = dataclasses.replace(records[index], data=mutated)
    _validate(checking, dataclasses.replace(loaded, **{kind: records}))


@SETTINGS
@given(data=st.data())
def test_every_record_mutated_at_once(checking: dict[str, Any], data: st.DataObject) -> None:
    loaded: LoadedCatalog = checking["loaded"]
    changes: dict[str, Any] = {}
    for kind in ("products", "producers"):
        changes[kind] = [
            dataclasses.replace(r, data=_mutate(r.data, data.draw)) for r in getattr(loaded, kind)
        ]
    _validate(checking, dataclasses.replace(loaded, **changes))


# --- (c) hostile text never becomes markup -------------------------------------------------

EVALUATED = "1787569"  # 1337*1337: would appear only if template syntax in data were run
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "</script><script>alert(1)</script>",
    "{{ 1337*1337 }}",
    "{{1337*1337}}",
    "{% for x in range(3) %}{{ 1337*1337 }}{% endfor %}",
    "{{ config }}{{ self.__init__.__globals__ }}",
    "${1337*1337}",
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](&#106;avascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x]\n\n[x]: <javascript:alert(1)> 'title'",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/x.png)",
    "<img src=x onerror=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<style>*{x:expression(alert(1))}</style>",
    '[x](https://a.example/" onmouseover="alert(1))',
    '[x](https://a.example "t" onmouseover=alert(1))',
    '<https://a.example/" onclick="alert(1)>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;",
    "\\<script>alert(1)\\</script>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "<!-- --><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "]]></x><script>alert(1)</script>",
    "\u2028\u2029</script>",
    "*[x](javascript:alert(1))*",
    "<scr<script>ipt>alert(1)</script>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
URL_PAYLOADS = [
    "javascript:alert(1)",
    " JavaScript:alert(1)",
    "\tjavascript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    'https://a.example/" onmouseover="alert(1)',
    "https://a.example/<script>alert(1)</script>",
    "https://a.example/{{ 1337*1337 }}",
    "//evil.example/",
    "https://example.org/cua-hang",
]
TEXT = (
    st.text(max_size=40)
    | st.sampled_from(PAYLOADS)
    | st.builds(
        lambda a, b, c: a + b + c,
        st.text(max_size=4),
        st.sampled_from(PAYLOADS),
        st.sampled_from(PAYLOADS) | st.text(max_size=4),
    )
).filter(lambda s: EVALUATED not in s)
NAME = TEXT.filter(lambda s: s.strip() != "")
URL = (st.sampled_from(URL_PAYLOADS) | st.text(max_size=20)).filter(lambda s: EVALUATED not in s)


@pytest.fixture(scope="module")
def base_catalog() -> Catalog:
    checked = check_catalog(FIXTURE_CATALOG, SCHEMAS, AS_OF, FIXTURE_CATALOG / "published-ids.txt")
    assert checked.catalog is not None
    return checked.catalog


def make_hostile(base: Catalog, value: Callable[[str], str]) -> tuple[Catalog, PhotoIndex]:
    """The fixture catalog with qn-valid's and its producer's text replaced: value("name") for
    required text, value("text") for optional text, value("url") for addresses."""
    target = next(p for p in base.products if p.id == "qn-valid")
    old_producer = target.producer
    producer = dataclasses.replace(
        old_producer,
        name=value("name"),
        representative=value("text"),
        email=value("text"),
        website=value("url"),
        place=dataclasses.replace(old_producer.place, address=value("text")),
    )
    product = dataclasses.replace(
        target,
        name=value("name"),
        name_en=value("text"),
        description=value("text"),
        story=value("text"),
        ingredients=value("text"),
        storage=value("text"),
        standards=(value("name"),),
        place=dataclasses.replace(
            target.place, address=value("text"), former_address=value("text")
        ),
        where_to_buy=(Outlet(value("name"), value("text"), value("url")),),
        sources=(Source(value("name"), value("url"), value("text"), None, value("text")),),
        certificate=dataclasses.replace(
            target.certificate, number=value("name"), issuer=value("name")
        ),
        withdrawn=Withdrawal(AS_OF + dt.timedelta(days=1), value("name"), None),
        producer=producer,
    )

    def swap(p: Product) -> Product:
        if p.id == target.id:
            return product
        if p.producer.id == producer.id:
            return dataclasses.replace(p, producer=producer)
        return p

    producers = tuple(producer if p.id == producer.id else p for p in base.producers)
    catalog = dataclasses.replace(
        base, products=tuple(swap(p) for p in base.products), producers=producers
    )
    size = PhotoSize(640, 640, "media/x-640.webp", "media/x-640.jpg")
    renditions = tuple(
        PhotoRendition(f"p{i}.jpg", value("name"), value("text"), value("text"), (size,))
        for i in range(2)
    )
    return catalog, PhotoIndex(per_product={target.id: renditions})


_KINDS = {"name": NAME, "text": TEXT, "url": URL}


@st.composite
def hostile_catalog(draw: st.DrawFn, base: Catalog) -> tuple[Catalog, PhotoIndex]:
    return make_hostile(base, lambda kind: draw(_KINDS[kind]))


class PageAudit(HTMLParser):
    """Collects everything in a page that could run code."""

    BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
    URL_ATTRIBUTES = frozenset(
        {"href", "src", "action", "formaction", "srcset", "poster", "xlink:href"}
    )
    FORBIDDEN = frozenset(
        {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "style"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self._script_text: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in self.FORBIDDEN:
            self.findings.append(f"<{tag}>")
        equiv = (attributes.get("http-equiv") or "").lower()
        if tag == "meta" and equiv == "refresh":  # GS1 pages: only to a page of the site
            target = (attributes.get("content") or "").partition("url=")[2].strip().lower()
            if not target or ":" in target.split("/")[0] or target.startswith("//"):
                self.findings.append(f"meta refresh to {target!r}")
        elif tag == "meta" and equiv not in ("", "content-security-policy"):
            self.findings.append(f"meta http-equiv={equiv}")
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}>")
            if name == "style":
                self.findings.append(f"<{tag} style>")
            if name in self.URL_ATTRIBUTES and value is not None:
                # browsers drop leading spaces and control characters, and tabs/newlines inside
                squeezed = "".join(c for c in value if c > " ").lower()
                if squeezed.startswith(self.BAD_SCHEMES):
                    self.findings.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script = attributes
            self._script_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._script_text)))
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self._script_text.append(data)
        else:
            self.text.append(data)


def audit_page(html_text: str, where: str) -> None:
    """No inline script but JSON-LD (which must parse), no handlers, no script URLs, nothing
    evaluated from template syntax."""
    audit = PageAudit()
    audit.feed(html_text)
    audit.close()
    assert audit.findings == [], where
    for attributes, body in audit.scripts:
        if attributes.get("src"):
            assert body.strip() == "", where
            continue
        assert attributes.get("type") == "application/ld+json", (where, attributes, body[:200])
        json.loads(body)  # the record text did not end the script element early
    assert EVALUATED not in html_text, where


@pytest.fixture(scope="module")
def page_html(tmp_path_factory: pytest.TempPathFactory) -> Html:
    """One Jinja environment for every example (compiling templates is the slow part)."""
    root = tmp_path_factory.mktemp("pages")
    config = make_config(
        FIXTURE_CATALOG, root / "site", root / "cache", "https://example.org/ocop/"
    )
    writer = SiteWriter(root / "assets-only")
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    return Html(config, assets, writer)


class MemoryWriter(SiteWriter):
    """Keeps pages in memory: rendering is what is tested, and folders cost more than pages."""

    def __init__(self) -> None:
        super().__init__(Path("/nonexistent"))
        self.files: dict[str, bytes] = {}

    def write_bytes(self, rel: str, data: bytes, input_key: str | None = None) -> None:
        assert rel not in self.files, rel
        self.files[rel] = data
        self.written[rel] = len(data)
        self.keys[rel] = input_key or ""


def _render_all(html: Html, catalog: Catalog, photos: PhotoIndex) -> dict[str, str]:
    from generator.render.search import render_search_index

    writer = MemoryWriter()
    html.writer = writer
    html.index.pages.clear()
    filters = render_search_index(catalog, writer)
    render_pages(catalog, html, Outputs(photos, LabelIndex(), DataIndex()), filters)
    return {
        rel: data.decode("utf-8") for rel, data in writer.files.items() if rel.endswith(".html")
    }


@SETTINGS
@given(data=st.data())
def test_hostile_text_never_becomes_markup(
    base_catalog: Catalog, page_html: Html, data: st.DataObject
) -> None:
    catalog, photos = data.draw(hostile_catalog(base_catalog))
    pages = _render_all(page_html, catalog, photos)
    assert "p/qn-valid/index.html" in pages
    for rel, text in pages.items():
        audit_page(text, rel)


def test_every_payload_in_every_field(base_catalog: Catalog, page_html: Html) -> None:
    """Deterministic companion of the property: each payload once in every text field."""
    for payload in PAYLOADS + URL_PAYLOADS:
        catalog, photos = make_hostile(base_catalog, lambda kind, text=payload: text)
        pages = _render_all(page_html, catalog, photos)
        for rel, text in pages.items():
            audit_page(text, f"{payload!r} in {rel}")


def test_template_syntax_in_data_is_shown_literally(base_catalog: Catalog, page_html: Html) -> None:
    target = next(p for p in base_catalog.products if p.id == "qn-expired")  # no Markdown links
    product = dataclasses.replace(target, name="{{ 1337*1337 }} {% if true %}x{% endif %}")
    catalog = dataclasses.replace(
        base_catalog,
        products=tuple(product if p.id == target.id else p for p in base_catalog.products),
    )
    page = _render_all(page_html, catalog, PhotoIndex())["p/qn-expired/index.html"]
    assert "{{ 1337*1337 }} {% if true %}x{% endif %}" in page
    assert EVALUATED not in page


def test_audit_catches_what_it_should() -> None:
    """The auditor itself: each of these must be flagged."""
    bad = [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href=" JAVA\tSCRIPT:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<script type="application/ld+json">{"a": "</script><script>alert(1)</script>',
        "<iframe src=x></iframe>",
        '<meta http-equiv="refresh" content="0">',
        '<meta http-equiv="refresh" content="0; url=javascript:alert(1)">',
        '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
        '<meta http-equiv="set-cookie" content="a=b">',
        f"<p>{EVALUATED}</p>",
    ]
    for page in bad:
        with pytest.raises((AssertionError, json.JSONDecodeError)):
            audit_page(page, page)
    audit_page(
        '<script src="a.js" defer></script><script type="application/ld+json">{"a": 1}</script>'
        '<a href="https://example.org/" rel="noopener">x</a>'
        '<meta http-equiv="refresh" content="0; url=../../p/qn-valid/">',
        "good",
    )
