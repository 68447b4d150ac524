"""The question-and-answer engine of `ocop new`: asks in Vietnamese, re-asks a bad answer, lets
the contributor pick among several matches, and takes answers given in advance (`--set`).

Answers are turned into values by resolvers (answers.py, resolvers.py, ids.py): they raise
Invalid with a message saying why, or Ambiguous with the matches to choose from."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 20  # longer lists of matches ask for a more precise name instead


class Invalid(ValueError):
    """An answer that cannot be used; the message says why, in Vietnamese."""


class Ambiguous(Exception):
    """Several matches: the contributor picks one by number or by code."""

    def __init__(self, options: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(options)} matches")
        self.options = options  # (value, label)


_RETRY = object()


@dataclass
class Session:
    answers: dict[str, str]
    interactive: bool
    errors: list[str] = field(default_factory=list)

    def say(self, text: str = "") -> None:
        print(text)

    def ask(
        self,
        key: str,
        prompt: str,
        resolve: Callable[[str], Any],
        *,
        default: str | None = None,
        optional: bool = False,
        help_lines: Iterable[str] = (),
    ) -> Any:
        """One question; a value given in advance is used without asking (if it is valid)."""
        preset = self.answers.get(key)
        if preset is not None and preset.strip():
            result = self._try(key, preset, resolve)
            if result is not _RETRY or not self.interactive:
                return None if result is _RETRY else result
        elif not self.interactive:
            if default:
                result = self._try(key, default, resolve)
                return None if result is _RETRY else result
            if not optional:
                self.errors.append(f"thiếu `{key}`: thêm --set {key}=... ({prompt})")
            return None
        for line in help_lines:
            self.say(line)
        while True:
            shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
            text = input(shown).strip()
            if not text:
                if default:
                    text = default
                elif optional:
                    return None
                else:
                    self.say("  Cần trả lời câu này.")
                    continue
            result = self._try(key, text, resolve)
            if result is not _RETRY:
                return result

    def _try(self, key: str, text: str, resolve: Callable[[str], Any]) -> Any:
        try:
            return resolve(_clean(text))
        except Invalid as err:
            if self.interactive:
                self.say(f"  {err}")
            else:
                self.errors.append(f"`{key}`: {err}")
            return _RETRY
        except Ambiguous as many:
            if not self.interactive:
                listed = "; ".join(label for _, label in many.options[:MAX_LISTED])
                self.errors.append(f"`{key}`: “{text}” khớp nhiều kết quả, ghi rõ mã: {listed}")
                return _RETRY
            return self._pick(key, many.options, resolve)

    def _pick(self, key: str, options: list[tuple[str, str]], resolve: Callable[[str], Any]) -> Any:
        shown = options[:MAX_LISTED]
        self.say(f"  Có {len(options)} kết quả:")
        for number, (_, label) in enumerate(shown, start=1):
            self.say(f"    {number}. {label}")
        if len(options) > len(shown):
            self.say(f"    … và {len(options) - len(shown)} kết quả khác: gõ tên cụ thể hơn.")
        while True:
            text = _clean(input("  Chọn số thứ tự, hoặc gõ mã hay tên khác: "))
            if not text:
                continue
            # A number within the list wins; codes are zero-padded so rarely look like one.
            if text.isdigit() and 1 <= int(text) <= len(shown):
                return shown[int(text) - 1][0]
            if any(text == value for value, _ in options):
                return text
            return self._try(key, text, resolve)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()
