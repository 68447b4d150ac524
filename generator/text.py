"""Text helpers: folding Vietnamese for search and matching, slugs, spreadsheet columns."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lowercase, no tone marks, "đ" -> "d": both tone-mark conventions ("Thủy"/"Thuỷ"),
    NFC or NFD input, and text typed without marks all fold to the same string."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def closest(value: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `value` (a typo's likely intent), if any is close enough."""
    close = difflib.get_close_matches(value, sorted(candidates), n=1, cutoff=0.7)
    return close[0] if close else None


def slug(text: str) -> str:
    """ASCII slug for URLs: "Quảng Ninh" -> "quang-ninh"."""
    out = []
    for ch in fold(text):
        out.append(ch if ch.isascii() and ch.isalnum() else "-")
    return "-".join(filter(None, "".join(out).split("-")))


def column_letter(column: int) -> str:
    """A spreadsheet column's letters: 1 -> "A", 27 -> "AA" (the workbook we publish, the
    cells `ocop import` points to)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
