"""Photo derivatives: metadata gone, upright, sRGB, never upscaled, cached, pruned, deterministic.

Test photos are made here with Pillow (EXIF with GPS, orientation, XMP, comment, ICC profiles)
and measured through `check_photo`, as the validator would, so the Photo records are honest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig, PoolSettings
from generator.model import Catalog, Photo
from generator.photocheck import check_photo
from generator.render import photos
from generator.render.photos import (
    CARD_SIZE,
    PhotoError,
    PhotoStats,
    card_font,
    draw_card,
    missing_glyphs,
    render_photos,
    target_sizes,
)
from generator.write import SiteWriter

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "catalog"
AS_OF = dt.date(2026, 11, 23)
VIETNAMESE = "Rượu mơ Yên Tử – Nước mắm sá sùng Quảng Ninh ỹ Ữ ặ"
ALL_VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
RED = (220, 20, 20)


# ------------------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def fixture_catalog() -> Catalog:
    catalog = check_catalog(FIXTURE, PROJECT_ROOT / "schemas", AS_OF).catalog
    assert catalog is not None
    return catalog


def config_for(tmp: Path, cache: Path | None = None, workers: int = 1) -> BuildConfig:
    return BuildConfig(
        catalog_dir=tmp,
        out_dir=tmp / "site",
        base_url="https://ocop.example/",
        as_of=AS_OF,
        cache_dir=cache or tmp / "cache",
        workers=workers,
    )


def measured(path: Path, alt: str = "Ảnh thử") -> Photo:
    facts, problems = check_photo(path.parent, path.name, path.name, 1, "photos[0]")
    assert facts is not None, problems
    return Photo(path.name, path, alt, None, None, facts.width, facts.height, facts.sha256)


def catalog_with(template: Catalog, *photo_lists: tuple[Photo, ...]) -> Catalog:
    base = template.products[0]
    products = tuple(
        dataclasses.replace(base, id=f"t-{i}", name=f"Sản phẩm thử {i}", photos=photo_list)
        for i, photo_list in enumerate(photo_lists)
    )
    return dataclasses.replace(template, products=products)


def build(
    catalog: Catalog, config: BuildConfig, site: Path, **kwargs: object
) -> tuple[object, PhotoStats]:
    stats = PhotoStats()
    index = render_photos(catalog, config, SiteWriter(site), stats=stats, **kwargs)  # type: ignore[arg-type]
    return index, stats


def gps_exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMakerSecret"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (21.0, 2.0, 30.5)
    gps[3], gps[4] = "E", (105.0, 51.0, 12.25)
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="21,2.5N"/></rdf:RDF></x:xmpmeta>'
)


def phone_jpeg(path: Path, size: tuple[int, int] = (1800, 1400), orientation: int = 6) -> Path:
    """Stored landscape with a red corner at the stored top-left, like a phone held upright."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 5, size[1] // 5), fill=RED)
    image.save(path, quality=90, exif=gps_exif(orientation), xmp=XMP, comment=b"at my farm, secret")
    return path


def solid(path: Path, colour: tuple[int, int, int], icc: bytes | None = None) -> Path:
    image = Image.new("RGB", (900, 700), colour)
    image.save(path, quality=95, subsampling=0, **({"icc_profile": icc} if icc else {}))
    return path


def rgb_profile(primaries: list[tuple[float, float, float]], description: str) -> bytes:
    """A minimal ICC v2 display profile: matrix/TRC with the given D50 colorants, gamma 2.2.

    Pillow can only create sRGB/LAB/XYZ profiles; a real "other RGB" profile (as an Adobe RGB
    or Display P3 photo carries) is built here from the ICC specification's tag layout.
    """

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(s15(v) for v in values)

    ascii_text = description.encode("ascii") + b"\0"
    desc = (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + b"\0" * 8  # no Unicode description
        + b"\0\0\0"  # no ScriptCode description
        + b"\0" * 67
    )
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(2.2 * 256)) + b"\0\0"
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz((0.9642, 1.0, 0.8249))),
        (b"rXYZ", xyz(primaries[0])),
        (b"gXYZ", xyz(primaries[1])),
        (b"bXYZ", xyz(primaries[2])),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text\0\0\0\0public domain\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


# sRGB's own colorants (D50-adapted), red and green exchanged: pure red in this profile is
# sRGB green, so a converted derivative cannot be mistaken for an untouched one.
SWAPPED_RG = rgb_profile(
    [(0.3851, 0.7169, 0.0971), (0.4361, 0.2225, 0.0139), (0.1431, 0.0606, 0.7141)],
    "Swapped red-green test RGB",
)


def derivative_files(site: Path) -> list[Path]:
    return sorted((site / "media").iterdir())


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


# ------------------------------------------------------------------------------ privacy, looks


def test_derivatives_have_no_metadata_and_are_upright(
    tmp_path: Path, fixture_catalog: Catalog
) -> None:
    source = phone_jpeg(tmp_path / "dien-thoai.jpg")
    with Image.open(source) as original:  # the test photo really carries what must go
        assert original.getexif()[0x0112] == 6 and original.getexif().get_ifd(0x8825)
        assert "xmp" in original.info and "comment" in original.info
    photo = measured(source)
    assert (photo.width, photo.height) == (1400, 1800)  # displayed upright (portrait)
    index, _ = build(catalog_with(fixture_catalog, (photo,)), config_for(tmp_path), tmp_path / "s")

    [rendition] = index.per_product["t-0"]
    assert [s.width for s in rendition.sizes] == [320, 640, 1280]
    files = derivative_files(tmp_path / "s")
    assert len(files) == 7  # 3 widths x (WebP + JPEG) + the share card
    for path in files:
        data = path.read_bytes()
        for secret in (b"PhoneMakerSecret", b"secret", b"GPSLatitude", b"ns.adobe.com", b"Exif\0"):
            assert secret not in data, (path.name, secret)
        with Image.open(path) as image:
            assert len(image.getexif()) == 0, path.name
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"} & set(
                image.info
            ), (path.name, image.info.keys())
            if path.name.endswith("-share.jpg"):
                continue
            width, height = image.size
            assert height > width, path.name  # rotated: the stored landscape became portrait
            # Orientation 6 turns the stored top-left corner to the displayed top-right.
            rgb = image.convert("RGB")
            assert close(rgb.getpixel((width - 3, 3)), RED, 40), path.name
            assert not close(rgb.getpixel((2, 2)), RED, 40), path.name
    for size in rendition.sizes:
        assert size.height == round(1800 * size.width / 1400)


def test_embedded_profile_is_converted_to_srgb(tmp_path: Path, fixture_catalog: Catalog) -> None:
    swapped = measured(solid(tmp_path / "swapped.jpg", (255, 0, 0), SWAPPED_RG))
    srgb_bytes = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    plain = measured(solid(tmp_path / "srgb.jpg", (40, 120, 200), srgb_bytes))
    index, _ = build(
        catalog_with(fixture_catalog, (swapped, plain)), config_for(tmp_path), tmp_path / "s"
    )
    first, second = index.per_product["t-0"]
    for rendition, expected in ((first, (0, 255, 0)), (second, (40, 120, 200))):
        for size in rendition.sizes:
            for rel in (size.webp, size.jpeg):
                with Image.open(tmp_path / "s" / rel) as image:
                    assert "icc_profile" not in image.info  # untagged = sRGB for browsers
                    centre = image.convert("RGB").getpixel((size.width // 2, size.height // 2))
                    assert close(centre, expected), (rel, centre, expected)


def test_transparent_png_is_flattened_on_white(tmp_path: Path, fixture_catalog: Catalog) -> None:
    image = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((300, 200, 500, 400), fill=(200, 30, 30, 255))
    image.save(tmp_path / "cutout.png")
    index, _ = build(
        catalog_with(fixture_catalog, (measured(tmp_path / "cutout.png"),)),
        config_for(tmp_path),
        tmp_path / "s",
    )
    for size in index.per_product["t-0"][0].sizes:
        for rel in (size.webp, size.jpeg):
            with Image.open(tmp_path / "s" / rel) as derivative:
                assert derivative.mode == "RGB"
                assert close(derivative.getpixel((2, 2)), (255, 255, 255), 3)


@pytest.mark.parametrize(
    ("source", "widths"),
    [
        ((4000, 3000), [320, 640, 1280]),
        ((3000, 4000), [320, 640, 1280]),
        ((1280, 960), [320, 640, 1280]),
        ((1279, 960), [320, 640]),
        ((800, 600), [320, 640]),
        ((640, 900), [320, 640]),
        ((300, 700), [300]),  # narrower than the smallest width: one file, its own size
    ],
)
def test_widths_never_upscale(source: tuple[int, int], widths: list[int]) -> None:
    sizes = target_sizes(*source)
    assert [w for w, _ in sizes] == widths
    assert all(w <= source[0] and h <= source[1] for w, h in sizes)


def test_every_derivative_has_the_size_the_page_states(
    tmp_path: Path, fixture_catalog: Catalog
) -> None:
    """Odd heights: 2000x1301 -> 1280x833 -> 640x416 (not 417, as a 2x2 reduce would give)."""
    source = tmp_path / "odd.jpg"
    Image.linear_gradient("L").resize((2000, 1301)).convert("RGB").save(source, quality=90)
    index, _ = build(
        catalog_with(fixture_catalog, (measured(source),)), config_for(tmp_path), tmp_path / "s"
    )
    [rendition] = index.per_product["t-0"]
    assert [(s.width, s.height) for s in rendition.sizes] == [(320, 208), (640, 416), (1280, 833)]
    for size in rendition.sizes:
        for rel in (size.webp, size.jpeg):
            with Image.open(tmp_path / "s" / rel) as image:
                assert image.size == (size.width, size.height), rel


def test_derivatives_stay_sharp(tmp_path: Path, fixture_catalog: Catalog) -> None:
    """A black/white edge stays one grey pixel wide at every size: a blurry filter (bilinear
    at 2x, or any blur) spreads it over two or more."""
    source = tmp_path / "edge.png"  # lossless: the only softening is the resampling
    image = Image.new("L", (2560, 1920), 0)
    ImageDraw.Draw(image).rectangle((1283, 0, 2559, 1919), fill=255)  # off the 2x grid
    image.save(source)
    index, _ = build(
        catalog_with(fixture_catalog, (measured(source),)), config_for(tmp_path), tmp_path / "s"
    )
    for size in index.per_product["t-0"][0].sizes:
        for rel in (size.webp, size.jpeg):
            with Image.open(tmp_path / "s" / rel) as derivative:
                grey = derivative.convert("L")
                row = [grey.getpixel((x, size.height // 2)) for x in range(size.width)]
            assert row[5] < 20 and row[-5] > 235, rel
            assert len([value for value in row if 7 < value < 248]) <= 1, (rel, row)


@pytest.mark.parametrize(
    ("source", "base"),
    [
        ((4000, 3000), (1280, 960)),  # the largest derivative also covers the card
        ((3000, 4000), (1280, 1707)),
        ((6000, 1500), (2520, 630)),  # panorama: the card needs 630 px of height
        ((800, 600), (800, 600)),  # small: the card gets every pixel there is
    ],
)
def test_base_image_size(source: tuple[int, int], base: tuple[int, int]) -> None:
    assert photos.base_size(*source, target_sizes(*source)[-1]) == base


@pytest.mark.parametrize("kind", ["palette", "grey16", "cmyk"])
def test_other_pixel_formats_become_rgb(
    tmp_path: Path, fixture_catalog: Catalog, kind: str
) -> None:
    if kind == "palette":
        image = Image.new("RGB", (900, 700), (30, 160, 60)).quantize(8)
        name = "palette.png"
        expected: tuple[int, ...] = (30, 160, 60)
    elif kind == "grey16":
        image = Image.new("I;16", (900, 700), 40000)
        name = "grey16.png"
        expected = (156, 156, 156)  # 40000 / 256: scaled, not clipped to white
    else:
        image = Image.new("CMYK", (900, 700), (0, 255, 255, 0))
        name = "cmyk.jpg"
        expected = (255, 0, 0)
    image.save(tmp_path / name)
    index, _ = build(
        catalog_with(fixture_catalog, (measured(tmp_path / name),)),
        config_for(tmp_path),
        tmp_path / "s",
    )
    for size in index.per_product["t-0"][0].sizes:
        with Image.open(tmp_path / "s" / size.jpeg) as derivative:
            assert derivative.mode == "RGB"
            corner = derivative.getpixel((5, 5))
            assert close(corner, expected, 16), (kind, corner)


# ------------------------------------------------------------------------------ cache


def test_rebuild_reuses_the_cache_without_decoding(
    tmp_path: Path, fixture_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = measured(phone_jpeg(tmp_path / "a.jpg", (1000, 800), orientation=1))
    catalog = catalog_with(fixture_catalog, (photo,))
    config = config_for(tmp_path)
    first, cold = build(catalog, config, tmp_path / "s1")
    assert (cold.decoded, cold.reused, cold.files_made, cold.cards_made) == (1, 0, 5, 1)

    def no_work(job: object) -> int:
        raise AssertionError("a cached photo was decoded again")

    monkeypatch.setattr(photos, "_make", no_work)
    monkeypatch.setattr(Image, "open", no_work)
    monkeypatch.setattr(photos.Cache, "has", no_work)  # one listing, not a stat per file
    second, warm = build(catalog, config, tmp_path / "s2")
    assert (warm.decoded, warm.reused, warm.files_made, warm.cards_reused) == (0, 1, 0, 1)
    assert second == first
    for path in derivative_files(tmp_path / "s2"):  # hard links to the cache, not copies
        assert path.samefile(config.cache_dir / "photos" / path.name)


def test_a_missing_cache_file_is_remade_alone(tmp_path: Path, fixture_catalog: Catalog) -> None:
    photo = measured(phone_jpeg(tmp_path / "a.jpg", (1000, 800), orientation=1))
    catalog = catalog_with(fixture_catalog, (photo,))
    config = config_for(tmp_path)
    index, _ = build(catalog, config, tmp_path / "s1")
    lost = config.cache_dir / "photos" / Path(index.per_product["t-0"][0].sizes[0].webp).name
    before = lost.read_bytes()
    lost.unlink()
    _, stats = build(catalog, config, tmp_path / "s2")
    assert (stats.decoded, stats.files_made, stats.cards_made) == (1, 1, 0)
    assert lost.read_bytes() == before


def test_files_made_by_other_code_are_made_again_under_the_same_names(
    tmp_path: Path, fixture_catalog: Catalog
) -> None:
    """The cache is valid for the code that made it; the published names do not depend on the
    code (the site keeps its addresses), only on the source and the settings."""
    photo = measured(phone_jpeg(tmp_path / "a.jpg", (1000, 800), orientation=1))
    catalog = catalog_with(fixture_catalog, (photo,))
    config = config_for(tmp_path)
    first, _ = build(catalog, config, tmp_path / "s1")
    maker = config.cache_dir / "photos" / photos._MAKER
    assert maker.read_text(encoding="ascii") == photos.maker_digest()
    maker.write_text("digest of an older photos.py", encoding="ascii")
    again, stats = build(catalog, config, tmp_path / "s2")
    assert (stats.decoded, stats.files_made, stats.cards_made) == (1, 5, 1)
    assert again == first
    assert maker.read_text(encoding="ascii") == photos.maker_digest()
    _, warm = build(catalog, config, tmp_path / "s3")
    assert (warm.decoded, warm.files_made) == (0, 0)


def test_orphans_are_pruned(tmp_path: Path, fixture_catalog: Catalog) -> None:
    keep = measured(phone_jpeg(tmp_path / "a.jpg", (1000, 800), orientation=1))
    gone = measured(solid(tmp_path / "b.jpg", (10, 200, 90)))
    config = config_for(tmp_path)
    build(catalog_with(fixture_catalog, (keep,), (gone,)), config, tmp_path / "s1")
    folder = config.cache_dir / "photos"
    (folder / ".stale.jpg.1234.tmp").write_bytes(b"left by a killed build")
    both = {p.name for p in folder.iterdir()}

    only_keep = catalog_with(fixture_catalog, (keep,))
    _, partial = build(only_keep, config, tmp_path / "s2", prune=False)
    assert partial.pruned == 0 and {p.name for p in folder.iterdir()} == both

    _, stats = build(only_keep, config, tmp_path / "s3")
    remaining = {p.name for p in folder.iterdir()}
    # and the record of the code that made them
    assert remaining == {p.name for p in derivative_files(tmp_path / "s3")} | {photos._MAKER}
    assert stats.pruned == len(both) - len(remaining) == 5 + 1  # b's 4 files, its card, the tmp
    assert not [name for name in remaining if name.startswith(photos.photo_key(gone))]


def test_same_source_gives_byte_identical_files(tmp_path: Path, fixture_catalog: Catalog) -> None:
    """Two cold builds (one inline, one on a process pool) write the same bytes."""
    catalog = catalog_with(
        fixture_catalog,
        (measured(phone_jpeg(tmp_path / "a.jpg")),),
        (measured(solid(tmp_path / "b.jpg", (255, 0, 0), SWAPPED_RG)),),
    )
    contents = []
    for run, workers in (("one", 1), ("two", 2)):
        build(catalog, config_for(tmp_path, tmp_path / f"cache-{run}", workers), tmp_path / run)
        contents.append({p.name: p.read_bytes() for p in derivative_files(tmp_path / run)})
    assert contents[0] == contents[1]
    assert len(contents[0]) == 6 + 1 + 4 + 1


@pytest.mark.parametrize("workers", [1, 2])
def test_a_photo_changed_after_validation_is_refused(
    tmp_path: Path, fixture_catalog: Catalog, workers: int
) -> None:
    photo = measured(solid(tmp_path / "a.jpg", (10, 20, 30)))
    other = measured(solid(tmp_path / "b.jpg", (90, 20, 30)))
    solid(tmp_path / "a.jpg", (200, 20, 30))  # edited after `ocop validate` measured it
    with pytest.raises(PhotoError, match="changed since"):  # also from a worker process
        build(
            catalog_with(fixture_catalog, (photo, other)),
            config_for(tmp_path, workers=workers),
            tmp_path / "s",
        )


# ------------------------------------------------------------------------------ share card


def test_share_card_is_1200x630_without_metadata(tmp_path: Path, fixture_catalog: Catalog) -> None:
    photo = measured(phone_jpeg(tmp_path / "a.jpg"))
    index, _ = build(catalog_with(fixture_catalog, (photo,)), config_for(tmp_path), tmp_path / "s")
    card = tmp_path / "s" / index.share_cards["t-0"]
    assert card.name.endswith("-share.jpg")
    with Image.open(card) as image:
        assert image.format == "JPEG" and image.size == CARD_SIZE
        assert len(image.getexif()) == 0 and "icc_profile" not in image.info


def test_share_card_shows_the_photo_above_an_opaque_band() -> None:
    photo = Image.new("RGB", (800, 600), (30, 160, 60))  # enlarged: 800 px < 1200
    ImageDraw.Draw(photo).rectangle((0, 0, 799, 89), fill=RED)  # the top 15 %, cut by the crop
    card = draw_card(photo, "Trà xanh", 5)
    assert card.size == CARD_SIZE
    assert close(card.getpixel((600, 200)), (30, 160, 60), 4)  # the photo's middle
    assert close(card.getpixel((600, 2)), RED, 40)  # crop centred at 45 %: 15 px of red left
    assert card.getpixel((1190, 620)) == (14, 18, 22)  # the band hides the photo entirely
    wide = draw_card(Image.new("RGB", (3000, 1000), (200, 100, 0)), "Trà xanh", 5)  # reduced
    assert close(wide.getpixel((600, 100)), (200, 100, 0), 2)


def test_jobs_are_batched_once_each() -> None:
    jobs = [
        photos._Job(f"{i}.jpg", "0" * 64, f"k{i}", ((320, 240),), frozenset(), (), "/c")
        for i in range(1000)
    ]
    most = PoolSettings().photo_batch
    batches = photos._batches(jobs, 2, most)
    assert [job for batch in batches for job in batch] == jobs
    assert max(map(len, batches)) == most and len(batches) >= 16
    few = photos._batches(jobs[:10], 2, most)  # a few jobs: one per task, so both workers get some
    assert [len(batch) for batch in few] == [1] * 10


def test_one_photo_on_many_products_spreads_its_share_cards_over_jobs() -> None:
    cards = tuple(photos._Card(f"c{i}-share.jpg", f"Sản phẩm {i}", 4) for i in range(20))
    job = photos._Job("a.jpg", "0" * 64, "k", ((320, 240),), frozenset({"k-320.webp"}), cards, "/c")
    parts = photos._split_cards(job, 8)
    assert [len(part.cards) for part in parts] == [8, 8, 4]
    assert [card for part in parts for card in part.cards] == list(cards)
    # the derivatives are made once, by the first job only
    assert [part.missing for part in parts] == [job.missing, frozenset(), frozenset()]
    assert photos._split_cards(job, 20) == [job]


def test_split_share_cards_are_the_same_files(
    tmp_path: Path, fixture_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = measured(solid(tmp_path / "chung.png", RED))
    catalog = catalog_with(fixture_catalog, *[(shared,)] * 12)
    run = photos._run
    job_counts = []

    def counting_run(jobs: list[photos._Job], *args: object) -> int:
        job_counts.append(len(jobs))
        return run(jobs, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(photos, "_run", counting_run)
    trees = []
    for most in (2, 100):
        pools = dataclasses.replace(PoolSettings(), cards_per_job=most)
        config = dataclasses.replace(config_for(tmp_path / str(most), workers=2), pools=pools)
        site = tmp_path / str(most) / "site"
        _, stats = build(catalog, config, site)
        assert stats.cards_made == 12
        trees.append({p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()})
    assert trees[0] == trees[1] and len(trees[0]) > 12
    assert job_counts == [6, 1]


@pytest.mark.parametrize("bold", [False, True])
def test_card_fonts_cover_vietnamese(bold: bool) -> None:
    font = card_font(46, bold=bold)
    assert missing_glyphs(font, "漢字") == ["漢", "字"]  # the check does see tofu
    text = VIETNAMESE + ALL_VIETNAMESE_LETTERS + ALL_VIETNAMESE_LETTERS.upper() + "★☆…"
    assert missing_glyphs(font, text) == []


def test_long_names_wrap_to_three_lines_inside_the_card() -> None:
    name = VIETNAMESE + " loại đặc biệt thượng hạng đóng chai thủy tinh cao cấp " * 3
    font, lines = photos._name_lines(name, 1088)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 1088 for line in lines)
    _, short = photos._name_lines(VIETNAMESE, 1088)
    assert 1 <= len(short) <= 2
    card = draw_card(Image.new("RGB", (1600, 1200), (90, 140, 60)), name, 4)
    assert card.size == CARD_SIZE


# ------------------------------------------------------------------------------ fixture catalog


def test_fixture_catalog_srcsets_point_at_files(tmp_path: Path, fixture_catalog: Catalog) -> None:
    site = tmp_path / "site"
    index, stats = build(fixture_catalog, config_for(tmp_path, workers=2), site)
    assert set(index.per_product) == {p.id for p in fixture_catalog.products}
    # a product without photos has no renditions and no share card (its page has no og:image)
    with_photos = {p.id for p in fixture_catalog.products if p.photos}
    assert with_photos != set(index.per_product)
    assert set(index.share_cards) == with_photos
    assert all(index.per_product[pid] == () for pid in set(index.per_product) - with_photos)
    for product in (p for p in fixture_catalog.products if p.photos):
        renditions = index.per_product[product.id]
        assert [r.file for r in renditions] == [p.file for p in product.photos]
        for rendition, photo in zip(renditions, product.photos, strict=True):
            assert rendition.alt == photo.alt
            for kind, fmt in (("webp", "WEBP"), ("jpeg", "JPEG")):
                for entry in rendition.srcset(kind).split(", "):
                    rel, width = entry.split(" ")
                    with Image.open(site / rel) as image:
                        assert image.format == fmt and f"{image.width}w" == width
                        assert image.width <= photo.width
        assert (site / index.share_cards[product.id]).is_file()
    assert stats.photos == sum(len(p.photos) for p in fixture_catalog.products)


def test_icc_builder_makes_a_valid_profile() -> None:
    # The ICC builder above is a valid profile for LittleCMS (else the colour test proves nothing).
    profile = ImageCms.ImageCmsProfile(io.BytesIO(SWAPPED_RG))
    assert ImageCms.getProfileDescription(profile).strip() == "Swapped red-green test RGB"
