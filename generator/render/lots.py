"""Lot pages (`p/<id>/lo/<LOT>/`, and `01/<GTIN-14>/10/<LOT>/` for a product with a GTIN), the
recalls page (`thu-hoi/`) and what the product page shows of its lots and recalls.

A lot page is what a shopper sees after scanning a lot label: a recalled lot's page opens with a
red banner (plain HTML and CSS: it needs no script), then the product's certification status as
on its product page, then the lot: its dates, with the use-by date re-checked in the browser by
validity.js as the certificate is, origin, inspection and recalls.

Both addresses of a lot serve the same page. Its canonical address is the `p/` one: every lot has
it, whether or not its product has a GTIN, and it hangs off the product id, which never changes,
whereas a GTIN written wrongly can be corrected. Only the canonical address is in the sitemap.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import urls
from generator.model import Catalog, Lot, Product, Recall
from generator.render.html import Html, Page, date_vi, plain
from generator.write import load_marshalled, save_marshalled

if TYPE_CHECKING:
    from generator.render.pages import PageRenderer

RESULT_TEXT = {"pass": "Đạt", "fail": "Không đạt"}


@dataclass(frozen=True)
class LotRow:
    """A lot as the product page lists it."""

    code: str
    produced: dt.date
    use_by: dt.date | None
    path: str  # the lot page (canonical address)
    recalled: bool  # covered by a recall active on the as-of date


@dataclass(frozen=True)
class RecallShown:
    """A recall as a page shows it: whether it is still in force and where its lots are."""

    recall: Recall
    active: bool
    lots: tuple[tuple[str, str], ...]  # (code, lot page) of the lots it names


def lots_shown(product: Product, as_of: dt.date) -> tuple[LotRow, ...]:
    """The product's lots, newest first (by production date, then code)."""
    rows = [
        LotRow(
            lot.code,
            lot.produced,
            lot.use_by,
            urls.lot(product.id, lot.code),
            product.lot_recalled_on(lot.code, as_of),
        )
        for lot in product.lots
    ]
    return tuple(sorted(rows, key=lambda row: (row.produced, row.code), reverse=True))


def recall_shown(product: Product, recall: Recall, as_of: dt.date) -> RecallShown:
    return RecallShown(
        recall,
        recall.active_on(as_of),
        tuple((code, urls.lot(product.id, code)) for code in recall.lots),
    )


def recalls_shown(
    product: Product, as_of: dt.date, lot_code: str | None = None
) -> list[RecallShown]:
    """The product's recalls (those covering `lot_code`, when given): newest first, those in
    force before those ended."""
    recalls = product.recalls if lot_code is None else product.recalls_of(lot_code)
    shown = [recall_shown(product, r, as_of) for r in recalls]
    return sorted(shown, key=lambda s: (s.active, s.recall.date, s.recall.id), reverse=True)


def use_by_text(lot: Lot, status: str) -> str:
    """The sentence of the lot's use-by box (validity.js says the same when it flips)."""
    if lot.use_by is None:
        return "Lô này không ghi hạn sử dụng"
    if status == "in_date":
        return f"✔ Còn hạn sử dụng đến hết ngày {date_vi(lot.use_by)}"
    after = lot.use_by + dt.timedelta(days=1)
    return f"✖ Hết hạn sử dụng từ ngày {date_vi(after)} (HSD {date_vi(lot.use_by)})"


# Every field of a lot but its line in lots.csv, which moves when a lot is inserted above it:
# a field added to Lot is keyed without anyone remembering to list it here.
_SHOWN_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(Lot) if f.name != "line"))


def lot_key_values(lot: Lot) -> tuple[Any, ...]:
    """Everything the page shows of the lot."""
    return _SHOWN_FIELDS(lot)  # type: ignore[no-any-return]


class LotKeyMemo:
    """The keys of each product's lot pages, by the key of everything they are made from: its
    record key (everything shown of the product but its lots), the digest of its lots.csv
    (which alone makes its lots) and its GTIN (their second address). A rebuild takes the keys
    of every product whose inputs did not change from here instead of keying each lot again
    (200,000 lots cost seconds). A pure cache, kept in the cache folder: an entry is right
    whatever build made it, and a file that cannot be read is an empty memo."""

    VERSION = 1

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, tuple[str, tuple[str, ...]]] = (
            load_marshalled(path, self.VERSION) or {}
        )
        self.made: dict[str, tuple[str, tuple[str, ...]]] = {}

    def keys(self, product_id: str, inputs: str, count: int) -> tuple[str, ...] | None:
        """The `count` keys made from `inputs`, when known."""
        entry = self.known.get(product_id)
        if entry is None or entry[0] != inputs or len(entry[1]) != count:
            return None
        return entry[1]

    def remember(self, product_id: str, inputs: str, keys: tuple[str, ...]) -> None:
        self.made[product_id] = (inputs, keys)

    def save(self) -> None:
        """Only when an entry changed (atomic: a half-written memo is never read)."""
        if self.made != self.known:
            save_marshalled(self.path, self.VERSION, self.made)


def lot_pages(renderer: PageRenderer) -> list[Page]:
    """Each lot's page at its address and, for a product with a GTIN, at its GS1 address.

    A page's key is its product's record key (everything shown of the product but its lots)
    and the lot itself: a lot added to a product renders that lot's pages and no other lot's."""
    html, as_of = renderer.html, renderer.catalog.as_of
    memo = LotKeyMemo(html.config.cache_dir / "pages" / "lot-page-keys.marshal")
    pages = []
    for product in renderer.catalog.products:
        if not product.lots:
            continue
        record_key = renderer.record_keys[product.id]
        status = renderer.status_context(product)
        inputs = html.input_key("lot pages", record_key, product.lots_sha256, product.gtin14)
        count = len(product.lots) * (2 if product.gtin14 else 1)
        known = memo.keys(product.id, inputs, count) if product.lots_sha256 else None
        keys: list[str] = []
        for lot in product.lots:
            canonical = urls.lot(product.id, lot.code)
            addresses = [(canonical, True)]
            if product.gtin14:
                addresses.append((urls.gs1_lot(product.gtin14, lot.code), False))
            # made only for a page that is rendered (its recalls are in the record key)
            context = functools.partial(
                lot_context, html, product, lot, status, html.absolute(canonical), as_of
            )
            shown = None if known else plain(lot_key_values(lot))  # once for both addresses
            for address, in_sitemap in addresses:
                path = urls.page_file(address)
                if known:
                    key = known[len(keys)]
                else:
                    key = html.input_key("lot.html", path, record_key, shown)
                keys.append(key)
                pages.append(Page("lot.html", path, key, context, in_sitemap))
        if product.lots_sha256:
            memo.remember(product.id, inputs, tuple(keys))
    memo.save()
    return pages


def lot_context(
    html: Html,
    product: Product,
    lot: Lot,
    status: dict[str, Any],
    canonical: str,
    as_of: dt.date,  # the catalog's: the day its recalls are in force on
) -> dict[str, Any]:
    recalls = recalls_shown(product, as_of, lot.code)
    lot_status = lot.status_on(html.config.as_of)
    active = [shown for shown in recalls if shown.active]
    what = f"Lô {lot.code} của {product.name}"
    if active:
        description = f"{what}: lô đang bị thu hồi, không sử dụng."
    else:
        description = f"{what}: ngày sản xuất {date_vi(lot.produced)}" + (
            f", hạn sử dụng {date_vi(lot.use_by)}." if lot.use_by else "."
        )
    return dict(
        status,
        title=f"Lô {lot.code} · {product.name}",
        description=description,
        canonical=canonical,
        lot=lot,
        lot_status=lot_status,
        use_by_sentence=use_by_text(lot, lot_status),
        expired_sentence=use_by_text(lot, "expired") if lot.use_by else "",
        recalls=recalls,
        active_recalls=active,
        result_text=RESULT_TEXT,
    )


def recalls_page(html: Html, catalog: Catalog) -> Page:
    """thu-hoi/: every recall, newest first; each one's anchor is its id (urls.recall)."""
    by_id = {p.id: p for p in catalog.products}
    items = [
        (recall_shown(by_id[r.product_id], r, catalog.as_of), by_id[r.product_id].name)
        for r in catalog.recalls
    ]
    return html.page(
        "recalls.html",
        urls.page_file(urls.RECALLS),
        title="Thu hồi sản phẩm OCOP",
        description="Các đợt thu hồi lô hàng và sản phẩm OCOP, mới nhất trước: lý do, lô bị thu "
        "hồi, người mua cần làm gì.",
        items=items,
        active_count=sum(shown.active for shown, _ in items),
    )
