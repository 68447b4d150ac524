"""A synthetic national catalog for the benchmark: N valid products, ~N/2 producers, ~2N photos.

Every record is marked `example: true`, every name and id says it is synthetic ("Sản phẩm tổng
hợp 00042", `syn-00042`), and the tree is written outside catalog/ (benchmarks/out/, ignored by
git). Places are real province and commune codes from `load_places()`, so the records validate.

Lots (optional, `lots_per_product`): a lots.csv beside each product.yaml in the format of
schemas/lots.schema.json, every row's note saying it is synthetic, lot codes "SYN<date>-<k>",
the origin commune the product's own; and published-lots.txt listing them all.

Photos: a few dozen small base JPEGs (800x600, the smallest size validation accepts is 600 px on
the short side) are drawn once into a cache folder; each product photo is a base with its own
JPEG comment segment inserted, so every photo has different bytes (a different content hash, as
real photos would) at no drawing cost.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw, ImageFilter

from generator.config import PROJECT_ROOT
from generator.places import CommuneInfo, load_places
from generator.validate.record import gtin_check_digit
from generator.vocab import load_vocabulary

AS_OF = dt.date(2026, 11, 20)  # pinned: the share of valid/expired products does not drift
BASE_PHOTOS = 48
PHOTO_SIZE = (800, 600)
GENERATOR_VERSION = "1"  # bump when the records change shape: a kept tree is then regenerated

HEADER = (
    "# Hồ sơ TỔNG HỢP cho đo hiệu năng (benchmarks/national.py), không phải dữ liệu thật.\n"
    "# Synthetic record for the benchmark, not real data.\n"
)
NOUNS = {
    "I": [
        "Mật ong",
        "Gạo",
        "Chè",
        "Nước mắm",
        "Miến dong",
        "Bánh đa",
        "Cà phê",
        "Tương ớt",
        "Mắm tôm",
        "Chả cá",
        "Lạp xưởng",
        "Bánh chưng",
        "Hạt điều",
        "Mứt gừng",
    ],
    "II": ["Rượu", "Rượu mơ", "Nước uống", "Rượu sim", "Nước cốt chanh"],
    "III": ["Cao dược liệu", "Tinh dầu", "Trà thảo mộc", "Xà phòng thảo dược"],
    "IV": ["Mây tre đan", "Thổ cẩm", "Gốm", "Chiếu cói", "Nón lá"],
    "V": ["Lan rừng", "Bonsai", "Cá cảnh"],
    "VI": ["Du lịch cộng đồng", "Homestay", "Điểm du lịch sinh thái"],
}
GROUP_WEIGHTS = {"I": 70, "II": 8, "III": 9, "IV": 8, "V": 2, "VI": 3}
KINDS = ["cooperative", "cooperative_group", "enterprise", "household_business"]
KIND_PREFIX = {
    "cooperative": "HTX",
    "cooperative_group": "Tổ hợp tác",
    "enterprise": "Công ty",
    "household_business": "Hộ kinh doanh",
}
STANDARDS = ["VietGAP", "HACCP", "ISO 22000", "Hữu cơ", "TCCS"]
# lots.csv columns, in the order of schemas/lots.schema.json
LOT_COLUMNS = (
    "lot",
    "produced",
    "use_by",
    "quantity",
    "unit",
    "origin",
    "origin_commune",
    "inspection_report",
    "inspection_laboratory",
    "inspection_date",
    "inspection_result",
    "inspection_url",
    "note",
)
LOT_NOTE = "Lô TỔNG HỢP cho đo hiệu năng, không phải dữ liệu thật (synthetic)"
LOT_DAYS = 30  # a product's lots are about a month apart, the last one before AS_OF


@dataclass(frozen=True)
class SyntheticCatalog:
    root: Path
    products: int
    producers: int
    photos: int
    product_files: list[Path]  # product.yaml paths, by product number
    lots: int = 0  # rows of all lots.csv files


def nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


def product_id(number: int) -> str:
    return f"syn-{number:05d}"


def producer_id(number: int) -> str:
    return f"syn-chu-the-{number:05d}"


# ------------------------------------------------------------------------------ photos


def draw_base(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> Image.Image:
    """A soft gradient with coloured discs: compresses like a simple product photo."""
    rnd = random.Random(seed)
    width, height = size
    top = tuple(rnd.randrange(40, 220) for _ in range(3))
    bottom = tuple(rnd.randrange(40, 220) for _ in range(3))
    mask = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, top), Image.new("RGB", size, bottom), mask)
    draw = ImageDraw.Draw(image)
    scale = max(width, height) / 800
    for _ in range(6):
        x, y = rnd.randrange(width), rnd.randrange(height)
        r = int(rnd.randrange(30, 200) * scale)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    return image.filter(ImageFilter.GaussianBlur(1))


def base_photos(cache: Path, count: int = BASE_PHOTOS) -> list[bytes]:
    """The base JPEGs, drawn once and kept in `cache` for later runs."""
    cache.mkdir(parents=True, exist_ok=True)
    out = []
    for seed in range(count):
        path = cache / f"base-{GENERATOR_VERSION}-{seed:03d}.jpg"
        if not path.is_file():
            buffer = io.BytesIO()
            draw_base(seed).save(buffer, "JPEG", quality=70)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(buffer.getvalue())
            tmp.replace(path)
        out.append(path.read_bytes())
    return out


def with_comment(jpeg: bytes, text: str) -> bytes:
    """The same pixels, different bytes: a COM segment right after the SOI marker."""
    assert jpeg[:2] == b"\xff\xd8"
    payload = text.encode("utf-8")
    return jpeg[:2] + b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload + jpeg[2:]


def phone_photo(seed: int, size: tuple[int, int] = (4000, 3000), rotated: bool = False) -> bytes:
    """A 12 MP phone-like JPEG (noise, about 3-4 MB), optionally with EXIF orientation 6."""
    rnd = random.Random(seed)
    width, height = size
    image = draw_base(seed, size)
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rnd.randrange(width), rnd.randrange(height)
        r = rnd.randrange(50, 700)
        draw.rectangle(
            (x - r, y - r // 2, x + r, y + r // 2), fill=tuple(rnd.randrange(256) for _ in range(3))
        )
    noise = Image.merge("RGB", [Image.effect_noise(size, 50) for _ in range(3)])
    image = Image.blend(image, noise, 0.18)
    exif = Image.Exif()
    exif[0x0112] = 6 if rotated else 1  # orientation
    exif[0x010F] = "Synthetic"  # make
    exif[0x0110] = "Benchmark phone"  # model
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


# ------------------------------------------------------------------------------ records


def _date_between(rnd: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = (end - start).days
    return start + dt.timedelta(days=rnd.randrange(max(1, span)))


def _certificate(rnd: random.Random, stars: int, issued: dt.date, province: str) -> dict[str, Any]:
    cert: dict[str, Any] = {
        "number": f"{rnd.randrange(100, 9999)}/QĐ-UBND (tổng hợp)",
        "date": issued.isoformat(),
        "issuer": "Bộ Nông nghiệp và Môi trường" if stars == 5 else f"UBND {province}",
        "stars": stars,
    }
    if rnd.random() < 0.6:
        low, high = {3: (50, 69), 4: (70, 89), 5: (90, 100)}[stars]
        cert["score"] = rnd.randint(low, high)
    return cert


def _description(rnd: random.Random, number: int, noun: str, place: str) -> str:
    lines = [
        f"{noun} của vùng **{place}**, hồ sơ tổng hợp số {number:05d} dùng để đo hiệu năng "
        "trình dựng trang. Mọi thông tin trong hồ sơ này là giả định, không phải dữ liệu "
        "chính thức.",
        "",
        "Sản phẩm được làm theo quy trình truyền thống của địa phương, đóng gói gọn, ghi rõ "
        "nguồn gốc, hạn sử dụng và cách bảo quản trên bao bì.",
    ]
    if rnd.random() < 0.5:
        lines += ["", "- Nguyên liệu tại chỗ", "- Không chất bảo quản", "- Đóng gói hút chân không"]
    return "\n".join(lines) + "\n"


def _story(number: int, place: str) -> str:
    return (
        f"Câu chuyện tổng hợp số {number:05d}: một nhóm hộ dân ở {place} cùng nhau giữ nghề, "
        "học thêm cách làm sạch, đóng gói và bán hàng trên mạng. Sau vài năm tham gia chương "
        "trình, sản phẩm có nhãn mác, mã QR truy xuất và được bày bán ở nhiều tỉnh.\n\n"
        "*Đây là văn bản giả định cho đo hiệu năng.*\n"
    )


def _plan_producers(
    rnd: random.Random, count: int, communes: list[CommuneInfo], province_names: dict[str, str]
) -> list[dict[str, Any]]:
    producers = []
    for j in range(count):
        commune = rnd.choice(communes)
        kind = rnd.choices(KINDS, weights=[45, 10, 25, 20])[0]
        record: dict[str, Any] = {
            "id": producer_id(j),
            "name": f"{KIND_PREFIX[kind]} tổng hợp {j:05d}",
            "kind": kind,
            "place": {
                "province": commune.province_code,
                "commune": commune.code,
                "address": f"Địa chỉ tổng hợp số {j}",
            },
        }
        if rnd.random() < 0.5:
            record["representative"] = f"Người đại diện tổng hợp {j:05d}"
        if rnd.random() < 0.5:
            record["phone"] = f"0000 {j // 1000:03d} {j % 1000:03d}"
            if kind == "household_business" and rnd.random() < 0.3:
                record["phone_public"] = True
        if rnd.random() < 0.3:
            record["email"] = f"syn{j:05d}@example.org"
        if rnd.random() < 0.2:
            record["website"] = f"https://example.org/chu-the/{j:05d}"
        record["example"] = True
        producers.append(record)
    return producers


def _plan_products(
    rnd: random.Random,
    n: int,
    producers: list[dict[str, Any]],
    by_province: dict[str, list[CommuneInfo]],
    province_names: dict[str, str],
    photos_per_product: int | None = None,
) -> Iterator[tuple[dict[str, Any], int]]:
    """(record, photo count) for every product, in id order."""
    vocab = load_vocabulary(PROJECT_ROOT / "schemas")
    groups = list(GROUP_WEIGHTS)
    weights = list(GROUP_WEIGHTS.values())
    recent = AS_OF - dt.timedelta(days=3 * 365 - 60)  # still valid on AS_OF
    for i in range(n):
        producer = producers[i // 2] if rnd.random() < 0.85 else rnd.choice(producers)
        province = producer["place"]["province"]
        commune = (
            producer["place"]["commune"]
            if rnd.random() < 0.8
            else rnd.choice(by_province[province]).code
        )
        commune_name = next(c.name for c in by_province[province] if c.code == commune)
        place_name = commune_name.split(" ", 1)[-1] if " " in commune_name else commune_name
        group = rnd.choices(groups, weights=weights)[0]
        subgroups = list(vocab.subgroups[group])
        stars = rnd.choices([3, 4, 5], weights=[60, 35, 5])[0]
        issued = (
            _date_between(rnd, recent, AS_OF - dt.timedelta(days=30))
            if rnd.random() < 0.7
            else _date_between(rnd, dt.date(2020, 1, 1), recent)
        )
        noun = rnd.choice(NOUNS[group])
        record: dict[str, Any] = {
            "id": product_id(i),
            "name": f"Sản phẩm tổng hợp {i:05d}: {noun} {place_name}",
        }
        if rnd.random() < 0.3:
            record["name_en"] = f"Synthetic product {i:05d}"
        record["group"] = group
        if subgroups and rnd.random() < 0.9:
            record["subgroup"] = rnd.choice(subgroups)
        record["stars"] = stars
        cert = _certificate(rnd, stars, issued, province_names[province])
        if rnd.random() < 0.02:
            cert["revoked"] = {
                "date": _date_between(rnd, issued + dt.timedelta(days=1), AS_OF).isoformat(),
                "decision": f"{rnd.randrange(100, 9999)}/QĐ-UBND (tổng hợp)",
                "reason": "Lý do thu hồi tổng hợp (đo hiệu năng)",
            }
        record["certificate"] = cert
        if rnd.random() < 0.2 and issued > dt.date(2020, 6, 1):
            earlier = _date_between(rnd, dt.date(2018, 1, 1), issued - dt.timedelta(days=30))
            record["previous_certificates"] = [
                _certificate(
                    rnd, max(3, stars - rnd.randrange(2)), earlier, province_names[province]
                )
            ]
        record["producer"] = producer["id"]
        place: dict[str, Any] = {"province": province, "commune": commune}
        if rnd.random() < 0.5:
            place["address"] = f"Thôn tổng hợp {i % 97 + 1}"
        record["place"] = place
        if rnd.random() < 0.4:
            body = f"893{i:09d}"
            record["gtin"] = body + str(gtin_check_digit(body))
        record["description"] = _description(rnd, i, noun, place_name)
        if rnd.random() < 0.5:
            record["story"] = _story(i, place_name)
        if rnd.random() < 0.6:
            record["ingredients"] = f"{noun} (100%)"
            record["net_quantity"] = rnd.choice(["250 g", "500 g", "1 kg", "500 ml", "750 ml"])
            record["shelf_life"] = rnd.choice(["6 tháng", "12 tháng", "24 tháng"])
            record["storage"] = "Nơi khô ráo, thoáng mát"
        if rnd.random() < 0.4:
            record["standards"] = rnd.sample(STANDARDS, rnd.randint(1, 2))
        if rnd.random() < 0.3:
            record["where_to_buy"] = [
                {
                    "name": f"Điểm bán tổng hợp {i:05d}",
                    "url": f"https://example.org/diem-ban/{i:05d}",
                }
            ]
        photo_count = rnd.choice([1, 2, 2, 3])
        photo_count = photos_per_product or photo_count
        record["photos"] = [
            {
                "file": f"anh-{k + 1}.jpg",
                "alt": f"Ảnh tổng hợp {k + 1} của sản phẩm {i:05d}: đĩa màu trên nền chuyển sắc",
                "credit": "Ảnh tổng hợp (đo hiệu năng)",
                "licence": "CC0 1.0",
            }
            for k in range(photo_count)
        ]
        record["sources"] = [
            {
                "title": "Nguồn tổng hợp (đo hiệu năng)",
                "url": f"https://example.org/nguon/{i:05d}",
                "date": issued.isoformat(),
            }
        ]
        record["updated"] = _date_between(rnd, issued, AS_OF).isoformat()
        if rnd.random() < 0.02:
            withdrawn: dict[str, Any] = {
                "date": _date_between(rnd, issued, AS_OF).isoformat(),
                "reason": "Ngừng sản xuất (lý do tổng hợp)",
            }
            if i > 0 and rnd.random() < 0.5:
                withdrawn["replaced_by"] = product_id(rnd.randrange(i))
            record["withdrawn"] = withdrawn
        record["example"] = True
        yield record, photo_count


def lot_row(
    rnd: random.Random, product_number: int, k: int, produced: dt.date, commune: str
) -> list[str]:
    """One synthetic lot (a lots.csv row): code unique within the product, dates in order,
    produced on or before AS_OF; one lot in five with a (synthetic) passed inspection."""
    use_by = produced + dt.timedelta(days=rnd.choice([180, 365, 730]))
    row = {
        "lot": f"SYN{produced:%Y%m%d}-{k + 1:02d}",
        "produced": produced.isoformat(),
        "use_by": use_by.isoformat(),
        "quantity": str(rnd.randrange(100, 5000)),
        "unit": rnd.choice(["gói", "chai", "kg", "hộp"]),
        "origin": f"Vùng nguyên liệu tổng hợp {product_number % 50 + 1}",
        "origin_commune": commune,
        "note": LOT_NOTE,
    }
    if rnd.random() < 0.2:
        row.update(
            inspection_report=f"KQ-SYN-{product_number:05d}-{k + 1}",
            inspection_laboratory="Phòng thử nghiệm tổng hợp (đo hiệu năng)",
            inspection_date=min(produced + dt.timedelta(days=3), AS_OF).isoformat(),
            inspection_result="pass",
            inspection_url=f"https://example.org/kq/{product_number:05d}-{k + 1}.pdf",
        )
    return [row.get(column, "") for column in LOT_COLUMNS]


def lots_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LOT_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def product_lots(rnd: random.Random, number: int, count: int, commune: str) -> list[list[str]]:
    """`count` lots of one product, oldest first, about LOT_DAYS apart up to AS_OF."""
    return [
        lot_row(
            rnd,
            number,
            k,
            AS_OF - dt.timedelta(days=(count - k) * LOT_DAYS - rnd.randrange(0, 20)),
            commune,
        )
        for k in range(count)
    ]


class _Dumper(yaml.CSafeDumper):
    """Multi-line text as `|` blocks, the way contributors write descriptions."""


def _represent_str(dumper: yaml.BaseDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    )


_Dumper.add_representer(str, _represent_str)


def _dump(record: dict[str, Any]) -> bytes:
    text = yaml.dump(
        nfc(record),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    return (HEADER + text).encode("utf-8")


def write_catalog(
    root: Path,
    n: int,
    photo_cache: Path,
    seed: int = 42,
    photo_bytes: Callable[[int, int], bytes] | None = None,
    photos_per_product: int | None = None,
    lots_per_product: int = 0,
) -> SyntheticCatalog:
    """Writes root/products, root/producers and root/published-ids.txt into an empty `root`.

    `photo_bytes(product_number, k)`: the k-th photo of a product; default, a base photo with
    its own comment segment. `photos_per_product`: that many each, instead of 1-3 (mean 2).
    `lots_per_product`: a lots.csv of that many lots beside each record, and
    root/published-lots.txt; none when 0. The lots have their own random sequence, so the
    records and photos are the same with lots as without.
    """
    rnd = random.Random(seed)
    lot_rnd = random.Random(seed + 1)
    places = load_places()
    communes = sorted(places.communes.values(), key=lambda c: c.code)
    by_province: dict[str, list[CommuneInfo]] = {}
    for commune in communes:
        by_province.setdefault(commune.province_code, []).append(commune)
    province_names = {code: info.name for code, info in places.provinces.items()}
    bases = base_photos(photo_cache)

    producers = _plan_producers(rnd, max(1, (n + 1) // 2), communes, province_names)
    (root / "producers").mkdir(parents=True)
    for record in producers:
        (root / "producers" / f"{record['id']}.yaml").write_bytes(_dump(record))

    files: list[Path] = []
    ids: list[str] = []
    published_lots: list[str] = []
    photos = 0
    plan = _plan_products(rnd, n, producers, by_province, province_names, photos_per_product)
    for record, photo_count in plan:
        folder = root / "products" / places.provinces[record["place"]["province"]].codename
        folder = folder / record["id"]
        folder.mkdir(parents=True)
        (folder / "product.yaml").write_bytes(_dump(record))
        number = int(record["id"][4:])
        for k in range(photo_count):
            if photo_bytes is not None:
                data = photo_bytes(number, k)
            else:
                data = with_comment(bases[(number * 3 + k) % len(bases)], f"{record['id']}/{k}")
            (folder / f"anh-{k + 1}.jpg").write_bytes(data)
        photos += photo_count
        files.append(folder / "product.yaml")
        ids.append(record["id"])
        if lots_per_product:
            commune = record["place"]["commune"]
            rows = product_lots(lot_rnd, number, lots_per_product, commune)
            (folder / "lots.csv").write_bytes(lots_csv(rows))
            published_lots += [f"{record['id']}/{row[0]}" for row in rows]
    ledger = "# Mã sản phẩm đã công bố (danh mục tổng hợp cho đo hiệu năng)\n" + "\n".join(ids)
    (root / "published-ids.txt").write_text(ledger + "\n", encoding="utf-8")
    if published_lots:
        lots_ledger = "# Lô đã công bố (danh mục tổng hợp cho đo hiệu năng)\n"
        lots_ledger += "\n".join(sorted(published_lots))
        (root / "published-lots.txt").write_text(lots_ledger + "\n", encoding="utf-8")
    return SyntheticCatalog(root, n, len(producers), photos, files, len(published_lots))
