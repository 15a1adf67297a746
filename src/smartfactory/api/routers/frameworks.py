from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from smartfactory.frameworks.engine import evaluate, validate_facts
from smartfactory.frameworks.models import FrameworkVersion
from smartfactory.frameworks.services import spec_for

router = Router(tags=["frameworks"])


class BuiltScenarioIn(Schema):
    number: int = Field(..., description="典型场景编号（2025年版为 1–40）")
    ai: bool = Field(False, description="该场景是否应用了人工智能技术")


class FactsIn(Schema):
    """The facts of one factory, as the tier engine reads them."""

    basic_requirements: dict[str, bool] = Field(
        ..., description="每项基本要求是否满足，键为本版本的基本要求编号（见 GET /frameworks/{version}）"
    )
    cmmm_level: int = Field(..., ge=1, le=5, description="智能制造能力成熟度等级（GB/T 39116-2020），1–5")
    scenarios: list[BuiltScenarioIn] = Field(..., description="工厂已建成的典型场景")
    kpi_benchmark_level: Literal["above_provincial_average", "provincial_leading", "national_leading", "global_leading"]


class RuleResult(Schema):
    rule: str
    message: str


class GapOut(RuleResult):
    tier: str


class TierResult(Schema):
    met: bool
    unmet: list[RuleResult]
    expert_judged: list[RuleResult]


class MetricsOut(Schema):
    built_scenarios: int
    ai_scenarios: int
    ai_share: float
    covered_dimensions: list[str]


class VerdictOut(Schema):
    framework_version: str
    attained_tier: Literal["basic", "advanced", "excellent", "leading"] | None
    tiers: dict[str, TierResult]
    next_tier: Literal["basic", "advanced", "excellent", "leading"] | None
    gaps: list[GapOut]
    suggested_scenarios: list[int]
    metrics: MetricsOut


class ScenarioOut(Schema):
    number: int
    link: str
    link_name: str
    dimension: str
    dimension_name: str
    name: str
    description: str
    ai_capable: bool


class FrameworkOut(Schema):
    version: str
    title: str
    status: str
    tiers: list[dict]
    dimensions: list[dict]
    links: list[dict]
    basic_requirements: list[dict]
    rules: list[dict]
    kpi_benchmark_levels: list[dict]
    kpis: list[dict]


def _document(version: str) -> dict:
    return get_object_or_404(FrameworkVersion, version=version).document


@router.get("/{version}", response=FrameworkOut)
def get_framework(request, version: str):
    """Tiers, dimensions, basic requirements (with ids), rules with thresholds, sources and confidence."""
    d = _document(version)
    return {key: d.get(key, []) for key in FrameworkOut.model_fields} | {
        "version": d["version"], "title": d["title"], "status": d.get("status", "")
    }


@router.get("/{version}/scenarios", response=list[ScenarioOut])
def list_scenarios(request, version: str):
    """The typical scenarios of the guide, with their 环节 and dimension."""
    _document(version)
    spec = spec_for(version)
    return [
        {
            "number": s.number, "link": s.link, "link_name": spec.links[s.link]["name"], "dimension": s.dimension,
            "dimension_name": spec.dimensions[s.dimension], "name": s.name, "description": s.description,
            "ai_capable": s.ai_capable,
        }
        for s in sorted(spec.scenarios.values(), key=lambda s: s.number)
    ]


@router.post("/{version}/evaluate", response=VerdictOut)
def evaluate_facts(request, version: str, facts: FactsIn):
    """Evaluate facts against this version's element conditions (no campaign overrides)."""
    _document(version)
    spec = spec_for(version)
    return evaluate(spec, validate_facts(spec, facts.dict()))
