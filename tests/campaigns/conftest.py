"""Fixtures shared by the campaign tests: ``world`` (an advanced-tier application in Sichuan's
chain), ``setup`` (a factory eligible for the excellent tier) and ``programme`` (a 2044 campaign with
MIIT, Sichuan with a co-department and Chengdu, and Zhejiang, each with its users)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from smartfactory.campaigns.enums import CampaignStatus, Stage
from smartfactory.campaigns.models import Campaign, StageDeadline
from smartfactory.organisations.enums import AuthorityLevel, Department, Role
from tests import factories as f

BJ = ZoneInfo("Asia/Shanghai")


def at(m, d, hh=23, mm=59, ss=59, y=2044):
    return datetime(y, m, d, hh, mm, ss, tzinfo=BJ)


@pytest.fixture
def programme():
    miit = f.ministry()
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE, parent=miit, name="四川省经济和信息化厅")
    ndrc = f.authority("510000", level=AuthorityLevel.PROVINCE, department=Department.DEVELOPMENT_REFORM,
                       is_lead=False, name="四川省发展和改革委员会")
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan, name="成都市经济和信息化局")
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY, parent=chengdu)
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE, parent=miit, name="浙江省经济和信息化厅")
    campaign = Campaign.objects.create(year=2044, name="2044", framework_version="2025",
                                       tiers_open=["advanced", "excellent"], status=CampaignStatus.OPEN)
    StageDeadline.objects.create(campaign=campaign, stage=Stage.ENTERPRISE_SUBMISSION, deadline=at(7, 18))
    StageDeadline.objects.create(campaign=campaign, stage=Stage.PROVINCE_REVIEW, deadline=at(7, 28))
    StageDeadline.objects.create(campaign=campaign, stage=Stage.RECOMMENDER_ONLINE_REVIEW, deadline=at(8, 1))
    return {
        "miit": miit, "sichuan": sichuan, "ndrc": ndrc, "chengdu": chengdu, "wuhou": wuhou, "zhejiang": zhejiang,
        "campaign": campaign,
        "staff": f.user(role=Role.MINISTRY_STAFF, authority=miit),
        "sc_leader": f.user(role=Role.AUTHORITY_LEADER, authority=sichuan),
        "sc_reviewer": f.user(role=Role.AUTHORITY_REVIEWER, authority=sichuan),
        "ndrc_leader": f.user(role=Role.AUTHORITY_LEADER, authority=ndrc),
        "zj_leader": f.user(role=Role.AUTHORITY_LEADER, authority=zhejiang),
        "cd_leader": f.user(role=Role.AUTHORITY_LEADER, authority=chengdu),
    }
