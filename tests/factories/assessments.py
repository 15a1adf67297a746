"""factory_boy factory for the assessments app: a complete self-assessment scored by the engine."""

from __future__ import annotations

import factory as fb
from factory.django import DjangoModelFactory

from smartfactory.assessments.models import SelfAssessment
from tests.factories.campaigns import CampaignFactory
from tests.factories.organisations import FactoryFactory

BUILT = (1, 4, 12, 24, 30)  # one scenario in each of the five dimensions
FACTS_PLAN = {  # what a factory that attains each tier reports (framework 2025)
    "basic": {"cmmm": 2, "kpi": "above_provincial_average", "ai": ()},
    "advanced": {"cmmm": 2, "kpi": "provincial_leading", "ai": ()},
    "excellent": {"cmmm": 3, "kpi": "national_leading", "ai": (24,)},
    "leading": {"cmmm": 4, "kpi": "global_leading", "ai": (1, 12, 24)},
}


def facts_for(tier: str, *, version: str = "2025", **changes) -> dict:
    """Facts that attain ``tier`` exactly; ``changes`` replace top-level facts (e.g. cmmm_level=2)."""
    from smartfactory.frameworks.services import spec_for

    plan = FACTS_PLAN[tier]
    facts = {
        "basic_requirements": {b.id: True for b in spec_for(version).basic_requirements},
        "cmmm_level": plan["cmmm"], "scenarios": [{"number": n, "ai": n in plan["ai"]} for n in BUILT],
        "kpi_benchmark_level": plan["kpi"],
    }
    facts.update(changes)
    return facts


def verdict_for(version: str, facts: dict) -> dict:
    """The engine's verdict on complete facts."""
    from smartfactory.frameworks.engine import evaluate, validate_facts
    from smartfactory.frameworks.services import spec_for

    spec = spec_for(version)
    return {**evaluate(spec, validate_facts(spec, facts)), "complete": True, "missing": []}


class SelfAssessmentFactory(DjangoModelFactory):
    """A complete self-assessment attaining ``tier`` (a parameter; or what the given facts attain)."""

    class Meta:
        model = SelfAssessment

    class Params:
        tier = "advanced"

    factory = fb.SubFactory(FactoryFactory)
    campaign = fb.SubFactory(CampaignFactory)
    framework_version = fb.LazyAttribute(lambda o: o.campaign.framework_version)
    facts = fb.LazyAttribute(lambda o: facts_for(o.tier, version=o.framework_version))
    verdict = fb.LazyAttribute(lambda o: verdict_for(o.framework_version, o.facts))
    attained_tier = fb.LazyAttribute(lambda o: o.verdict["attained_tier"] or "")
