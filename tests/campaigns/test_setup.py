"""Setting the programme up on the platform (R24): MIIT opens a year's campaign (one a year, a loaded
framework version, stages in order) and extends a deadline for one province or for everyone; a
province sets its channel rule, its review chain and its cities' deadlines — only its own."""

from __future__ import annotations

import pytest
import time_machine

from smartfactory.applications.chain import resolve_chain
from smartfactory.applications.eligibility import reasons_not_eligible
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.enums import CampaignStatus, Stage
from smartfactory.campaigns.models import Campaign, ChannelRule, DeadlineExtension, ReviewChain, StageDeadline
from smartfactory.campaigns.services import (
    create_campaign,
    deadline_for,
    ensure_before_deadline,
    set_deadline_override,
    set_stage_deadline,
)
from smartfactory.campaigns.setup import (
    extend_deadline_for_province,
    set_channel_rule,
    set_review_chain,
    update_campaign,
)
from smartfactory.errors import DeadlinePassed, InvalidInput, NotPermitted, TransitionNotAllowed
from tests import factories as f
from tests.campaigns.conftest import at

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ the campaign
@pytest.mark.rule("R24", "P60")
def test_ministry_opens_one_campaign_a_year_with_a_loaded_framework(programme):
    staff = programme["staff"]
    campaign = create_campaign(actor=staff, year=2045, name="2045年度智能工厂梯度培育行动", framework_version="2025",
                               tiers_open=["advanced", "excellent"], notice_number="工信厅联通装函〔2045〕1号")
    assert campaign.status == CampaignStatus.PLANNED and campaign.tiers_open == ["advanced", "excellent"]
    event = AuditEvent.objects.get(action="campaign.create", object_id="2045")
    assert event.after["tiers_open"] == ["advanced", "excellent"]
    with pytest.raises(InvalidInput) as exc:
        create_campaign(actor=staff, year=2045, name="again", framework_version="2025", tiers_open=[])
    assert exc.value.field == "year" and "已存在" in exc.value.message
    assert Campaign.objects.filter(year=2045).count() == 1
    with pytest.raises(NotPermitted):
        create_campaign(actor=programme["sc_leader"], year=2046, name="x", framework_version="2025", tiers_open=[])


@pytest.mark.rule("R1", "P60")
def test_a_framework_version_that_is_not_loaded_is_refused(programme):
    with pytest.raises(InvalidInput) as exc:
        create_campaign(actor=programme["staff"], year=2047, name="2047", framework_version="2099",
                        tiers_open=["advanced"])
    assert exc.value.field == "framework_version" and "2025" in exc.value.message
    assert not Campaign.objects.filter(year=2047).exists()
    with pytest.raises(InvalidInput) as exc:
        create_campaign(actor=programme["staff"], year=2047, name="2047", framework_version="2025",
                        tiers_open=["platinum"])
    assert exc.value.field == "tiers_open"


@pytest.mark.rule("R24", "P60")
def test_update_moves_status_forward_and_pins_the_framework_once_open(programme):
    staff, campaign = programme["staff"], programme["campaign"]
    update_campaign(campaign, actor=staff, name="2044年度行动", notice_number="通知", framework_version="2025",
                    tiers_open=["basic", "advanced", "excellent", "leading"], status=CampaignStatus.OPEN)
    campaign.refresh_from_db()
    assert campaign.tiers_open == ["basic", "advanced", "excellent", "leading"] and campaign.name == "2044年度行动"
    event = AuditEvent.objects.filter(action="campaign.update").latest("seq")
    assert event.before["tiers_open"] == ["advanced", "excellent"] and event.after["notice_number"] == "通知"
    with pytest.raises(TransitionNotAllowed):
        update_campaign(campaign, actor=staff, name="x", notice_number="", framework_version="2025", tiers_open=[],
                        status=CampaignStatus.PLANNED)
    with pytest.raises(NotPermitted):
        update_campaign(campaign, actor=programme["sc_leader"], name="x", notice_number="", framework_version="2025",
                        tiers_open=[], status=CampaignStatus.OPEN)


@pytest.mark.rule("P61")
def test_national_deadlines_stay_in_stage_order(programme):
    staff, campaign = programme["staff"], programme["campaign"]
    with pytest.raises(InvalidInput) as exc:  # online submission after the province's review
        set_stage_deadline(campaign, stage=Stage.ENTERPRISE_SUBMISSION, deadline=at(7, 30), actor=staff, reason="延期")
    assert "省级审核推荐" in exc.value.message
    with pytest.raises(InvalidInput):  # the province's review before online submission closes
        set_stage_deadline(campaign, stage=Stage.PROVINCE_REVIEW, deadline=at(7, 10), actor=staff)
    with pytest.raises(InvalidInput):  # a tier's own deadline is checked against the defaults too
        set_stage_deadline(campaign, stage=Stage.PAPER_DELIVERY, tier="excellent", deadline=at(7, 31), actor=staff)
    set_stage_deadline(campaign, stage=Stage.ENTERPRISE_SUBMISSION, deadline=at(7, 28), actor=staff, reason="延期")
    assert StageDeadline.objects.get(campaign=campaign, stage=Stage.ENTERPRISE_SUBMISSION).deadline == at(7, 28)


# ------------------------------------------------------------------ extensions
@pytest.mark.rule("R24", "P62")
def test_extension_for_one_province_binds_only_that_province(programme):
    p, campaign = programme, programme["campaign"]
    sichuan_firm, zhejiang_firm = f.enterprise("510107"), f.enterprise("330106")
    extend_deadline_for_province(campaign, authority=p["sichuan"], stage=Stage.ENTERPRISE_SUBMISSION,
                                 deadline=at(7, 25), actor=p["staff"], reason="工信厅函〔2044〕9号 四川延期")
    assert deadline_for(campaign, Stage.ENTERPRISE_SUBMISSION, enterprise=sichuan_firm) == at(7, 25)
    assert deadline_for(campaign, Stage.ENTERPRISE_SUBMISSION, enterprise=zhejiang_firm) == at(7, 18)
    assert deadline_for(campaign, Stage.ENTERPRISE_SUBMISSION, authority=p["sichuan"]) == at(7, 25)
    assert deadline_for(campaign, Stage.ENTERPRISE_SUBMISSION, authority=p["wuhou"]) == at(7, 25)
    with time_machine.travel(at(7, 25, ss=58), tick=False):
        ensure_before_deadline(campaign, Stage.ENTERPRISE_SUBMISSION, enterprise=sichuan_firm)
        with pytest.raises(DeadlinePassed):
            ensure_before_deadline(campaign, Stage.ENTERPRISE_SUBMISSION, enterprise=zhejiang_firm)
    with time_machine.travel(at(7, 25), tick=False), pytest.raises(DeadlinePassed):
        ensure_before_deadline(campaign, Stage.ENTERPRISE_SUBMISSION, enterprise=sichuan_firm)
    event = AuditEvent.objects.get(action="campaign.deadline_extended")
    assert event.after["authority"] == "四川省经济和信息化厅" and event.reason.startswith("工信厅函")
    # the province may now give its cities until the extended deadline, no later
    set_deadline_override(campaign, authority=p["sichuan"], stage=Stage.ENTERPRISE_SUBMISSION, deadline=at(7, 24),
                          actor=p["sc_leader"], reason="川经信函")
    assert deadline_for(campaign, Stage.ENTERPRISE_SUBMISSION, enterprise=sichuan_firm) == at(7, 24)


@pytest.mark.rule("R24", "P62")
def test_extension_must_be_later_reasoned_and_inside_the_later_stages(programme):
    p, campaign = programme, programme["campaign"]
    kw = {"authority": p["sichuan"], "stage": Stage.ENTERPRISE_SUBMISSION, "actor": p["staff"]}
    with pytest.raises(InvalidInput) as exc:
        extend_deadline_for_province(campaign, deadline=at(7, 25), reason=" ", **kw)
    assert exc.value.field == "reason"
    with pytest.raises(InvalidInput) as exc:
        extend_deadline_for_province(campaign, deadline=at(7, 17), reason="提前", **kw)
    assert "晚于全国截止时间" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        extend_deadline_for_province(campaign, deadline=at(7, 29), reason="延期", **kw)
    assert "省级审核推荐" in exc.value.message
    with pytest.raises(InvalidInput):
        extend_deadline_for_province(campaign, authority=p["sichuan"], stage=Stage.CITY_REVIEW, deadline=at(7, 20),
                                     reason="无全国时间", actor=p["staff"])
    assert not DeadlineExtension.objects.exists()


def test_only_ministry_staff_extend_and_only_for_a_province(programme):
    p, campaign = programme, programme["campaign"]
    with pytest.raises(NotPermitted):
        extend_deadline_for_province(campaign, authority=p["sichuan"], stage=Stage.ENTERPRISE_SUBMISSION,
                                     deadline=at(7, 25), actor=p["sc_leader"], reason="自行延期")
    with pytest.raises(InvalidInput):
        extend_deadline_for_province(campaign, authority=p["chengdu"], stage=Stage.ENTERPRISE_SUBMISSION,
                                     deadline=at(7, 25), actor=p["staff"], reason="城市")


# ------------------------------------------------------------------ a province's own settings
@pytest.mark.rule("R24", "P64")
def test_a_province_sets_only_its_own_channel_rule(programme):
    p, campaign = programme, programme["campaign"]
    for outsider in (p["zj_leader"], p["staff"], p["sc_reviewer"], p["ndrc_leader"], p["cd_leader"]):
        with pytest.raises(NotPermitted):
            set_channel_rule(campaign, authority=p["sichuan"], registered_in_province_only=True, basis="x",
                             actor=outsider)
    assert not ChannelRule.objects.exists()
    with pytest.raises(InvalidInput):
        set_channel_rule(campaign, authority=p["sichuan"], registered_in_province_only=True, basis="",
                         actor=p["sc_leader"])
    rule = set_channel_rule(campaign, authority=p["sichuan"], registered_in_province_only=True,
                            basis="川经信智能函〔2044〕1号", actor=p["sc_leader"])
    assert (rule.province_code, rule.province_name) == ("510000", "四川省")
    event = AuditEvent.objects.get(action="campaign.channel_rule_set")
    assert event.before is None and event.after == {"registered_in_province_only": True, "basis": "川经信智能函〔2044〕1号"}
    # where the campaign recommends by the factory's province, an enterprise registered in Zhejiang
    # with a factory in Sichuan is refused by Sichuan's channel (by default Zhejiang recommends it)
    campaign.recommender_basis = "factory"
    campaign.save()
    outsider = f.enterprise("330106")
    factory = f.factory(outsider)
    factory.county = f.division("510107")
    factory.save()
    assert any("仅受理在本省注册" in r for r in reasons_not_eligible(factory, campaign, "excellent"))


@pytest.mark.rule("R3", "P63")
def test_review_chain_is_ordered_and_ends_at_the_province(programme):
    p, campaign = programme, programme["campaign"]
    for levels in ([], ["city"], ["province", "city"], ["city", "city", "province"], ["street", "province"]):
        with pytest.raises(InvalidInput):
            set_review_chain(campaign, authority=p["sichuan"], tier="advanced", levels=levels, actor=p["sc_leader"])
    with pytest.raises(InvalidInput):
        set_review_chain(campaign, authority=p["sichuan"], tier="basic", levels=["province"], actor=p["sc_leader"])
    assert not ReviewChain.objects.exists()
    set_review_chain(campaign, authority=p["sichuan"], tier="advanced", levels=["city", "province"], actor=p["sc_leader"])
    chain = resolve_chain(f.factory(f.enterprise("510107")), campaign, "advanced")
    assert [step["level"] for step in chain] == ["city", "province"]
    assert chain[0]["authority"] == str(p["chengdu"].id)
    event = AuditEvent.objects.get(action="campaign.review_chain_set")
    assert event.object_id == "2044:510000:advanced" and event.after == {"levels": ["city", "province"]}


@pytest.mark.rule("R24", "P64")
def test_another_province_cannot_set_the_review_chain(programme):
    p = programme
    with pytest.raises(NotPermitted):
        set_review_chain(p["campaign"], authority=p["sichuan"], tier="advanced", levels=["province"],
                         actor=p["zj_leader"])
    assert not ReviewChain.objects.exists()


def test_a_closed_campaign_keeps_its_settings(programme):
    p, campaign = programme, programme["campaign"]
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    campaign.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        set_review_chain(campaign, authority=p["sichuan"], tier="advanced", levels=["province"], actor=p["sc_leader"])
