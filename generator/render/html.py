"""Jinja2 environment shared by every HTML page the generator renders itself.

Templates autoescape; record text reaches pages only through escaping or through `markdown`,
which renders a safe subset (no raw HTML, no images, links limited to http(s)/mailto/tel).
Links between pages are relative, so the site works under any sub-path (GitHub Pages) and
from disk; canonical and Open Graph addresses are absolute, from the base URL.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
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

from generator import __version__
from generator.config import BuildConfig
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


def date_vi(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


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
                rel = f"assets/{path.stem}.{digest}{path.suffix}"
                writer.write_bytes(rel, data)
                self.urls[path.name] = rel


@dataclass
class PageIndex:
    """Every HTML page written, for the sitemap."""

    pages: list[str] = field(default_factory=list)  # site-relative paths of index.html files


class Html:
    def __init__(self, config: BuildConfig, assets: Assets, writer: SiteWriter) -> None:
        self.config = config
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
        self.env.filters.update(
            date_vi=date_vi,
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

    def input_key(self, template: str, inputs: str) -> str:
        """The key of a page rendered from `template` with `inputs` (a deterministic repr)."""
        digest = hashlib.blake2b(inputs.encode(), digest_size=16, key=self.render_key[:64].encode())
        return f"i:{template}:{digest.hexdigest()}"

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
