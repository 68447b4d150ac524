"""The site's address book: every public path is spelled here and nowhere else.

Printed QR codes, GS1 Digital Link addresses, journalists' scripts and the sitemap all depend on
these paths, and a published path must never change. Paths are relative to the site root, with
no leading slash; a folder ends with "/" and its page is `page_file(folder)`. `absolute()` joins
one with the configured base URL (canonical links, Open Graph, QR codes, feeds).
"""

from __future__ import annotations

HOME = ""
NOT_FOUND = "404.html"
SITEMAP = "sitemap.xml"  # every page; beyond 50,000, the index of its parts (sitemap_part)
ROBOTS = "robots.txt"
# In every site a build made: a folder without it (say, one holding only the releases restored
# on a fresh runner) is not the site its manifest describes, and is built whole.
BUILD_MARK = ".ocop-build"
ASSETS = "assets/"
MEDIA = "media/"

PROVINCES = "tinh/"
STARS = "sao/"
GROUPS = "nhom/"
PRODUCERS = "chu-the/"
SEARCH_PAGE = "tim-kiem/"
STATISTICS = "thong-ke/"
LABELS = "nhan-qr/"
RECALLS = "thu-hoi/"
# Editorial pages, made by MkDocs from docs/ (generator/site.py): their addresses follow the
# file names there.
ABOUT = "gioi-thieu/"
CONTRIBUTE = "dong-gop/"
LICENCES = "giay-phep/"
# The web editor (Decap CMS); its own routes follow the "#".
EDITOR = "quan-tri/"

SEARCH_INDEX = "search/"
SEARCH_META = SEARCH_INDEX + "meta.json"

DATA = "data/"
DATA_LATEST = DATA + "latest/"
DATA_RELEASES = DATA + "releases/"
RELEASES_INDEX = DATA_RELEASES + "index.json"
FEED = DATA + "feed.atom"
DATAPACKAGE = DATA_LATEST + "datapackage.json"

# GS1 resolver description, and the rules file names that Netlify and Cloudflare Pages read
GS1_RESOLVER = ".well-known/gs1resolver"
HOST_HEADERS = "_headers"
HOST_REDIRECTS = "_redirects"


def page_file(folder: str) -> str:
    """The HTML file that answers for a folder address: "p/x/" -> "p/x/index.html"."""
    return folder + "index.html"


def absolute(base_url: str, path: str) -> str:
    """base_url is absolute and ends with "/" (BuildConfig.base_url)."""
    return base_url + path


def product(product_id: str) -> str:
    """The permanent page every QR code points to."""
    return f"p/{product_id}/"


def product_json(product_id: str) -> str:
    return product(product_id) + "product.json"


def gs1(gtin14: str) -> str:
    """GS1 Digital Link address of a product with a GTIN (AI 01, 14 digits)."""
    return f"01/{gtin14}/"


def linkset(gtin14: str) -> str:
    """The product's GS1 linkset (RFC 9264), what `?linkType=all` answers."""
    return gs1(gtin14) + "linkset.json"


def lot(product_id: str, code: str) -> str:
    """A lot's permanent page: the address its lot label's QR holds (for a product without a
    GTIN). `code` is the lot code exactly as printed (upper case)."""
    return f"{product(product_id)}lo/{code}/"


def gs1_lot(gtin14: str, code: str) -> str:
    """GS1 Digital Link address of a lot (AI 01 + AI 10)."""
    return f"{gs1(gtin14)}10/{code}/"


def recall(recall_id: str) -> str:
    """A recall's place in the recalls page (the page lists every recall, newest first)."""
    return f"{RECALLS}#{recall_id}"


def editor_entry(province_folder: str, product_id: str) -> str:
    """A product's record in the web editor (catalog/products/<folder>/<id>/product.yaml)."""
    return f"{EDITOR}#/collections/products/entries/{province_folder}/{product_id}/product"


def listing_page(folder: str, number: int) -> str:
    """Page `number` (from 1) of a paginated listing at `folder`."""
    return folder if number == 1 else f"{folder}trang-{number}/"


def province(slug: str) -> str:
    return f"{PROVINCES}{slug}/"


def commune(code: str) -> str:
    return f"xa/{code}/"


def stars(count: int) -> str:
    return f"{STARS}{count}/"


def group(slug: str) -> str:
    return f"{GROUPS}{slug}/"


def producer(producer_id: str) -> str:
    return f"{PRODUCERS}{producer_id}/"


def province_producers(slug: str) -> str:
    """A province's producers, listed from the producers' page ("tinh/<slug>/chu-the/"): under
    the province, since any producer id could be a folder name under chu-the/, and its
    listing's pages are "trang-<n>/"."""
    return f"{province(slug)}{PRODUCERS}"


def province_statistics(slug: str) -> str:
    """A province's certificates soon to expire or expired, listed from the statistics page."""
    return f"{STATISTICS}{PROVINCES}{slug}/"


def label(stem: str, extension: str) -> str:
    """A label file or sheet: stem is a product id or a sheet's name; extension svg|png|pdf."""
    return f"{LABELS}{stem}.{extension}"


def lot_label(product_id: str, code: str, extension: str) -> str:
    """A lot's label file (made by `ocop labels --lots`, not by the build): "nhan-qr/lo/<id>/
    <CODE>.<ext>". Lot codes are upper case, so no two differ only by case."""
    return label(f"lo/{product_id}/{code}", extension)


def lot_labels(product_id: str) -> str:
    """The A4 print sheet of a product's lot labels, beside the folder of its lot labels."""
    return label(f"lo/{product_id}", "pdf")


def province_labels(slug: str) -> str:
    """The A4 print sheet of a province's labels."""
    return label(PROVINCES + slug, "pdf")


def province_labels_page(slug: str) -> str:
    """The page of a province's labels, beside its sheet: every product's label files and its
    producers' sheets ("nhan-qr/tinh/<slug>/")."""
    return f"{LABELS}{PROVINCES}{slug}/"


def producer_labels(producer_id: str) -> str:
    """The A4 print sheet of a producer's labels."""
    return label(PRODUCERS + producer_id, "pdf")


def media(name: str) -> str:
    return MEDIA + name


def search_shard(prefix: str) -> str:
    return f"{SEARCH_INDEX}t/{prefix}.json"


def search_rows(chunk: int) -> str:
    return f"{SEARCH_INDEX}d/{chunk}.json"


def data_latest(name: str) -> str:
    return DATA_LATEST + name


def data_release(release: str, name: str = "") -> str:
    """A dated release folder ("data/releases/2026-11-20/") or a file in it."""
    return f"{DATA_RELEASES}{release}/{name}"


def sitemap_part(number: int) -> str:
    """The `number`th part (from 1) of a sitemap too long for one file."""
    return f"sitemap-{number}.xml"


def is_sitemap(path: str) -> bool:
    return path == SITEMAP or (path.startswith("sitemap-") and path.endswith(".xml"))
