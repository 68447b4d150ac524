"""What each renderer hands to the page templates: plain records of site-relative paths.

Paths are relative to the site root, without a leading slash ("media/ab12-640.webp"); templates
prefix them with `root`, so the site works under any sub-path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.render.datasets.releases import Release
    from generator.render.datasets.specs import TableSpec


@dataclass(frozen=True)
class PhotoSize:
    width: int
    height: int
    webp: str  # path of the WebP derivative at this width
    jpeg: str  # path of the JPEG fallback at this width


@dataclass(frozen=True)
class PhotoRendition:
    file: str  # the source file name in the product folder
    alt: str
    credit: str | None
    licence: str | None
    sizes: tuple[PhotoSize, ...]  # ascending width

    @property
    def largest(self) -> PhotoSize:
        return self.sizes[-1]

    @property
    def fallback(self) -> PhotoSize:
        """The size an old browser without srcset gets: 640 wide or the largest below."""
        fitting = [s for s in self.sizes if s.width <= 640]
        return fitting[-1] if fitting else self.sizes[0]

    def srcset(self, kind: str) -> str:
        return ", ".join(f"{getattr(s, kind)} {s.width}w" for s in self.sizes)


@dataclass
class PhotoIndex:
    per_product: dict[str, tuple[PhotoRendition, ...]] = field(default_factory=dict)
    share_cards: dict[str, str] = field(default_factory=dict)  # product id -> 1200x630 JPEG path


@dataclass(frozen=True)
class LabelFiles:
    svg: str
    png: str
    pdf: str


@dataclass(frozen=True)
class LabelSheet:
    title: str  # "Quảng Ninh" or the producer's name
    kind: str  # "province" | "producer" | "lots" (a product's lot labels)
    path: str  # the A4 PDF
    count: int  # labels on it


@dataclass
class LabelIndex:
    per_product: dict[str, LabelFiles] = field(default_factory=dict)
    sheets: list[LabelSheet] = field(default_factory=list)


@dataclass(frozen=True)
class Download:
    title: str
    path: str
    media_type: str
    size: int  # bytes
    sha256: str


@dataclass
class DataIndex:
    downloads: list[Download] = field(default_factory=list)  # the latest release's files
    product_json: dict[str, str] = field(default_factory=dict)  # product id -> its JSON file
    release: str = ""  # "2026-11-20"
    feed: str | None = None  # Atom feed path


@dataclass(frozen=True)
class DataPage:
    """What data/index.html shows: made by the datasets stage (in its own process), rendered
    with the other pages by pages.render_data_page."""

    index: DataIndex
    specs: list[TableSpec]  # the tables, in published order
    releases: list[Release]  # newest first
    changes_md: str  # this release's changes, a bounded number per kind
    change_counts: list[tuple[str, str, int]]  # (kind, title, products), kinds in order
    unconfirmed_count: int  # products whose group code is not confirmed
    photo_unlicensed: int  # photos without a known licence
