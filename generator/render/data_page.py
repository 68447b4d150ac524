"""data/index.html, the page journalists land on: downloads, checksums, changes, releases, how to
cite, the data dictionary, the licence, the known gaps. Rendered with the other pages, from
what the datasets stage (generator/render/datasets/) returns."""

from __future__ import annotations

from generator import urls
from generator.model import Catalog
from generator.render.artifacts import DataPage
from generator.render.datasets.documents import DATA_LICENCE
from generator.render.html import Html


def human_size(n: int) -> str:
    """A file size as the data page shows it (Vietnamese decimal comma)."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB".replace(".", ",")
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


def render_data_page(html: Html, catalog: Catalog, data: DataPage) -> None:
    """data/index.html: downloads, checksums, changes, releases, how to cite, the data
    dictionary, the licence and the known gaps, from what the datasets stage made."""
    release = data.index.release
    html.write_page(
        "data.html",
        urls.page_file(urls.DATA),
        title="Dữ liệu mở",
        description=f"Tải toàn bộ danh mục sản phẩm OCOP (CSV, JSON, Excel, SQLite), bản phát "
        f"hành {release}, giấy phép CC BY 4.0, kèm từ điển dữ liệu và mã kiểm tra.",
        crumbs=[("Trang chủ", urls.HOME)],
        index=data.index,
        specs=data.specs,
        releases=data.releases,
        release=release,
        changes_md=data.changes_md,
        change_counts=data.change_counts,
        licence=DATA_LICENCE,
        example_count=sum(1 for p in catalog.products if p.example),
        product_count=len(catalog.products),
        unconfirmed_count=data.unconfirmed_count,
        photo_unlicensed=data.photo_unlicensed,
        feed_path=urls.FEED,
        human_size=human_size,
    )
