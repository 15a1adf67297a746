"""Deadlines: the one service that answers "what is the deadline for this actor and stage", the
guard at −1 s / 0 / +1 s of an overridden deadline, override validation and auditing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import Campaign, StageDeadline
from smartfactory.campaigns.services import (
    deadline_for,
    ensure_before_deadline,
    set_deadline_override,
    set_stage_deadline,
)
from smartfactory.errors import DeadlinePassed, InvalidInput, NotPermitted
from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=23, mm=59, ss=59):
    return datetime(y, m, d, hh, mm, ss, tzinfo=BJ)


@pytest.fixture
def calendar():
    """The real 2025 calendar: national online 07-18, recommenders 08-01; Sichuan gives its cities
    until 07-20; Chengdu gives its districts until 07-18."""
    miit = f.ministry()
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE, parent=miit)
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan)
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY, parent=chengdu)
    mianyang = f.authority("510700", level=AuthorityLevel.CITY, parent=sichuan)
    fucheng = f.authority("510703", level=AuthorityLevel.COUNTY, parent=mianyang)
    ministry_user = f.user(role=Role.MINISTRY_STAFF, authority=miit)
    province_leader = f.user(role=Role.AUTHORITY_LEADER, authority=sichuan)
    city_leader = f.user(role=Role.AUTHORITY_LEADER, authority=chengdu)
    campaign = Campaign.objects.create(year=2025, name="2025", framework_version="2025", tiers_open=["excellent"])
    StageDeadline.objects.create(campaign=campaign, stage=Stage.ENTERPRISE_SUBMISSION, deadline=at(2025, 7, 18))
    StageDeadline.objects.create(campaign=campaign, stage=Stage.RECOMMENDER_ONLINE_REVIEW, deadline=at(2025, 8, 1))
    set_deadline_override(campaign, authority=sichuan, stage=Stage.CITY_REVIEW, deadline=at(2025, 7, 20),
                          actor=province_leader, reason="川经信智能函〔2025〕319号")
    set_deadline_override(campaign, authority=chengdu, stage=Stage.COUNTY_REVIEW, deadline=at(2025, 7, 18, 17, 0, 0),
                          actor=city_leader, reason="成都转发")
    return {
        "campaign": campaign, "sichuan": sichuan, "chengdu": chengdu, "wuhou": wuhou, "mianyang": mianyang,
        "fucheng": fucheng, "ministry_user": ministry_user, "province_leader": province_leader,
        "city_leader": city_leader,
    }


def test_override_binds_the_level_below_not_the_setter(calendar):
    c = calendar["campaign"]
    assert deadline_for(c, Stage.COUNTY_REVIEW, authority=calendar["wuhou"]) == at(2025, 7, 18, 17, 0, 0)
    assert deadline_for(c, Stage.COUNTY_REVIEW, authority=calendar["chengdu"]) is None
    # 绵阳's districts are not bound by Chengdu's override
    assert deadline_for(c, Stage.COUNTY_REVIEW, authority=calendar["fucheng"]) is None
    assert deadline_for(c, Stage.CITY_REVIEW, authority=calendar["chengdu"]) == at(2025, 7, 20)
    assert deadline_for(c, Stage.CITY_REVIEW, authority=calendar["mianyang"]) == at(2025, 7, 20)
    assert deadline_for(c, Stage.CITY_REVIEW, authority=calendar["sichuan"]) is None


def test_enterprise_deadline_is_earliest_of_default_and_overrides_above_it(calendar):
    c = calendar["campaign"]
    wuhou_enterprise = f.enterprise("510107")
    assert deadline_for(c, Stage.ENTERPRISE_SUBMISSION, enterprise=wuhou_enterprise) == at(2025, 7, 18)
    set_deadline_override(c, authority=calendar["chengdu"], stage=Stage.ENTERPRISE_SUBMISSION,
                          deadline=at(2025, 7, 15), actor=calendar["city_leader"], reason="成都提前")
    assert deadline_for(c, Stage.ENTERPRISE_SUBMISSION, enterprise=wuhou_enterprise) == at(2025, 7, 15)
    assert deadline_for(c, Stage.ENTERPRISE_SUBMISSION, enterprise=f.enterprise("510703")) == at(2025, 7, 18)


@pytest.mark.parametrize(
    ("offset", "allowed"), [(timedelta(seconds=-1), True), (timedelta(0), False), (timedelta(seconds=1), False)]
)
def test_overridden_deadline_boundary(calendar, offset, allowed):
    deadline = at(2025, 7, 18, 17, 0, 0)
    with time_machine.travel(deadline + offset, tick=False):
        if allowed:
            ensure_before_deadline(calendar["campaign"], Stage.COUNTY_REVIEW, authority=calendar["wuhou"])
        else:
            with pytest.raises(DeadlinePassed) as exc:
                ensure_before_deadline(calendar["campaign"], Stage.COUNTY_REVIEW, authority=calendar["wuhou"])
            assert "2025-07-18 17:00:00" in exc.value.message
            assert "区县审核推荐" in exc.value.message


@pytest.mark.parametrize(
    ("offset", "allowed"), [(timedelta(seconds=-1), True), (timedelta(0), False), (timedelta(seconds=1), False)]
)
def test_province_override_boundary_for_its_cities(calendar, offset, allowed):
    with time_machine.travel(at(2025, 7, 20) + offset, tick=False):
        call = lambda: ensure_before_deadline(  # noqa: E731  (the same call in both branches)
            calendar["campaign"], Stage.CITY_REVIEW, authority=calendar["mianyang"]
        )
        if allowed:
            call()
        else:
            with pytest.raises(DeadlinePassed):
                call()


def test_timezone_is_beijing_at_midnight_boundary(calendar):
    # 2025-07-18 23:59:59 Beijing is 15:59:59 UTC: a UTC-minded check would wrongly allow 16:00 UTC
    utc_moment = datetime(2025, 7, 18, 16, 0, 0, tzinfo=ZoneInfo("UTC"))
    with time_machine.travel(utc_moment, tick=False), pytest.raises(DeadlinePassed):
        ensure_before_deadline(calendar["campaign"], Stage.ENTERPRISE_SUBMISSION, enterprise=f.enterprise("510107"))


def test_override_later_than_the_parents_deadline_is_refused(calendar):
    c = calendar["campaign"]
    with pytest.raises(InvalidInput) as exc:
        # Chengdu cannot give its districts longer than Sichuan gives Chengdu (07-20)
        set_deadline_override(c, authority=calendar["chengdu"], stage=Stage.COUNTY_REVIEW, deadline=at(2025, 7, 21),
                              actor=calendar["city_leader"])
    assert exc.value.field == "deadline"
    assert "不能晚于上级规定的截止时间" in exc.value.message
    with pytest.raises(InvalidInput):
        set_deadline_override(c, authority=calendar["sichuan"], stage=Stage.CITY_REVIEW, deadline=at(2025, 8, 2),
                              actor=calendar["province_leader"])
    # exactly the parent's deadline is allowed
    set_deadline_override(c, authority=calendar["chengdu"], stage=Stage.COUNTY_REVIEW, deadline=at(2025, 7, 20),
                          actor=calendar["city_leader"])


def test_only_leaders_above_may_set_an_override(calendar):
    c = calendar["campaign"]
    district_reviewer = f.user(role=Role.AUTHORITY_REVIEWER, authority=calendar["wuhou"])
    mianyang_leader = f.user(role=Role.AUTHORITY_LEADER, authority=calendar["mianyang"])
    for actor in (district_reviewer, mianyang_leader):
        with pytest.raises(NotPermitted):
            set_deadline_override(c, authority=calendar["chengdu"], stage=Stage.COUNTY_REVIEW,
                                  deadline=at(2025, 7, 10), actor=actor)
    # the province leader manages Chengdu too
    set_deadline_override(c, authority=calendar["chengdu"], stage=Stage.COUNTY_REVIEW, deadline=at(2025, 7, 10),
                          actor=calendar["province_leader"], reason="省里统一提前")


def test_override_change_is_audited_with_before_and_after(calendar):
    before = AuditEvent.objects.count()
    set_deadline_override(calendar["campaign"], authority=calendar["chengdu"], stage=Stage.COUNTY_REVIEW,
                          deadline=at(2025, 7, 17), actor=calendar["city_leader"], reason="再提前一天")
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "campaign.deadline_override_set"
    assert event.before == {"deadline": at(2025, 7, 18, 17, 0, 0).isoformat()}
    assert event.after["deadline"] == at(2025, 7, 17).isoformat()
    assert event.actor_name == calendar["city_leader"].username
    assert event.reason == "再提前一天"


def test_extension_by_the_ministry_needs_a_reason_and_is_audited(calendar):
    c = calendar["campaign"]
    with pytest.raises(InvalidInput):
        set_stage_deadline(c, stage=Stage.ENTERPRISE_SUBMISSION, deadline=at(2025, 7, 25), actor=calendar["ministry_user"])
    set_stage_deadline(c, stage=Stage.ENTERPRISE_SUBMISSION, deadline=at(2025, 7, 25), actor=calendar["ministry_user"],
                       reason="工信厅通装函（延期）")
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "campaign.deadline_set"
    assert event.before == {"deadline": at(2025, 7, 18).isoformat()}
    assert event.reason == "工信厅通装函（延期）"
    with pytest.raises(NotPermitted):
        set_stage_deadline(c, stage=Stage.ENTERPRISE_SUBMISSION, deadline=at(2025, 7, 26),
                           actor=calendar["province_leader"], reason="x")


def test_calendars_of_many_campaigns_and_actors_are_those_deadline_for_gives(calendar):
    """``calendars_for`` (the calendars of lists, a fixed number of queries) agrees with
    ``deadline_for`` (the guard) for every campaign, actor and stage: overrides above the actor,
    the ministry's extension for one province, tier-specific defaults (not in a calendar), a central
    SOE's group and an enterprise of another province."""
    from smartfactory.campaigns.models import DeadlineExtension, DeadlineOverride
    from smartfactory.campaigns.services import calendar_for, calendars_for
    from smartfactory.organisations.enums import AuthorityKind, Department

    c = calendar["campaign"]
    other = Campaign.objects.create(year=2026, name="2026", framework_version="2025", tiers_open=["excellent"])
    StageDeadline.objects.create(campaign=other, stage=Stage.ENTERPRISE_SUBMISSION, deadline=at(2026, 7, 18))
    StageDeadline.objects.create(campaign=other, stage=Stage.PROVINCE_REVIEW, deadline=at(2026, 7, 28))
    StageDeadline.objects.create(campaign=other, stage=Stage.PROVINCE_REVIEW, tier="excellent", deadline=at(2026, 7, 25))
    DeadlineExtension.objects.create(campaign=other, authority=calendar["sichuan"], stage=Stage.ENTERPRISE_SUBMISSION,
                                     deadline=at(2026, 7, 25), reason="四川延期")
    DeadlineExtension.objects.create(campaign=c, authority=calendar["sichuan"], stage=Stage.RECOMMENDER_ONLINE_REVIEW,
                                     deadline=at(2025, 8, 5), reason="四川延期")
    DeadlineOverride.objects.create(campaign=other, authority=calendar["chengdu"], stage=Stage.ENTERPRISE_SUBMISSION,
                                    deadline=at(2026, 7, 20))
    group = f.AuthorityFactory(level=AuthorityLevel.NATIONAL, kind=AuthorityKind.CENTRAL_SOE, name="某集团",
                               department=Department.HEADQUARTERS)
    DeadlineOverride.objects.create(campaign=other, authority=group, stage=Stage.ENTERPRISE_SUBMISSION,
                                    deadline=at(2026, 7, 10))
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE)
    actors = [f.enterprise("510107"), f.enterprise("510703"), f.enterprise("510107", soe=group), f.enterprise("330106"),
              calendar["wuhou"], calendar["chengdu"], calendar["sichuan"], calendar["fucheng"], zhejiang, None]
    found = calendars_for([c, other], actors)
    for campaign in (c, other):
        for actor in actors:
            whose = {"enterprise": actor} if actor in actors[:4] else {"authority": actor}
            expected = [(s.value, d) for s in Stage if (d := deadline_for(campaign, s.value, **whose)) is not None]
            assert [(r["stage"], r["deadline"]) for r in found[(campaign.pk, actor)]] == expected, (campaign.year, actor)
            assert calendar_for(campaign, **whose) == found[(campaign.pk, actor)]
    assert [(r["stage"], r["deadline"]) for r in found[(other.pk, actors[0])]] == [
        (Stage.ENTERPRISE_SUBMISSION, at(2026, 7, 20)), (Stage.PROVINCE_REVIEW, at(2026, 7, 28))]
    assert found[(other.pk, actors[2])][0]["deadline"] == at(2026, 7, 10)  # the group's own, earlier
