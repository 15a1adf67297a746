"""Scenario builders for the national evaluation: the Sichuan batch submitted to MIIT (three
evaluations waiting for the formal check), MIIT with its staff and the five other ministries, a small
expert pool; and the steps tests take an evaluation through (formal check, scores, site visit). The
pytest fixtures ``national`` and ``user_of`` (tests/conftest.py) return ``national_round`` and
``enterprise_user_of``."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import factory as fb
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from smartfactory.errors import NotEligible
from smartfactory.evaluation import assigning, expert_profiles, opening, scoring, site_visits
from smartfactory.evaluation.models import Assignment, Evaluation, ExpertProfile
from smartfactory.evaluation.workflow import Act, transition
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
from smartfactory.recommendations import services as recommendations
from tests import factories as f
from tests.factories.applications import TierApplicationFactory, text_pdf
from tests.factories.recommendations import ONLINE_REVIEW, concur

OTHER_MINISTRIES = [("国家发展和改革委员会", Department.DEVELOPMENT_REFORM), ("财政部", Department.FINANCE),
                    ("国务院国有资产监督管理委员会", Department.SASAC), ("国家市场监督管理总局", Department.MARKET_REGULATION),
                    ("国家数据局", Department.DATA)]
ALL = {"foundation": 80, "scenarios": 80, "intelligence": 80, "results": 80, "demonstration": 80}


def expert(name: str, *, actor, organisation: str = "某大学", uscc: str = "", province: str = "110000",
           industries=("35",), scenarios=(), max_load: int = 12):
    user = f.user(f"expert-{name}", role=Role.EXPERT)
    return expert_profiles.save_expert_profile(user, actor=actor, name=name, organisation=organisation, organisation_uscc=uscc,
                                        province_code=province, industries=list(industries), scenarios=list(scenarios),
                                        max_load=max_load)


def national_round(batch) -> dict:
    miit = f.ministry()
    others = [f.authority(None, level=AuthorityLevel.NATIONAL, kind=AuthorityKind.MINISTRY, name=n, department=d,
                          is_lead=False) for n, d in OTHER_MINISTRIES]
    staff = f.user("miit-staff", role=Role.MINISTRY_STAFF, authority=miit)
    b = batch
    concur(b)
    recommendations.finalise(b["batch"], actor=b["leader"])
    for kind in ("summary_table", "letter"):
        recommendations.attach_scan(b["batch"], kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", text_pdf("盖章")),
                                    actor=b["leader"])
    with time_machine.travel(ONLINE_REVIEW - timedelta(seconds=1), tick=False):
        recommendations.submit_to_ministry(b["batch"], actor=b["leader"])
    experts = [expert(n, actor=staff) for n in ("甲", "乙", "丙", "丁")]
    evaluations = [Evaluation.objects.get(application=a) for a in b["apps"]]
    return {**b, "miit": miit, "ministries": [miit, *others], "staff": staff, "experts": experts,
            "evaluations": evaluations}


def enterprise_user_of(national):
    """A function giving a new admin of an evaluation's enterprise (kept in ``national["user_of"]``)."""

    def get(e):
        return f.user(role=Role.ENTERPRISE_ADMIN, enterprise=e.application.factory.enterprise)
    national["user_of"] = get
    return get


def scores_for(total: float) -> dict:
    return dict.fromkeys(ALL, total)


def formal_pass(n, e):
    """The formal check passed by MIIT's staff."""
    return opening.formal_check(e, actor=n["staff"], passed=True)


def on_visit_day(visit) -> datetime:
    """09:00 Beijing time on the visit's date."""
    return datetime.combine(visit.scheduled_for, time(9), tzinfo=timezone.get_default_timezone())


def to_site_passed(n, e):
    """Two experts' scores, the site visit planned, agreed, checked and passed (needs ``user_of``)."""
    with pytest.raises(NotEligible):
        transition(e, Act.TO_SITE_VISIT, actor=n["staff"])  # scores missing
    a = assigning.assign_expert(e, n["experts"][0], actor=n["staff"])
    b = assigning.assign_expert(e, n["experts"][1], actor=n["staff"])
    scoring.submit_scores(a, actor=n["experts"][0].user, scores=ALL)
    scoring.submit_scores(b, actor=n["experts"][1].user, scores=scores_for(85))
    e = transition(e, Act.TO_SITE_VISIT, actor=n["staff"])
    visit = site_visits.plan_site_visit(e, actor=n["staff"], team=[n["experts"][2]],
                                     scheduled_for=timezone.localdate() + timedelta(days=7))
    with pytest.raises(NotEligible):
        site_visits.record_site_outcome(visit, actor=n["experts"][2].user, outcome="pass")  # not agreed yet
    site_visits.agree_site_visit(visit, actor=n["user_of"](e))
    for item in visit.checklist:
        site_visits.record_finding(visit, actor=n["experts"][2].user, item=item["key"], result="met", note="现场查看系统")
    with time_machine.travel(on_visit_day(visit), tick=False):  # the outcome is recorded on the day at the earliest
        site_visits.record_site_outcome(visit, actor=n["experts"][2].user, outcome="pass")
    return e


# ------------------------------------------------------------------ factory_boy
class EvaluationFactory(DjangoModelFactory):
    """An evaluation waiting for the formal check, of a recommended application of its campaign and tier."""

    class Meta:
        model = Evaluation

    application = fb.SubFactory(TierApplicationFactory, tier="excellent", state="recommended")
    campaign = fb.SelfAttribute("application.campaign")
    tier = fb.SelfAttribute("application.tier")


class ExpertProfileFactory(DjangoModelFactory):
    """An expert of the pool, with an expert account (``f.user`` with the expert role)."""

    class Meta:
        model = ExpertProfile

    user = fb.LazyFunction(lambda: f.user(role=Role.EXPERT))
    name = fb.Sequence(lambda n: f"专家{n}")
    organisation = "某大学"
    province_code = "110000"
    industries = fb.LazyFunction(lambda: ["35"])


class AssignmentFactory(DjangoModelFactory):
    """A panel expert's assignment to an evaluation, due in a week."""

    class Meta:
        model = Assignment

    evaluation = fb.SubFactory(EvaluationFactory)
    expert = fb.SubFactory(ExpertProfileFactory)
    due_at = fb.LazyFunction(lambda: timezone.now() + timedelta(days=7))
