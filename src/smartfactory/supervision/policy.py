"""The supervision rules from ``data/supervision.yaml`` (never repeated in code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "supervision.yaml"


@dataclass(frozen=True)
class SupervisionPolicy:
    response_days: int
    recheck_days: int
    ministry_decides_tiers: frozenset[str]


@cache
def policy() -> SupervisionPolicy:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return SupervisionPolicy(
        response_days=int(raw["response_days"]["value"]), recheck_days=int(raw["recheck_days"]["value"]),
        ministry_decides_tiers=frozenset(str(t) for t in raw["ministry_decides_tiers"]["value"]),
    )
