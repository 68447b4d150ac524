"""MkDocs + Material build of the editorial pages (docs/), merged into the generated site.

Only a handful of Markdown pages go through MkDocs: it renders pages in one thread and its
automatic navigation grows with every page, so product pages are not given to it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from importlib import metadata
from pathlib import Path

import yaml

from generator import urls
from generator.config import PROJECT_ROOT


class MkDocsError(Exception):
    pass


def build_editorial_pages(site_dir: Path, base_url: str) -> list[str]:
    """Builds docs/ with MkDocs into site_dir; returns the page paths it wrote."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    # Material 9.8 prints an end-of-life notice on every build; it is known (README notes).
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    cwd = os.getcwd()
    os.chdir(PROJECT_ROOT)  # snippets are read relative to the project root
    settings = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = settings["nav"]
    try:
        config = load_config(
            config_file=str(PROJECT_ROOT / "mkdocs.yml"),
            site_dir=str(site_dir),
            site_url=base_url,
            # Material's logo leads to the catalog's home (mkdocs.yml's own `extra` kept)
            extra={**settings.get("extra", {}), "homepage": base_url},
            # the catalog's home is not a MkDocs page: an absolute link is the only kind
            # that works under any base URL without a strict-mode warning
            nav=[{"Trang chủ": base_url}, *nav],
        )
        build(config)
    except (MkDocsException, OSError) as err:
        raise MkDocsError(str(err)) from err
    finally:
        os.chdir(cwd)
    # Files MkDocs makes that the generator makes better (ours cover every page).
    for name in (urls.SITEMAP, urls.SITEMAP + ".gz", urls.NOT_FOUND):
        (site_dir / name).unlink(missing_ok=True)
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))


# Everything MkDocs reads: the editorial pages, its configuration, the theme override, the
# snippets they include, and this module (which sets the navigation).
_MKDOCS_INPUTS = ("docs", "mkdocs.yml", "site_templates/mkdocs", "CONTRIBUTING.md", __file__)
_MKDOCS_PACKAGES = ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown")


def _inputs_key(base_url: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(base_url.encode() + b"\0")
    for name in _MKDOCS_PACKAGES:
        digest.update(f"{name}={metadata.version(name)}\0".encode())
    for name in _MKDOCS_INPUTS:
        path = PROJECT_ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
                digest.update(file.read_bytes())
    return digest.hexdigest()


def editorial_pages(cache_dir: Path, base_url: str) -> tuple[Path, list[str]]:
    """The MkDocs output for these inputs, built once and kept in the cache (MkDocs takes about
    a second even for three pages); returns its folder and page paths. The folder is read-only
    for the caller: files are copied out of it, never moved."""
    key = _inputs_key(base_url)
    folder = cache_dir / "mkdocs" / key
    if not folder.is_dir():
        tmp = cache_dir / "mkdocs" / f".{key}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        build_editorial_pages(tmp, base_url)
        for old in (cache_dir / "mkdocs").iterdir():  # one build's worth is kept
            if old != tmp:
                shutil.rmtree(old, ignore_errors=True)
        os.rename(tmp, folder)  # complete or absent: a killed build leaves only a .tmp
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("index.html"))
    return folder, pages
