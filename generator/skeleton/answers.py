"""A typed answer turned into a record value: its JSON type, its date form, and its piece of the
schema, each refusal explained in Vietnamese."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import jsonschema

from generator.dates import PartialDate
from generator.skeleton.prompts import Invalid
from generator.text import fold


def check_schema(prop: dict[str, Any], value: Any) -> Any:
    """The answer against its own piece of the schema, explained in Vietnamese."""
    errors = list(jsonschema.Draft202012Validator(prop).iter_errors(value))
    if not errors:
        return value
    err = errors[0]
    desc = prop.get("description", "")
    example = (prop.get("examples") or [None])[0]
    hint = f" Ví dụ: {example}" if example is not None else ""
    if err.validator == "maxLength":
        raise Invalid(f"quá dài ({len(value)} ký tự, tối đa {err.validator_value}).")
    if err.validator == "minLength":
        raise Invalid("không được để trống.")
    if err.validator == "enum":
        allowed = ", ".join(str(v) for v in err.validator_value)
        raise Invalid(f"“{value}” không được phép; viết một trong: {allowed}.")
    if err.validator in ("minimum", "maximum"):
        raise Invalid(f"“{value}” ngoài khoảng {prop.get('minimum')}–{prop.get('maximum')}.")
    raise Invalid(f"“{value}” không đúng dạng. {desc}{hint}")


def as_type(prop: dict[str, Any], text: str) -> Any:
    kind = prop.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text.replace(",", "."))
            return int(number) if number.is_integer() else number
    except ValueError as err:
        raise Invalid(f"“{text}” không phải là số.") from err
    if kind == "boolean":
        if fold(text) in ("true", "co", "yes", "1"):
            return True
        if fold(text) in ("false", "khong", "no", "0"):
            return False
        raise Invalid(f"“{text}” phải là true hoặc false.")
    return text


def parse_day(text: str, today: dt.date, future_ok: bool = False, partial: bool = False) -> str:
    """YYYY-MM-DD, or the usual Vietnamese DD/MM/YYYY; must exist (and not be in the future).
    `partial`: a field the source may give only to the month or year (YYYY-MM, M/YYYY, YYYY)."""
    found = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    month = re.fullmatch(r"(\d{1,2})[/.-](\d{4})", text) if partial else None
    if found:
        iso = f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}"
    elif month:
        iso = f"{month[2]}-{int(month[1]):02d}"
    else:
        iso = text
    try:
        day = PartialDate.parse(iso) if partial else PartialDate.exact(dt.date.fromisoformat(iso))
    except ValueError as err:
        forms = ", hoặc YYYY-MM, YYYY nếu nguồn chỉ ghi tháng, năm" if partial else ""
        raise Invalid(
            f"“{text}” không phải ngày có thật; viết YYYY-MM-DD, ví dụ 2023-06-15{forms}."
        ) from err
    if not future_ok and day.earliest > today:
        raise Invalid(f"ngày {iso} ở tương lai (hôm nay {today.isoformat()}).")
    return day.isoformat()
