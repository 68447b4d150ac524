"""generator/messages.py: every message in both languages, every code used."""

from __future__ import annotations

import string

import pytest

from generator.config import PROJECT_ROOT
from generator.messages import MESSAGES

ROOT = PROJECT_ROOT


# --- the message table ------------------------------------------------------------------------
def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_message_has_both_languages_and_same_placeholders(code: str) -> None:
    entry = MESSAGES[code]
    assert set(entry) == {"vi", "en"}
    assert entry["vi"].strip() and entry["en"].strip()
    assert _fields(entry["vi"]) == _fields(entry["en"])
    assert entry["vi"] != entry["en"]


def test_every_message_is_used_and_every_used_code_exists() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "generator").rglob("*.py"))
        if p.name != "messages.py"
    )
    unused = [code for code in MESSAGES if f'"{code}"' not in source]
    assert unused == []
