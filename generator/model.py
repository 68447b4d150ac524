"""The validated, derived catalog: plain frozen objects passed to every renderer.

A `record` is raw YAML (see load.py); these are what records become once they are valid
(see derive.py). Renderers read these and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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
