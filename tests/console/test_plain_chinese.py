"""Pages speak Chinese, not keys: tiers by their names, deadlines as officials write them (issue 14)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from smartfactory.applications.enums import Action
from smartfactory.campaigns.enums import Stage
from tests import factories as f
from tests.factories.applications import BEFORE_ALL, run

pytestmark = pytest.mark.django_db


def test_the_reviewer_reads_the_attained_tier_by_its_name(world, client_for):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise", cooperation=True)
        page = client_for(world["users"]["district"]).get(f"/console/applications/{world['app'].pk}/").content.decode()
    assert "提交时自评达到层级：先进级" in page
    assert "提交时自评达到层级：advanced" not in page


def test_an_end_of_day_deadline_reads_24_00_of_its_day(world, client_for):
    midnight = datetime(2041, 8, 1, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the instant 2041-07-31 ends
    f.StageDeadlineFactory(campaign=world["campaign"], stage=Stage.CITY_REVIEW, deadline=midnight)
    page = client_for(world["users"]["province"]).get("/console/campaigns/2041/").content.decode()
    assert "2041-07-31 24:00" in page and "2041-08-01 00:00:00" not in page


def test_eligibility_reasons_are_listed_one_per_line(world, client_for):
    fresh = f.factory(world["factory"].enterprise, name="蜀都二号工厂")  # no award, no self-assessment
    client = client_for(world["users"]["enterprise"])
    page = client.post(f"/portal/factories/{fresh.pk}/apply/", {"tier": "excellent"}, follow=True).content.decode()
    listed = page.split('<ul class="reasons">')[1].split("</ul>")[0]
    assert listed.count("<li>") >= 2 and "；" not in listed
    assert "不符合以下条件：" in page
