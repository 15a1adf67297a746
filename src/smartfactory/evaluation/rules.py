"""The evaluation rules of a campaign, from ``data/evaluation-<version>.yaml`` (never repeated in
code): experts per application, the divergence threshold, caps, conflict rules, scoring criteria,
the six ministries, certificate formats and the site checklist."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    weight: float


@dataclass(frozen=True)
class EvaluationRules:
    experts_per_application: int
    divergence_threshold: float
    default_max_load: int
    scoring_days: int
    publicity_days: int
    conflicts: dict  # rule -> {"enabled": bool, "label": str}
    criteria: tuple[Criterion, ...]
    decision_departments: tuple[str, ...]
    certificate_format: dict
    site_checklist: dict
    source: str
    acceptance_criteria: tuple[Criterion, ...] = ()
    acceptance_checklist: dict | None = None

    def criteria_for(self, kind: str) -> tuple[Criterion, ...]:
        """The scoring criteria of an evaluation of this kind (selection or acceptance)."""
        return self.acceptance_criteria if kind == "acceptance" else self.criteria

    def enabled(self, rule: str) -> bool:
        return bool(self.conflicts.get(rule, {}).get("enabled"))


def _value(entry):
    return entry["value"] if isinstance(entry, dict) else entry


@cache
def _load(path: str) -> EvaluationRules:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    criteria = tuple(Criterion(c["key"], c["label"], float(c["weight"])) for c in raw["criteria"])
    acceptance = tuple(Criterion(c["key"], c["label"], float(c["weight"]))
                       for c in (raw.get("acceptance_criteria") or {}).get("items", []))
    for name, group in (("criteria", criteria), ("acceptance_criteria", acceptance)):
        if group and abs(sum(c.weight for c in group) - 1.0) > 1e-9:
            raise ValueError(f"{path}: {name} weights must add to 1")
    return EvaluationRules(
        experts_per_application=int(_value(raw["experts_per_application"])),
        divergence_threshold=float(_value(raw["divergence_threshold"])),
        default_max_load=int(_value(raw["default_max_load"])),
        scoring_days=int(_value(raw["scoring_days"])),
        publicity_days=int(_value(raw["publicity_days"])),
        conflicts=raw["conflict_rules"], criteria=criteria,
        decision_departments=tuple(raw["decision_departments"]),
        certificate_format=raw["certificate_format"], site_checklist=raw["site_checklist"], source=raw.get("source", ""),
        acceptance_criteria=acceptance, acceptance_checklist=raw.get("acceptance_checklist"),
    )


def rules_for(campaign) -> EvaluationRules:
    """The newest rules file whose version is not after the campaign's framework version."""
    version = int(campaign.framework_version)
    files = sorted(DATA_DIR.glob("evaluation-*.yaml"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    chosen = [p for p in files if int(p.stem.rsplit("-", 1)[1]) <= version] or files[:1]
    return _load(str(chosen[-1]))
