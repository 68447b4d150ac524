"""MkDocs + Material build of the editorial pages (docs/), merged into the generated site.

Only a handful of Markdown pages go through MkDocs: it renders pages in one thread and its
automatic navigation grows with every page, so product pages are not given to it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import yaml

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
    nav = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    try:
        config = load_config(
            config_file=str(PROJECT_ROOT / "mkdocs.yml"),
            site_dir=str(site_dir),
            site_url=base_url,
            extra={"homepage": base_url},  # Material's logo leads to the catalog's home
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
    for name in ("sitemap.xml", "sitemap.xml.gz", "404.html"):
        (site_dir / name).unlink(missing_ok=True)
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
