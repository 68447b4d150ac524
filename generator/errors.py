"""Problems found in the catalog, and how they are printed.

Modelled on frictionless-py: each problem has a stable code, the message is a template filled
from parameters, and tests compare the flat form `path:line: field: message [code]`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.messages import MESSAGES


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # catalog-relative POSIX path, e.g. "catalog/producers/htx-a.yaml"
    line: int  # 1-based; 1 when the problem concerns the whole file
    field: str  # dotted field path ("certificate.date", "photos[0].file"), "" for the file
    code: str  # stable slug, see messages.py
    # a value is plain text, or a (Vietnamese, English) pair for text that is itself a message
    params: tuple[tuple[str, str | tuple[str, str]], ...] = field(default=(), compare=False)

    def message(self, lang: str = "vi") -> str:
        template = MESSAGES[self.code][lang]
        values = {
            k: (v if isinstance(v, str) else v[0 if lang == "vi" else 1]) for k, v in self.params
        }
        return template.format(**values)

    def format(self, lang: str = "vi") -> str:
        where = f"{self.path}:{self.line}: "
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{self.message(lang)} [{self.code}]"


def _printable(text: str) -> str:
    """A name the disk holds but UTF-8 does not (os.fsdecode surrogates) -> `\\xff`."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def problem(path: str, line: int, field_path: str, code: str, **params: object) -> Problem:
    if code not in MESSAGES:
        raise KeyError(f"unknown problem code {code!r}")
    values = tuple(
        (k, tuple(_printable(x) for x in v) if isinstance(v, tuple) else _printable(str(v)))
        for k, v in params.items()
    )
    return Problem(_printable(path), line, _printable(field_path), code, values)  # type: ignore[arg-type]


def did_you_mean(close: str | None) -> tuple[str, str]:
    """A message's " (có phải `x`?)" part, Vietnamese and English; empty without a guess."""
    return (f" (có phải `{close}`?)", f" (did you mean `{close}`?)") if close else ("", "")


def format_text(problems: Iterable[Problem], lang: str = "vi") -> str:
    return "".join(p.format(lang) + "\n" for p in sorted(problems))


def _escape_data(text: str) -> str:
    # GitHub workflow-command escaping (actions/toolkit `escapeData` / `escapeProperty`).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Iterable[Problem], lang: str = "vi") -> str:
    """Workflow annotations: each error shown on its line in the pull request's diff."""
    lines = []
    for p in sorted(problems):
        what = f"{p.field}: " if p.field else ""
        lines.append(
            f"::error file={_escape_property(p.path)},line={p.line},"
            f"title={_escape_property(p.code)}::{_escape_data(what + p.message(lang))}\n"
        )
    return "".join(lines)


def report_problems(
    problems: list[Problem],
    lang: str = "vi",
    form: str = "text",
    consequence: tuple[str, str] | None = None,
) -> None:
    """Every problem on stdout (`form`: "text" lines or "github" annotations), then on stderr
    how many there are and, for a command that stops, what that leaves as it was."""
    sys.stdout.write((format_github if form == "github" else format_text)(problems, lang))
    count = len(problems)
    summary = f"{count} lỗi cần sửa." if lang == "vi" else f"{count} problem(s) to fix."
    if consequence is not None:
        summary += " " + (consequence[0] if lang == "vi" else consequence[1])
    print(summary, file=sys.stderr)
