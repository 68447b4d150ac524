"""Product pages, browse pages (province, commune, group, stars, producer), home and sitemap.

Rendered with Jinja2 by the generator itself, not by MkDocs: at 20,000 products MkDocs needs
over a minute and its plugins would tie the pages to one theme engine (see README design notes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator import urls
from generator.catalog import collector_paused
from generator.model import Catalog, Certificate, Producer, Product, Validity
from generator.render.artifacts import DataIndex, LabelIndex, PhotoIndex
from generator.render.html import Html, Page, date_vi, dated
from generator.render.lots import lot_pages, lots_shown, recalls_page, recalls_shown

PAGE_SIZE = 200  # products per browse page: about 60 KB of HTML
NEWEST_ON_HOME = 12
VALIDITY_TEXT = {
    Validity.VALID: "Còn hiệu lực",
    Validity.EXPIRED: "Hết hiệu lực",
    Validity.UNKNOWN_DATE: "Chưa rõ hiệu lực",
    Validity.REVOKED: "Đã bị thu hồi",
    Validity.WITHDRAWN: "Đã ngừng",
}


@dataclass(frozen=True)
class Outputs:
    """What other renderers made, for the product page to link to."""

    photos: PhotoIndex
    labels: LabelIndex
    data: DataIndex


def group_slug(code: str) -> str:
    return code.lower().replace(".", "-")


def validity_sentence(product: Product) -> str:
    c = product.certificate
    until = c.valid_until
    if product.validity is Validity.WITHDRAWN and product.withdrawn:
        return f"Sản phẩm đã ngừng tham gia OCOP từ {date_vi(product.withdrawn.date)}"
    if product.validity is Validity.REVOKED and c.revoked:
        return f"Chứng nhận OCOP đã bị thu hồi {dated(c.revoked.date)}"
    if product.validity is Validity.EXPIRED:
        if until.is_exact:
            return f"Chứng nhận OCOP đã hết hiệu lực từ {date_vi(until.latest + dt.timedelta(1))}"
        return (
            "Chứng nhận OCOP đã hết hiệu lực, chậm nhất từ "
            f"{date_vi(until.latest + dt.timedelta(1))}"
        )
    if product.validity is Validity.UNKNOWN_DATE:
        return unknown_date_sentence(c)
    if until.is_exact:
        return f"Chứng nhận OCOP còn hiệu lực đến {date_vi(until.earliest)}"
    return f"Chứng nhận OCOP còn hiệu lực, ít nhất đến {date_vi(until.earliest)}"


def unknown_date_sentence(c: Certificate) -> str:
    """Why neither valid nor expired can be said (Validity.UNKNOWN_DATE), plainly."""
    if c.revoked and not c.revoked.date.is_exact:
        return (
            "Chưa rõ chứng nhận OCOP còn hiệu lực hay không: quyết định thu hồi "
            f"{c.revoked.decision} chỉ ghi {c.revoked.date.vi()}, không rõ ngày chính xác"
        )
    known = c.valid_until if c.valid_until_given else c.date
    what = "ngày hết hiệu lực" if c.valid_until_given else "ngày của quyết định công nhận"
    return (
        f"Chưa rõ chứng nhận OCOP còn hiệu lực hay không: không rõ {what} chính xác (chỉ biết "
        f"{known.vi()}), nên hiệu lực kết thúc trong khoảng từ "
        f"{date_vi(c.valid_until.earliest)} đến {date_vi(c.valid_until.latest)}"
    )


def how_to_check(c: Certificate) -> str:
    """What a reader can do when the page cannot say whether the certificate is valid."""
    return (
        f"Hãy kiểm tra với cơ quan công nhận ({c.issuer}): hỏi quyết định số {c.number} còn "
        "hiệu lực không, hoặc tra danh sách sản phẩm OCOP trên cổng thông tin của tỉnh"
    )


def can_become_unknown(product: Product) -> bool:
    """A certificate valid (or of unknown validity) today whose end or revocation is known only
    to the month or year: the page's re-check in the browser needs the span (validity.js)."""
    c = product.certificate
    return product.validity in (Validity.VALID, Validity.UNKNOWN_DATE) and (
        not c.valid_until.is_exact or bool(c.revoked and not c.revoked.date.is_exact)
    )


def product_description(product: Product) -> str:
    return (
        f"{product.name}: sản phẩm OCOP {product.stars} sao của {product.producer.name}, "
        f"{product.place.commune_name}, {product.place.province_name}. "
        f"{validity_sentence(product)}."
    )


def json_ld(product: Product, html: Html, outputs: Outputs) -> dict[str, Any]:
    c = product.certificate
    producer = product.producer
    url = html.absolute(urls.product(product.id))
    renditions = outputs.photos.per_product.get(product.id, ())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "@id": url,
        "url": url,
        "name": product.name,
        "productID": product.id,
        "category": product.subgroup_label or product.group_label,
        "manufacturer": {
            "@type": "Organization",
            "name": producer.name,
            "url": html.absolute(urls.producer(producer.id)),
            "address": {
                "@type": "PostalAddress",
                "addressLocality": producer.place.commune_name,
                "addressRegion": producer.place.province_name,
                "addressCountry": "VN",
                **({"streetAddress": producer.place.address} if producer.place.address else {}),
            },
        },
        "hasCertification": {
            "@type": "Certification",
            "name": f"OCOP {product.stars} sao",
            "certificationIdentification": c.number,
            "issuedBy": {"@type": "Organization", "name": c.issuer},
            "validFrom": c.date.isoformat(),  # ISO 8601 at its precision: 2019, 2021-03
            "expires": c.valid_until.isoformat(),
            "certificationRating": {
                "@type": "Rating",
                "ratingValue": product.stars,
                "bestRating": 5,
                "worstRating": 3,
            },
        },
    }
    # schema.org knows active and inactive only: when the exact date is not known, say neither
    if product.validity is not Validity.UNKNOWN_DATE:
        data["hasCertification"]["certificationStatus"] = (
            "CertificationActive" if product.validity is Validity.VALID else "CertificationInactive"
        )
    if product.gtin14:
        data["gtin14"] = product.gtin14
    if product.description:
        data["description"] = product.description[:500]
    if renditions:
        data["image"] = [html.absolute(r.largest.jpeg) for r in renditions]
    return data


# Product fields that derive.py makes from the text of product.yaml alone (with the generator's
# code, which Html.render_key covers): in a page key, Product.record_sha256 stands for them. Every
# other field (labels from schemas/, place names, the producer, photo facts, validity on the as-of
# date) enters the key by value, and so does any field added later unless it is listed here.
FROM_RECORD_TEXT = frozenset(
    {
        "id",
        "name",
        "name_en",
        "group",
        "subgroup",
        "group_inferred",
        "stars",
        "certificate",
        "previous_certificates",
        "gtin",
        "gtin14",
        "description",
        "story",
        "ingredients",
        "net_quantity",
        "shelf_life",
        "storage",
        "standards",
        "where_to_buy",
        "sources",
        "updated",
        "withdrawn",
        "example",
        "record_sha256",
        "recalls",
    }
)
BY_VALUE = tuple(f.name for f in dataclasses.fields(Product) if f.name not in FROM_RECORD_TEXT)
# What lots.csv makes: shown on the product page and its lot pages, never on listings, so that
# adding a lot renders that lot's pages and its product's page and no listing.
LOT_FIELDS = frozenset({"lots", "lots_path", "lots_sha256"})
RECORD_BY_VALUE = tuple(name for name in BY_VALUE if name not in LOT_FIELDS)


class PageRenderer:
    def __init__(self, catalog: Catalog, html: Html, outputs: Outputs) -> None:
        self.catalog = catalog
        self.html = html
        self.outputs = outputs
        self.places = self._places()
        self.by_id = {p.id: p for p in catalog.products}
        # (kind, title) -> the label sheet's path: looked up for each of thousands of producers
        # (a search through every sheet took seconds). The first of two alike wins, as it did.
        self.sheets: dict[tuple[str, str], str] = {}
        for sheet in reversed(outputs.labels.sheets):
            self.sheets[(sheet.kind, sheet.title)] = sheet.path
        self._producers: dict[int, tuple[Producer, str]] = {}  # id() -> (producer, digest)

    def _places(self) -> dict[str, Any]:
        return {"provinces": self.catalog.places.provinces}

    # --- product pages -------------------------------------------------------------------
    @functools.cached_property
    def record_keys(self) -> dict[str, str]:
        """Product id -> the key of everything shown of it but its lots: what listings, the home
        page and its lot pages show of it."""
        return {p.id: self.record_key(p) for p in self.catalog.products}

    @functools.cached_property
    def product_keys(self) -> dict[str, str]:
        """Product id -> the input key of its page."""
        return {p.id: self.product_key(p) for p in self.catalog.products}

    def _replacement(self, product: Product) -> Product | None:
        if product.withdrawn and product.withdrawn.replaced_by:
            return self.by_id.get(product.withdrawn.replaced_by)
        return None

    def _outputs_of(self, product: Product) -> tuple[Any, ...]:
        return (
            self.outputs.photos.per_product.get(product.id, ()),
            self.outputs.photos.share_cards.get(product.id),
            self.outputs.labels.per_product.get(product.id),
            self.outputs.data.product_json.get(product.id),
        )

    def _producer_digest(self, producer: Producer) -> str:
        """Made once per producer rather than once per product; by identity, since hashing a
        producer costs as much (the entry holds the producer, so its id() is not reused)."""
        made = self._producers.get(id(producer))
        if made is None:
            digest = self.html.input_key("producer", producer)
            made = self._producers[id(producer)] = (producer, digest)
        return made[1]

    def _values(self, product: Product) -> tuple[Any, ...]:
        """Everything of the product itself but its lots: its record's digest and the fields
        made from anything else (by value)."""
        producer = self._producer_digest(product.producer)
        values = [
            producer if name == "producer" else getattr(product, name) for name in RECORD_BY_VALUE
        ]
        return (product.record_sha256, values)

    def record_key(self, product: Product) -> str:
        replacement = self._replacement(product)
        return self.html.input_key(
            "product",
            self._values(product),
            self._values(replacement) if replacement else None,
            self._outputs_of(product),
        )

    def product_key(self, product: Product) -> str:
        """The page is a function of these inputs and of the templates, code and settings
        (html.render_key): when they are unchanged the page already in the tree is kept."""
        # What the page shows of its lots is made from lots.csv alone (and the recalls and the
        # as-of day, in the record key and render key): its digest stands for them.
        return self.html.input_key(
            "product.html",
            self.record_keys[product.id],
            product.lots_path,
            product.lots_sha256,
        )

    def status_context(self, product: Product) -> dict[str, Any]:
        """What the certificate's status box shows (_status.html): product and lot pages."""
        return dict(
            product=product,
            validity_text=VALIDITY_TEXT[product.validity],
            validity_sentence=validity_sentence(product),
            unknown_date_sentence=unknown_date_sentence(product.certificate),
            how_to_check=how_to_check(product.certificate),
            can_become_unknown=can_become_unknown(product),
        )

    def product_context(self, product: Product) -> dict[str, Any]:
        photos, share_card, label, product_json = self._outputs_of(product)
        return dict(
            self.status_context(product),
            title=f"{product.name} ({product.stars} sao OCOP)",
            description=product_description(product),
            recalls=recalls_shown(product, self.catalog.as_of),
            lots=lots_shown(product, self.catalog.as_of),
            replacement=self._replacement(product),
            photos=photos,
            share_card=share_card,
            label=label,
            product_json=product_json,
            json_ld=json_ld(product, self.html, self.outputs),
            group_slug=group_slug,
        )

    def product_pages(self) -> list[Page]:
        return [
            Page(
                "product.html",
                urls.page_file(urls.product(p.id)),
                self.product_keys[p.id],
                functools.partial(self.product_context, p),
            )
            for p in self.catalog.products
        ]

    # --- browse pages --------------------------------------------------------------------
    def listing(
        self,
        base: str,
        title: str,
        description: str,
        products: Sequence[Product],
        crumbs: list[tuple[str, str]],
        intro: str = "",
        extra: dict[str, Any] | None = None,
    ) -> list[Page]:
        """base/index.html, base/trang-2/index.html, ... of PAGE_SIZE products each."""
        pages = max(1, -(-len(products) // PAGE_SIZE))
        made = []
        for number in range(1, pages + 1):
            path = urls.page_file(urls.listing_page(base, number))
            chunk = products[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
            context: dict[str, Any] = dict(
                title=title if number == 1 else f"{title} (trang {number})",
                description=description,
                total=len(products),
                page_number=number,
                page_count=pages,
                page_base=base,
                crumbs=crumbs,
                intro=intro,
                extra=extra or {},
                validity_text=VALIDITY_TEXT,
                in_sitemap=True,
            )
            # A product's record key stands for everything shown of it (its whole record, photos
            # and label; not its lots), so a listing whose products' keys are unchanged is not
            # rendered.
            keys = "".join([self.record_keys[p.id] for p in chunk])
            key = self.html.input_key("list.html", path, context, keys)
            made.append(
                Page("list.html", path, key, functools.partial(dict, context, products=chunk))
            )
        return made

    def browse_pages(self) -> list[Page]:
        products = self.catalog.products
        by_province: dict[str, list[Product]] = defaultdict(list)
        by_commune: dict[str, list[Product]] = defaultdict(list)
        by_group: dict[str, list[Product]] = defaultdict(list)
        by_stars: dict[int, list[Product]] = defaultdict(list)
        by_producer: dict[str, list[Product]] = defaultdict(list)
        for p in products:
            by_province[p.place.province_code].append(p)
            by_commune[p.place.commune_code].append(p)
            by_group[p.group].append(p)
            if p.subgroup:
                by_group[p.subgroup].append(p)
            by_stars[p.stars].append(p)
            by_producer[p.producer.id].append(p)
        home = ("Trang chủ", urls.HOME)
        provinces = self.places["provinces"]
        # Provinces: all 34 get a page, an empty one says so.
        pages = [
            self.html.page(
                "index_list.html",
                urls.page_file(urls.PROVINCES),
                title="Sản phẩm OCOP theo tỉnh, thành",
                description="Danh sách 34 tỉnh, thành phố và số sản phẩm OCOP của mỗi nơi.",
                heading="Tỉnh, thành phố",
                crumbs=[home],
                items=[
                    (urls.province(info.slug), info.name, len(by_province.get(code, [])))
                    for code, info in provinces.items()
                ],
            )
        ]
        for code, info in provinces.items():
            items = by_province.get(code, [])
            communes = sorted({(p.place.commune_code, p.place.commune_name) for p in items})
            pages += self.listing(
                urls.province(info.slug),
                f"Sản phẩm OCOP {info.name}",
                f"{len(items)} sản phẩm OCOP của {info.name}: sao, hiệu lực chứng nhận, chủ thể.",
                items,
                [home, ("Tỉnh, thành", urls.PROVINCES)],
                extra={
                    "communes": [(urls.commune(c), n, len(by_commune[c])) for c, n in communes],
                    "labels_sheet": self.sheets.get(("province", info.short_name)),
                },
            )
        for code, items in by_commune.items():
            first = items[0].place
            pages += self.listing(
                urls.commune(code),
                f"Sản phẩm OCOP {first.commune_name}, {first.province_name}",
                f"{len(items)} sản phẩm OCOP của {first.commune_name}, {first.province_name}.",
                items,
                [
                    home,
                    ("Tỉnh, thành", urls.PROVINCES),
                    (first.province_name, urls.province(first.province_slug)),
                ],
            )
        pages += self._group_pages(by_group, home)
        pages.append(
            self.html.page(
                "index_list.html",
                urls.page_file(urls.STARS),
                title="Sản phẩm OCOP theo số sao",
                description="Sản phẩm OCOP 3 sao, 4 sao và 5 sao.",
                heading="Theo số sao",
                crumbs=[home],
                items=[(urls.stars(n), f"{n} sao", len(by_stars.get(n, []))) for n in (5, 4, 3)],
            )
        )
        for n in (3, 4, 5):
            items = by_stars.get(n, [])
            pages += self.listing(
                urls.stars(n),
                f"Sản phẩm OCOP {n} sao",
                f"{len(items)} sản phẩm OCOP được công nhận {n} sao.",
                items,
                [home, ("Theo số sao", urls.STARS)],
            )
        pages += self._producer_pages(by_producer, home)
        return pages

    def _group_pages(self, by_group: dict[str, list[Product]], home: tuple[str, str]) -> list[Page]:
        vocab = self.catalog.vocab
        entries = []
        for code, label in vocab.groups.items():
            entries.append(
                (urls.group(group_slug(code)), f"{code}. {label.vi}", len(by_group.get(code, [])))
            )
            for sub_code, sub in vocab.subgroups[code].items():
                entries.append(
                    (
                        urls.group(group_slug(sub_code)),
                        f"{sub_code}. {sub.vi}",
                        len(by_group.get(sub_code, [])),
                    )
                )
        pages = [
            self.html.page(
                "index_list.html",
                urls.page_file(urls.GROUPS),
                title="Sản phẩm OCOP theo nhóm",
                description="Sáu ngành sản phẩm OCOP và các nhóm theo Quyết định "
                f"{vocab.decision}.",
                heading="Nhóm sản phẩm",
                crumbs=[home],
                items=entries,
                nested=True,
            )
        ]
        for code, label in vocab.groups.items():
            items = by_group.get(code, [])
            pages += self.listing(
                urls.group(group_slug(code)),
                f"{code}. {label.vi}",
                f"{len(items)} sản phẩm OCOP ngành {label.vi}.",
                items,
                [home, ("Nhóm sản phẩm", urls.GROUPS)],
            )
            for sub_code, sub in vocab.subgroups[code].items():
                items = by_group.get(sub_code, [])
                pages += self.listing(
                    urls.group(group_slug(sub_code)),
                    f"{sub_code}. {sub.vi}",
                    f"{len(items)} sản phẩm OCOP nhóm {sub.vi}.",
                    items,
                    [
                        home,
                        ("Nhóm sản phẩm", urls.GROUPS),
                        (f"{code}. {label.vi}", urls.group(group_slug(code))),
                    ],
                )
        return pages

    def _producer_pages(
        self, by_producer: dict[str, list[Product]], home: tuple[str, str]
    ) -> list[Page]:
        """chu-the/ lists the provinces; each province's page (all 34, an empty one says so)
        its producers. One list of every producer was 1.1 MB at national scale."""
        provinces = self.places["provinces"]
        in_province: dict[str, list[Producer]] = {code: [] for code in provinces}
        for producer in self.catalog.producers:
            in_province[producer.place.province_code].append(producer)
        producers_crumb = ("Chủ thể", urls.PRODUCERS)
        pages = [
            self.html.page(
                "index_list.html",
                urls.page_file(urls.PRODUCERS),
                title="Chủ thể sản xuất OCOP",
                description="Hợp tác xã, doanh nghiệp, tổ hợp tác và hộ kinh doanh có sản "
                "phẩm OCOP, theo tỉnh, thành.",
                heading="Chủ thể sản xuất",
                intro="Hợp tác xã, doanh nghiệp, tổ hợp tác và hộ kinh doanh có sản phẩm OCOP, "
                "theo tỉnh, thành nơi chủ thể đặt trụ sở.",
                count_heading="Chủ thể",
                crumbs=[home],
                items=[
                    (urls.province_producers(info.slug), info.name, len(in_province[code]))
                    for code, info in provinces.items()
                ],
            )
        ]
        for code, info in provinces.items():
            pages.append(
                self.html.page(
                    "index_list.html",
                    urls.page_file(urls.province_producers(info.slug)),
                    title=f"Chủ thể sản xuất OCOP {info.name}",
                    description=f"{len(in_province[code])} chủ thể có sản phẩm OCOP đặt trụ sở "
                    f"ở {info.name}.",
                    heading=f"Chủ thể sản xuất OCOP {info.name}",
                    crumbs=[home, producers_crumb],
                    items=[
                        (urls.producer(p.id), p.name, len(by_producer.get(p.id, [])))
                        for p in in_province[code]
                    ],
                    empty="Chưa có chủ thể nào trong danh mục.",
                )
            )
        for producer in self.catalog.producers:
            items = by_producer.get(producer.id, [])
            place = producer.place
            pages += self.listing(
                urls.producer(producer.id),
                producer.name,
                f"{producer.kind_label} {producer.name}, {place.commune_name}, "
                f"{place.province_name}: {len(items)} sản phẩm OCOP.",
                items,
                [
                    home,
                    producers_crumb,
                    (place.province_name, urls.province_producers(place.province_slug)),
                ],
                extra={
                    "producer": producer,
                    "labels_sheet": self.sheets.get(("producer", producer.name)),
                },
            )
        return pages

    # --- home, search, sitemap -----------------------------------------------------------
    def home(self) -> Page:
        products = self.catalog.products
        newest = heapq.nlargest(NEWEST_ON_HOME, products, key=lambda p: (p.certificate.date, p.id))
        counts = {
            "products": len(products),
            "valid": sum(p.validity is Validity.VALID for p in products),
            "unknown_date": sum(p.validity is Validity.UNKNOWN_DATE for p in products),
            "producers": len(self.catalog.producers),
            "provinces": len({p.place.province_code for p in products}),
            "stars": {n: sum(p.stars == n for p in products) for n in (5, 4, 3)},
        }
        context: dict[str, Any] = dict(
            title="Tra cứu sản phẩm OCOP",
            description="Tra cứu sản phẩm OCOP: chứng nhận còn hiệu lực hay không, số sao, "
            "nơi sản xuất, nguồn thông tin. Dữ liệu mở tải về được.",
            counts=counts,
            validity_text=VALIDITY_TEXT,
        )
        keys = [self.record_keys[p.id] for p in newest]
        path = urls.page_file(urls.HOME)
        key = self.html.input_key("home.html", path, context, keys)
        return Page("home.html", path, key, functools.partial(dict, context, newest=newest))

    def search_page(self, filters: dict[str, Any]) -> Page:
        return self.html.page(
            "search.html",
            urls.page_file(urls.SEARCH_PAGE),
            title="Tìm sản phẩm OCOP",
            description="Tìm sản phẩm OCOP theo tên, chủ thể, xã, tỉnh; gõ có dấu hay không dấu.",
            filters=filters,
        )


SITEMAP_MAX = 50_000  # URLs one sitemap file may list (sitemaps.org protocol)
SITEMAP_PART = 40_000  # URLs a part holds on average: a part never reaches the limit by chance

_XML = '<?xml version="1.0" encoding="UTF-8"?>'
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def render_sitemaps(
    html: Html,
    extra_pages: Sequence[str] = (),
    most: int | None = None,  # SITEMAP_MAX
    part_size: int | None = None,  # SITEMAP_PART
) -> dict[str, str]:
    """Path -> text: sitemap.xml listing every page or, beyond `most` pages (a national
    catalog with its lots lists over 200,000), an index of parts that search engines read. A
    page's part is set by a digest of its path, not by its rank: a new page changes its own
    part, and the index only when the number of parts grows."""
    most = SITEMAP_MAX if most is None else most
    part_size = SITEMAP_PART if part_size is None else part_size
    pages = sorted(set(html.index.pages) | set(extra_pages))
    if len(pages) <= most:
        return {urls.SITEMAP: _urlset(html, pages)}
    count = -(-len(pages) // part_size)
    while True:
        parts: list[list[str]] = [[] for _ in range(count)]
        for page in pages:
            digest = hashlib.blake2b(page.encode(), digest_size=8).digest()
            parts[int.from_bytes(digest, "big") % count].append(page)
        if max(map(len, parts)) <= most:
            break
        count += 1  # an unlucky spread: one part more
    made = {urls.sitemap_part(n): _urlset(html, part) for n, part in enumerate(parts, start=1)}
    entries = [f"  <sitemap><loc>{html.absolute(path)}</loc></sitemap>" for path in made]
    index = [_XML, f'<sitemapindex xmlns="{_SITEMAP_NS}">', *entries, "</sitemapindex>"]
    return {urls.SITEMAP: "\n".join(index) + "\n", **made}


def _urlset(html: Html, pages: Sequence[str]) -> str:
    lines = [_XML, f'<urlset xmlns="{_SITEMAP_NS}">']
    lines += [f"  <url><loc>{html.absolute(p)}</loc></url>" for p in pages]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def render_robots(html: Html) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {html.absolute(urls.SITEMAP)}\n"


def render_pages(
    catalog: Catalog, html: Html, outputs: Outputs, search_filters: dict[str, Any]
) -> None:
    renderer = PageRenderer(catalog, html, outputs)
    with collector_paused():
        pages = renderer.product_pages() + lot_pages(renderer) + renderer.browse_pages()
        pages += [
            renderer.home(),
            renderer.search_page(search_filters),
            recalls_page(html, catalog),
        ]
    # One batch: whichever pages changed are rendered on every core (the collector back on:
    # rendering makes garbage, and forked workers inherit its state).
    html.write_pages(pages)
