"""R4: the certified 先进级 list is *reported*. The certifying authority (a province's lead industry
department, XPCC, a central-SOE group) submits its list on the platform; MIIT (装备工业一司) sees what
each reported and when, and a SASAC account (科技创新局) sees the central SOEs' reports. Each report
freezes the rows as sent, with their SM3 hash; a later report supersedes nothing, it is the next one."""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartfactory.applications.enums import State
from smartfactory.applications.models import TierApplication
from smartfactory.applications.queries import names_at_issue, with_current
from smartfactory.audit.chain import sm3_hex
from smartfactory.audit.services import record_event
from smartfactory.errors import NotEligible, NotPermitted
from smartfactory.guards import guard
from smartfactory.organisations.enums import (
    AuthorityKind,
    AuthorityLevel,
    Department,
    Role,
    Tier,
)
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import active_memberships, is_leader_at, is_platform_admin

from .models import AdvancedListReport

MIIT, SASAC = "miit", "sasac"
RECIPIENT_LABELS = {MIIT: gettext_lazy("工业和信息化部（装备工业一司）"), SASAC: gettext_lazy("国务院国资委（科技创新局）")}


def is_certifier(authority: Authority) -> bool:
    """Who certifies 先进级 (R3) and so reports the list: the province's lead industry department,
    XPCC, a central-SOE group."""
    if authority.kind in (AuthorityKind.CENTRAL_SOE, AuthorityKind.XPCC):
        return True
    return (authority.kind == AuthorityKind.GOVERNMENT and authority.level == AuthorityLevel.PROVINCE
            and authority.department == Department.INDUSTRY)


def recipients(authority: Authority) -> list[str]:
    """MIIT always; central SOEs also SASAC (R4)."""
    return [MIIT, SASAC] if authority.kind == AuthorityKind.CENTRAL_SOE else [MIIT]


@guard("R4")
def ensure_may_report(actor, authority: Authority) -> None:
    """Only the certifying authority's leader reports its list."""
    if not is_certifier(authority):
        raise NotPermitted(_("先进级名单由省级工业和信息化主管部门、新疆生产建设兵团或中央企业集团报送。"))
    if not is_leader_at(actor, authority):
        raise NotPermitted(_("先进级名单须由本单位负责人报送。"))


def certified(campaign, authority: Authority) -> QuerySet[TierApplication]:
    """The 先进级 applications this authority certified in the campaign, in certification order."""
    return TierApplication.objects.filter(
        campaign=campaign, tier=Tier.ADVANCED, state=State.AWARDED, current_authority=authority,
    ).select_related("factory__enterprise__county__parent__parent", "factory__enterprise__industry").order_by(
        "decided_at", "pk")  # county, city and province: the region's full name


def list_rows(campaign, authority: Authority) -> list[dict]:
    """The rows as reported: each enterprise under its name at certification (with its current name
    after a confirmed rename)."""
    apps = list(certified(campaign, authority))
    names = names_at_issue(apps)
    return [
        {"no": n, "enterprise": with_current(names[a.id]), "uscc": a.factory.enterprise.uscc, "factory": a.factory.name,
         "region": a.factory.enterprise.county.full_name, "industry": a.factory.enterprise.industry.name,
         "certificate": a.certificate_no, "date": timezone.localtime(a.decided_at).date().isoformat() if a.decided_at else "",
         "application": str(a.id)}
        for n, a in enumerate(apps, start=1)
    ]


@transaction.atomic
def report_advanced_list(campaign, *, authority: Authority, actor) -> AdvancedListReport:
    """The certifying authority reports its certified 先进级 list. Side effects: the report row (rows
    frozen with their SM3 hash, numbered per authority and campaign); audit event
    advanced_list.reported naming the recipients."""
    ensure_may_report(actor, authority)
    Authority.objects.select_for_update().get(pk=authority.pk)  # serialises the numbering
    rows = list_rows(campaign, authority)
    if not rows:
        raise NotEligible(_("本年度尚无本单位认定的先进级智能工厂，无需报送名单。"))
    number = (AdvancedListReport.objects.filter(campaign=campaign, reporter=authority)
              .aggregate(n=Max("number"))["n"] or 0) + 1
    digest = sm3_hex(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    report = AdvancedListReport.objects.create(campaign=campaign, reporter=authority, number=number,
                                               recipients=recipients(authority), rows=rows, content_hash=digest,
                                               submitted_by=actor)
    record_event("advanced_list.reported", actor=actor, obj=report, after={
        "year": campaign.year, "reporter": authority.name, "number": number, "count": len(rows),
        "recipients": report.recipients, "content_hash": digest})
    return report


def reports_for_user(user) -> QuerySet[AdvancedListReport]:
    """Reports this user may see: MIIT staff all; SASAC staff those with SASAC among the recipients
    (the central SOEs'); a certifying authority's staff its own."""
    everything = AdvancedListReport.objects.select_related("reporter", "campaign", "submitted_by")
    if is_platform_admin(user):
        return everything
    q = Q(pk__in=[])
    for m in active_memberships(user):
        if not m.authority_id:
            continue
        if m.role == Role.MINISTRY_STAFF and m.authority.kind == AuthorityKind.MINISTRY:
            if m.authority.department == Department.INDUSTRY:
                return everything
            if m.authority.department == Department.SASAC:
                q |= Q(reporter__kind=AuthorityKind.CENTRAL_SOE)
        elif m.role in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER):
            q |= Q(reporter_id=m.authority_id)
    return everything.filter(q)


def reporting_authority(user) -> Authority | None:
    """The certifying authority this user may report for (as its leader), if any."""
    return next((m.authority for m in active_memberships(user)
                 if m.authority_id and m.role == Role.AUTHORITY_LEADER and is_certifier(m.authority)), None)
