"""What a validation run returns: the problems, and the facts the later stages and the next run
reuse (the photos that passed, and each record's own checks for the check cache)."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.checkcache import Checks, PhotoRow
from generator.errors import Problem
from generator.photocheck import PhotoFacts


@dataclass
class Validation:
    problems: list[Problem] = field(default_factory=list)
    photos: dict[tuple[str, str], PhotoFacts] = field(default_factory=dict)  # (id, file)
    # every photo that passed, by absolute path, with its file stamp: the next run's
    # `known_photos`; the checks of each record alone, by display path: its `known_checks`
    checked: dict[str, PhotoRow] = field(default_factory=dict)
    checks: dict[str, Checks] = field(default_factory=dict)
