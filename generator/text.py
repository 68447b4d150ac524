"""Vietnamese text helpers: folding for search and matching."""

from __future__ import annotations

import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lowercase, no tone marks, "đ" -> "d": both tone-mark conventions ("Thủy"/"Thuỷ"),
    NFC or NFD input, and text typed without marks all fold to the same string."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def slug(text: str) -> str:
    """ASCII slug for URLs: "Quảng Ninh" -> "quang-ninh"."""
    out = []
    for ch in fold(text):
        out.append(ch if ch.isascii() and ch.isalnum() else "-")
    return "-".join(filter(None, "".join(out).split("-")))
