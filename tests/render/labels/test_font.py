"""The font: every Vietnamese letter in both faces; the subsets checked against fontTools."""

from __future__ import annotations

import io
import logging
import struct
from pathlib import Path

import pytest
from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont

from generator.render.labels.font import FONTS, dejavu, missing_glyphs, subset

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)


def test_every_vietnamese_letter_has_a_glyph_in_both_faces() -> None:
    text = VIETNAMESE + VIETNAMESE.upper() + "0123456789 ★…/-:.,()“”"
    assert missing_glyphs(text, False) == set()
    assert missing_glyphs(text, True) == set()


TEXTS = (
    # regular, bold: a label's two faces; letters made of nested composites (ộ: ọ + ̂, ọ: o + ̣)
    ("Mã QĐ: 12/QĐ-UBND Hiệu lực đến: 31/12/2027", "Rượu mơ Yên Tử OCOP ★★★★"),
    (VIETNAMESE, VIETNAMESE.upper()),
    ("Kiểm tra: a.github.io/p/x/", ""),
)


def fonttools_font(data: bytes) -> TTFont:
    """Read by fontTools, every table checked against its checksum."""
    return TTFont(io.BytesIO(data), checkChecksums=2)


def fonttools_closure(path: Path, gids: list[int]) -> set[int]:
    """The glyphs fontTools.subset keeps for these: the oracle of which glyphs a subset needs."""
    original = TTFont(path)
    order = original.getGlyphOrder()
    options = ft_subset.Options()
    options.layout_features = []  # the labels draw glyph by glyph: no substitutions
    options.notdef_outline = True
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(gids=gids)
    subsetter.subset(original)
    return {order.index(name) for name in original.getGlyphOrder()}


@pytest.mark.parametrize(("regular", "bold"), TEXTS, ids=["label", "alphabet", "regular only"])
def test_subset_holds_the_same_glyphs_as_the_original_faces(regular: str, bold: str) -> None:
    """Checked with fontTools: the file and its tables, which glyphs are kept (as fontTools'
    own subsetter keeps them), and each glyph's outline, components and metrics."""
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    faces = (dejavu(False), dejavu(True))
    wanted = [
        sorted({face.cmap[ord(ch)] for ch in text})
        for face, text in zip(faces, (regular, bold), strict=True)
    ]
    program, order = subset(list(zip(faces, wanted, strict=True)))

    assert sum(struct.unpack(f">{len(program) // 4}I", program)) & 0xFFFFFFFF == 0xB1B0AFBA
    font = fonttools_font(program)
    assert font["maxp"].numGlyphs == len(order) == len(set(order))
    assert not {"fpgm", "prep", "cvt "} & set(font.keys())
    for index, path in enumerate((FONTS[False], FONTS[True])):
        kept = {gid for face, gid in order if face == index}
        expected = fonttools_closure(path, wanted[index]) if wanted[index] else {0}
        assert kept == (expected if index == 0 else expected - {0}), index

    originals = [TTFont(FONTS[False]), TTFont(FONTS[True])]
    new_id = {key: i for i, key in enumerate(order)}
    names = font.getGlyphOrder()
    for i, (index, gid) in enumerate(order):
        source = originals[index]
        name = source.getGlyphOrder()[gid]
        glyph, original = font["glyf"][names[i]], source["glyf"][name]
        assert font["hmtx"][names[i]] == source["hmtx"][name], (index, name)
        assert glyph.isComposite() == original.isComposite(), (index, name)
        if original.isComposite():
            made = [(c.glyphName, c.x, c.y, c.flags & ~0x0100) for c in glyph.components]
            source_order = source.getGlyphOrder()
            assert made == [
                (names[new_id[index, source_order.index(c.glyphName)]], c.x, c.y, c.flags & ~0x0100)
                for c in original.components
            ], (index, name)
        elif original.numberOfContours:
            assert glyph.endPtsOfContours == original.endPtsOfContours
            assert list(glyph.coordinates) == list(original.coordinates), (index, name)
            assert [f & 1 for f in glyph.flags] == [f & 1 for f in original.flags]
            assert not glyph.program.getBytecode()  # no hinting instructions
