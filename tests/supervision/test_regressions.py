"""Defect found in use (issue 12, point 10.3), with the test that failed before its fix: revoking the
卓越级 behind a 领航级 cultivation object left the object "培育中" on the public cultivation list. Now
the object is terminated (终止培育) with the revocation's reason, audited in the decision's
transaction, and leaves the public list (page and API); a suspension leaves it cultivating."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign
from smartfactory.cultivation.models import CultivationObject
from smartfactory.supervision import workflow
from smartfactory.supervision.enums import Action

from .conftest import DEADLINE, OPENED, at, open_case

pytestmark = pytest.mark.django_db
REASON = "该工厂发生重大质量事故，经六部门研究，撤销其卓越级智能工厂认定。"


@pytest.fixture
def cultivated(world):
    """The factory with the published 卓越级 is a 领航级 cultivation object published in 2041."""
    campaign = Campaign.objects.create(year=2041, name="2041", framework_version="2025", tiers_open=["leading"],
                                       status=CampaignStatus.CLOSED)
    return CultivationObject.objects.create(factory=world["second"], campaign=campaign, list_number="领航智能工厂培育〔2041〕003号",
                                            published_on=date(2041, 11, 27), ends_on=date(2043, 11, 27))


def _public(client: Client) -> dict[str, set[str]]:
    page = {r["list_number"] for r in client.get("/public/cultivation/").context["rows"]}
    api = {i["list_number"] for i in client.get("/api/v1/public/cultivation").json()["items"]}
    return {"page": page, "api": api}


@pytest.mark.rule("P84")
def test_revoking_the_excellent_award_terminates_the_cultivation_and_it_leaves_the_public_list(world, cultivated):
    number = cultivated.list_number
    with at(OPENED):
        assert all(number in found for found in _public(Client()).values())
        case = open_case(world, "excellent", actor_key="staff", kind="quality_incident")
    with at(DEADLINE + timedelta(hours=9)):
        workflow.transition(case, Action.REVOKE, actor=world["staff"], reason=REASON)
        cultivated.refresh_from_db()
        assert cultivated.status == CultivationObject.Status.TERMINATED
        assert world["excellent"].certificate_no in cultivated.closed_reason and REASON in cultivated.closed_reason
        event = AuditEvent.objects.get(action="cultivation.terminated", object_id=str(cultivated.pk))
        assert event.before == {"status": "cultivating"} and event.after["status"] == "terminated"
        assert all(number not in found for found in _public(Client()).values())


def test_a_suspension_leaves_the_cultivation_running(world, cultivated):
    with at(OPENED):
        case = open_case(world, "excellent", actor_key="staff", kind="quality_incident", measure="suspend")
    with at(DEADLINE + timedelta(hours=9)):
        workflow.transition(case, Action.SUSPEND, actor=world["staff"], reason="暂停，限期整改。")
        cultivated.refresh_from_db()
        assert cultivated.status == CultivationObject.Status.CULTIVATING
        assert not AuditEvent.objects.filter(action="cultivation.terminated").exists()
        assert all(cultivated.list_number in found for found in _public(Client()).values())
