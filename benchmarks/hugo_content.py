"""Writes the Hugo reference site: benchmarks/hugo/ (config, layouts) plus content files.

Each product becomes content/p/<id>.md whose JSON front matter carries what the product page
shows (the derived record, as the generator's templates receive it) and whose body is the
description (Markdown, rendered by Hugo). Producers, provinces and communes get _index.md files
so their taxonomy pages have proper titles. Writing these files is preparation, not timed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

from generator.model import Catalog, Certificate, Product
from generator.places import load_places
from generator.render.html import date_vi, stars_text
from generator.render.pages import VALIDITY_TEXT, group_slug, validity_sentence
from generator.render.photos import target_sizes

HUGO_SITE = Path(__file__).resolve().parent / "hugo"


def _cert(c: Certificate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": c.number,
        "date": c.date.isoformat(),
        "date_vi": date_vi(c.date),
        "issuer": c.issuer,
        "stars": c.stars,
        "valid_until_given": c.valid_until_given,
    }
    if c.score is not None:
        out["score"] = c.score
    if c.revoked:
        out["revoked"] = {
            "decision": c.revoked.decision,
            "date_vi": date_vi(c.revoked.date),
            "reason": c.revoked.reason or "",
        }
    return out


def front_matter(product: Product, as_of: dt.date, by_id: dict[str, Product]) -> dict[str, Any]:
    c = product.certificate
    pr = product.producer
    photos = []
    for photo in product.photos:
        key = photo.sha256[:20]
        sizes = [
            {"w": w, "h": h, "webp": f"media/{key}-{w}.webp", "jpeg": f"media/{key}-{w}.jpg"}
            for w, h in target_sizes(photo.width, photo.height)
        ]
        fitting = [s for s in sizes if s["w"] <= 640]
        photos.append(
            {
                "alt": photo.alt,
                "credit": photo.credit or "",
                "licence": photo.licence or "",
                "sizes": sizes,
                "fallback": fitting[-1] if fitting else sizes[0],
            }
        )
    facts = [
        [label, value]
        for label, value in (
            ("Thành phần", product.ingredients),
            ("Khối lượng/thể tích tịnh", product.net_quantity),
            ("Hạn sử dụng", product.shelf_life),
            ("Bảo quản", product.storage),
            ("Mã vạch (GTIN)", product.gtin),
        )
        if value
    ]
    data: dict[str, Any] = {
        "title": product.name,
        "date": c.date.isoformat(),
        "description": f"{product.name}: sản phẩm OCOP {product.stars} sao của {pr.name}, "
        f"{product.place.commune_name}, {product.place.province_name}. "
        f"{validity_sentence(product)}.",
        "id": product.id,
        "name_en": product.name_en or "",
        "stars": product.stars,
        "stars_text": stars_text(product.stars),
        "group": product.group,
        "group_label": product.group_label,
        "group_slug": group_slug(product.group),
        "subgroup": product.subgroup or "",
        "subgroup_label": product.subgroup_label or "",
        "subgroup_slug": group_slug(product.subgroup) if product.subgroup else "",
        "validity": product.validity.value,
        "validity_text": VALIDITY_TEXT[product.validity],
        "validity_sentence": validity_sentence(product),
        "valid_until": c.valid_until.isoformat(),
        "valid_until_vi": date_vi(c.valid_until),
        "as_of": as_of.isoformat(),
        "as_of_vi": date_vi(as_of),
        "cert": _cert(c),
        "previous": [_cert(old) for old in product.previous_certificates],
        "producer": {
            "id": pr.id,
            "name": pr.name,
            "kind_label": pr.kind_label,
            "address": pr.place.address or "",
            "commune": pr.place.commune_name,
            "province": pr.place.province_name,
            "phone": pr.phone or "",
            "email": pr.email or "",
            "website": pr.website or "",
        },
        "place": {
            "commune_code": product.place.commune_code,
            "commune": product.place.commune_name,
            "province": product.place.province_name,
            "province_slug": product.place.province_slug,
            "former_address": product.place.former_address or "",
        },
        "photos": photos,
        "share_card": f"media/{product.photos[0].sha256[:20]}-share.jpg" if photos else "",
        "facts": facts,
        "standards": list(product.standards),
        "where_to_buy": [
            {"name": o.name, "address": o.address or "", "url": o.url or ""}
            for o in product.where_to_buy
        ],
        "sources": [
            {
                "title": s.title,
                "url": s.url or "",
                "document": s.document or "",
                "date_vi": date_vi(s.date),
            }
            for s in product.sources
        ],
        "updated_vi": date_vi(product.updated),
        "example": product.example,
        "story": product.story or "",
        "summary": (product.description or "")[:500],
        "gtin14": product.gtin14 or "",
        # taxonomies: the browse pages
        "tinh": [product.place.province_slug],
        "xa": [product.place.commune_code],
        "nhom": [product.group] + ([product.subgroup] if product.subgroup else []),
        "sao": [str(product.stars)],
        "chu-the": [pr.id],
    }
    if product.withdrawn:
        replacement = by_id.get(product.withdrawn.replaced_by or "")
        data["withdrawn"] = {
            "date_vi": date_vi(product.withdrawn.date),
            "reason": product.withdrawn.reason.rstrip("."),
            "replacement_id": replacement.id if replacement else "",
            "replacement_name": replacement.name if replacement else "",
        }
    return data


def _write(path: Path, front: dict[str, Any], body: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(front, ensure_ascii=False, indent=1) + "\n\n" + body, encoding="utf-8"
    )


def write_hugo_site(catalog: Catalog, root: Path) -> int:
    """Copies benchmarks/hugo/ to `root` and writes root/content; returns the product count."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(HUGO_SITE, root)
    content = root / "content"
    by_id = {p.id: p for p in catalog.products}
    for product in catalog.products:
        _write(
            content / "p" / f"{product.id}.md",
            front_matter(product, catalog.as_of, by_id),
            product.description or "",
        )
    for producer in catalog.producers:
        _write(
            content / "chu-the" / producer.id / "_index.md",
            {
                "title": producer.name,
                "description": f"{producer.kind_label} {producer.name}, "
                f"{producer.place.commune_name}, {producer.place.province_name}.",
                "producer": {
                    "kind_label": producer.kind_label,
                    "address": producer.place.address or "",
                    "commune": producer.place.commune_name,
                    "province": producer.place.province_name,
                    "representative": producer.representative or "",
                    "phone": producer.phone or "",
                    "email": producer.email or "",
                    "website": producer.website or "",
                    "example": producer.example,
                },
            },
        )
    places = load_places()
    for info in places.provinces.values():
        _write(content / "tinh" / info.slug / "_index.md", {"title": f"Sản phẩm OCOP {info.name}"})
    used = {p.place.commune_code for p in catalog.products}
    for code in sorted(used):
        commune = places.communes[code]
        province = places.provinces[commune.province_code]
        _write(
            content / "xa" / code / "_index.md",
            {"title": f"Sản phẩm OCOP {commune.name}, {province.short_name}"},
        )
    _write(content / "tinh" / "_index.md", {"title": "Tỉnh, thành phố"})
    _write(content / "nhom" / "_index.md", {"title": "Nhóm sản phẩm"})
    _write(content / "sao" / "_index.md", {"title": "Theo số sao"})
    _write(content / "chu-the" / "_index.md", {"title": "Chủ thể sản xuất"})
    _write(content / "p" / "_index.md", {"title": "Sản phẩm"})
    return len(catalog.products)
