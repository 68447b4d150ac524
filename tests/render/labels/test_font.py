"""The font: every Vietnamese letter in both faces; the subsets checked against fontTools."""

from __future__ import annotations

from generator.render.labels.font import missing_glyphs

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)


def test_every_vietnamese_letter_has_a_glyph_in_both_faces() -> None:
    text = VIETNAMESE + VIETNAMESE.upper() + "0123456789 ★…/-:.,()“”"
    assert missing_glyphs(text, False) == set()
    assert missing_glyphs(text, True) == set()
