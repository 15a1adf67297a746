"""The cultivation period's rules from ``data/cultivation-2025.yaml`` (never repeated in code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "cultivation-2025.yaml"


@dataclass(frozen=True)
class CultivationRules:
    max_years: int
    report_interval_months: int
    reminder_offsets_days: tuple[int, ...]
    acceptance_reminder_days: int
    extension_allowed: bool
    reports_required_before_acceptance: bool


@cache
def rules() -> CultivationRules:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return CultivationRules(
        max_years=int(raw["max_years"]["value"]), report_interval_months=int(raw["report_interval_months"]["value"]),
        reminder_offsets_days=tuple(int(d) for d in raw["reminder_offsets_days"]["value"]),
        acceptance_reminder_days=int(raw["acceptance_reminder_days"]["value"]),
        extension_allowed=bool(raw["extension_allowed"]["value"]),
        reports_required_before_acceptance=bool(raw["reports_required_before_acceptance"]["value"]),
    )
