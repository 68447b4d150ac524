"""The QR matrix: its version stays low for the longest product id."""

from __future__ import annotations

from label_support import (
    BASE_URL,
)

from generator import urls
from generator.render.labels.qr import qr_matrix


def test_qr_version_stays_low_for_a_32_character_id() -> None:
    url = urls.absolute(BASE_URL, urls.product("qn-ruou-mo-yen-tu-uong-bi-2025ab"))
    assert qr_matrix(url).version <= 5
