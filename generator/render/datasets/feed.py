"""data/feed.atom: new, re-rated, expired, revoked and withdrawn products, and recalls (begun
and ended).

Events are dated by the records themselves (decision, expiry, revocation, withdrawal, recall),
so the feed is the same whenever it is built for one release. An expiry or revocation whose date
is known only to the month or year is told once it is certain, never before.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from operator import itemgetter
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from generator import urls
from generator.config import BuildConfig
from generator.dates import PartialDate
from generator.model import Catalog, Product, Recall, Validity
from generator.render.html import SITE_NAME

FEED_ENTRIES = 200
TAG_DATE = "2026"  # tag: URIs name a date the authority held the host; fixed so ids never change
ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class FeedEvent:
    day: dt.date
    kind: str  # new | re-rated | expired | revoked | withdrawn | recalled | recall-ended
    product: Product
    title: str
    summary: str
    recall: Recall | None = None  # of a recall's events: the entry links to it, not the product


def feed_events(catalog: Catalog, day: dt.date) -> list[FeedEvent]:
    """Events dated by the records themselves (decision, expiry, revocation, withdrawal), so
    the feed is the same whenever it is built for one release. The newest FEED_ENTRIES are
    chosen first; only they get their texts written."""
    found: list[tuple[int, str, str, int, Product, int]] = []  # sort key, order, what to tell
    for p in catalog.products:
        history = (*p.previous_certificates, p.certificate)
        # A decision in a record has happened: one known only to its month or year is dated by
        # the first day it could be. An expiry or revocation is told only once it is certain.
        dated = [
            (c.date.earliest, "new" if n == 0 else "re-rated", n) for n, c in enumerate(history)
        ]
        cert, w = p.certificate, p.withdrawn
        if cert.revoked and cert.revoked.date.latest <= day:
            dated.append((cert.revoked.date.latest, "revoked", 0))
        expired_on = cert.valid_until.latest + dt.timedelta(days=1)
        if cert.status_on(day) is Validity.EXPIRED and not (w and w.date <= expired_on):
            dated.append((expired_on, "expired", 0))
        if w:
            dated.append((w.date, "withdrawn", 0))
        for n, recall in enumerate(p.recalls):  # news: when it begins, and when it ends
            dated.append((recall.date, "recalled", n))
            if recall.ended:
                dated.append((recall.ended, "recall-ended", n))
        for when, kind, n in dated:
            if kind == "expired" or when <= day:
                found.append((-when.toordinal(), p.id, kind, len(found), p, n))
    # The order of sorting by (day descending, product, kind), ties in the order found.
    newest = heapq.nsmallest(FEED_ENTRIES, found, key=itemgetter(0, 1, 2, 3))
    return [_feed_event(p, kind, n) for _, _, kind, _, p, n in newest]


def _on(day: PartialDate) -> str:
    """ "ngày 2021-03-15", "2021-03", "2019": "ngày" only before a whole date."""
    return f"ngày {day.isoformat()}" if day.is_exact else day.isoformat()


def _which_lots(recall: Recall) -> str:
    if not recall.lots:
        return "cả sản phẩm, mọi lô"
    return ("lô " if len(recall.lots) == 1 else "các lô ") + ", ".join(recall.lots)


def _recall_event(p: Product, kind: str, recall: Recall) -> FeedEvent:
    place, lots = p.place.province_name, _which_lots(recall)
    if kind == "recall-ended":
        assert recall.ended is not None
        title = f"{p.name}: kết thúc thu hồi ({lots})"
        summary = (
            f"{place}. Đợt thu hồi ngày {recall.date.isoformat()} kết thúc ngày "
            f"{recall.ended.isoformat()}."
        )
        return FeedEvent(recall.ended, kind, p, title, summary, recall)
    parts = [place, recall.reason.rstrip(".")]
    if recall.authority:
        parts.append(
            f"Yêu cầu của {recall.authority}" + (f", {recall.decision}" if recall.decision else "")
        )
    parts.append(f"Người mua: {recall.action.rstrip('.')}")
    summary = ". ".join(parts) + "."
    return FeedEvent(recall.date, kind, p, f"{p.name}: thu hồi {lots}", summary, recall)


def _feed_event(p: Product, kind: str, n: int) -> FeedEvent:
    """The n-th certificate of p's history for "new" and "re-rated"; the n-th recall for
    "recalled" and "recall-ended"."""
    if kind in ("recalled", "recall-ended"):
        return _recall_event(p, kind, p.recalls[n])
    place, cert, w = p.place.province_name, p.certificate, p.withdrawn
    if kind in ("new", "re-rated"):
        history = (*p.previous_certificates, p.certificate)
        c = history[n]
        if kind == "new":
            title = f"{p.name}: công nhận OCOP {c.stars}★"
            summary = f"{place}. Quyết định {c.number} {_on(c.date)}, {c.issuer}."
        else:
            title = f"{p.name}: {history[n - 1].stars}★ → {c.stars}★"
            summary = (
                f"{place}. Công nhận lại theo quyết định {c.number} {_on(c.date)}, {c.issuer}."
            )
        return FeedEvent(c.date.earliest, kind, p, title, summary)
    if kind == "revoked" and cert.revoked:
        summary = f"{place}. Quyết định thu hồi {cert.revoked.decision} {_on(cert.revoked.date)}."
        return FeedEvent(
            cert.revoked.date.latest, kind, p, f"{p.name}: bị thu hồi chứng nhận OCOP", summary
        )
    if kind == "withdrawn" and w:
        summary = f"{place}. Ngừng từ ngày {w.date.isoformat()}: {w.reason}"
        return FeedEvent(w.date, kind, p, f"{p.name}: ngừng", summary)
    until = cert.valid_until
    summary = (
        f"{place}. Quyết định {cert.number} hết hiệu lực sau ngày {until.isoformat()}; "
        if until.is_exact
        else f"{place}. Quyết định {cert.number} ({cert.date.isoformat()}) hết hiệu lực "
        f"chậm nhất sau ngày {until.latest.isoformat()}; "
    ) + "chưa có công nhận lại."
    expired_on = until.latest + dt.timedelta(days=1)
    return FeedEvent(expired_on, "expired", p, f"{p.name}: chứng nhận OCOP hết hạn", summary)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+07:00"  # a Vietnamese calendar day


def atom_feed(catalog: Catalog, config: BuildConfig, day: dt.date) -> bytes:
    base = config.base_url
    host = urlsplit(base).hostname or "localhost"
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "vi"})
    ET.SubElement(feed, "id").text = f"tag:{host},{TAG_DATE}:ocop/feed"
    ET.SubElement(feed, "title").text = f"{SITE_NAME}: công nhận, hết hạn, thu hồi"
    ET.SubElement(feed, "updated").text = _stamp(day)
    ET.SubElement(feed, "link", {"rel": "self", "href": urls.absolute(base, urls.FEED)})
    ET.SubElement(
        feed,
        "link",
        {"rel": "alternate", "type": "text/html", "href": urls.absolute(base, urls.DATA)},
    )
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = SITE_NAME
    ET.SubElement(feed, "rights").text = "CC BY 4.0"
    for e in feed_events(catalog, day):
        entry = ET.SubElement(feed, "entry")
        if e.recall is not None:
            page = urls.recall(e.recall.id)  # its place in the recalls page
            # a tag URI holds no "#": the recall's id names it (two recalls a day differ)
            tag = f"tag:{host},{TAG_DATE}:ocop/{urls.RECALLS}{e.recall.id}/{e.kind}"
        else:
            page = urls.product(e.product.id)  # "p/<id>/": the entry's id names its page
            tag = f"tag:{host},{TAG_DATE}:ocop/{page}{e.kind}/{e.day.isoformat()}"
        ET.SubElement(entry, "id").text = tag
        ET.SubElement(entry, "title").text = e.title
        ET.SubElement(entry, "updated").text = _stamp(e.day)
        ET.SubElement(
            entry,
            "link",
            {"rel": "alternate", "type": "text/html", "href": urls.absolute(base, page)},
        )
        ET.SubElement(entry, "category", {"term": e.kind})
        ET.SubElement(entry, "summary").text = e.summary + (
            " (Hồ sơ ví dụ.)" if e.product.example else ""
        )
    ET.indent(feed)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )
