"""Scenario builders for the cultivation app: a Sichuan factory selected as a 领航级 cultivation
object (through the whole national evaluation) with two measurable targets, and an acceptance
report's results. The pytest fixture ``leading`` (tests/conftest.py) returns ``leading_cultivation``."""

from __future__ import annotations

from datetime import date

import factory as fb
from factory.django import DjangoModelFactory

from smartfactory import decisions
from smartfactory.applications.models import TierApplication
from smartfactory.cultivation.models import CultivationObject, CultivationTarget
from smartfactory.evaluation import notices
from smartfactory.evaluation.models import Evaluation
from tests import factories as f
from tests.factories.evaluation import formal_pass, to_site_passed

SUMMARY = "两年来建成数字孪生工厂，全部培育目标均已达成，详见各项佐证材料。"


def leading_cultivation(national, user_of) -> dict:
    """A Sichuan factory selected as a 领航级 cultivation object today, with two measurable targets."""
    n = national
    e = n["evaluations"][0]
    TierApplication.objects.filter(pk=e.application_id).update(tier="leading")
    Evaluation.objects.filter(pk=e.pk).update(tier="leading")
    e.refresh_from_db()
    e = to_site_passed(n, formal_pass(n, e))
    publicity = notices.open_publicity(e.campaign, "leading", actor=n["staff"], evaluations=[e])
    publicity = notices.finalise_publicity(publicity, actor=n["staff"], now=publicity.ends_at)
    for ministry in n["ministries"]:
        notices.record_concurrence(publicity, actor=n["staff"], authority=ministry, document="会签函")
    decisions.decide(publicity, actor=n["staff"], decision_number="工信部联通装〔2042〕2号")
    cultivation = CultivationObject.objects.get(application_id=e.application_id)
    CultivationTarget.objects.bulk_create([
        CultivationTarget(cultivation=cultivation, number=1, indicator="生产效率提升", target_value="30", unit="%"),
        CultivationTarget(cultivation=cultivation, number=2, indicator="运营成本降低", target_value="20", unit="%"),
    ])
    return {**n, "cultivation": cultivation, "enterprise_user": user_of(e), "selection": e}


def acceptance_results(value="32"):
    """Results for both targets, each with its evidence."""
    return {"1": {"value": value, "evidence": "第三方检测报告（2044年）"}, "2": {"value": "21", "evidence": "财务审计报告"}}


# ------------------------------------------------------------------ factory_boy
class CultivationObjectFactory(DjangoModelFactory):
    """A 领航级 cultivation object on a list published on 1 November 2025, two years' cultivation."""

    class Meta:
        model = CultivationObject

    factory = fb.SubFactory(f.FactoryFactory)
    campaign = fb.SubFactory(f.CampaignFactory)
    list_number = "工信部联通装〔2025〕2号"
    published_on = date(2025, 11, 1)
    ends_on = date(2027, 11, 1)
