"""The validated, derived catalog: plain frozen objects passed to every renderer.

A `record` is raw YAML (see load.py); these are what records become once they are valid
(see derive.py). Renderers read these and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from generator import urls
from generator.dates import PartialDate
from generator.places import Places
from generator.vocab import Vocabulary


class Validity(StrEnum):
    """The certification's state on the build's as-of date, most serious first."""

    WITHDRAWN = "withdrawn"  # the product itself is withdrawn from the programme
    REVOKED = "revoked"  # the current certificate was revoked
    EXPIRED = "expired"  # past valid_until (for every day the decision could be), not renewed
    # The decision's date is known only to its month or year, and the as-of day falls between
    # the earliest and the latest day its validity could end: neither valid nor expired is sure.
    UNKNOWN_DATE = "unknown_date"
    VALID = "valid"


@dataclass(frozen=True)
class Revocation:
    date: PartialDate
    decision: str
    reason: str | None


@dataclass(frozen=True)
class Certificate:
    number: str
    date: PartialDate  # as precise as the source: a year, a month or a day
    issuer: str
    valid_until: PartialDate  # given, or date + 36 months (at the date's precision)
    valid_until_given: bool
    stars: int
    score: float | None
    revoked: Revocation | None

    def status_on(self, day: dt.date) -> Validity:
        """Never wrong: valid only if valid whatever day the decision was, expired only if
        expired whatever day it was, revoked only once the revocation has certainly happened."""
        if self.revoked and self.revoked.date.latest <= day:
            return Validity.REVOKED
        if day > self.valid_until.latest:
            return Validity.EXPIRED
        if day <= self.valid_until.earliest and not (
            self.revoked and self.revoked.date.earliest <= day
        ):
            return Validity.VALID
        return Validity.UNKNOWN_DATE


@dataclass(frozen=True)
class Place:
    province_code: str
    province_name: str  # "Quảng Ninh"
    province_slug: str  # "quang-ninh"
    commune_code: str
    commune_name: str  # "Phường Yên Tử"
    address: str | None
    former_address: str | None


@dataclass(frozen=True)
class Photo:
    file: str  # name in the product folder
    source: Path  # absolute path of the original
    alt: str
    credit: str | None
    licence: str | None
    width: int  # after EXIF orientation
    height: int
    sha256: str  # of the source bytes


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None
    document: str | None
    date: PartialDate | None
    quote: str | None  # the sentence of the source that supports the record


@dataclass(frozen=True)
class Outlet:
    name: str
    address: str | None
    url: str | None


@dataclass(frozen=True)
class Withdrawal:
    date: dt.date
    reason: str
    replaced_by: str | None


@dataclass(frozen=True)
class Inspection:
    """A test of the lot by a laboratory (phiếu kết quả thử nghiệm)."""

    report: str | None  # the report's number, as printed
    laboratory: str | None
    date: dt.date | None
    result: str | None  # "pass" | "fail"
    url: str | None  # the report, where it is published


@dataclass(frozen=True)
class Lot:
    """One production or harvest lot (lô), a row of the product's lots.csv."""

    code: str  # as printed on the pack: A-Z, 0-9, "-" and "."; at most 20 (GS1 AI 10)
    produced: dt.date  # NSX: production or harvest date
    use_by: dt.date | None  # HSD: use-by or best-before date; None: the product has none
    quantity: Decimal | None
    unit: str | None  # "chai", "kg", ...
    origin: str | None  # area, farm or raw-material zone, as the producer words it
    origin_commune: str | None  # commune code (5 digits) where the raw materials come from
    origin_commune_name: str | None  # "Phường Yên Tử"
    inspection: Inspection | None
    note: str | None
    line: int  # line of lots.csv (1 is the header): for messages

    def status_on(self, day: dt.date) -> str:
        """ "in_date" until the HSD day itself, "expired" after it, "no_date" without one."""
        if self.use_by is None:
            return "no_date"
        return "in_date" if day <= self.use_by else "expired"


@dataclass(frozen=True)
class Recall:
    """A recall (thu hồi). Never deleted once published; `ended` marks it over."""

    id: str  # "<product id>-<YYYY-MM-DD>", "-2" etc. for a second one that day: an anchor
    product_id: str
    date: dt.date
    lots: tuple[str, ...]  # codes of the lots it covers; empty: the whole product
    reason: str
    action: str  # what the buyer should do: stop eating, return, where
    authority: str | None  # who ordered it, where an authority did
    decision: str | None  # the authority's decision (number and date, as written)
    decision_url: str | None
    contact: str | None
    ended: dt.date | None

    def covers(self, lot_code: str) -> bool:
        return not self.lots or lot_code in self.lots

    def active_on(self, day: dt.date) -> bool:
        return self.date <= day and (self.ended is None or day < self.ended)


@dataclass(frozen=True)
class Producer:
    id: str
    name: str
    kind: str  # cooperative | cooperative_group | enterprise | household_business
    kind_label: str  # Vietnamese label
    place: Place
    representative: str | None
    tax_code: str | None
    phone: str | None  # None when it must not be published (household, not marked public)
    email: str | None
    website: str | None
    example: bool
    record_path: str  # "catalog/producers/htx-yen-tu.yaml"


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    name_en: str | None
    group: str  # "I"
    group_label: str
    subgroup: str | None  # "I.4.a"
    subgroup_label: str | None
    group_inferred: bool  # group/subgroup assigned from the name: no source gives them
    stars: int
    certificate: Certificate
    previous_certificates: tuple[Certificate, ...]
    producer: Producer
    place: Place
    gtin: str | None  # as written (8/12/13/14 digits)
    gtin14: str | None  # padded to 14 for GS1 Digital Link
    description: str | None  # Markdown
    story: str | None  # Markdown
    ingredients: str | None
    net_quantity: str | None
    shelf_life: str | None
    storage: str | None
    standards: tuple[str, ...]
    where_to_buy: tuple[Outlet, ...]
    photos: tuple[Photo, ...]  # may be empty: a product without a photo is still published
    sources: tuple[Source, ...]
    updated: dt.date
    withdrawn: Withdrawal | None
    example: bool
    validity: Validity  # on the as-of date
    record_path: str  # "catalog/products/quang_ninh/qn-ruou-mo-yen-tu/product.yaml"
    folder: Path  # absolute folder holding the record and its photos
    record_sha256: str  # of product.yaml bytes: part of every artifact's cache key
    # lots.csv beside the record (absent: no lots), in the file's order, and the recalls of
    # product.yaml, oldest first
    lots: tuple[Lot, ...] = ()
    recalls: tuple[Recall, ...] = ()
    lots_path: str | None = None  # "catalog/products/.../lots.csv" when the file exists
    lots_sha256: str | None = None  # of lots.csv bytes: part of the lot pages' cache keys

    def lot(self, code: str) -> Lot | None:
        return next((lot for lot in self.lots if lot.code == code), None)

    def recalls_of(self, lot_code: str) -> tuple[Recall, ...]:
        return tuple(recall for recall in self.recalls if recall.covers(lot_code))

    def lot_recalled_on(self, lot_code: str, day: dt.date) -> bool:
        """A recall in force on `day` covers the lot (its page's banner, its sheet, its row)."""
        return any(recall.active_on(day) for recall in self.recalls_of(lot_code))

    @property
    def url_path(self) -> str:
        """Site-relative permanent address (generator/urls.py)."""
        return urls.product(self.id)


@dataclass(frozen=True)
class Catalog:
    products: tuple[Product, ...]  # sorted by id
    producers: tuple[Producer, ...]  # sorted by id
    as_of: dt.date  # the day validity is computed for
    release_date: dt.date  # date of the catalog's last commit (or as_of outside git)
    places: Places  # loaded once; renderers read places and labels from here, never again
    vocab: Vocabulary
    published_ids: frozenset[str] = field(default_factory=frozenset)  # from the ledger

    @property
    def recalls(self) -> tuple[Recall, ...]:
        """Every product's recalls, newest first (the /thu-hoi/ page, the feed, the tables)."""
        every = [recall for product in self.products for recall in product.recalls]
        return tuple(sorted(every, key=lambda r: (r.date, r.id), reverse=True))
