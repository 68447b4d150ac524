"""The label as SVG: vector, the QR as one path in module units, the text as text (searchable,
selectable), each line held to its measured width."""

from __future__ import annotations

from xml.sax.saxutils import escape

from generator.render.labels.layout import Layout
from generator.render.labels.sizes import number as _n

SVG_FONT = "DejaVu Sans, Verdana, sans-serif"


def draw_svg(layout: Layout, title: str) -> bytes:
    w, h = layout.width, layout.height
    d = "".join([f"M{c} {r}h{k}v1h-{k}z" for r, c, k in layout.qr.runs])
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(w)}mm" height="{_n(h)}mm" '
        f'viewBox="0 0 {_n(w)} {_n(h)}" role="img">\n',
        f"<title>{escape(title)}</title>\n",
        f'<rect width="{_n(w)}" height="{_n(h)}" fill="#fff"/>\n',
        # One path for all modules, in module units: vector, crisp at any scale.
        f'<path fill="#000" shape-rendering="crispEdges" transform="translate('
        f'{_n(layout.qr_x)} {_n(layout.qr_y)}) scale({layout.module:.6f})" d="{d}"/>\n',
        f'<g font-family="{SVG_FONT}" fill="#000">\n',
    ]
    for t in layout.texts:
        weight = ' font-weight="bold"' if t.bold else ""
        # textLength: a viewer without DejaVu Sans still keeps each line inside its box.
        out.append(
            f'<text x="{_n(t.x)}" y="{_n(t.y)}" font-size="{_n(t.size)}"{weight} '
            f'textLength="{_n(t.width)}" lengthAdjust="spacingAndGlyphs">{escape(t.text)}</text>\n'
        )
    out.append("</g>\n</svg>\n")
    return "".join(out).encode("utf-8")
