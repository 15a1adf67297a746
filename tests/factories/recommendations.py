"""Scenario builders for the recommendations app: Sichuan's 卓越级 batch of three applications the
province's leader recommended (2042), and the co-department's concurrence with its order. The pytest
fixture ``batch`` (tests/conftest.py) returns ``recommended_batch(setup)``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from smartfactory.applications.enums import Action
from smartfactory.applications.workflow import transition
from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import Quota
from smartfactory.campaigns.quotas import compute_quotas
from smartfactory.organisations.enums import AuthorityLevel, Department, Role
from smartfactory.recommendations import concurrence, services
from tests import factories as f
from tests.factories.applications import BEFORE, submitted_excellent

BJ = ZoneInfo("Asia/Shanghai")
ONLINE_REVIEW = datetime(2042, 8, 1, 23, 59, 59, tzinfo=BJ)


def recommended_batch(setup, n: int = 3) -> dict:
    c = setup["campaign"]
    f.StageDeadlineFactory(campaign=c, stage=Stage.RECOMMENDER_ONLINE_REVIEW, deadline=ONLINE_REVIEW)
    ndrc = f.authority("510000", level=AuthorityLevel.PROVINCE, department=Department.DEVELOPMENT_REFORM,
                       is_lead=False, name="四川省发展和改革委员会")
    compute_quotas(c)
    leader = f.user("sc-lead", role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    apps = submitted_excellent(setup, n)
    with time_machine.travel(BEFORE, tick=False):
        for app in apps:
            transition(app, Action.RECOMMEND, actor=leader)
    quota = Quota.objects.get(campaign=c, tier="excellent", province_code="510000")
    return {"batch": services.batch_for(quota), "apps": apps, "leader": leader, "ndrc": ndrc, "quota": quota}


def concur(b, *, letter: str = "川发改函〔2042〕1号"):
    """Every co-department's concurrence with the batch's current order, recorded by the leader from
    its letter."""
    for authority in services.co_departments(b["quota"]):
        concurrence.record_letter(b["batch"], actor=b["leader"], authority=authority, letter_number=letter)
