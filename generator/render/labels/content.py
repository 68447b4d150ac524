"""What a label says: the product's URL (the QR), name, stars or certification state, ids and
dates, and the site's address for checking by hand. Its fields are the label's cache key.

A lot label says the same of its product and, in plain characters, the lot code, its NSX and
HSD; its QR holds the lot's address (the GS1 Digital Link form when the product has a GTIN)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from generator import urls
from generator.cache import content_key
from generator.dates import PartialDate
from generator.model import Lot, Product, Validity
from generator.render.labels.sizes import LABEL_SIZE
from generator.render.labels.version import code_key

STATE_TEXT = {
    Validity.EXPIRED: "HẾT HIỆU LỰC",
    Validity.UNKNOWN_DATE: "CHƯA RÕ HIỆU LỰC",
    Validity.REVOKED: "ĐÃ BỊ THU HỒI",
    Validity.WITHDRAWN: "ĐÃ NGỪNG SẢN XUẤT",
}


@dataclass(frozen=True)
class LabelContent:
    """Everything printed on a label: its cache key is made of exactly these fields."""

    url: str  # what the QR holds
    name: str
    stars: int
    product_id: str
    certificate: str
    valid_until: PartialDate  # printed at its precision: 15/03/2027, tháng 3/2027, năm 2027
    address: str  # "owner.github.io/repo": the site, without scheme
    validity: Validity  # a label for an invalid certificate shows the state, not stars
    # A lot label's lot: its code as printed, NSX and HSD (None: the lot has no use-by date)
    lot: str | None = None
    produced: dt.date | None = None
    use_by: dt.date | None = None

    @property
    def check_text(self) -> str:
        """The address to type by hand. For a lot, its /p/ form even when the QR holds the GS1
        one: the product id in it says what the address is about, and both reach the lot."""
        if self.lot is not None:
            return f"{self.address}/{urls.lot(self.product_id, self.lot)}"
        return f"{self.address}/{urls.product(self.product_id)}"

    @property
    def title(self) -> str:
        if self.lot is not None:
            return f"Nhãn QR {self.product_id}, lô {self.lot}: {self.name}"
        return f"Nhãn QR {self.product_id}: {self.name}"

    def key(self) -> str:
        return self._key

    @cached_property
    def _key(self) -> str:  # asked for by the build, the sheets and the workers: made once
        return content_key(
            code_key(),
            self.url,
            self.name,
            str(self.stars),
            self.product_id,
            self.certificate,
            self.valid_until.isoformat(),
            self.address,
            self.validity.value,
            repr(LABEL_SIZE),
            *(() if self.lot is None else ("lot", self.lot, str(self.produced), str(self.use_by))),
        )


def day_text(day: dt.date) -> str:
    """A lot's date as printed on packs in Vietnam: 05/03/2026."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def site_address(base_url: str) -> str:
    return base_url.split("://", 1)[-1].rstrip("/")


def label_content(product: Product, base_url: str) -> LabelContent:
    return LabelContent(
        url=urls.absolute(base_url, urls.product(product.id)),
        name=product.name,
        stars=product.stars,
        product_id=product.id,
        certificate=product.certificate.number,
        valid_until=product.certificate.valid_until,
        address=site_address(base_url),
        validity=product.validity,
    )


def lot_url(product: Product, lot: Lot, base_url: str) -> str:
    """What a lot label's QR holds: the GS1 Digital Link address of the lot where the product
    has a GTIN (any GS1 scanner app reads the GTIN and the lot from it), else the lot's page."""
    if product.gtin14:
        return urls.absolute(base_url, urls.gs1_lot(product.gtin14, lot.code))
    return urls.absolute(base_url, urls.lot(product.id, lot.code))


def lot_label_content(product: Product, lot: Lot, base_url: str) -> LabelContent:
    """The product's label, with the lot's address in its QR and the lot's code and dates."""
    return dataclasses.replace(
        label_content(product, base_url),
        url=lot_url(product, lot, base_url),
        lot=lot.code,
        produced=lot.produced,
        use_by=lot.use_by,
    )
