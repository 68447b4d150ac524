"""The label (and the sheets) as PDF: a small writer of exactly what a label needs, the QR as
one path and the text in one embedded DejaVu subset holding both faces, deterministic by
construction: no dates, the document id a hash of the file."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from generator.render.labels.font import dejavu, subset
from generator.render.labels.layout import Layout, Text
from generator.render.labels.sizes import MM
from generator.render.labels.sizes import number as _n


def _pdf_string(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


@dataclass(frozen=True)
class _EmbeddedFont:
    """A font subset as PDF objects, before numbering: made once per set of characters."""

    codes: dict[bool, dict[str, str]]  # face (bold?) -> character -> 4 hex digits in the text
    name: str
    program: bytes  # the stream objects, ready
    to_unicode: bytes
    widths: str


@lru_cache(maxsize=32)
def _embedded_font(regular: frozenset[str], bold: frozenset[str]) -> _EmbeddedFont:
    """Kept for the next few documents: a producer with one product has a sheet with the same
    characters as that product's label, drawn just after it (see stage._draw_job)."""
    faces = (dejavu(False), dejavu(True))
    # A character the font lacks (none of Vietnamese) shows the .notdef box, code 0000.
    gids = {
        face: {ch: faces[face].cmap.get(ord(ch), 0) for ch in sorted(chars)}
        for face, chars in ((False, regular), (True, bold))
    }
    program, order = subset(
        [(faces[face], [g for g in gids[face].values() if g]) for face in (False, True)]
    )
    new = {key: i for i, key in enumerate(order)}
    codes = {
        face: {ch: f"{new[int(face), g]:04X}" if g else "0000" for ch, g in gids[face].items()}
        for face in (False, True)
    }
    # The subset tag (six capitals) names this glyph set: same glyphs, same name.
    digest = hashlib.sha256(repr(order).encode()).digest()
    name = "".join(chr(65 + b % 26) for b in digest[:6]) + "+DejaVuSans"
    # ToUnicode: copying or searching the text gives the characters back.
    pairs = sorted(
        (code, ch) for face in (False, True) for ch, code in codes[face].items() if code != "0000"
    )
    blocks = []
    for i in range(0, len(pairs), 100):
        chunk = pairs[i : i + 100]
        lines = "\n".join([f"<{code}> <{ord(ch):04X}>" for code, ch in chunk])  # BMP only
        blocks.append(f"{len(chunk)} beginbfchar\n{lines}\nendbfchar")
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    return _EmbeddedFont(
        codes=codes,
        name=name,
        # zlib level 1: glyph outlines hardly compress better at 6, in 1.5x the time.
        program=_stream(program, f"/Length1 {len(program)}", level=1),
        to_unicode=_stream(cmap.encode(), level=1),
        widths=" ".join([faces[face].width_text(gid) for face, gid in order]),
    )


class _PdfFonts:
    """The font of one document: the glyphs its texts use, regular and bold, in one subset."""

    def __init__(self, texts: Iterable[Text]) -> None:
        self.used: dict[bool, set[str]] = {False: set(), True: set()}
        for t in texts:
            self.used[t.bold].update(t.text)
        self.codes: dict[bool, dict[str, str]] = {}

    def write(self, pdf: _Pdf) -> bytes:
        """Adds the font (if any text uses it); returns the /Font resource dictionary."""
        if not (self.used[False] or self.used[True]):
            return b"<< >>"
        font = _embedded_font(frozenset(self.used[False]), frozenset(self.used[True]))
        self.codes = font.codes
        regular = dejavu(False)
        scale = 1000 / regular.upm
        bbox = " ".join(_n(v * scale) for v in regular.bbox)
        file = pdf.add(font.program)
        descriptor = pdf.add(
            f"<< /Type /FontDescriptor /FontName /{font.name} /Flags 4 /FontBBox [{bbox}] "
            f"/ItalicAngle 0 /Ascent {_n(regular.ascent * scale)} "
            f"/Descent {_n(regular.descent * scale)} /CapHeight {_n(regular.ascent * scale)} "
            f"/StemV 87 /FontFile2 {file} 0 R >>".encode()
        )
        cid = pdf.add(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{font.name} /CIDSystemInfo "
            "<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity "
            f"/W [0 [{font.widths}]] >>".encode()
        )
        unicode = pdf.add(font.to_unicode)
        type0 = pdf.add(
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{font.name} /Encoding /Identity-H "
            f"/DescendantFonts [{cid} 0 R] /ToUnicode {unicode} 0 R >>".encode()
        )
        return f"<< /F1 {type0} 0 R >>".encode()

    def encode(self, t: Text) -> str:
        codes = self.codes[t.bold]
        return "".join([codes[ch] for ch in t.text])


def _stream(data: bytes, extra: str = "", level: int = 6) -> bytes:
    """A compressed stream object's body."""
    packed = zlib.compress(data, level)
    head = f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n".encode()
    return head + packed + b"\nendstream"


class _Pdf:
    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def add(self, body: bytes) -> int:
        self.objects.append(body)
        return len(self.objects)

    def reserve(self) -> int:
        return self.add(b"")

    def put(self, number: int, body: bytes) -> None:
        self.objects[number - 1] = body

    def stream(self, data: bytes, extra: str = "", level: int = 6) -> int:
        return self.add(_stream(data, extra, level))

    def finish(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        doc_id = hashlib.sha256(out).hexdigest()[:32].upper().encode()
        out += (
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
            b"startxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, root, info, doc_id, doc_id, xref)
        )
        return bytes(out)


def _label_ops(layout: Layout, fonts: _PdfFonts, ox: float, oy: float, page_h: float) -> list[str]:
    """Content-stream operators of a label with its top-left corner at (ox, oy) mm from the
    top-left of a page page_h mm high (PDF measures from the bottom-left, in points)."""
    # The modules as one filled path in module units (a `cm` maps them onto the page, y down):
    # integer operands only.
    x0, y0 = (ox + layout.qr_x) * MM, (page_h - oy - layout.qr_y) * MM
    m = layout.module * MM
    ops = [f"q {m:.5f} 0 0 {-m:.5f} {x0:.4f} {y0:.4f} cm", layout.qr.pdf_path, "f Q BT"]
    for t in layout.texts:
        x, y = (ox + t.x) * MM, (page_h - oy - t.y) * MM
        ops.append(f"/F1 {_n(t.size * MM)} Tf 1 0 0 1 {_n(x)} {_n(y)} Tm <{fonts.encode(t)}> Tj")
    ops.append("ET")
    return ops


def pdf_document(
    pages: Sequence[tuple[Sequence[tuple[Layout, float, float]], Sequence[str]]],
    size: tuple[float, float],
    title: str,
    subject: str,
) -> bytes:
    """pages: (labels at (x, y) mm from the top-left, extra operators) per page."""
    pdf = _Pdf()
    root, tree = pdf.reserve(), pdf.reserve()
    fonts = _PdfFonts(t for labels, _ in pages for layout, _, _ in labels for t in layout.texts)
    resources = pdf.add(b"<< /Font " + fonts.write(pdf) + b" >>")
    box = f"[0 0 {_n(size[0] * MM)} {_n(size[1] * MM)}]"
    kids = []
    for labels, extra in pages:
        ops = ["0 g"]
        for layout, x, y in labels:
            ops += _label_ops(layout, fonts, x, y, size[1])
        content = pdf.stream("\n".join([*ops, *extra]).encode())
        kids.append(
            pdf.add(
                f"<< /Type /Page /Parent {tree} 0 R /MediaBox {box} /Resources {resources} 0 R "
                f"/Contents {content} 0 R >>".encode()
            )
        )
    pdf.put(
        tree,
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
        f"/Count {len(kids)} >>".encode(),
    )
    pdf.put(root, f"<< /Type /Catalog /Pages {tree} 0 R >>".encode())
    info = pdf.add(
        b"<< /Title "
        + _pdf_string(title)
        + b" /Subject "
        + _pdf_string(subject)
        + b" /Creator (OCOP Open Catalog) /Producer (OCOP Open Catalog) >>"
    )
    return pdf.finish(root, info)


def draw_pdf(layout: Layout, title: str, subject: str) -> bytes:
    return pdf_document([([(layout, 0.0, 0.0)], [])], (layout.width, layout.height), title, subject)
