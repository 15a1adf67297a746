"""A campaign's status on the workflow engine: planned → open → closed (or planned → closed), never
back. ``update_campaign`` takes the transition when its form changes the status and keeps its own
campaign.update event for the other fields."""

from __future__ import annotations

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns import workflow
from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.setup import update_campaign
from smartfactory.errors import NotPermitted, TransitionNotAllowed

pytestmark = pytest.mark.django_db


def _edit(campaign, actor, status, **fields):
    values = {"name": campaign.name, "notice_number": campaign.notice_number,
              "framework_version": campaign.framework_version, "tiers_open": campaign.tiers_open, **fields}
    return update_campaign(campaign, actor=actor, status=status, **values)


def test_the_form_opens_and_closes_the_year_through_the_machine(programme):
    staff = programme["staff"]
    campaign = Campaign.objects.create(year=2052, name="2052", framework_version="2025", tiers_open=["advanced"])
    _edit(campaign, staff, CampaignStatus.PLANNED, name="2052年度行动")  # no new status: no transition
    assert not AuditEvent.objects.filter(action__in=["campaign.open", "campaign.close"]).exists()
    _edit(campaign, staff, CampaignStatus.OPEN, tiers_open=["advanced", "excellent"])
    opened = AuditEvent.objects.get(action="campaign.open")
    assert (opened.object_id, opened.before, opened.after) == ("2052", {"status": "planned"}, {"status": "open"})
    update = AuditEvent.objects.filter(action="campaign.update").latest("seq")
    assert update.seq > opened.seq
    assert (update.before["status"], update.after["status"]) == ("planned", "open")
    assert update.after["tiers_open"] == ["advanced", "excellent"]
    with pytest.raises(TransitionNotAllowed) as exc:
        _edit(campaign, staff, CampaignStatus.PLANNED)
    assert exc.value.field == "status"
    _edit(campaign, staff, CampaignStatus.CLOSED)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
    assert AuditEvent.objects.get(action="campaign.close").before == {"status": "open"}
    with pytest.raises(TransitionNotAllowed):
        _edit(campaign, staff, CampaignStatus.OPEN)
    with pytest.raises(TransitionNotAllowed):  # the machine itself has no way back
        workflow.transition(campaign, workflow.Act.OPEN, actor=staff)


def test_a_planned_year_may_be_closed_and_only_the_ministry_moves_it(programme):
    campaign = Campaign.objects.create(year=2053, name="2053", framework_version="2025", tiers_open=["advanced"])
    with pytest.raises(NotPermitted):
        workflow.transition(campaign, workflow.Act.OPEN, actor=programme["sc_leader"])
    with pytest.raises(NotPermitted):
        workflow.transition(campaign, workflow.Act.OPEN, actor=None)
    workflow.transition(campaign, workflow.Act.CLOSE, actor=programme["staff"])
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
