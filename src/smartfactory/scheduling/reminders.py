"""Reminders before every deadline that binds a user: the enterprise's submission, each review level,
expert scores, the confirmation of a site visit's date, the handling of 公示 objections (and, through
``cultivation.services.send_reminders``, 领航级 progress reports).

Each provider below yields the open items with the deadline that binds them and who must act; one
driver decides which offset (``data/reminders.yaml``: 7 days, 1 day and on the day by default) has
been reached and notifies once per user, object and offset (``Notification.dedupe_key``). A missed run
sends only the nearest offset reached; nothing is sent once the deadline has passed. Idempotent: run
by ``manage.py send_reminders`` and by the scheduler."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import yaml
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.notifications.services import authority_users, enterprise_users, notify

DATA = Path(__file__).resolve().parent / "data" / "reminders.yaml"


@dataclass(frozen=True)
class Due:
    """One open item: who must do what by when."""

    kind: str
    key: str  # the object, e.g. "app:<uuid>"
    deadline: datetime
    users: list
    what: str  # e.g. "提交“某工厂”卓越级智能工厂申报"
    link: str


@cache
def offsets() -> dict[str, tuple[int, ...]]:
    """Kind → days before the deadline's day at which a reminder goes out, from the data file."""
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    default = tuple(int(d) for d in raw["default_offsets_days"])
    kinds = raw.get("kinds") or {}
    table = {kind: tuple(int(d) for d in (spec or {}).get("offsets_days", default)) for kind, spec in kinds.items()}
    return {**table, "*": default}


def offsets_for(kind: str) -> tuple[int, ...]:
    table = offsets()
    return table.get(kind, table["*"])


def due_day(deadline: datetime) -> date:
    """The last day on which the action can be done: an end-of-day deadline (00:00) belongs to the
    day before."""
    return timezone.localtime(deadline - timedelta(microseconds=1)).date()


def reached_offset(deadline: datetime, kind: str, now: datetime) -> int | None:
    """The nearest configured offset reached now, or None (too early, or the deadline has passed)."""
    if now >= deadline:
        return None
    days_left = (due_day(deadline) - timezone.localtime(now).date()).days
    reached = [o for o in offsets_for(kind) if days_left <= o]
    return min(reached) if reached else None


def _when(deadline: datetime) -> str:
    from smartfactory.campaigns.services import format_deadline

    return format_deadline(deadline)


# ------------------------------------------------------------------ providers (an explicit list)
def enterprise_submission(now: datetime) -> Iterator[Due]:
    """Draft applications: the enterprise submits before its submission deadline."""
    from smartfactory.applications.enums import State
    from smartfactory.applications.models import TierApplication
    from smartfactory.campaigns.enums import CampaignStatus, Stage
    from smartfactory.campaigns.services import deadline_for
    from smartfactory.organisations.enums import Tier

    apps = TierApplication.objects.filter(state=State.DRAFT).exclude(campaign__status=CampaignStatus.CLOSED
                                                                     ).select_related("campaign", "factory__enterprise")
    for app in apps:
        deadline = deadline_for(app.campaign, Stage.ENTERPRISE_SUBMISSION, tier=app.tier, enterprise=app.factory.enterprise)
        if deadline is None:
            continue
        yield Due("reminder.enterprise_submission", f"app:{app.pk}", deadline, enterprise_users(app.factory.enterprise),
                  _("提交“%(f)s”%(t)s申报") % {"f": app.factory.name, "t": Tier(app.tier).label},
                  f"/portal/applications/{app.pk}/")


def review_level(now: datetime) -> Iterator[Due]:
    """Applications waiting at an authority: it reviews them before its level's deadline."""
    from smartfactory.applications.deadlines import level_stages
    from smartfactory.applications.enums import State
    from smartfactory.applications.models import TierApplication
    from smartfactory.campaigns.services import deadline_for

    apps = TierApplication.objects.filter(state=State.IN_REVIEW, current_authority__isnull=False
                                          ).select_related("campaign", "factory", "current_authority")
    for app in apps:
        found = [d for stage, whose in level_stages(app)
                 if (d := deadline_for(app.campaign, stage, tier=app.tier, **whose)) is not None]
        if not found:
            continue
        yield Due("reminder.review_level", f"review:{app.pk}:{app.current_step}", min(found),
                  authority_users(app.current_authority),
                  _("审核“%(f)s”的申报并作出审核推荐意见") % {"f": app.factory.name},
                  f"/console/applications/{app.pk}/")


def expert_score(now: datetime) -> Iterator[Due]:
    """Expert assignments not yet scored while the evaluation is at expert review."""
    from smartfactory.evaluation.models import Assignment, EvaluationState

    for a in Assignment.objects.filter(submitted_at__isnull=True, evaluation__state=EvaluationState.EXPERT_REVIEW
                                       ).select_related("expert__user", "evaluation__application__factory"):
        yield Due("reminder.expert_score", f"assignment:{a.pk}", a.due_at, [a.expert.user],
                  _("完成对“%(f)s”的评分") % {"f": a.evaluation.application.factory.name},
                  f"/console/evaluation/{a.evaluation_id}/")


def site_visit_confirmation(now: datetime) -> Iterator[Due]:
    """Site visits whose date the enterprise has not confirmed: confirm before the visit day."""
    from smartfactory.campaigns.services import end_of_day
    from smartfactory.evaluation.models import EvaluationState, SiteVisit

    for visit in SiteVisit.objects.filter(agreed_at__isnull=True, outcome="", evaluation__state=EvaluationState.SITE_VISIT
                                          ).select_related("evaluation__application__factory__enterprise"):
        factory = visit.evaluation.application.factory
        yield Due("reminder.site_visit", f"visit:{visit.pk}", end_of_day(visit.scheduled_for - timedelta(days=1)),
                  enterprise_users(factory.enterprise),
                  _("确认“%(f)s”%(d)s的现场核查日期") % {"f": factory.name, "d": visit.scheduled_for.isoformat()},
                  f"/site-visits/{visit.pk}/")


def objection_handling(now: datetime) -> Iterator[Due]:
    """Open 公示 objections: the ministry handles them by the end of the 公示 (the list is finalised
    only when every objection is handled)."""
    from smartfactory.evaluation.models import Objection, Publicity
    from smartfactory.organisations.enums import AuthorityKind
    from smartfactory.organisations.models import Authority

    miit = Authority.objects.filter(kind=AuthorityKind.MINISTRY, is_lead=True).first()
    if miit is None:
        return
    users = authority_users(miit)
    for o in Objection.objects.filter(status=Objection.Status.OPEN, publicity__status=Publicity.Status.OPEN
                                      ).select_related("publicity", "evaluation__application__factory"):
        yield Due("reminder.objection", f"objection:{o.pk}", o.publicity.ends_at, users,
                  _("处理对“%(f)s”的公示异议") % {"f": o.evaluation.application.factory.name},
                  f"/console/publicity/{o.publicity_id}/")


PROVIDERS = [enterprise_submission, review_level, expert_score, site_visit_confirmation, objection_handling]


def _title(due: Due, offset: int) -> str:
    when = _when(due.deadline)
    if offset == 0:
        return _("今天截止：请于%(d)s前%(w)s") % {"d": when, "w": due.what}
    return _("还有%(n)d天截止：请于%(d)s前%(w)s") % {"n": offset, "d": when, "w": due.what}


def send_reminders(*, now: datetime | None = None, cultivation: bool = True) -> dict[str, int]:
    """Sends every reminder due now (once each). Returns the notifications sent per kind."""
    now = now or timezone.now()
    sent: dict[str, int] = {}
    for provider in PROVIDERS:
        for due in provider(now):
            offset = reached_offset(due.deadline, due.kind, now)
            if offset is None or not due.users:
                continue
            body = _("截止时间：%(d)s。请登录平台办理；逾期将无法办理，如确需延期请联系上级主管部门。") % {"d": _when(due.deadline)}
            key = f"remind:{due.key}:{due_day(due.deadline):%Y%m%d}:{offset}"
            created = notify(due.users, kind=due.kind, title=_title(due, offset)[:200], body=body, link=due.link,
                             dedupe_key=key)
            sent[due.kind] = sent.get(due.kind, 0) + len(created)
    if cultivation:
        from smartfactory.cultivation.services import send_reminders as cultivation_reminders

        sent["cultivation"] = cultivation_reminders(today=timezone.localtime(now).date())
    return sent
