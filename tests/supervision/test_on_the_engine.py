"""Supervision's moves on the workflow engine: a revoked 卓越级 ends only a cultivation it was the
last ground of (``cultivation.workflow``, P84); the re-check round closes once, through its own
machine; the case page shows a refused decision disabled with the guard's reason."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign
from smartfactory.cultivation import workflow as cultivation_flow
from smartfactory.cultivation.models import CultivationObject
from smartfactory.errors import NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import AwardStatus, Tier
from smartfactory.organisations.models import TierAward
from smartfactory.supervision import recheck_workflow, services, workflow
from smartfactory.supervision.enums import Action, RoundState
from tests.factories.publicsite import published

from .conftest import DEADLINE, OPENED, at, open_case

pytestmark = pytest.mark.django_db
REASON = "该工厂发生重大质量事故，经六部门研究，撤销其卓越级智能工厂认定。"


def _button(html: str, action: str) -> str:
    return re.search(rf'<button[^>]*data-testid="action-{action}"[^>]*>', html).group(0)


@pytest.mark.rule("P84")
def test_a_cultivation_still_founded_on_another_excellent_award_goes_on(world):
    second = world["second"]
    published(second, Tier.EXCELLENT, 2040, certificate_no="卓越〔2040〕0002号")  # an earlier 卓越级, still active
    campaign = Campaign.objects.create(year=2041, name="2041", framework_version="2025", tiers_open=["leading"],
                                       status=CampaignStatus.CLOSED)
    cultivation = CultivationObject.objects.create(factory=second, campaign=campaign, published_on=date(2041, 11, 27),
                                                   ends_on=date(2043, 11, 27), list_number="领航智能工厂培育〔2041〕003号")
    with at(OPENED):
        case = open_case(world, "excellent", actor_key="staff", kind="quality_incident")
    with at(DEADLINE + timedelta(hours=9)):
        workflow.transition(case, Action.REVOKE, actor=world["staff"], reason=REASON)
        with pytest.raises(NotEligible, match="仍持有有效的卓越级"):
            cultivation_flow.transition(cultivation, cultivation_flow.Act.END, actor=world["staff"], reason=REASON,
                                        award=world["excellent"])
    cultivation.refresh_from_db()
    assert cultivation.status == CultivationObject.Status.CULTIVATING and not cultivation.closed_reason
    assert not AuditEvent.objects.filter(action="cultivation.terminated").exists()
    assert TierAward.objects.get(pk=world["excellent"].pk).status == AwardStatus.REVOKED


def test_the_round_closes_once_through_its_machine(world):
    campaign = Campaign.objects.create(year=2042, name="2042年度智能工厂梯度培育行动", framework_version="2025",
                                       tiers_open=["basic", "advanced"], status=CampaignStatus.OPEN)
    with at(OPENED):
        round_ = services.open_recheck_round(campaign, actor=world["staff"])
        with pytest.raises(NotPermitted):
            recheck_workflow.transition(round_, recheck_workflow.Act.CLOSE, actor=world["sc_leader"])
        closed = recheck_workflow.transition(round_, recheck_workflow.Act.CLOSE, actor=world["staff"])
        with pytest.raises(TransitionNotAllowed, match="已结束"):
            services.close_recheck_round(round_, actor=world["staff"])
    assert (closed.state, closed.closed_by) == (RoundState.CLOSED, world["staff"]) and closed.closed_at is not None
    event = AuditEvent.objects.get(action="supervision.recheck_close")
    assert event.before == {"state": "open"} and event.after["state"] == "closed" and event.after["pending"] == 3


@pytest.mark.rule("P14", "P16")
def test_the_case_page_shows_a_refused_decision_disabled_with_the_reason(world, client_for):
    with at(OPENED):
        case = open_case(world, "advanced", measure="revoke")
        html = client_for(world["sc_leader"]).get(f"/console/supervision/{case.pk}/").content.decode()
    for action in ("suspend", "revoke", "dismiss"):  # not heard yet: each decision waits, pointing at the notice
        assert 'disabled aria-describedby="not-heard"' in _button(html, action)
    assert 'id="not-heard"' in html and 'class="why' not in html
    TierAward.objects.filter(pk=world["advanced"].pk).update(status=AwardStatus.SUSPENDED)  # suspended meanwhile
    with at(DEADLINE + timedelta(hours=9)):
        html = client_for(world["sc_leader"]).get(f"/console/supervision/{case.pk}/").content.decode()
        assert 'disabled aria-describedby="why-suspend"' in _button(html, "suspend")
        assert "disabled" not in _button(html, "revoke") and "disabled" not in _button(html, "dismiss")
        why = re.search(r'data-testid="why-suspend">([^<]*)</p>', html).group(1)
        assert why == "决定暂停层级：该认定当前为“暂停”，只能暂停有效的认定。"
        assert 'data-testid="not-heard"' not in html
