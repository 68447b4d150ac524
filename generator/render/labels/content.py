"""What a label says: the product's URL (the QR), name, stars or certification state, ids and
dates, and the site's address for checking by hand. Its fields are the label's cache key."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from generator import urls
from generator.cache import content_key
from generator.dates import PartialDate
from generator.model import Product, Validity
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

    @property
    def check_text(self) -> str:
        return f"{self.address}/{urls.product(self.product_id)}"

    @property
    def title(self) -> str:
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
        )


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
