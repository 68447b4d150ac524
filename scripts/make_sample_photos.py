"""Draws the illustrative photos of the bundled sample catalog (catalog/products/...).

The sample records describe real products named in the source articles, but their photos are
made by the project, never copied: simple still lifes drawn with Pillow (a bottle, a pomelo, a
bunch of water dropwort...). Each picture carries the words "Hình vẽ minh họa" so that nobody
takes it for a photograph of the real product.

Deterministic: fixed seeds, no timestamps, no EXIF; the same Pillow version writes the same
bytes. Run from the project root:

    .venv/bin/python scripts/make_sample_photos.py

Output: 1200 x 900 JPEG, quality 82, each well under 150 KB, written into the product folders.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = ROOT / "catalog" / "products"
FONTS = ROOT / "generator" / "fonts"

W, H = 1200, 900  # final size
S = 2  # supersampling factor: draw at 2x, then shrink (smooth edges)
QUALITY = 82
MAX_BYTES = 150 * 1024

RGB = tuple[int, int, int]


# ---------------------------------------------------------------- helpers


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size * S)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    t = max(0.0, min(1.0, t))
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def shade(c: RGB, f: float) -> RGB:
    """f < 1 darkens, f > 1 lightens towards white."""
    if f <= 1:
        return tuple(round(x * f) for x in c)  # type: ignore[return-value]
    return mix(c, (255, 255, 255), f - 1)


def sc(*values: float) -> tuple[int, ...]:
    return tuple(round(v * S) for v in values)


def canvas(wall_top: RGB, wall_bottom: RGB, table: RGB, horizon: float = 0.62) -> Image.Image:
    """A wall with a soft vertical gradient and a table top with a darker front edge."""
    img = Image.new("RGB", (W * S, H * S))
    d = ImageDraw.Draw(img)
    hz = int(H * S * horizon)
    for y in range(hz):
        d.line([(0, y), (W * S, y)], fill=mix(wall_top, wall_bottom, y / hz))
    for y in range(hz, H * S):
        t = (y - hz) / (H * S - hz)
        d.line([(0, y), (W * S, y)], fill=mix(shade(table, 1.08), shade(table, 0.8), t))
    d.line([(0, hz), (W * S, hz)], fill=shade(table, 0.7), width=3 * S)
    return img


def wood_grain(img: Image.Image, table: RGB, horizon: float, seed: int) -> None:
    rnd = random.Random(seed)
    d = ImageDraw.Draw(img)
    top = int(H * S * horizon)
    for _ in range(28):
        y = rnd.randint(top + 6 * S, H * S)
        amp = rnd.uniform(2, 6) * S
        phase = rnd.uniform(0, math.tau)
        pts = [(x, y + amp * math.sin(x / (90 * S) + phase)) for x in range(0, W * S + 1, 20 * S)]
        d.line(pts, fill=shade(table, rnd.uniform(0.82, 0.93)), width=rnd.randint(1, 3) * S)


def shadow(img: Image.Image, cx: float, cy: float, rx: float, ry: float, strength: int = 110):
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse(sc(cx - rx, cy - ry, cx + rx, cy + ry), fill=strength)
    mask = mask.filter(ImageFilter.GaussianBlur(14 * S))
    img.paste((30, 22, 15), (0, 0), mask)


def ball(
    img: Image.Image,
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    base: RGB,
    light: float = 1.35,
    dark: float = 0.6,
    steps: int = 36,
) -> None:
    """A shaded round fruit: concentric ellipses drifting towards a highlight at top left."""
    d = ImageDraw.Draw(img)
    for i in range(steps):
        t = i / (steps - 1)
        k = 1 - 0.85 * t
        ox, oy = -0.32 * rx * t, -0.34 * ry * t
        c = (
            mix(shade(base, dark), base, min(1.0, t * 1.6))
            if t < 0.62
            else mix(base, shade(base, light), (t - 0.62) / 0.38)
        )
        d.ellipse(
            sc(cx + ox - rx * k, cy + oy - ry * k, cx + ox + rx * k, cy + oy + ry * k), fill=c
        )


def leaf(
    img: Image.Image, x: float, y: float, length: float, width: float, angle: float, color: RGB
) -> None:
    """A pointed leaf from (x, y) in direction `angle` (degrees), with a midrib."""
    d = ImageDraw.Draw(img)
    a = math.radians(angle)
    ux, uy = math.cos(a), math.sin(a)
    px, py = -uy, ux
    pts_l, pts_r = [], []
    for i in range(21):
        t = i / 20
        w = width * math.sin(math.pi * t) ** 0.8 / 2
        bx, by = x + ux * length * t, y + uy * length * t
        pts_l.append(sc(bx + px * w, by + py * w))
        pts_r.append(sc(bx - px * w, by - py * w))
    d.polygon(pts_l + pts_r[::-1], fill=color)
    d.polygon(pts_l[:11] + pts_r[10::-1], fill=shade(color, 0.86))
    d.line(
        [sc(x, y), sc(x + ux * length * 0.95, y + uy * length * 0.95)],
        fill=shade(color, 1.25),
        width=2 * S,
    )


def rounded(
    d: ImageDraw.ImageDraw,
    box: tuple[float, float, float, float],
    r: float,
    fill: RGB,
    outline: RGB | None = None,
    width: int = 0,
) -> None:
    d.rounded_rectangle(sc(*box), radius=r * S, fill=fill, outline=outline, width=width * S)


def centered_text(
    d: ImageDraw.ImageDraw, cx: float, cy: float, text: str, f: ImageFont.FreeTypeFont, fill: RGB
) -> None:
    d.text((cx * S, cy * S), text, font=f, fill=fill, anchor="mm")


def bottle(
    img: Image.Image,
    cx: float,
    base_y: float,
    w: float,
    h: float,
    glass: RGB,
    liquid: RGB,
    fill_level: float,
    cap: RGB,
    label_bg: RGB,
    label_lines: list[str],
    label_ink: RGB,
) -> None:
    """A wine-style bottle: body, shoulder, neck, cap, liquid and a paper label."""
    d = ImageDraw.Draw(img)
    body_top = base_y - h * 0.62
    neck_w = w * 0.32
    shoulder = [
        (cx - w / 2, body_top),
        (cx - neck_w / 2, body_top - h * 0.16),
        (cx - neck_w / 2, base_y - h),
        (cx + neck_w / 2, base_y - h),
        (cx + neck_w / 2, body_top - h * 0.16),
        (cx + w / 2, body_top),
    ]
    d.polygon([sc(*p) for p in shoulder], fill=glass)
    rounded(d, (cx - w / 2, body_top - 2, cx + w / 2, base_y), w * 0.12, glass)
    # liquid, darker at the edges
    ly = base_y - (base_y - body_top) * fill_level
    rounded(d, (cx - w / 2 + 8, ly, cx + w / 2 - 8, base_y - 8), w * 0.1, shade(liquid, 0.8))
    rounded(d, (cx - w / 2 + 22, ly + 6, cx + w / 2 - 22, base_y - 14), w * 0.08, liquid)
    # highlight stripe
    rounded(
        d,
        (cx - w * 0.36, body_top + 20, cx - w * 0.26, base_y - 40),
        8,
        shade(mix(glass, liquid, 0.5), 1.45),
    )
    # cap
    rounded(
        d, (cx - neck_w / 2 - 4, base_y - h - 8, cx + neck_w / 2 + 4, base_y - h + h * 0.1), 6, cap
    )
    # label
    lt, lb = body_top + (base_y - body_top) * 0.22, body_top + (base_y - body_top) * 0.72
    rounded(d, (cx - w / 2 + 6, lt, cx + w / 2 - 6, lb), 6, label_bg, shade(label_bg, 0.7), 2)
    step = (lb - lt) / (len(label_lines) + 1)
    for i, line in enumerate(label_lines):
        size = 26 if i == 0 else 18
        centered_text(d, cx, lt + step * (i + 1), line, font(size, bold=i == 0), label_ink)


def caption(img: Image.Image, text: str = "Hình vẽ minh họa · OCOP Open Catalog") -> None:
    """The marker that says this is a drawing, bottom right, on a translucent band."""
    band = Image.new("L", img.size, 0)
    f = font(20)
    d0 = ImageDraw.Draw(img)
    box = d0.textbbox((0, 0), text, font=f)
    tw, th = box[2] - box[0], box[3] - box[1]
    x1, y1 = W * S - 24 * S, H * S - 22 * S
    x0, y0 = x1 - tw - 28 * S, y1 - th - 22 * S
    ImageDraw.Draw(band).rounded_rectangle((x0, y0, x1, y1), radius=10 * S, fill=150)
    img.paste((255, 255, 255), (0, 0), band)
    d0.text(((x0 + x1) / 2, (y0 + y1) / 2), text, font=f, fill=(70, 60, 50), anchor="mm")


# ---------------------------------------------------------------- the drawings


def draw_ruou_mo_chai() -> Image.Image:
    """Yên Tử apricot wine: an amber bottle, a small glass and apricots on a wooden table."""
    table = (150, 98, 58)
    img = canvas((236, 226, 204), (214, 196, 164), table)
    wood_grain(img, table, 0.62, seed=101)
    shadow(img, 560, 800, 150, 28)
    bottle(
        img,
        560,
        800,
        230,
        640,
        glass=(120, 84, 40),
        liquid=(214, 140, 38),
        fill_level=0.92,
        cap=(120, 28, 24),
        label_bg=(246, 236, 206),
        label_lines=["RƯỢU MƠ", "hình vẽ minh họa"],
        label_ink=(110, 40, 24),
    )
    # a small glass of wine
    d = ImageDraw.Draw(img)
    shadow(img, 820, 812, 70, 14)
    d.polygon([sc(770, 640), sc(870, 640), sc(855, 805), sc(785, 805)], fill=(226, 214, 190))
    d.polygon([sc(776, 700), sc(864, 700), sc(855, 800), sc(785, 800)], fill=(224, 146, 44))
    d.line([sc(784, 650), sc(792, 790)], fill=(250, 244, 232), width=4 * S)
    # apricots
    rnd = random.Random(102)
    for x, y in [(300, 790), (370, 815), (240, 830), (930, 800), (1000, 830)]:
        shadow(img, x, y + 30, 52, 12, 90)
        ball(img, x, y, 50 + rnd.uniform(-4, 4), 46 + rnd.uniform(-4, 4), (236, 170, 40))
        ImageDraw.Draw(img).arc(
            sc(x - 10, y - 46, x + 30, y + 10), 200, 270, fill=(196, 120, 30), width=3 * S
        )
    leaf(img, 300, 745, 110, 44, -35, (92, 140, 58))
    leaf(img, 930, 755, 100, 40, -140, (84, 132, 52))
    return img


def draw_ruou_mo_qua() -> Image.Image:
    """Yên Tử apricot wine, second picture: a bamboo tray of sorted yellow apricots."""
    table = (170, 126, 80)
    img = canvas((228, 236, 214), (204, 214, 186), table, horizon=0.45)
    d = ImageDraw.Draw(img)
    shadow(img, 600, 700, 470, 120, 120)
    d.ellipse(sc(130, 420, 1070, 840), fill=(196, 160, 96))
    d.ellipse(sc(160, 445, 1040, 815), fill=(214, 180, 112))
    for i in range(0, 360, 12):  # woven rim
        a = math.radians(i)
        x, y = 600 + 455 * math.cos(a), 630 + 200 * math.sin(a)
        d.ellipse(sc(x - 14, y - 8, x + 14, y + 8), fill=(176, 138, 80))
    rnd = random.Random(201)
    spots = []
    for row in range(5):
        for col in range(9):
            x = 250 + col * 88 + (44 if row % 2 else 0) + rnd.uniform(-8, 8)
            y = 505 + row * 62 + rnd.uniform(-6, 6)
            if ((x - 600) / 420) ** 2 + ((y - 630) / 170) ** 2 < 1:
                spots.append((y, x))
    for y, x in sorted(spots):
        color = mix((240, 182, 46), (226, 150, 40), rnd.random())
        ball(img, x, y, 46, 42, color, steps=24)
    leaf(img, 980, 470, 150, 56, -160, (86, 136, 56))
    leaf(img, 990, 480, 130, 50, 160, (100, 150, 64))
    return img


def draw_nuoc_mam() -> Image.Image:
    """Peanut-worm fish sauce: a tall glass bottle of red-brown sauce and a dipping dish."""
    table = (200, 200, 196)
    img = canvas((214, 226, 232), (186, 204, 214), table, horizon=0.64)
    shadow(img, 520, 810, 120, 24)
    bottle(
        img,
        520,
        810,
        190,
        660,
        glass=(196, 204, 200),
        liquid=(150, 70, 30),
        fill_level=0.95,
        cap=(200, 40, 36),
        label_bg=(250, 250, 244),
        label_lines=["NƯỚC MẮM", "sá sùng", "hình vẽ minh họa"],
        label_ink=(40, 70, 120),
    )
    d = ImageDraw.Draw(img)
    shadow(img, 830, 810, 150, 26)
    d.ellipse(sc(680, 730, 980, 820), fill=(242, 244, 246))
    d.ellipse(sc(700, 740, 960, 800), fill=(168, 84, 38))
    d.ellipse(sc(760, 750, 820, 764), fill=(206, 128, 70))
    # chilli slices in the dish
    for x, y in [(800, 772), (850, 780), (900, 768)]:
        d.ellipse(sc(x - 9, y - 7, x + 9, y + 7), fill=(214, 40, 30))
        d.ellipse(sc(x - 3, y - 2, x + 3, y + 2), fill=(246, 214, 120))
    # dried peanut worms, drawn as curled strips beside the bottle
    for i, (x, y) in enumerate([(250, 820), (300, 850), (200, 860)]):
        pts = [sc(x + 40 * math.cos(t / 6 + i), y + 14 * math.sin(t / 3)) for t in range(0, 19)]
        d.line(pts, fill=(196, 150, 100), width=16 * S, joint="curve")
        d.line(pts, fill=(220, 180, 130), width=6 * S, joint="curve")
    return img


def draw_buoi() -> Image.Image:
    """Lâm Động pomelo: two large green-yellow pomelos with leaves, one cut open."""
    table = (226, 214, 190)
    img = canvas((242, 240, 226), (226, 222, 200), table, horizon=0.58)
    shadow(img, 430, 800, 230, 40)
    ball(img, 430, 560, 240, 245, (186, 196, 70), light=1.3, dark=0.62)
    d = ImageDraw.Draw(img)
    d.ellipse(sc(420, 308, 440, 326), fill=(110, 96, 40))
    d.line([sc(430, 316), sc(436, 280)], fill=(96, 80, 40), width=7 * S)
    leaf(img, 438, 290, 180, 70, -20, (60, 120, 50))
    leaf(img, 436, 292, 150, 60, -150, (72, 134, 58))
    # the cut half: thick white pith, pink-yellow segments
    shadow(img, 850, 810, 200, 30)
    d.ellipse(sc(650, 600, 1050, 820), fill=(176, 188, 70))
    d.ellipse(sc(668, 612, 1032, 806), fill=(248, 244, 226))
    d.ellipse(sc(706, 636, 994, 782), fill=(246, 196, 160))
    for k in range(12):
        a = math.radians(k * 30)
        d.line(
            [sc(850, 709), sc(850 + 144 * math.cos(a), 709 + 73 * math.sin(a))],
            fill=(252, 236, 220),
            width=3 * S,
        )
    d.ellipse(sc(838, 703, 862, 715), fill=(252, 240, 226))
    return img


def draw_na() -> Image.Image:
    """Liên Khê custard apple: knobbly green fruit in a paper-lined crate with a green tag."""
    table = (160, 118, 74)
    img = canvas((236, 232, 218), (218, 210, 190), table, horizon=0.5)
    wood_grain(img, table, 0.5, seed=301)
    d = ImageDraw.Draw(img)
    shadow(img, 600, 820, 430, 40)
    d.polygon([sc(170, 520), sc(1030, 520), sc(1000, 830), sc(200, 830)], fill=(214, 186, 140))
    d.polygon([sc(190, 530), sc(1010, 530), sc(990, 600), sc(210, 600)], fill=(240, 236, 226))
    for i, x in enumerate([300, 470, 640, 810]):
        y = 520 + (18 if i % 2 else 0)
        ball(img, x, y, 92, 100, (132, 170, 96), light=1.25, dark=0.65, steps=28)
        for r in range(5):  # the scale pattern of a custard apple
            for c in range(5):
                ex = x - 64 + c * 32 + (16 if r % 2 else 0)
                ey = y - 68 + r * 32
                if ((ex - x) / 86) ** 2 + ((ey - y) / 94) ** 2 < 0.8:
                    d.arc(
                        sc(ex - 18, ey - 15, ex + 18, ey + 15),
                        20,
                        160,
                        fill=(92, 126, 70),
                        width=3 * S,
                    )
        d.line([sc(x, y - 100), sc(x + 6, y - 126)], fill=(90, 70, 40), width=6 * S)
    d.polygon([sc(200, 600), sc(1000, 600), sc(985, 830), sc(215, 830)], fill=(204, 172, 122))
    for y in (660, 740):
        d.line([sc(210, y), sc(992, y)], fill=(184, 150, 100), width=3 * S)
    rounded(d, (480, 660, 720, 760), 10, (64, 132, 70))
    centered_text(d, 600, 694, "VietGAP", font(30, bold=True), (255, 255, 255))
    centered_text(d, 600, 734, "hình vẽ minh họa", font(16), (226, 240, 226))
    return img


def draw_rau_can() -> Image.Image:
    """Khai Thái water dropwort: a bunch of long pale-green stems tied with a straw band."""
    table = (206, 190, 160)
    img = canvas((230, 238, 232), (206, 220, 210), table, horizon=0.55)
    d = ImageDraw.Draw(img)
    shadow(img, 600, 790, 420, 40)
    rnd = random.Random(401)
    stems = []
    for _ in range(34):
        y0 = 760 + rnd.uniform(-30, 30)
        x0 = 250 + rnd.uniform(-30, 30)
        x1 = 860 + rnd.uniform(-40, 80)
        y1 = 520 + rnd.uniform(-180, 120)
        stems.append((x0, y0, x1, y1))
    for x0, y0, x1, y1 in stems:
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2 + 20
        pts = [
            sc(
                (1 - t) ** 2 * x0 + 2 * (1 - t) * t * mx + t * t * x1,
                (1 - t) ** 2 * y0 + 2 * (1 - t) * t * my + t * t * y1,
            )
            for t in (i / 16 for i in range(17))
        ]
        d.line(
            pts, fill=mix((208, 226, 170), (120, 170, 80), rnd.random()), width=9 * S, joint="curve"
        )
    for _x0, _y0, x1, y1 in stems:  # serrated leaflets at the tips
        for k in range(3):
            leaf(
                img,
                x1,
                y1,
                70 + rnd.uniform(-10, 20),
                34,
                rnd.uniform(-80, 40) + k * 30,
                mix((70, 140, 60), (110, 170, 80), rnd.random()),
            )
    for x in (400, 430):  # straw band
        d.line([sc(x, 640), sc(x - 20, 830)], fill=(196, 160, 80), width=14 * S)
    return img


def draw_khoai_so() -> Image.Image:
    """Phì Nhừ taro: brown hairy corms with rings, one cut to show the white flesh."""
    table = (176, 150, 110)
    img = canvas((236, 228, 210), (214, 200, 176), table, horizon=0.52)
    wood_grain(img, table, 0.52, seed=501)
    d = ImageDraw.Draw(img)
    rnd = random.Random(502)
    corms = [
        (330, 690, 110, 90),
        (520, 720, 120, 96),
        (720, 680, 104, 86),
        (440, 590, 96, 80),
        (630, 600, 92, 78),
    ]
    for x, y, rx, ry in sorted(corms, key=lambda c: c[1]):
        shadow(img, x, y + ry * 0.8, rx, 18, 80)
        ball(img, x, y, rx, ry, (128, 92, 62), light=1.2, dark=0.62, steps=26)
        for k in range(-2, 3):  # rings
            d.arc(
                sc(
                    x - rx * 0.95,
                    y + k * ry * 0.32 - ry * 0.4,
                    x + rx * 0.95,
                    y + k * ry * 0.32 + ry * 0.4,
                ),
                10,
                170,
                fill=(96, 66, 42),
                width=3 * S,
            )
        for _ in range(24):  # fibres
            a = rnd.uniform(0, math.tau)
            px, py = x + rx * 0.8 * math.cos(a), y + ry * 0.8 * math.sin(a)
            d.line(
                [sc(px, py), sc(px + rnd.uniform(-8, 8), py + rnd.uniform(-8, 8))],
                fill=(84, 60, 40),
                width=2 * S,
            )
    shadow(img, 920, 790, 110, 20)
    d.ellipse(sc(820, 680, 1020, 800), fill=(110, 80, 54))
    d.ellipse(sc(832, 690, 1008, 790), fill=(244, 238, 226))
    for _ in range(40):  # purple specks in the flesh
        a, r = rnd.uniform(0, math.tau), rnd.uniform(0, 0.9)
        px, py = 920 + 80 * r * math.cos(a), 740 + 42 * r * math.sin(a)
        d.ellipse(sc(px - 2, py - 2, px + 2, py + 2), fill=(176, 150, 190))
    return img


def draw_bi_xanh() -> Image.Image:
    """Tìa Dình winter melon: long dark-green melons with a waxy bloom, on a bamboo mat."""
    table = (196, 170, 110)
    img = canvas((226, 234, 238), (200, 214, 220), table, horizon=0.48)
    d = ImageDraw.Draw(img)
    for x in range(0, W, 24):  # bamboo mat slats
        d.line([sc(x, 432), sc(x - 120, 900)], fill=(176, 150, 94), width=3 * S)

    def melon(cx: float, cy: float, length: float, radius: float, angle: float) -> None:
        layer = Image.new("RGBA", sc(length + 40, radius * 2 + 40), (0, 0, 0, 0))
        ld = ImageDraw.Draw(layer)
        steps = 30
        for i in range(steps):
            t = i / (steps - 1)
            k = 1 - 0.8 * t
            c = mix((34, 72, 40), (86, 132, 84), t)
            ld.rounded_rectangle(
                sc(
                    20 + (1 - k) * 30,
                    20 + radius * (1 - k) - radius * 0.3 * t,
                    20 + length - (1 - k) * 30,
                    20 + radius * (1 + k) - radius * 0.3 * t,
                ),
                radius=radius * k * S,
                fill=(*c, 255),
            )
        for i in range(7):  # pale speckles of the waxy skin
            x = 60 + i * (length - 80) / 6
            ld.ellipse(
                sc(x, 20 + radius * 0.5, x + 24, 20 + radius * 0.62), fill=(170, 200, 170, 160)
            )
        layer = layer.rotate(angle, expand=True, resample=Image.BICUBIC)
        img.paste(layer, (round(cx * S - layer.width / 2), round(cy * S - layer.height / 2)), layer)

    shadow(img, 560, 820, 380, 40)
    melon(560, 720, 700, 110, 6)
    shadow(img, 640, 640, 330, 30, 80)
    melon(640, 560, 620, 96, -4)
    d.ellipse(sc(880, 520, 900, 540), fill=(140, 130, 90))
    return img


def draw_lac_do() -> Image.Image:
    """Na Son red peanut: a wooden bowl of red-skinned kernels and a few pods beside it."""
    table = (122, 84, 52)
    img = canvas((234, 224, 206), (212, 196, 172), table, horizon=0.55)
    wood_grain(img, table, 0.55, seed=601)
    d = ImageDraw.Draw(img)
    rnd = random.Random(602)
    shadow(img, 560, 800, 320, 40)
    d.pieslice(sc(240, 360, 880, 860), 0, 180, fill=(150, 100, 60))
    d.ellipse(sc(240, 540, 880, 680), fill=(120, 78, 46))
    kernels = []
    for _ in range(170):
        a, r = rnd.uniform(0, math.tau), math.sqrt(rnd.random())
        kernels.append((600 - 0 + 290 * r * math.cos(a) - 40, 600 + 56 * r * math.sin(a) - 6))
    for x, y in sorted(kernels, key=lambda k: k[1]):
        ang = rnd.uniform(0, 180)
        layer = Image.new("RGBA", sc(60, 60), (0, 0, 0, 0))
        ld = ImageDraw.Draw(layer)
        base = mix((170, 40, 40), (120, 24, 30), rnd.random())
        ld.ellipse(sc(12, 20, 48, 40), fill=(*base, 255))
        ld.ellipse(sc(18, 23, 32, 29), fill=(*shade(base, 1.35), 255))
        layer = layer.rotate(ang, resample=Image.BICUBIC)
        img.paste(layer, (round((x - 30) * S), round((y - 30) * S)), layer)
    for x, y, ang in [(960, 800, 20), (1040, 760, -30), (160, 820, 70)]:  # pods
        layer = Image.new("RGBA", sc(160, 80), (0, 0, 0, 0))
        ld = ImageDraw.Draw(layer)
        ld.ellipse(sc(10, 16, 80, 64), fill=(214, 186, 140, 255))
        ld.ellipse(sc(66, 18, 150, 62), fill=(214, 186, 140, 255))
        ld.rectangle(sc(56, 28, 90, 52), fill=(214, 186, 140, 255))
        for gx in range(20, 146, 12):
            ld.line([sc(gx, 22), sc(gx, 58)], fill=(190, 160, 112, 255), width=2 * S)
        layer = layer.rotate(ang, expand=True, resample=Image.BICUBIC)
        img.paste(layer, (round(x * S - layer.width / 2), round(y * S - layer.height / 2)), layer)
    return img


def draw_ho_tieu() -> Image.Image:
    """Vĩnh Linh pepper: a clay bowl of black peppercorns, a glass jar and a fresh green spike."""
    table = (92, 70, 52)
    img = canvas((222, 214, 200), (196, 184, 166), table, horizon=0.58)
    wood_grain(img, table, 0.58, seed=701)
    d = ImageDraw.Draw(img)
    rnd = random.Random(702)
    # jar
    shadow(img, 870, 800, 130, 24)
    rounded(d, (760, 430, 980, 800), 30, (200, 206, 204))
    rounded(d, (772, 520, 968, 790), 24, (52, 44, 40))
    for _ in range(160):
        x, y = rnd.uniform(782, 958), rnd.uniform(528, 782)
        c = mix((40, 34, 30), (84, 70, 60), rnd.random())
        d.ellipse(sc(x - 7, y - 7, x + 7, y + 7), fill=c)
    rounded(d, (750, 400, 990, 440), 10, (170, 110, 60))
    rounded(d, (782, 590, 958, 700), 8, (246, 240, 222))
    centered_text(d, 870, 628, "HẠT TIÊU", font(26, bold=True), (90, 40, 30))
    centered_text(d, 870, 668, "hình vẽ minh họa", font(15), (110, 90, 70))
    # bowl of peppercorns
    shadow(img, 430, 810, 260, 34)
    d.pieslice(sc(170, 500, 690, 880), 0, 180, fill=(176, 96, 60))
    d.ellipse(sc(170, 640, 690, 740), fill=(150, 80, 50))
    corns = [(rnd.uniform(200, 660), rnd.uniform(652, 724)) for _ in range(420)]
    for x, y in sorted(corns, key=lambda c: c[1]):
        if ((x - 430) / 250) ** 2 + ((y - 690) / 48) ** 2 > 1:
            continue
        c = mix((34, 28, 24), (92, 76, 62), rnd.random())
        d.ellipse(sc(x - 9, y - 9, x + 9, y + 9), fill=c)
        d.ellipse(sc(x - 5, y - 6, x - 1, y - 2), fill=shade(c, 1.5))
    # fresh pepper spike
    d.line([sc(120, 860), sc(330, 800)], fill=(70, 110, 50), width=6 * S)
    for i in range(14):
        x, y = 140 + i * 14, 852 - i * 4
        for dy in (-10, 10):
            ball(img, x, y + dy, 10, 10, (70, 150, 60), steps=8)
    leaf(img, 330, 800, 150, 70, -40, (50, 110, 50))
    return img


def draw_rau_an_toan() -> Image.Image:
    """Minh Tân safe vegetables: a bamboo basket of leafy greens, a cabbage and tomatoes."""
    table = (214, 198, 168)
    img = canvas((234, 240, 230), (212, 224, 206), table, horizon=0.6)
    d = ImageDraw.Draw(img)
    rnd = random.Random(801)
    shadow(img, 520, 820, 360, 40)
    # leaves behind the basket rim
    for _ in range(60):
        x, y = rnd.uniform(240, 800), rnd.uniform(470, 600)
        leaf(
            img,
            x,
            y + 80,
            rnd.uniform(120, 200),
            rnd.uniform(50, 80),
            rnd.uniform(-150, -30),
            mix((50, 120, 50), (120, 180, 80), rnd.random()),
        )
    # the basket
    d.polygon([sc(190, 600), sc(850, 600), sc(790, 830), sc(250, 830)], fill=(190, 150, 90))
    for y in range(612, 830, 22):
        d.line(
            [sc(195 + (y - 600) * 0.26, y), sc(845 - (y - 600) * 0.26, y)],
            fill=(160, 120, 70),
            width=4 * S,
        )
    for x in range(220, 840, 40):
        d.line([sc(x, 600), sc(x + (520 - x) * 0.1, 830)], fill=(170, 130, 76), width=3 * S)
    rounded(d, (180, 585, 860, 615), 12, (150, 110, 62))
    # cabbage and tomatoes
    shadow(img, 990, 780, 130, 24)
    ball(img, 990, 680, 130, 110, (150, 196, 120), light=1.3, dark=0.7)
    for k in range(5):
        d.arc(
            sc(880 + k * 12, 590 + k * 10, 1100 - k * 12, 780 - k * 8),
            200,
            340,
            fill=(120, 170, 96),
            width=4 * S,
        )
    for x, y in [(900, 770), (1000, 780), (1100, 760)]:
        shadow(img, x, y + 30, 44, 10, 90)
        ball(img, x, y, 44, 40, (210, 50, 36))
        leaf(img, x - 4, y - 38, 26, 14, -60, (60, 120, 50))
    return img


# ---------------------------------------------------------------- the catalog's pictures

# (province folder, product id, file name, drawing)
PICTURES: list[tuple[str, str, str, Callable[[], Image.Image]]] = [
    ("quang_ninh", "qn-ruou-mo-yen-tu", "chai-ruou-mo.jpg", draw_ruou_mo_chai),
    ("quang_ninh", "qn-ruou-mo-yen-tu", "qua-mo.jpg", draw_ruou_mo_qua),
    ("quang_ninh", "qn-nuoc-mam-sa-sung-newstar", "chai-nuoc-mam.jpg", draw_nuoc_mam),
    ("hai_phong", "hp-buoi-lam-dong", "qua-buoi.jpg", draw_buoi),
    ("hai_phong", "hp-na-lien-khe", "thung-na.jpg", draw_na),
    ("ha_noi", "hn-rau-can-khai-thai", "bo-rau-can.jpg", draw_rau_can),
    ("ha_noi", "hn-rau-an-toan-minh-tan", "gio-rau.jpg", draw_rau_an_toan),
    ("dien_bien", "db-khoai-so-phi-nhu", "cu-khoai-so.jpg", draw_khoai_so),
    ("dien_bien", "db-bi-xanh-tia-dinh", "qua-bi-xanh.jpg", draw_bi_xanh),
    ("dien_bien", "db-lac-do-na-son", "bat-lac-do.jpg", draw_lac_do),
    ("quang_tri", "qt-ho-tieu-vinh-linh", "hat-tieu.jpg", draw_ho_tieu),
]


def render(draw: Callable[[], Image.Image]) -> Image.Image:
    img = draw()
    caption(img)
    return img.resize((W, H), Image.LANCZOS)


def main() -> int:
    for province, pid, name, draw in PICTURES:
        folder = PRODUCTS / province / pid
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / name
        img = render(draw)
        # no exif, no ICC profile, no timestamps: the bytes depend only on the drawing
        img.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=False)
        size = out.stat().st_size
        if size > MAX_BYTES:
            raise SystemExit(f"{out}: {size} bytes, more than {MAX_BYTES}")
        print(f"{out.relative_to(ROOT)}  {W}x{H}  {size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
