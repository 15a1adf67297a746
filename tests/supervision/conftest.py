"""A supervised world: a Wuhou (Chengdu, Sichuan) enterprise whose factory holds a self-declared
basic award and a 先进级 certified by Sichuan, a second factory with a published 卓越级 decided by
MIIT; the authorities above it (county, city, province), Zhejiang next door, MIIT, and the people."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from smartfactory.organisations.enums import AuthorityLevel, Role, Tier
from smartfactory.supervision import workflow
from tests import factories as f
from tests.factories.publicsite import published

BJ = ZoneInfo("Asia/Shanghai")
# a case opened at OPENED runs its response period to 2042-08-16 inclusive: the deadline instant is
# 2042-08-17 00:00:00 Beijing time
OPENED = datetime(2042, 8, 1, 10, 0, 0, tzinfo=BJ)
RESPONSE_DUE = date(2042, 8, 16)
DEADLINE = datetime(2042, 8, 17, 0, 0, 0, tzinfo=BJ)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def world():
    miit = f.ministry()
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE, name="四川省经济和信息化厅")
    sichuan.short_name = "川经信"
    sichuan.save(update_fields=["short_name"])
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan, name="成都市经济和信息化局")
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY, parent=chengdu, name="武侯区经济和科技信息化局")
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE, name="浙江省经济和信息化厅")
    enterprise = f.enterprise("510107", name="蜀都智造有限公司")
    factory = f.factory(enterprise, name="蜀都一号工厂")
    basic = f.award(factory, Tier.BASIC, year=2040)
    advanced = f.award(factory, Tier.ADVANCED, year=2041, by=sichuan)
    advanced.certificate_no = "川经信先进〔2041〕0001号"
    advanced.save(update_fields=["certificate_no"])
    second = f.factory(enterprise, name="蜀都二号工厂")
    excellent = published(second, Tier.EXCELLENT, 2041, certificate_no="卓越〔2041〕0007号")
    excellent.authority = miit
    excellent.save(update_fields=["authority"])
    other = f.enterprise("330106", name="西湖化工有限公司")
    other_factory = f.factory(other, name="西湖工厂")
    other_award = f.award(other_factory, Tier.ADVANCED, year=2041, by=zhejiang)
    return {
        "miit": miit, "sichuan": sichuan, "chengdu": chengdu, "wuhou": wuhou, "zhejiang": zhejiang,
        "enterprise": enterprise, "factory": factory, "second": second, "basic": basic, "advanced": advanced,
        "excellent": excellent, "other": other, "other_award": other_award,
        "staff": f.user("miit-staff", role=Role.MINISTRY_STAFF, authority=miit),
        "sc_reviewer": f.user("sc-reviewer", role=Role.AUTHORITY_REVIEWER, authority=sichuan, email="sc@example.cn"),
        "sc_leader": f.user("sc-leader", role=Role.AUTHORITY_LEADER, authority=sichuan),
        "cd_leader": f.user("cd-leader", role=Role.AUTHORITY_LEADER, authority=chengdu),
        "wh_reviewer": f.user("wh-reviewer", role=Role.AUTHORITY_REVIEWER, authority=wuhou),
        "zj_reviewer": f.user("zj-reviewer", role=Role.AUTHORITY_REVIEWER, authority=zhejiang),
        "admin": f.user("sd-admin", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise, email="admin@shudu.cn"),
        "member": f.user("sd-member", role=Role.ENTERPRISE_MEMBER, enterprise=enterprise),
        "other_admin": f.user("xh-admin", role=Role.ENTERPRISE_ADMIN, enterprise=other),
    }


def open_case(world, award_key: str = "advanced", *, actor_key: str = "sc_reviewer", measure: str = "revoke",
              kind: str = "safety_incident", occurred_on: date = date(2042, 7, 20), **extra):
    return workflow.open_case(
        world[award_key], actor=world[actor_key], kind=kind, occurred_on=occurred_on,
        description="2042年7月20日该工厂发生较大生产安全事故，造成3人死亡，经应急管理部门调查认定负有责任。",
        measure=measure, **extra)
