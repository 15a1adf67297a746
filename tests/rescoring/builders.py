"""Builders for re-scoring tests: facts as the engine reads them, and self-assessments stored the way
``assessments.services.score`` leaves them under the framework's default thresholds."""

from __future__ import annotations

from django.utils import timezone

from smartfactory.assessments.models import SelfAssessment
from smartfactory.campaigns.models import Campaign
from smartfactory.frameworks.engine import evaluate, validate_facts
from smartfactory.frameworks.services import spec_for
from tests import factories as f

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


def facts(*, cmmm: int = 3, kpi: str = "national_leading", built: int = 20, ai: int = 3,
          dimensions: tuple[str, ...] = ("D1", "D2", "D3", "D4", "D5")) -> dict:
    """Facts with ``built`` scenarios spread over ``dimensions`` (round robin), the first ``ai`` using AI."""
    spec = spec_for("2025")
    pools = {d: [n for n, s in sorted(spec.scenarios.items()) if s.dimension == d] for d in dimensions}
    numbers: list[int] = []
    while len(numbers) < built:
        for d in dimensions:
            if pools[d] and len(numbers) < built:
                numbers.append(pools[d].pop(0))
    return {
        "basic_requirements": {b.id: True for b in spec.basic_requirements},
        "cmmm_level": cmmm,
        "scenarios": [{"number": n, "ai": i < ai} for i, n in enumerate(sorted(numbers))],
        "kpi_benchmark_level": kpi,
    }


def assessment(campaign: Campaign, raw: dict | None, *, missing: tuple[str, ...] = ()) -> SelfAssessment:
    """A self-assessment as score() leaves it under the framework's default thresholds (raw None: never
    scored, as start_assessment leaves it)."""
    verdict, tier = None, ""
    if raw is not None:
        spec = spec_for("2025")
        verdict = evaluate(spec, validate_facts(spec, raw))
        verdict["complete"], verdict["missing"] = not missing, list(missing)
        tier = verdict["attained_tier"] or ""
    return SelfAssessment.objects.create(
        factory=f.factory(f.enterprise("510107")), campaign=campaign, framework_version="2025", facts=raw,
        verdict=verdict, attained_tier=tier, scored_at=timezone.now() if raw else None,
    )


def tiers(*rows) -> list[str]:
    return [SelfAssessment.objects.get(pk=r.pk).attained_tier for r in rows]
