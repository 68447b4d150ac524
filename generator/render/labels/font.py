"""The font every backend measures and draws with: DejaVu Sans, regular and bold, read once per
process, for the widths the layout uses and for the subsets embedded in the PDFs.

The subsets are cut here rather than by a font library: a label's PDF needs one, made of the
few dozen glyphs of its text from both faces in one font, and cutting it this way costs a small
part of a label (see benchmarks/README.md); the tests check each subset against fontTools.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.render.labels.sizes import number
from generator.render.labels.version import FONT_DIR, FONT_FILES

FONTS = {False: FONT_DIR / FONT_FILES[0], True: FONT_DIR / FONT_FILES[1]}


@dataclass(frozen=True)
class Glyph:
    """A glyph as a subset embeds it: without its hinting instructions, padded to 4 bytes."""

    data: bytes
    component_offsets: tuple[int, ...]  # where the glyph ids of its components are in `data`
    components: tuple[int, ...]  # their glyph ids, in the original font
    metric: bytes  # its hmtx entry


class TrueTypeFont:
    """A TrueType file, parsed just enough to measure text and to cut small subsets of it.

    Glyphs are embedded without their hinting instructions (and without the `fpgm`, `prep`,
    `cvt ` tables that run them): hinting serves screens at small pixel sizes, a printed label
    gains nothing from it, and it made up half of each label's font subset."""

    def __init__(self, path: Path) -> None:
        self.data = data = path.read_bytes()
        count = struct.unpack_from(">H", data, 4)[0]
        self.tables: dict[bytes, tuple[int, int]] = {}
        for i in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            self.tables[tag] = (offset, length)
        head = self.table(b"head")
        self.upm = struct.unpack_from(">H", head, 18)[0]
        self.bbox = struct.unpack_from(">4h", head, 36)
        long_loca = struct.unpack_from(">h", head, 50)[0] == 1
        hhea = self.table(b"hhea")
        self.ascent, self.descent = struct.unpack_from(">hh", hhea, 4)
        metrics = struct.unpack_from(">H", hhea, 34)[0]
        glyphs = struct.unpack_from(">H", self.table(b"maxp"), 4)[0]
        hmtx = self.table(b"hmtx")
        pairs = struct.unpack_from(f">{2 * metrics}h", hmtx)
        self.advances = [a & 0xFFFF for a in pairs[0::2]]
        self.advances += [self.advances[-1]] * (glyphs - metrics)
        self.max_advance = max(self.advances)
        self.lsbs = list(pairs[1::2]) + list(
            struct.unpack_from(f">{glyphs - metrics}h", hmtx, 4 * metrics)
        )
        loca = self.table(b"loca")
        if long_loca:
            self.loca = list(struct.unpack_from(f">{glyphs + 1}I", loca))
        else:
            self.loca = [2 * v for v in struct.unpack_from(f">{glyphs + 1}H", loca)]
        self.glyf_offset = self.tables[b"glyf"][0]
        self.cmap = self._read_cmap()
        # Widths in thousandths of the em, summed as reportlab did: the layout stays the same.
        scale = 1000 / self.upm
        self.widths = {chr(c): self.advances[g] * scale for c, g in self.cmap.items()}
        self.default_width = self.advances[0] * scale
        self._glyphs: dict[int, Glyph] = {}

    @lru_cache(maxsize=32)  # noqa: B019 (two fonts a process, kept for its whole life)
    def table(self, tag: bytes) -> bytes:
        offset, length = self.tables[tag]
        return self.data[offset : offset + length]

    @lru_cache(maxsize=4096)  # noqa: B019
    def width_text(self, gid: int) -> str:
        """A glyph's advance in thousandths of the em, as written in a PDF's /W array."""
        return number(self.advances[gid] * 1000 / self.upm)

    def _read_cmap(self) -> dict[int, int]:
        """Code point -> glyph id, from the Windows Unicode BMP subtable (format 4)."""
        data, base = self.data, self.tables[b"cmap"][0]
        for i in range(struct.unpack_from(">H", data, base + 2)[0]):
            platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * i)
            at = base + offset
            if (platform, encoding) == (3, 1) and struct.unpack_from(">H", data, at)[0] == 4:
                break
        else:
            raise ValueError("no Unicode BMP cmap (format 4) in the font")
        segments = struct.unpack_from(">H", data, at + 6)[0] // 2
        ends = struct.unpack_from(f">{segments}H", data, at + 14)
        starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
        deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
        range_at = at + 16 + 6 * segments
        ranges = struct.unpack_from(f">{segments}H", data, range_at)
        cmap: dict[int, int] = {}
        for i, (start, end, delta, offset) in enumerate(
            zip(starts, ends, deltas, ranges, strict=True)
        ):
            for code in range(start, min(end, 0xFFFE) + 1):
                if offset:
                    where = range_at + 2 * i + offset + 2 * (code - start)
                    glyph = struct.unpack_from(">H", data, where)[0]
                    glyph = (glyph + delta) & 0xFFFF if glyph else 0
                else:
                    glyph = (code + delta) & 0xFFFF
                if glyph:
                    cmap[code] = glyph
        return cmap

    def glyph(self, gid: int) -> Glyph:
        cached = self._glyphs.get(gid)
        if cached is not None:
            return cached
        start = self.glyf_offset + self.loca[gid]
        data = self.data[start : self.glyf_offset + self.loca[gid + 1]]
        offsets: list[int] = []
        refs: list[int] = []
        if data:
            contours = struct.unpack_from(">h", data)[0]
            if contours >= 0:
                at = 10 + 2 * contours
                skip = struct.unpack_from(">H", data, at)[0]
                data = data[:at] + b"\0\0" + data[at + 2 + skip :]
            else:
                out = bytearray(data)
                at = 10
                while True:
                    flags, ref = struct.unpack_from(">HH", data, at)
                    struct.pack_into(">H", out, at, flags & ~0x0100)  # WE_HAVE_INSTRUCTIONS
                    offsets.append(at + 2)
                    refs.append(ref)
                    at += 4 + (4 if flags & 0x0001 else 2)  # ARG_1_AND_2_ARE_WORDS
                    at += (
                        2 if flags & 0x0008 else 4 if flags & 0x0040 else 8 if flags & 0x0080 else 0
                    )
                    if not flags & 0x0020:  # MORE_COMPONENTS
                        break
                data = bytes(out[:at])
        data += b"\0" * (-len(data) % 4)
        metric = struct.pack(">Hh", self.advances[gid], self.lsbs[gid])
        cached = Glyph(data, tuple(offsets), tuple(refs), metric)
        self._glyphs[gid] = cached
        return cached


def subset(
    faces: Sequence[tuple[TrueTypeFont, Iterable[int]]],
) -> tuple[bytes, list[tuple[int, int]]]:
    """One TrueType font of the given glyphs of several faces (the regular and the bold DejaVu
    Sans: same em, same vertical metrics), with the glyphs their composites use, numbered from
    the first face's .notdef = 0 in (face, original id) order: one embedded font a PDF instead
    of one a face, so one subset to cut, compress and describe.

    Returns the font file and, for each new glyph id, its (face, original id)."""
    if len({face.upm for face, _ in faces}) != 1:
        raise ValueError("faces of different em sizes cannot share one font")
    order: list[tuple[int, int]] = []
    parts: list[tuple[int, Glyph]] = []
    for index, (face, gids) in enumerate(faces):
        keep = {*gids, 0} if index == 0 else set(gids)
        todo = list(keep)
        while todo:
            for ref in face.glyph(todo.pop()).components:
                if ref not in keep:
                    keep.add(ref)
                    todo.append(ref)
        ids = sorted(keep)
        order += [(index, gid) for gid in ids]
        parts += [(index, face.glyph(gid)) for gid in ids]
    new = {key: i for i, key in enumerate(order)}
    glyphs: list[bytes] = []
    for index, glyph in parts:
        data = glyph.data
        if glyph.component_offsets:
            patched = bytearray(data)
            for at, ref in zip(glyph.component_offsets, glyph.components, strict=True):
                struct.pack_into(">H", patched, at, new[index, ref])
            data = bytes(patched)
        glyphs.append(data)
    hmtx = [glyph.metric for _, glyph in parts]
    glyf = b"".join(glyphs)
    loca = [0, *itertools.accumulate(map(len, glyphs))]
    n = len(order)
    first = faces[0][0]
    head = bytearray(first.table(b"head"))
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
    boxes = [face.bbox for face, _ in faces]
    head[36:44] = struct.pack(
        ">4h",
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    head[50:52] = b"\0\1"  # long loca
    hhea = bytearray(first.table(b"hhea"))
    hhea[10:12] = struct.pack(">H", max(face.max_advance for face, _ in faces))
    hhea[34:36] = struct.pack(">H", n)
    maxp = bytearray(first.table(b"maxp"))
    maxp[4:6] = struct.pack(">H", n)
    # The limits (points, contours, component depth...) of both faces.
    limits = [struct.unpack_from(">13H", face.table(b"maxp"), 6) for face, _ in faces]
    maxp[6:32] = struct.pack(">13H", *map(max, zip(*limits, strict=True)))
    tables = {
        b"OS/2": first.table(b"OS/2"),
        b"glyf": glyf,
        b"head": bytes(head),
        b"hhea": bytes(hhea),
        b"hmtx": b"".join(hmtx),
        b"loca": struct.pack(f">{n + 1}I", *loca),
        b"maxp": bytes(maxp),
        b"post": b"\0\3\0\0" + first.table(b"post")[4:32],  # version 3: no glyph names
    }
    font, total, where = _sfnt(tables)
    struct.pack_into(">I", font, where[b"head"] + 8, (0xB1B0AFBA - total) & 0xFFFFFFFF)
    return bytes(font), order


def _checksum(data: bytes | bytearray) -> int:
    padded = bytes(data) + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _sfnt(tables: dict[bytes, bytes]) -> tuple[bytearray, int, dict[bytes, int]]:
    """The font file of these tables, its checksum (that of the directory plus those of the
    tables, each padded to 4 bytes: no second pass over the file) and where each table is."""
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    out = bytearray(
        struct.pack(
            ">IHHHH", 0x00010000, count, 16 * power, power.bit_length() - 1, 16 * (count - power)
        )
    )
    offset = 12 + 16 * count
    body = bytearray()
    total = 0
    where = {}
    for tag in sorted(tables):
        data = tables[tag]
        checksum = _checksum(data)
        total += checksum
        where[tag] = offset + len(body)
        out += struct.pack(">4sIII", tag, checksum, where[tag], len(data))
        body += data + b"\0" * (-len(data) % 4)
    total += _checksum(out)
    return out + body, total & 0xFFFFFFFF, where


@lru_cache(maxsize=2)
def dejavu(bold: bool) -> TrueTypeFont:
    return TrueTypeFont(FONTS[bold])


def text_width(text: str, size: float, bold: bool) -> float:
    font = dejavu(bold)
    widths = map(font.widths.get, text, itertools.repeat(font.default_width))
    return 0.001 * size * sum(widths)  # mm in, mm out


def missing_glyphs(text: str, bold: bool) -> set[str]:
    """Characters the font cannot draw (they would print as empty boxes)."""
    return {ch for ch in text if ord(ch) not in dejavu(bold).cmap}
