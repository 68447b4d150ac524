"""Controlled vocabularies kept as data files in schemas/ (product groups, producer kinds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Label:
    code: str
    vi: str
    en: str
    confirmed: bool = True
    product_set: int | None = None  # "bộ sản phẩm" number of Decision 148, Appendix II


@dataclass(frozen=True)
class Vocabulary:
    decision: str
    groups: dict[str, Label]
    subgroups: dict[str, dict[str, Label]]  # group code -> subgroup code -> label
    producer_kinds: dict[str, Label]

    def subgroup(self, code: str) -> Label | None:
        for subs in self.subgroups.values():
            if code in subs:
                return subs[code]
        return None


def load_vocabulary(schemas_dir: Path) -> Vocabulary:
    raw = yaml.safe_load((schemas_dir / "product-groups.yaml").read_text(encoding="utf-8"))
    groups: dict[str, Label] = {}
    subgroups: dict[str, dict[str, Label]] = {}
    for g in raw["groups"]:
        groups[g["code"]] = Label(g["code"], g["vi"], g["en"], bool(g.get("confirmed", True)))
        subgroups[g["code"]] = {
            s["code"]: Label(s["code"], s["vi"], s["en"], bool(s.get("confirmed", True)), s["set"])
            for s in g.get("subgroups") or []
        }
    kinds_raw = yaml.safe_load((schemas_dir / "producer-kinds.yaml").read_text(encoding="utf-8"))
    kinds = {k["code"]: Label(k["code"], k["vi"], k["en"]) for k in kinds_raw["kinds"]}
    return Vocabulary(str(raw["decision"]), groups, subgroups, kinds)
