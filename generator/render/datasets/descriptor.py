"""datapackage.json: the Frictionless Data Package descriptor of a release.

Data Package v1 (frictionless-py 5 does not implement v2). Each table's schema comes from its
specification; `bytes` and `hash` let frictionless check each file's integrity. check.py and
keys.py check the descriptor and the tables before anything is derived from them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator import urls
from generator.config import BuildConfig
from generator.render.datasets.documents import DATA_LICENCE
from generator.render.datasets.files import DataFile
from generator.render.datasets.specs import TABLES, TableSpec
from generator.render.html import SITE_NAME, SITE_NAME_EN


def datapackage(
    specs: dict[str, TableSpec], csvs: dict[str, DataFile], config: BuildConfig, release: dt.date
) -> dict[str, Any]:
    """Data Package v1 (frictionless-py 5 does not implement v2). `created` is the release
    date, not the clock; `bytes` and `hash` let frictionless check each file's integrity."""
    resources = []
    for name in TABLES:
        spec, data = specs[name], csvs[name]
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "title": f"{spec.title} / {spec.title_en}",
                "description": f"{spec.description} — EN: {spec.description_en}",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": data.size,
                "hash": "sha256:" + data.sha256,
                "dialect": {
                    "delimiter": ",",
                    "lineTerminator": "\n",
                    "quoteChar": '"',
                    "doubleQuote": True,
                    "header": True,
                },
                "schema": spec.schema(),
            }
        )
    resources_by_name = {r["name"]: r for r in resources}
    resources_by_name["photos"]["licenses"] = [
        {
            "name": "various",
            "title": "Bảng photos theo CC BY 4.0; mỗi ảnh theo giấy phép ở cột licence "
            "(photos.csv is CC BY 4.0; each photo is under the licence in its licence column)",
        }
    ]
    day = release.isoformat()
    data_page = urls.absolute(config.base_url, urls.DATA)
    home = urls.absolute(config.base_url, urls.HOME)
    return {
        "profile": "tabular-data-package",
        "name": "ocop-open-catalog",
        "id": data_page,
        "title": f"{SITE_NAME} — {SITE_NAME_EN}",
        "description": (
            "Sản phẩm OCOP (Chương trình Mỗi xã một sản phẩm) của Việt Nam: sản phẩm, chủ thể, "
            "chứng nhận, ảnh, nguồn, lô sản phẩm, thu hồi và thay đổi so với bản trước. Tình "
            "trạng chứng nhận, hạn sử dụng của lô và thu hồi tính "
            f"vào ngày phát hành {day}. Ô văn bản bắt đầu bằng = + - @, tab hoặc CR có thêm "
            "dấu ' ở đầu trong CSV để bảng tính không chạy như công thức. — EN: Vietnam's OCOP "
            "products: products, producers, certificates, photos, sources, lots, recalls and "
            "changes since the previous release. Certificate status, lots' use-by status and "
            f"recalls are computed on the release date {day}. CSV "
            "text cells starting with = + - @, tab or CR get a leading ' so that spreadsheets "
            "do not run them as formulas."
        ),
        "homepage": data_page,
        "version": day,
        "created": f"{day}T00:00:00Z",
        "keywords": [
            "OCOP",
            "Việt Nam",
            "Vietnam",
            "mỗi xã một sản phẩm",
            "one commune one product",
            "open data",
        ],
        "licenses": [dict(DATA_LICENCE)],
        "sources": [
            {
                "title": "Quyết định công nhận sản phẩm OCOP của UBND tỉnh, thành phố và Bộ Nông "
                "nghiệp và Môi trường (số quyết định trong certificates.csv); nguồn từng sản phẩm "
                "trong sources.csv"
            },
            {
                "title": "Bảng lô (lots.csv) và các đợt thu hồi do chủ thể, cơ quan công bố, "
                "ghi trong hồ sơ từng sản phẩm (cột lots_path và record_path)"
            },
            {"title": f"{SITE_NAME} — hồ sơ danh mục", "path": home},
        ],
        "contributors": [{"title": SITE_NAME_EN, "role": "publisher", "path": home}],
        "resources": resources,
    }
