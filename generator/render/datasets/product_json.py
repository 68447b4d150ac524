"""p/<id>/product.json: one product as the tables have it, with its certificates, photos and
sources, the release and the licence."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from typing import Any

from generator import urls
from generator.config import BuildConfig
from generator.render.datasets.cache import DatasetCache
from generator.render.datasets.columns import TableColumns, json_str, json_value
from generator.render.datasets.csv_json import EncodedTable
from generator.render.datasets.documents import DATA_LICENCE
from generator.render.datasets.specs import Row
from generator.write import SiteWriter


def rows_by_product(rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        item = {k: json_value(v) for k, v in r.items() if k != "product_id"}
        grouped.setdefault(r["product_id"], []).append(item)
    return grouped


def product_json(
    row: Row, nested: dict[str, dict[str, list[dict[str, Any]]]], release: str, config: BuildConfig
) -> bytes:
    """One product as the tables have it, with its certificates, photos and sources."""
    data = {k: json_value(v) for k, v in row.items()}
    for name in ("certificates", "photos", "sources"):
        data[name] = nested[name].get(row["id"], [])
    data["release"] = release
    data["license"] = DATA_LICENCE["path"]
    data["datapackage"] = urls.absolute(config.base_url, urls.DATAPACKAGE)
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


NESTED = ("certificates", "photos", "sources")  # in p/<id>/product.json, in this order
PRODUCT_JSON_TAIL = ("release", "license", "datapackage")


class ProductJsons:
    """p/<id>/product.json: a product's record from products.json with its records from
    certificates.json, photos.json and sources.json (joined, not encoded again), and the
    release. Each file is keyed by those rows: an unchanged product's file is neither made nor
    written again."""

    def __init__(
        self,
        tables: dict[str, EncodedTable],
        release: str,
        config: BuildConfig,
        cache: DatasetCache,
    ) -> None:
        self.tables = tables
        self.release = release
        self.config = config
        self.ids: list[str] = list(map(itemgetter("id"), tables["products"].rows))
        self.groups: dict[str, dict[str, list[int]]] = {}  # table -> product id -> its rows
        for name in NESTED:
            group: dict[str, list[int]] = {}
            pids = enumerate(map(itemgetter("product_id"), tables[name].rows))
            for pid, run in groupby(pids, key=itemgetter(1)):  # a product's rows come together
                group.setdefault(pid, []).extend(i for i, _ in run)
            self.groups[name] = group
        specs = (repr(tables[name].spec) for name in ("products", *NESTED))
        self.base = cache.key("product.json", release, config.base_url, *specs).encode()
        descriptor = urls.absolute(config.base_url, urls.DATAPACKAGE)
        values = (release, DATA_LICENCE["path"], descriptor)
        self.tail = "".join(
            f", {json_str(k)}: {json_str(v)}"
            for k, v in zip(PRODUCT_JSON_TAIL, values, strict=True)
        )

    def to_write(self, writer: SiteWriter) -> list[tuple[str, str, bytes]]:
        """(path, key, bytes) of each file the tree does not hold for its key; those it holds
        count as written."""
        out = []
        for i, pid in enumerate(self.ids):
            path, key = urls.product_json(pid), self.key(i)
            if not writer.unchanged(path, key):
                out.append((path, key, self.data(i)))
        return out

    def key(self, i: int) -> str:
        """Of the i-th product's row and its rows in each nested table, in table order."""
        digest = hashlib.blake2b(self.base, digest_size=16)
        digest.update(self.tables["products"].keys[i])
        for name in NESTED:
            group = self.groups[name].get(self.ids[i], ())
            digest.update(len(group).to_bytes(4, "big"))
            for j in group:
                digest.update(self.tables[name].keys[j])
        return "j:" + digest.hexdigest()

    def data(self, i: int) -> bytes:
        names = self.tables["products"].spec.names
        if not names or set(names) & {*NESTED, *PRODUCT_JSON_TAIL}:
            # A column named like an added key would be replaced in place: the general path.
            row = self.tables["products"].rows[i]
            return product_json(row, self._nested_values, self.release, self.config)
        pid = self.ids[i]
        parts = [self.tables["products"].record(i)[:-1]]
        for name in NESTED:
            items = [self._nested_record(name, j) for j in self.groups[name].get(pid, ())]
            parts += (f", {json_str(name)}: [".encode(), b", ".join(items), b"]")
        return b"".join(parts) + (self.tail + "}\n").encode("utf-8")

    def _nested_record(self, name: str, j: int) -> bytes:
        """The j-th record of table `name` without its product_id: cut from the JSON table's
        record when product_id comes first, else encoded."""
        table = self.tables[name]
        row = table.rows[j]
        if len(table.spec.names) > 1 and table.spec.names[0] == "product_id":
            cut = len(f"{{{json_str('product_id')}: {json_str(row['product_id'])}, ".encode())
            return b"{" + table.record(j)[cut:]
        return TableColumns(table.spec, [row]).json_records(skip="product_id")[0].encode()

    @cached_property
    def _nested_values(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        return {name: rows_by_product(self.tables[name].rows) for name in NESTED}
