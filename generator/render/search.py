"""A static search index sized for phones: the first query fetches a few small files.

Measured alternatives (README design notes): Material's lunr index is one 66 MB file at 20,000
products; Pagefind does not fold "đ" and its first query fetched up to 940 KB. Here only what a
shopper searches by is indexed (name, producer, commune, province, id), folded the same way in
Python and in the browser, and split into files:
  search/meta.json   the filter facets of every product, 7 characters each, and the spans of
                     the few whose validity ends on a day not known exactly
  search/t/<xx>.json tokens starting with the two letters xx -> delta-encoded product numbers
  search/d/<k>.json  display rows of products k*CHUNK ... (k+1)*CHUNK-1
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import defaultdict
from typing import Any

from generator import urls
from generator.model import Catalog, Product, Validity
from generator.text import fold
from generator.write import SiteWriter

CHUNK = 250
EPOCH = dt.date(2000, 1, 1)
_WORD = re.compile(r"[a-z0-9]+")
_STATUS = {
    Validity.VALID: "v",
    Validity.EXPIRED: "e",
    Validity.UNKNOWN_DATE: "u",
    Validity.REVOKED: "r",
    Validity.WITHDRAWN: "w",
}
_GROUPS = ["I", "II", "III", "IV", "V", "VI"]


def tokens(product: Product, words: dict[str, list[str]] | None = None) -> set[str]:
    """The folded words a shopper may type to find the product. `words` keeps the words of
    each text already folded: a producer's, a commune's and a province's names recur on many
    products."""
    texts = [
        product.name,
        product.producer.name,
        product.place.commune_name,
        product.place.province_name,
        product.id.replace("-", " "),
    ]
    if product.name_en:
        texts.append(product.name_en)
    if words is None:
        words = {}
    found = set()
    for text in texts:
        known = words.get(text)
        if known is None:
            known = words[text] = _WORD.findall(fold(text))
        found.update(known)
    return found


def _base36(n: int, width: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    for _ in range(width):
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def render_search_index(catalog: Catalog, writer: SiteWriter) -> dict[str, Any]:
    """Writes the index; returns the filter choices for the search page."""
    places = catalog.places
    province_codes = list(places.provinces)  # 34, stable order
    postings: dict[str, list[int]] = defaultdict(list)
    facets = []
    # Product number -> [last day its validity could end, last day its revocation could take
    # effect or None], in days since EPOCH: for the browser's re-check (search.js statusOf) of a
    # certificate whose date is known only to the month or year. The facet holds the first day.
    spans: dict[str, list[int | None]] = {}
    words: dict[str, list[str]] = {}
    for number, product in enumerate(catalog.products):  # sorted by id: numbers are stable
        for token in tokens(product, words):
            postings[token].append(number)
        cert = product.certificate
        days = (cert.valid_until.earliest - EPOCH).days
        revocation_unsure = cert.revoked is not None and not cert.revoked.date.is_exact
        if not cert.valid_until.is_exact or revocation_unsure:
            spans[str(number)] = [
                (cert.valid_until.latest - EPOCH).days,
                (cert.revoked.date.latest - EPOCH).days if cert.revoked else None,
            ]
        facets.append(
            chr(48 + province_codes.index(product.place.province_code))
            + str(_GROUPS.index(product.group) + 1)
            + str(product.stars)
            + _STATUS[product.validity]
            + _base36(max(days, 0), 3)
        )
    shards: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for token in sorted(postings):
        numbers = postings[token]
        deltas = [numbers[0]] + [b - a for a, b in itertools.pairwise(numbers)]
        shards[token[:2]][token] = deltas
    for prefix, shard in sorted(shards.items()):
        writer.write_text(urls.search_shard(prefix), _dump(shard))
    for start in range(0, len(catalog.products), CHUNK):
        rows = [
            [
                p.id,
                p.name,
                p.producer.name,
                p.place.commune_name,
                p.place.province_name,
                p.stars,
                _STATUS[p.validity],
                p.certificate.valid_until.isoformat(),
                1 if p.example else 0,
            ]
            for p in catalog.products[start : start + CHUNK]
        ]
        writer.write_text(urls.search_rows(start // CHUNK), _dump(rows))
    meta = {
        "version": 1,
        "count": len(catalog.products),
        "chunk": CHUNK,
        "epoch": EPOCH.isoformat(),
        "facets": "".join(facets),
        "spans": spans,
        "provinces": province_codes,
        "groups": _GROUPS,
        "shards": sorted(shards),
    }
    writer.write_text(urls.SEARCH_META, _dump(meta))
    vocab = catalog.vocab
    return {
        "provinces": [(code, places.provinces[code].name) for code in province_codes],
        "groups": [(code, vocab.groups[code].vi) for code in _GROUPS],
    }
