"""The version of the label drawing: a digest of everything that shapes a label's bytes.

Cached labels and sheets are named by their content and this digest, so a change of the code,
the fonts or a library that draws them makes every label drawn again, with no number to
remember to bump (as the check cache does, generator/checkcache.py).
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from pathlib import Path

from generator.keys import code_digest

PACKAGE = Path(__file__).resolve().parent
FONT_DIR = PACKAGE.parent.parent / "fonts"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
# What draws: the QR (zxing-cpp), the PNG's glyphs (Pillow, with its FreeType); zlib compresses
# the PNG and the PDF streams.
LIBRARIES = ("zxing-cpp", "pillow")


@lru_cache(maxsize=1)
def code_key() -> str:
    """Made once per process (forked workers inherit it): every module of this package, the
    fonts, the libraries, Python and zlib."""
    files = [*sorted(PACKAGE.glob("*.py")), *(FONT_DIR / name for name in FONT_FILES)]
    return code_digest(files, LIBRARIES, (zlib.ZLIB_RUNTIME_VERSION,), salt=b"labels").hex()
