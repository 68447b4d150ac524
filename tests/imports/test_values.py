"""Reading stars, dates, scores, groups and text from single cells."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.config import PROJECT_ROOT
from generator.imports.values import (
    Unreadable,
    clean_text,
    read_date,
    read_group,
    read_score,
    read_stars,
    read_yes,
)
from generator.vocab import load_vocabulary

VOCAB = load_vocabulary(PROJECT_ROOT / "schemas")


@pytest.mark.parametrize(
    ("cell", "stars"),
    [(3, 3), (4.0, 4), ("3 sao", 3), ("3★", 3), ("4 sao (cấp tỉnh)", 4), ("★★★★★", 5), ("5*", 5)],
)
def test_star_spellings(cell: object, stars: int) -> None:
    assert read_stars(cell) == stars


@pytest.mark.parametrize(("cell", "why"), [("ba sao", "viết 3, 4 hoặc 5"), (2, "1 và 2 sao")])
def test_unreadable_stars_say_what_to_write(cell: object, why: str) -> None:
    with pytest.raises(Unreadable, match=why):
        read_stars(cell)


@pytest.mark.parametrize(
    ("cell", "date"),
    [
        (44270, "2021-03-15"),  # an Excel serial
        (dt.datetime(2021, 3, 15), "2021-03-15"),
        ("15/3/2021", "2021-03-15"),
        ("15-03-2021", "2021-03-15"),
        ("ngày 15 tháng 3 năm 2021", "2021-03-15"),
        ("3/2021", "2021-03"),
        ("2021", "2021"),
        (2021, "2021"),
    ],
)
def test_dates_at_the_precision_given(cell: object, date: str) -> None:
    assert read_date(cell) == date


def test_a_date_that_does_not_exist_is_refused() -> None:
    with pytest.raises(Unreadable, match="không phải ngày có thật"):
        read_date("30/2/2021")


def test_text_is_cleaned_of_nbsp_nfd_and_stray_spaces() -> None:
    nfd = "Rượu  mơ\u00a0Yên Tử ".replace("ơ", "o\u031b")
    assert clean_text(nfd) == "Rượu mơ Yên Tử"


def test_scores() -> None:
    assert read_score("78,5 điểm") == 78.5
    assert read_score(80.0) == 80
    with pytest.raises(Unreadable):
        read_score(120)


@pytest.mark.parametrize(
    ("cell", "found"),
    [
        ("I", ("I", None)),
        ("Nhóm II", ("II", None)),
        ("I.3.c", ("I", "I.3.c")),
        (7, ("I", "I.3.c")),  # product set 7 of Decision 148
        ("Thực phẩm", ("I", None)),
        ("rượu trắng", ("II", "II.1.a")),
    ],
)
def test_groups_by_code_set_or_name(cell: object, found: tuple[str, str | None]) -> None:
    assert read_group(VOCAB, cell) == found


def test_a_group_name_is_never_guessed() -> None:
    with pytest.raises(Unreadable):
        read_group(VOCAB, "Thực")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("có", True), ("X", True), (1, True), ("Có ", True), ("không", False), ("0", False)],
)
def test_read_yes(text: object, expected: bool) -> None:
    assert read_yes(text) is expected


def test_read_yes_refuses_anything_else() -> None:
    with pytest.raises(Unreadable, match="chắc vậy"):
        read_yes("chắc vậy")
