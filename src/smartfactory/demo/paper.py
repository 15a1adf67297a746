"""The demo world's paper: what each desk requires by tier (成都, 四川, MIIT, SASAC) and the
paper-delivery deadlines of 四川 and 成都, as the forwarding notices say; and a SASAC account."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from smartfactory.accounts.models import User
from smartfactory.audit.services import record_event
from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import Campaign, DeadlineOverride, StageDeadline
from smartfactory.campaigns.services import end_of_day, set_deadline_override
from smartfactory.organisations.enums import AuthorityKind, Department, Role
from smartfactory.organisations.models import Authority, Membership

from .common import set_demo_password


@transaction.atomic
def build_paper(world, users: dict[str, User]) -> None:
    build_paper_requirements(world, users)
    build_paper_deadlines(world, users)


def build_paper_requirements(world, users: dict[str, User]) -> None:
    """What each desk requires on paper, by tier, as the notices say (idempotent, audited through the
    service): 成都 from its districts for 卓越级 (汇总表 ×6, 申报材料 ×3, 承诺书 ×1, with the stamped PDF
    scans); 四川 from its cities for 卓越级 (the same counts, no scans asked); MIIT the book, summary
    table and letter ×1 for 卓越级 and 领航级; SASAC the same from central SOEs for 卓越级."""
    from smartfactory.campaigns.models import PaperRequirement as P
    from smartfactory.recommendations.paper import set_requirement

    sasac = Authority.objects.get(kind=AuthorityKind.MINISTRY, department=Department.SASAC)
    sasac_staff = _sasac_account(sasac)
    local = [(P.Item.SUMMARY_TABLE, 6), (P.Item.APPLICATION, 3), (P.Item.COMMITMENT, 1)]
    national = [(P.Item.APPLICATION, 1), (P.Item.SUMMARY_TABLE, 1), (P.Item.LETTER, 1)]
    desks = [
        (world.authorities["510100"], users["demo-city"], ["excellent"], local, True, [], "成都市经济和信息化局转发通知"),
        (world.authorities["510000"], users["demo-province"], ["excellent"], local, False, [], "川经信智能函〔2025〕319号"),
        (world.ministry, users["demo-ministry"], ["excellent", "leading"], national, False, [], "工信厅联通装函〔2025〕251号"),
        (sasac, sasac_staff, ["excellent"], national, False, ["central_soe"], "工信厅联通装函〔2025〕251号（中央企业同步报送国务院国资委）"),
    ]
    for campaign in Campaign.objects.all():
        for authority, actor, tiers, items, scan, kinds, basis in desks:
            for tier in tiers:
                for item, copies in items:
                    if not P.objects.filter(campaign=campaign, authority=authority, tier=tier, item=item).exists():
                        set_requirement(campaign, authority, actor=actor, tier=tier, item=item, copies=copies,
                                        scan_required=scan, sender_kinds=kinds, basis=basis)


def _sasac_account(sasac: Authority) -> User:
    """demo-sasac: 国务院国资委 staff who see the central SOEs' paper and advanced lists."""
    user, created = User.objects.get_or_create(username="demo-sasac", defaults={"display_name": "何国资"})
    if created:
        set_demo_password(user)
        user.save()
    _membership, made = Membership.objects.get_or_create(user=user, role=Role.MINISTRY_STAFF, authority=sasac)
    if created or made:
        record_event("demo.account", actor=None, obj=user, after={"role": Role.MINISTRY_STAFF, "organisation": sasac.name})
    return user


def build_paper_deadlines(world, users: dict[str, User]) -> None:
    """Sichuan's cities deliver paper by 07-20 and Chengdu's districts by 07-18 (2025, 卓越级); the
    2026 demo campaign a week and two weeks before MIIT's paper deadline (idempotent)."""
    sichuan, chengdu = world.authorities["510000"], world.authorities["510100"]
    for campaign in Campaign.objects.all():
        if DeadlineOverride.objects.filter(campaign=campaign, stage=Stage.PAPER_DELIVERY).exists():
            continue
        if campaign.year == 2025:
            dates = {sichuan: end_of_day(date(2025, 7, 20)), chengdu: end_of_day(date(2025, 7, 18))}
        else:
            national = StageDeadline.objects.filter(campaign=campaign, stage=Stage.PAPER_DELIVERY, tier="").first()
            if national is None:
                continue
            dates = {sichuan: national.deadline - timedelta(days=7), chengdu: national.deadline - timedelta(days=14)}
        for authority, deadline in dates.items():
            who = users["demo-province"] if authority == sichuan else users["demo-city"]
            set_deadline_override(campaign, authority=authority, stage=Stage.PAPER_DELIVERY, tier="excellent",
                                  deadline=deadline, actor=who, reason="纸质材料报送（转发通知）")
