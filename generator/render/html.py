"""Jinja2 environment shared by every HTML page the generator renders itself.

Templates autoescape; record text reaches pages only through escaping or through `markdown`,
which renders a safe subset (no raw HTML, no images, links limited to http(s)/mailto/tel).
Links between pages are relative, so the site works under any sub-path (GitHub Pages) and
from disk; canonical and Open Graph addresses are absolute, from the base URL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import importlib.metadata
import json
import marshal
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

import jinja2
import markdown_it
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from markdown_it import MarkdownIt
from markupsafe import Markup

from generator import __version__, urls
from generator.config import BuildConfig
from generator.dates import PartialDate
from generator.parallel import map_with_context
from generator.progress import NO_PROGRESS, Progress
from generator.write import SiteWriter

SITE_NAME = "Danh mục OCOP mở"
SITE_NAME_EN = "OCOP Open Catalog"
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'"
)


def safe_url(url: str | None) -> str | None:
    if not url:
        return None
    return url if url.strip().lower().startswith(SAFE_SCHEMES) else None


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline"])
    md.validateLink = lambda url: url.strip().lower().startswith(SAFE_SCHEMES)  # type: ignore

    def link_open(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    # Headings inside a record must not compete with the page's own outline.
    md.disable(["heading", "lheading"])
    return md


def date_vi(day: dt.date | PartialDate | None) -> str:
    """15/03/2021; a partial date at its precision: "tháng 3/2021", "năm 2019"."""
    if isinstance(day, PartialDate):
        return day.vi()
    return day.strftime("%d/%m/%Y") if day else ""


def dated(day: PartialDate) -> str:
    """The date after a noun: "ngày 15/03/2021", "tháng 3/2021", "năm 2019"."""
    return f"ngày {day.vi()}" if day.is_exact else day.vi()


def stars_text(n: int) -> str:
    return "★" * n + "☆" * (5 - n)


def relative_root(page_path: str) -> str:
    """ "p/abc/index.html" -> "../../"; "index.html" -> "" (then "./" for clarity)."""
    depth = len(PurePosixPath(page_path).parts) - 1
    return "../" * depth if depth else "./"


@dataclass
class Assets:
    """Static files (CSS, JS) published under content-hashed names."""

    urls: dict[str, str] = field(default_factory=dict)  # "site.css" -> "assets/site.1a2b3c4d.css"

    def publish(self, source_dir: Path, writer: SiteWriter) -> None:
        for path in sorted(source_dir.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                data = path.read_bytes()
                digest = hashlib.sha256(data).hexdigest()[:10]
                rel = f"{urls.ASSETS}{path.stem}.{digest}{path.suffix}"
                writer.write_bytes(rel, data)
                self.urls[path.name] = rel


_LEAVES = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """`value` as nested tuples of strings, numbers and None, for a page key: what marshal
    serialises in C, unlike dataclasses, enums, dates and paths. Anything else (a function, an
    object whose repr is its memory address) is refused rather than keyed by its identity."""
    kind = type(value)
    return value if kind in _LEAVES else _converter(kind)(value)


def _items(values: Sequence[Any]) -> tuple[Any, ...]:
    if _LEAVES.issuperset(map(type, values)):  # the common case, without a call per value
        return tuple(values)
    return tuple([v if type(v) in _LEAVES else _converter(type(v))(v) for v in values])


@functools.cache  # one converter per type: a table, filled as types are met
def _converter(kind: type) -> Callable[[Any], Any]:
    if kind is tuple or kind is list:
        return _items
    if kind is dict:
        return lambda mapping: (_items(tuple(mapping)), _items(tuple(mapping.values())))
    if dataclasses.is_dataclass(kind):
        return _dataclass_converter(kind)
    if issubclass(kind, enum.Enum):
        return lambda member: plain(member.value)
    if issubclass(kind, dt.date):  # and datetime
        return lambda day: day.isoformat()
    if issubclass(kind, (PurePath, str, Decimal)):  # paths; Markup and other str subclasses;
        return str  # a lot's quantity (str keeps every digit: "1.50" is not "1.5")
    raise TypeError(f"not a page input: {kind.__name__}")


def _dataclass_converter(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    # Declared fields only (a cached_property also lives in the instance's __dict__), after the
    # class name: one C call gives the tuple.
    fields = operator.attrgetter("__class__.__name__", *(f.name for f in dataclasses.fields(kind)))

    def convert(value: Any) -> tuple[Any, ...]:
        values = fields(value)
        if _LEAVES.issuperset(map(type, values)):
            return values
        return tuple([v if type(v) in _LEAVES else plain(v) for v in values])

    return convert


@dataclass(frozen=True)
class Page:
    """A page to write: `key` stands for every input of its HTML (Html.input_key); the
    template's variables are made by `context()` only when the page has to be rendered."""

    template: str
    path: str  # "p/abc/index.html"
    key: str
    context: Callable[[], dict[str, Any]]
    in_sitemap: bool = True


@dataclass
class PageIndex:
    """Every HTML page written, for the sitemap."""

    pages: list[str] = field(default_factory=list)  # site-relative paths of index.html files


class Html:
    def __init__(
        self,
        config: BuildConfig,
        assets: Assets,
        writer: SiteWriter,
        progress: Progress = NO_PROGRESS,
    ) -> None:
        self.config = config
        self.progress = progress
        self.assets = assets
        self.writer = writer
        self.index = PageIndex()
        self.md = make_markdown()
        # Compiled templates are kept between builds (keyed by their source by Jinja itself):
        # compiling them took about a second of every rebuild.
        bytecode = config.cache_dir / "jinja"
        bytecode.mkdir(parents=True, exist_ok=True)
        self.env = Environment(
            loader=FileSystemLoader(str(config.templates_dir)),
            bytecode_cache=FileSystemBytecodeCache(str(bytecode)),
            autoescape=select_autoescape(["html", "xml", "svg"], default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals["urls"] = urls  # templates spell no path either (generator/urls.py)
        self.env.filters.update(
            date_vi=date_vi,
            dated=dated,
            stars=stars_text,
            markdown=self.markdown,
            safe_url=safe_url,
            tojson_ld=lambda v: Markup(
                json.dumps(v, ensure_ascii=False, sort_keys=True, indent=1)
                .replace("<", "\\u003c")
                .replace(">", "\\u003e")
                .replace("&", "\\u0026")
            ),
        )

    @functools.cached_property
    def render_key(self) -> str:
        """Everything besides a page's own data that its HTML depends on: the templates, the
        generator's code and installed version, the asset URLs and the settings."""
        digest = hashlib.blake2b(digest_size=16)
        for part in (
            __version__,
            jinja2.__version__,
            markdown_it.__version__,
            self.config.base_url,
            self.config.as_of.isoformat(),
            importlib.metadata.version("markupsafe"),  # escapes every value a page shows
            importlib.metadata.version("vietnam-provinces"),  # names of communes (of lots too)
            self.config.lang,
            json.dumps(self.assets.urls, sort_keys=True),
        ):
            digest.update(part.encode() + b"\0")
        for folder in (self.config.templates_dir, Path(__file__).parent.parent):
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                    digest.update(path.read_bytes())
        return digest.hexdigest()

    def input_key(self, template: str, *inputs: Any) -> str:
        """The key of a page rendered from `template` with `inputs` (anything `plain` takes):
        with render_key, it must cover everything the page's HTML depends on."""
        # Format version 0 has no back-references: equal values give equal bytes, whichever
        # objects hold them (and it is 4x faster than repr() on Vietnamese text).
        data = marshal.dumps(plain(inputs), 0)
        digest = hashlib.blake2b(data, digest_size=16, key=self._hash_key)
        return f"i:{template}:{digest.hexdigest()}"

    @functools.cached_property
    def _hash_key(self) -> bytes:
        return self.render_key[:64].encode()

    def page(self, template: str, path: str, **context: Any) -> Page:
        """A page keyed by its whole context (whole products would make the key cost as much
        as the page: listings key them by their page keys, see pages.py)."""
        key = self.input_key(template, path, context)
        return Page(template, path, key, functools.partial(dict, context))

    def markdown(self, text: str | None) -> Markup:
        return Markup(self.md.render(text or ""))

    def absolute(self, rel: str) -> str:
        return self.config.base_url + rel.removesuffix("index.html")

    def render(self, template: str, page_path: str, **context: Any) -> str:
        root = relative_root(page_path)
        return self.env.get_template(template).render(
            root=root,
            asset=lambda name: root + self.assets.urls[name],
            page_url=self.absolute(page_path),
            base_url=self.config.base_url,
            site_name=SITE_NAME,
            csp=CSP,
            as_of=self.config.as_of,
            **context,
        )

    def write_page(
        self, template: str, page_path: str, input_key: str | None = None, **context: Any
    ) -> None:
        """page_path is the file ("p/abc/index.html"); pages are listed in the sitemap.

        `input_key` (from `input_key()`) stands for every input of the page: when the tree
        already holds the page made from it, the page is not rendered again."""
        if input_key is None or not self.writer.unchanged(page_path, input_key):
            text = self.render(template, page_path, **context)
            self.writer.write_text(page_path, text, input_key)
        if page_path.endswith(".html") and context.get("in_sitemap", True):
            self.index.pages.append(page_path)

    def write_pages(self, pages: Sequence[Page]) -> None:
        """Renders the pages whose key changed, on every core; the tree keeps the others."""
        writer = self.writer
        stale = [page for page in pages if not writer.unchanged(page.path, page.key)]
        numbers = list(range(len(stale)))  # the workers inherit the pages; numbers are sent
        with self.progress.stage("trang / pages", len(stale)) as stage:
            done = map_with_context(
                _render_batch,
                numbers,
                (self, stale),
                self.config.workers,
                self.config.pools,
                stage.advance,
            )
        for rel, size, key in done:
            if rel not in writer.written:  # written by a worker process
                writer.record(rel, size, key)
        self.index.pages.extend(page.path for page in pages if page.in_sitemap)


def _render_batch(numbers: list[int], batch: tuple[Html, list[Page]]) -> list[tuple[str, int, str]]:
    """Inline, html.writer is the parent's and records the pages itself; in a forked worker it
    is the worker's copy, and what it wrote goes back to the parent."""
    html, pages = batch
    done = []
    for number in numbers:
        page = pages[number]
        text = html.render(page.template, page.path, **page.context())
        html.writer.write_text(page.path, text, page.key)
        done.append((page.path, html.writer.written[page.path], page.key))
    return done
