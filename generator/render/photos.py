"""Product photos: small, sharp, metadata-free derivatives, and one share card per product.

Each source photo becomes WebP + JPEG files at 320/640/1280 px wide (never upscaled), with the
EXIF orientation applied, colours converted to sRGB, and every byte of metadata dropped (EXIF
with the photographer's GPS position, XMP, comments, ICC): a phone photo must not publish where
it was taken, and a reader on a cheap phone must not download 4 MB. Files are made once per
content, on all cores, in the cache (`Cache(cache_dir, "photos")`); a rebuild only hard-links
them into the site.

A file's name is a hash of its source's bytes and the settings (as in Zola): it changes when
the picture would, and is published as is (`media/<name>`). Whether the cached files are still
valid is another matter: they are kept while the code that made them (this module, its fonts,
Pillow) is the same (`maker_digest`), and made again when it is not. Why resampling, encoders
and batches are chosen as they are: benchmarks/README.md, "Photo derivatives".
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import time
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import PIL
from PIL import Image, ImageCms, ImageDraw, ImageFont, ImageOps

from generator import urls
from generator.cache import Cache, content_key
from generator.config import BuildConfig, PoolSettings
from generator.keys import code_digest
from generator.model import Catalog, Photo, Product
from generator.parallel import pool_map, worker_count
from generator.photocheck import MAX_PIXELS
from generator.progress import NO_PROGRESS, Progress
from generator.render.artifacts import PhotoIndex, PhotoRendition, PhotoSize
from generator.render.html import SITE_NAME
from generator.write import SiteWriter

# Part of every published name since the names were last changed on purpose; never bumped for a
# change of the code (the cache knows that by `maker_digest`). Changing one renames every
# published photo or share card.
PHOTO_NAMING = "3"
CARD_NAMING = "3"

WIDTHS = (320, 640, 1280)
WEBP_QUALITY = 80
WEBP_METHOD = 2  # see "WebP method" in the module docstring
JPEG_QUALITY = 82
# The first step (after the JPEG draft, a ratio below 2) is bicubic: as sharp as Lanczos at that
# ratio for 30 % less time. Exact 2x steps of the cascade are a 2x2 box average (Image.reduce).
FIRST_RESAMPLE = Image.Resampling.BICUBIC
HALVE_RESAMPLE = Image.Resampling.BOX  # a 2x step whose sizes are not exactly even (odd heights)
SETTINGS = (
    f"widths={','.join(map(str, WIDTHS))};webp=q{WEBP_QUALITY}m{WEBP_METHOD};"
    f"jpeg=q{JPEG_QUALITY}-baseline-optimize;srgb;flatten=white;bicubic-box-cascade;"
    f"pillow={PIL.__version__}"  # its codecs decide the bytes: a new Pillow, new names
)

CARD_SIZE = (1200, 630)
CARD_QUALITY = 80  # baseline, optimized: smaller than q85 progressive, 2.5x faster
FONTS = Path(__file__).resolve().parent.parent / "fonts"
_SRGB = ImageCms.createProfile("sRGB")
_WHITE = (255, 255, 255)
_MAKER = "maker"  # the cache file holding the digest of the code that made the others


class PhotoError(Exception):
    """A photo that passed validation cannot be rendered (changed on disk, damaged)."""


@dataclass
class PhotoStats:
    """What a build did: the benchmark's cold/warm counts."""

    photos: int = 0  # photo entries in product records
    sources: int = 0  # distinct source contents
    decoded: int = 0  # sources opened and decoded (cache misses, cold)
    reused: int = 0  # sources whose every file came from the cache (warm)
    cards_made: int = 0
    cards_reused: int = 0
    files_made: int = 0  # files written into the cache
    files_linked: int = 0  # files placed into the site
    pruned: int = 0  # orphan cache files removed
    seconds: float = 0.0


# ------------------------------------------------------------------------------ planning


def target_sizes(width: int, height: int) -> tuple[tuple[int, int], ...]:
    """Derivative sizes for a source of width x height (after orientation), ascending.

    Never upscales: widths above the source are skipped; a source narrower than the smallest
    width gets one file at its own width.
    """
    widths = [w for w in WIDTHS if w <= width] or [width]
    return tuple((w, max(1, round(height * w / width))) for w in widths)


def photo_key(photo: Photo) -> str:
    return content_key(photo.sha256, SETTINGS, PHOTO_NAMING)


def card_key(product: Product) -> str:
    name = unicodedata.normalize("NFC", product.name)
    return content_key(
        product.photos[0].sha256,
        name,
        str(product.stars),
        SITE_NAME,
        f"{CARD_SIZE}q{CARD_QUALITY};pillow={PIL.__version__}",
        CARD_NAMING,
    )


def maker_digest() -> str:
    """The code whose change may change the bytes made for the same name: this module, the
    card fonts, Pillow (its codecs)."""
    fonts = [FONTS / "DejaVuSans.ttf", FONTS / "DejaVuSans-Bold.ttf"]
    return code_digest([Path(__file__), *fonts], ("pillow",), salt=b"photos").hex()


def _file_names(key: str, width: int) -> tuple[str, str]:
    return f"{key}-{width}.webp", f"{key}-{width}.jpg"


@dataclass(frozen=True)
class _Card:
    name: str  # cache file name
    title: str
    stars: int


@dataclass(frozen=True)
class _Job:
    """One source photo's missing files: the unit of work sent to a worker process."""

    source: str
    sha256: str
    key: str
    sizes: tuple[tuple[int, int], ...]  # every size of this photo (the cascade needs them)
    missing: frozenset[str]  # derivative file names to write
    cards: tuple[_Card, ...]  # share cards whose main photo this is
    cache_root: str


# ------------------------------------------------------------------------------ the worker


def _open_checked(job: _Job) -> Image.Image:
    raw = Path(job.source).read_bytes()
    if hashlib.sha256(raw).hexdigest() != job.sha256:  # else the cache key would lie
        raise PhotoError(f"{job.source}: changed since it was validated; build again")
    image = Image.open(io.BytesIO(raw))
    if image.width * image.height > MAX_PIXELS:  # before any decode
        raise PhotoError(f"{job.source}: {image.width}x{image.height} is too many pixels")
    return image


def base_size(width: int, height: int, largest: tuple[int, int]) -> tuple[int, int]:
    """The upright image every file is cut from: the largest derivative, or bigger when the
    share card needs more pixels to cover 1200x630 (wide panoramas, small sources).

    A function of the source size alone, never of which files are missing: the same key must
    always give the same bytes.
    """
    cover = min(1.0, max(CARD_SIZE[0] / width, CARD_SIZE[1] / height))
    if cover <= largest[0] / width:
        return largest
    return min(width, round(width * cover)), min(height, round(height * cover))


def _resizable(image: Image.Image) -> Image.Image:
    """A mode Pillow resizes well (it resizes palette images with NEAREST, 16-bit grey badly)."""
    if image.mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return image
    if image.mode in ("P", "PA"):
        has_alpha = image.mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if image.mode.startswith("I;16") or image.mode == "I":  # 16-bit grey PNG: scale, not clip
        return image.convert("I").point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def _base(source: Image.Image, largest: tuple[int, int]) -> Image.Image:
    """Decoded at the smallest DCT scale that suffices, resized, upright, sRGB, no metadata."""
    orientation = source.getexif().get(0x0112, 1)
    turned = orientation in (5, 6, 7, 8)  # stored sideways: the displayed sides swap
    upright = source.size[::-1] if turned else source.size
    size = base_size(*upright, largest)
    stored = size[::-1] if turned else size
    if source.format == "JPEG":
        source.draft("RGB", stored)  # decode at 1/2, 1/4 or 1/8 when that still covers `stored`
    source.load()
    icc = source.info.get("icc_profile")
    image = _resizable(source)
    if image.size != stored:
        # info (EXIF) rides along to the resized copy, for exif_transpose just below.
        image = image.resize(stored, FIRST_RESAMPLE, reducing_gap=3.0)
    # else the decoded source itself is the base (opened from bytes, never closed: no copy)
    # Turned after the resize: fewer pixels to move than in the decoded image.
    ImageOps.exif_transpose(image, in_place=True)
    image.info = {}  # nothing of the source's metadata may reach a derivative
    if image.mode in ("RGBA", "LA"):
        image = _flatten(image)
    if icc:
        image = _to_srgb(image, icc)
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.info = {}
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent PNG/WebP on white: the JPEG fallback has no alpha, and both must match."""
    rgba = image.convert("RGBA")
    base = Image.new("RGBA", rgba.size, (*_WHITE, 255))
    return Image.alpha_composite(base, rgba).convert("RGB")


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Pixels in sRGB, the profile dropped: browsers show untagged images as sRGB."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if ImageCms.getProfileDescription(source).strip().lower().startswith("srgb"):
            return image  # already sRGB (most phones): converting would cost time for nothing
        if image.mode not in ("RGB", "CMYK", "L"):
            image = image.convert("RGB")
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB") or image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image.convert("RGB")  # a broken profile: keep the numbers as they are


def _encode_webp(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return out.getvalue()


def _encode_jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    # Baseline with optimized Huffman tables: progressive costs 2.3x the time for 0-5 % fewer
    # bytes, on files only old browsers and link-preview robots fetch.
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _downscale(image: Image.Image, size: tuple[int, int], first: bool) -> Image.Image:
    """One step of the cascade: the first step bicubic, then 2x2 box averages."""
    if first:  # from the base (a ratio below 2, or a panorama's larger base)
        smaller = image.resize(size, FIRST_RESAMPLE, reducing_gap=3.0)
    elif (image.width, image.height) == (2 * size[0], 2 * size[1]):
        smaller = image.reduce(2)  # exact 2x: the same pixels as BOX, 3x faster
    else:
        smaller = image.resize(size, HALVE_RESAMPLE)
    smaller.info = {}
    return smaller


def _make(job: _Job, cache: Cache | None = None) -> int:
    """Decodes one source once, writes its missing files; returns how many."""
    cache = cache or Cache(Path(job.cache_root), "photos")
    largest = job.sizes[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Opened from bytes in memory: nothing to close, and the base may be the decoded
            # source itself (a copy of an 800x600 image costs 1 ms).
            base = _base(_open_checked(job), largest)
        except (
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ) as exc:
            raise PhotoError(f"{job.source}: cannot be decoded ({exc})") from exc
    made = 0
    if job.missing:
        current = base
        for width, height in reversed(job.sizes):  # cascade: each size from the one above
            if current.size != (width, height):
                current = _downscale(current, (width, height), first=(width, height) == largest)
            webp, jpeg = _file_names(job.key, width)
            if webp in job.missing:
                cache.store(webp, _encode_webp(current))
                made += 1
            if jpeg in job.missing:
                cache.store(jpeg, _encode_jpeg(current))
                made += 1
    for card in job.cards:
        cache.store(card.name, _encode_jpeg(draw_card(base, card.title, card.stars), CARD_QUALITY))
        made += 1
    return made


def _make_batch(jobs: tuple[_Job, ...]) -> list[int]:
    """Runs in a worker process: a few sources per task, so the pool's per-task cost (pickling,
    pipe round trip, wake-ups: ~0.3 ms) is paid once per batch, not once per photo."""
    cache = Cache(Path(jobs[0].cache_root), "photos")
    return [_make(job, cache) for job in jobs]


# ------------------------------------------------------------------------------ share card


@lru_cache(maxsize=16)
def card_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    # BASIC layout: text is NFC (precomposed Vietnamese letters), and the output must not
    # depend on the HarfBuzz/Raqm version of the machine.
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=ImageFont.Layout.BASIC)


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> tuple[tuple[int, int], bytes]:
    left, top, right, bottom = font.getbbox(char)
    canvas = Image.new("L", (max(1, right - left), max(1, bottom - top)))
    ImageDraw.Draw(canvas).text((-left, -top), char, font=font, fill=255)
    return canvas.size, canvas.tobytes()


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> list[str]:
    """Characters of `text` the font draws as its .notdef box (tofu)."""
    notdef = _glyph(font, "\U0010fffd")  # private use, plane 16: in no text font
    seen: list[str] = []
    for char in dict.fromkeys(unicodedata.normalize("NFC", text)):
        if not char.isspace() and _glyph(font, char) == notdef:
            seen.append(char)
    return seen


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:  # one word wider than the card: break it
            cut = max(
                1, next(i for i in range(len(word), 0, -1) if font.getlength(word[:i]) <= width)
            )
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _ellipsize(line: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    while line and font.getlength(line + "…") > width:
        line = line[:-1].rstrip()
    return line + "…"


def _name_lines(title: str, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which the name fits 2-3 lines; else 3 lines ending in '…'."""
    for size in (58, 52, 46):
        font = card_font(size, bold=True)
        lines = _wrap(title, font, width)
        if len(lines) <= (2 if size == 58 else 3):
            return font, lines
    lines = _wrap(title, font, width)
    return font, [*lines[:2], _ellipsize(lines[2], font, width)]


def draw_card(photo: Image.Image, title: str, stars: int) -> Image.Image:
    """1200x630 Open Graph image: the photo, and on a dark band the name, stars, site name.

    The band is opaque and the photo is resized only for the part above it (it used to be drawn
    under a 86 % dark band): half the pixels to resize, no blend, and a smaller JPEG.
    """
    width, height = CARD_SIZE
    margin = 56
    title = unicodedata.normalize("NFC", " ".join(title.split()))
    name_font, lines = _name_lines(title, width - 2 * margin)
    site_font = card_font(28)
    star_font = card_font(44)
    label_font = card_font(30, bold=True)
    line_height = round(name_font.size * 1.22)
    band_height = 36 + 40 + len(lines) * line_height + 14 + 52 + 34
    top = height - band_height

    # The crop ImageOps.fit(photo, CARD_SIZE, centering=(0.5, 0.45)) would take, of which only
    # the part above the band is resized.
    crop_width = min(photo.width, photo.height * width / height)
    crop_height = crop_width * height / width
    left = (photo.width - crop_width) * 0.5
    upper = (photo.height - crop_height) * 0.45
    # A photo narrower than the card is enlarged: bilinear there (a third less time than bicubic,
    # and enlarging adds no detail to keep sharp; link previews show the card shrunk anyway).
    resample = Image.Resampling.BILINEAR if crop_width < width else FIRST_RESAMPLE
    shown = (left, upper, left + crop_width, upper + crop_height * top / height)
    card = Image.new("RGB", CARD_SIZE, (14, 18, 22))
    card.paste(photo.resize((width, top), resample, box=shown, reducing_gap=3.0), (0, 0))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, top, width, top + 5), fill=(218, 165, 32))  # gold rule above the band

    y = top + 36
    draw.text((margin, y), SITE_NAME, font=site_font, fill=(214, 220, 226))
    y += 40
    for line in lines:
        draw.text((margin, y), line, font=name_font, fill=(255, 255, 255))
        y += line_height
    y += 14
    stars = max(0, min(5, stars))
    filled = "★" * stars
    draw.text((margin, y), filled, font=star_font, fill=(255, 196, 37))
    x = margin + star_font.getlength(filled)
    draw.text((x, y), "☆" * (5 - stars), font=star_font, fill=(150, 156, 162))
    x = margin + star_font.getlength("★" * 5) + 18
    draw.text((x, y + 8), f"{stars} sao OCOP", font=label_font, fill=(255, 255, 255))
    return card


# ------------------------------------------------------------------------------ the build


def _batches(jobs: list[_Job], workers: int, most: int) -> list[tuple[_Job, ...]]:
    """Jobs in batches of up to `most`, at least ~8 batches per worker so all finish together."""
    size = max(1, min(most, len(jobs) // (8 * workers)))
    return [tuple(jobs[i : i + size]) for i in range(0, len(jobs), size)]


def _run(jobs: list[_Job], workers: int, pools: PoolSettings, progress: Progress) -> int:
    pooled = workers > 1 and len(jobs) > 1  # else a pool costs more than it saves
    batches = _batches(jobs, workers, pools.photo_batch) if pooled else [(job,) for job in jobs]
    made = 0
    # As each batch is done, for the progress; one bad photo, or Ctrl-C, stops the others.
    with progress.stage("ảnh / photos", len(jobs)) as stage:
        for counts in pool_map(_make_batch, batches, workers, pooled=pooled, ordered=False):
            made += sum(counts)
            stage.advance(len(counts))
    return made


def _split_cards(job: _Job, most: int) -> list[_Job]:
    """A photo shared by many products (a producer's one photo on fifty of them) would draw all
    their share cards in one worker while the others wait: beyond `most` cards, the rest go to
    jobs of their own, each decoding the source again (a few ms, against ~10 ms a card)."""
    if len(job.cards) <= most:
        return [job]
    parts = [job.cards[i : i + most] for i in range(0, len(job.cards), most)]
    first = dataclasses.replace(job, cards=parts[0])
    return [first] + [dataclasses.replace(job, missing=frozenset(), cards=p) for p in parts[1:]]


@dataclass(frozen=True)
class _Plan:
    """One source's files: their name (key) and sizes, planned once, placed for every use."""

    key: str
    sizes: tuple[tuple[int, int], ...]


def _made_by(cache: Cache, listed: set[str]) -> str:
    """The digest of the code that made the cached files ("" when not known)."""
    if _MAKER not in listed:
        return ""
    try:
        return Path(cache.file(_MAKER)).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return ""


def _main_photo_cards(catalog: Catalog) -> dict[str, list[tuple[Product, str]]]:
    cards: dict[str, list[tuple[Product, str]]] = {}
    for product in catalog.products:
        if product.photos:
            cards.setdefault(product.photos[0].sha256, []).append((product, card_key(product)))
    return cards


def render_photos(
    catalog: Catalog,
    config: BuildConfig,
    writer: SiteWriter,
    stats: PhotoStats | None = None,
    prune: bool = True,
    progress: Progress = NO_PROGRESS,
) -> PhotoIndex:
    """Derivatives and share cards for every product, made in the cache, linked into the site.

    `prune`: remove cache files no current photo needs (a full build); off for partial builds.
    """
    started = time.perf_counter()
    stats = stats if stats is not None else PhotoStats()
    cache = Cache(config.cache_dir, "photos")
    maker = maker_digest()
    cards_by_sha = _main_photo_cards(catalog)

    sources: dict[str, Photo] = {}  # sha256 -> first photo with that content
    for product in catalog.products:
        for photo in product.photos:
            sources.setdefault(photo.sha256, photo)
            stats.photos += 1
    stats.sources = len(sources)

    # One listing of the cache instead of a stat per file (five a photo): at N = 20,000 that is
    # ~200,000 names in one scandir. Files made by other code count as missing (made again).
    listed = cache.names()
    same_maker = _made_by(cache, listed) == maker
    cached = listed if same_maker else set()
    plans: dict[str, _Plan] = {}  # by source sha256
    jobs: list[_Job] = []
    needed: set[str] = {_MAKER}
    for sha, photo in sorted(sources.items()):
        key = photo_key(photo)
        sizes = target_sizes(photo.width, photo.height)
        plans[sha] = _Plan(key, sizes)
        names = [name for width, _ in sizes for name in _file_names(key, width)]
        needed.update(names)
        missing = frozenset(name for name in names if name not in cached)
        cards = []
        for product, ckey in cards_by_sha.get(sha, []):
            name = f"{ckey}-share.jpg"
            if name in needed:  # two products with the same name, stars and photo
                continue
            needed.add(name)
            if name in cached:
                stats.cards_reused += 1
            else:
                cards.append(_Card(name, product.name, product.stars))
        if missing or cards:
            job = _Job(
                str(photo.source), sha, key, sizes, missing, tuple(cards), str(config.cache_dir)
            )
            jobs += _split_cards(job, config.pools.cards_per_job)
            stats.decoded += 1
            stats.cards_made += len(cards)
        else:
            stats.reused += 1

    workers = worker_count(config.workers)
    stats.files_made += _run(jobs, workers, config.pools, progress)
    if not same_maker:  # after the files: a build killed before this makes them all again
        cache.store(_MAKER, maker.encode())

    index = PhotoIndex()
    placed: set[str] = set()

    def place(names: Iterable[str]) -> None:
        for name in names:
            if name not in placed:  # one content used twice is one file in the site
                placed.add(name)
                writer.copy_file(urls.media(name), cache.file(name), content_named=True)
                stats.files_linked += 1

    card_names = {
        product.id: f"{ckey}-share.jpg"
        for pairs in cards_by_sha.values()
        for product, ckey in pairs
    }
    for product in catalog.products:
        renditions = []
        for photo in product.photos:
            plan = plans[photo.sha256]
            sizes = []
            for width, height in plan.sizes:
                webp, jpeg = _file_names(plan.key, width)
                place((webp, jpeg))
                sizes.append(PhotoSize(width, height, urls.media(webp), urls.media(jpeg)))
            renditions.append(
                PhotoRendition(photo.file, photo.alt, photo.credit, photo.licence, tuple(sizes))
            )
        index.per_product[product.id] = tuple(renditions)
        if product.photos:
            name = card_names[product.id]
            place((name,))
            index.share_cards[product.id] = urls.media(name)

    if prune:
        stats.pruned = cache.prune(needed, listed)
    stats.seconds = time.perf_counter() - started
    return index
