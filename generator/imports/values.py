"""Reading one cell: text, stars, dates, scores, product group codes and yes/no marks.

Each reader returns the value or raises `Unreadable` with the Vietnamese reason; nothing is
guessed: "ba sao" is not read as 3, and a group name must be one of the vocabulary's names.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from generator.text import fold
from generator.vocab import Vocabulary

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 in Excel's (Lotus) calendar
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000\t\r\n"), " ")
_ROMAN = ("I", "II", "III", "IV", "V", "VI")
_SUBGROUP = re.compile(r"(i|ii|iii|iv|v|vi)\.([0-9]+)(?:\.([a-z]))?")


class Unreadable(ValueError):
    """A value that cannot be read; str(err) says why and what to write, in Vietnamese."""


def clean_text(value: object) -> str:
    """NFC text, no NBSP or zero-width characters, single spaces, trimmed; "" for blank."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    text = unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE).translate(_SPACES)
    return " ".join(text.split())


def read_stars(value: object) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        stars = int(value) if float(value).is_integer() else None
    else:
        text = clean_text(value)
        found = re.match(r"^([1-5])\s*(sao|\*|★|☆)?(\s*\(.*\))?$", fold(text)) or re.match(
            r"^([1-5])\s*(sao|\*|★)\b", fold(text)
        )
        stars = int(found[1]) if found else None
        if stars is None and text and set(text.replace(" ", "")) <= {"★"}:
            stars = len(text.replace(" ", ""))
    if stars in (3, 4, 5):
        return stars
    if stars in (1, 2):
        raise Unreadable(f"“{clean_text(value)}”: 1 và 2 sao không được công nhận OCOP")
    raise Unreadable(f"“{clean_text(value)}” không đọc được; viết 3, 4 hoặc 5")


def read_date(value: object) -> str:
    """A date at the precision given: "2021-03-15", "2021-03" or "2021"."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1900 <= value <= 2100 and float(value).is_integer():
            return str(int(value))  # a year typed as a number
        if 36526 <= value <= 73051:  # serials of 2000-01-01 .. 2099-12-31
            return (EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
        raise Unreadable(f"“{value}” không phải ngày; viết dạng 15/3/2021")
    text = fold(clean_text(value))
    spelled = re.fullmatch(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})", text)
    if spelled:
        text = f"{spelled[1]}/{spelled[2]}/{spelled[3]}"
    try:
        if found := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
            return dt.date(int(found[3]), int(found[2]), int(found[1])).isoformat()
        if found := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            return dt.date(int(found[1]), int(found[2]), int(found[3])).isoformat()
        if found := re.fullmatch(r"(?:thang )?(\d{1,2})[/.-](\d{4})", text):
            month = int(found[1])
            if 1 <= month <= 12:
                return f"{found[2]}-{month:02d}"
        if found := re.fullmatch(r"(?:nam )?(\d{4})", text):
            return found[1]
    except ValueError as err:
        raise Unreadable(f"“{clean_text(value)}” không phải ngày có thật") from err
    raise Unreadable(f"“{clean_text(value)}” không đọc được; viết dạng 15/3/2021")


def read_score(value: object) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = fold(clean_text(value)).removesuffix("diem").strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError as err:
            raise Unreadable(f"“{clean_text(value)}” không phải số điểm") from err
    if not 50 <= number <= 100:
        raise Unreadable(f"“{clean_text(value)}” ngoài khoảng 50–100")
    return int(number) if number.is_integer() else round(number, 2)


def read_group(vocab: Vocabulary, value: object) -> tuple[str, str | None]:
    """(group, subgroup or None) from a code ("I", "I.3.c", "Nhóm I"), a product-set number
    of Decision 148 ("7"), or a group or subgroup name written in full."""
    text = clean_text(value)
    if isinstance(value, int | float) and float(value).is_integer():
        text = str(int(value))
    bare = re.sub(r"^(nhom|nganh|bo san pham|bo|so)\s+", "", fold(text), flags=re.IGNORECASE)
    upper = bare.upper()
    if upper in _ROMAN and upper in vocab.groups:
        return upper, None
    if found := _SUBGROUP.fullmatch(bare):
        code = f"{found[1].upper()}.{found[2]}" + (f".{found[3]}" if found[3] else "")
        if vocab.subgroup(code) is not None:
            return found[1].upper(), code
    if bare.isdigit():
        for group, subs in vocab.subgroups.items():
            for code, label in subs.items():
                if label.product_set == int(bare):
                    return group, code
    for code, label in vocab.groups.items():
        if bare == fold(label.vi):
            return code, None
    for group, subs in vocab.subgroups.items():
        for code, label in subs.items():
            if bare == fold(label.vi):
                return group, code
    allowed = ", ".join(vocab.groups)
    raise Unreadable(f"“{text}” không phải mã ngành hay nhóm; viết {allowed} hoặc mã như I.3.c")


_YES = ("co", "x", "1", "true", "yes", "c")
_NO = ("khong", "0", "false", "no", "k")


def read_yes(value: object) -> bool:
    """A yes/no mark: "có", "x", "1" (or true, yes) is yes; "không", "0" (false, no) is no."""
    if isinstance(value, bool):
        return value
    text = fold(clean_text(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise Unreadable(f"“{clean_text(value)}” không đọc được; viết “có” (hoặc x, 1) hay để trống")
