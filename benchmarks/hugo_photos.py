"""Hugo doing our photo work: the anchor for the photo stage and for the whole cold build.

A sample of the synthetic catalog's products becomes a Hugo site of page bundles (each
product's photos beside its index.md, as hard links). Its product layout makes what our photo
stage makes (generator/render/photos.py): for every photo WebP and JPEG at each of our widths,
with our qualities and a cubic filter (ours: bicubic, then box halvings), and for each product
a 1200x630 share card of its first photo with its name drawn on it (Hugo's `images.Text`, in
Hugo's own font, where ours draws a band and two lines in DejaVu Sans). The same site is built
again with a layout that makes no images; the difference, over the sample's photos, is Hugo's
cost a photo, which national.py multiplies by the whole catalog's photos and adds to Hugo's
page-only build of the whole catalog: what Hugo would take to make our pages and our photos.

Both builds are cold (fresh --cacheDir, no resources/_gen) and use all cores, as ours do.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from generator.model import Catalog
from generator.render.photos import CARD_QUALITY, CARD_SIZE, JPEG_QUALITY, WEBP_QUALITY, WIDTHS

CONFIG = """\
# Hugo making the OCOP generator's photo derivatives (benchmarks/hugo_photos.py), nothing else
baseURL = "https://ocop.example/"
disableKinds = ["RSS", "taxonomy", "term", "sitemap", "robotsTXT", "404"]
disableHugoGeneratorInject = true
[imaging]
  resampleFilter = "CatmullRom"
  quality = {jpeg}
  hint = "photo"
"""

# {{ "{{" }} is Hugo's; the Python format fields are the sizes and qualities.
WITH_PHOTOS = """\
<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{{{{ .Title }}}}</title></head>
<body><h1>{{{{ .Title }}}}</h1>
{{{{ range $i, $img := .Resources.ByType "image" }}}}
{{{{ range slice {widths} }}}}{{{{ if le . $img.Width }}}}
{{{{ $w := $img.Resize (printf "%dx webp q{webp}" .) }}}}
{{{{ $j := $img.Resize (printf "%dx jpg q{jpeg}" .) }}}}
<img src="{{{{ $j.RelPermalink }}}}" srcset="{{{{ $w.RelPermalink }}}}"
  width="{{{{ $j.Width }}}}" height="{{{{ $j.Height }}}}" alt="">
{{{{ end }}}}{{{{ end }}}}
{{{{ if eq $i 0 }}}}
{{{{ $card := $img.Fill "{card_w}x{card_h} Center jpg q{card_q}" }}}}
{{{{ $text := dict "color" "#ffffff" "size" 48 "x" 40 "y" 520 }}}}
{{{{ $card = $card.Filter (images.Text $.Title $text) }}}}
<meta property="og:image" content="{{{{ $card.Permalink }}}}">
{{{{ end }}}}
{{{{ end }}}}
</body></html>
"""

PAGES_ONLY = """\
<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>
{{ range .Resources.ByType "image" }}<img src="{{ .RelPermalink }}" alt="">{{ end }}
</body></html>
"""

LIST = """\
<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>
"""


@dataclass(frozen=True)
class PhotoSample:
    products: int
    photos: int
    with_photos: Path  # the Hugo site whose layout makes the derivatives
    pages_only: Path  # the same content, no image processing


def _site(root: Path, single: str) -> None:
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (root / "config.toml").write_text(CONFIG.format(jpeg=JPEG_QUALITY), encoding="utf-8")
    (layouts / "single.html").write_text(single, encoding="utf-8")
    (layouts / "list.html").write_text(LIST, encoding="utf-8")
    (root / "layouts" / "index.html").write_text(LIST, encoding="utf-8")


def write_photo_sites(catalog: Catalog, root: Path, products: int) -> PhotoSample:
    """Two Hugo sites under `root` for every k-th product with photos, `products` in all."""
    shutil.rmtree(root, ignore_errors=True)
    with_photos, pages_only = root / "with-photos", root / "pages-only"
    single = WITH_PHOTOS.format(
        widths=" ".join(str(w) for w in WIDTHS),
        webp=WEBP_QUALITY,
        jpeg=JPEG_QUALITY,
        card_w=CARD_SIZE[0],
        card_h=CARD_SIZE[1],
        card_q=CARD_QUALITY,
    )
    _site(with_photos, single)
    _site(pages_only, PAGES_ONLY)
    pictured = [p for p in catalog.products if p.photos]
    step = max(1, len(pictured) // max(1, products))
    sample = pictured[::step][:products]
    photos = 0
    for product in sample:
        front = json.dumps({"title": product.name}, ensure_ascii=False)
        for site in (with_photos, pages_only):
            bundle = site / "content" / "p" / product.id
            bundle.mkdir(parents=True)
            (bundle / "index.md").write_text(front + "\n", encoding="utf-8")
            for photo in product.photos:
                os.link(photo.source, bundle / photo.file)
        photos += len(product.photos)
    return PhotoSample(len(sample), photos, with_photos, pages_only)
