"""The typed, validated view of one framework version, with a campaign's threshold overrides applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TIER_IDS = ("basic", "advanced", "excellent", "leading")
RULE_KINDS = {"cmmm_level", "dimension_coverage", "ai_share", "kpi_benchmark", "scenario_count", "expert_judgement"}


class FrameworkDataError(ValueError):
    """The data file does not describe a usable framework."""


@dataclass(frozen=True)
class Scenario:
    number: int
    link: str
    dimension: str
    name: str
    description: str
    ai_capable: bool


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    tiers: tuple[str, ...]
    threshold: Any
    message: str
    confidence: str
    source: tuple[str, ...] = ()
    formula: str = ""
    strictness: str = "mandatory"

    def threshold_for(self, tier: str):
        """scenario_count thresholds may differ per tier ({tier: n}); others are one value."""
        if isinstance(self.threshold, dict):
            return self.threshold.get(tier)
        return self.threshold


@dataclass(frozen=True)
class BasicRequirement:
    id: str
    name: str
    tiers: tuple[str, ...]
    confidence: str


@dataclass(frozen=True)
class FrameworkSpec:
    version: str
    title: str
    tiers: tuple[dict, ...]
    dimensions: dict[str, str]
    links: dict[str, dict]
    scenarios: dict[int, Scenario]
    basic_requirements: tuple[BasicRequirement, ...]
    rules: tuple[Rule, ...]
    kpi_levels: tuple[str, ...]
    kpi_level_names: dict[str, str] = field(default_factory=dict)
    kpis: tuple[dict, ...] = ()
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def tier_ids(self) -> tuple[str, ...]:
        return tuple(t["id"] for t in sorted(self.tiers, key=lambda t: t["order"]))

    def tier_name(self, tier: str) -> str:
        return next(t["name"] for t in self.tiers if t["id"] == tier)

    def rules_for(self, tier: str) -> list[Rule]:
        return [r for r in self.rules if tier in r.tiers]

    def requirements_for(self, tier: str) -> list[BasicRequirement]:
        return [b for b in self.basic_requirements if tier in b.tiers]


def parse(document: dict, overrides: dict[str, Any] | None = None) -> FrameworkSpec:
    """Build the spec from a framework document; ``overrides`` maps rule id → new threshold."""
    applied = dict(overrides or {})
    overrides = dict(applied)
    try:
        tiers = tuple(document["tiers"])
        tier_ids = [t["id"] for t in tiers]
        if tuple(sorted(tier_ids, key=TIER_IDS.index)) != TIER_IDS:
            raise FrameworkDataError(f"tiers must be {TIER_IDS}, got {tier_ids}")
        dimensions = {d["id"]: d["name"] for d in document["dimensions"]}
        links = {link["id"]: link for link in document["links"]}
        scenarios = {}
        for s in document["scenarios"]:
            if s["link"] not in links or s["dimension"] not in dimensions:
                raise FrameworkDataError(f"scenario {s['number']}: unknown link or dimension")
            scenarios[int(s["number"])] = Scenario(
                number=int(s["number"]), link=s["link"], dimension=s["dimension"], name=s["name"],
                description=s.get("description", ""), ai_capable=bool(s.get("ai_capable")),
            )
        requirements = tuple(
            BasicRequirement(id=b["id"], name=b["name"], tiers=tuple(b["tiers"]), confidence=str(b.get("confidence", "")))
            for b in document["basic_requirements"]
        )
        rules = []
        for r in document["rules"]:
            if r["kind"] not in RULE_KINDS:
                raise FrameworkDataError(f"rule {r['id']}: unknown kind {r['kind']}")
            rules.append(Rule(
                id=r["id"], kind=r["kind"], tiers=tuple(r["tiers"]), threshold=overrides.pop(r["id"], r.get("threshold")),
                message=r["message"], confidence=str(r.get("confidence", "")), source=tuple(r.get("source") or ()),
                formula=r.get("formula", ""), strictness=r.get("strictness", "mandatory"),
            ))
        if overrides:
            raise FrameworkDataError(f"overrides for unknown rules: {sorted(overrides)}")
        levels = tuple(level["id"] for level in document["kpi_benchmark_levels"])
        return FrameworkSpec(
            version=str(document["version"]), title=document["title"], tiers=tiers, dimensions=dimensions,
            links=links, scenarios=scenarios, basic_requirements=requirements, rules=tuple(rules), kpi_levels=levels,
            kpi_level_names={level["id"]: level["name"] for level in document["kpi_benchmark_levels"]},
            kpis=tuple(document.get("kpis", ())), overrides=applied,
        )
    except (KeyError, TypeError) as error:
        raise FrameworkDataError(f"framework document is missing or mis-shapes {error}") from error
