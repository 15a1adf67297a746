"""Cultivation objects: created when the six ministries select a 领航级 application; the period runs
from the list's publication date for at most two years."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard

from . import workflow
from .models import (
    ACCEPTANCE_IN_PROGRESS,
    CultivationObject,
    CultivationTarget,
    GuidanceNote,
    Milestone,
    ProgressReport,
)
from .rules import rules
from .schedule import report_schedule

MAX_YEARS = rules().max_years


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_end(published_on: date) -> date:
    return add_years(published_on, MAX_YEARS)


@guard("R20")
def validate_period(published_on: date, ends_on: date) -> None:
    if ends_on <= published_on:
        raise InvalidInput(_("培育期截止日期须晚于名单发布日期。"), field="ends_on")
    if ends_on > latest_end(published_on):
        raise InvalidInput(_("培育期不得超过2年（最迟%(d)s）。") % {"d": latest_end(published_on).isoformat()},
                           field="ends_on")


def plan_from_book(application) -> tuple[list[dict], list[dict]]:
    """The targets and milestones of the submitted application book (培育目标, 里程碑)."""
    version = application.versions.order_by("-number").first() if application is not None else None
    book = (version.snapshot.get("book", {}) if version else {}) or {}
    targets, milestones = [], []
    for key, row in sorted(book.items(), key=lambda kv: (kv[0].split(".")[0], int(kv[0].split(".")[1])
                                                         if kv[0].count(".") == 1 and kv[0].split(".")[1].isdigit() else 0)):
        head, _sep, ident = key.partition(".")
        if head == "target" and isinstance(row, dict) and row.get("indicator"):
            targets.append({"number": int(ident), "indicator": row["indicator"], "value": row.get("value", ""),
                            "unit": row.get("unit", "")})
        elif head == "milestone" and isinstance(row, dict) and row.get("date"):
            milestones.append({"number": int(ident), "date": date.fromisoformat(row["date"]), "content": row.get("content", "")})
    return targets, milestones


@guard("R20")
def validate_plan(published_on: date, ends_on: date, milestones: list[dict]) -> None:
    """The plan must fit the period: the period itself at most two years, every milestone inside it."""
    validate_period(published_on, ends_on)
    late = [m for m in milestones if m["date"] > ends_on]
    if late:
        raise InvalidInput(_("培育计划超过培育期（不超过2年，至%(d)s）：%(m)s") % {
            "d": ends_on.isoformat(), "m": "；".join(f"{m['date'].isoformat()} {m['content']}" for m in late)},
            field="milestones")


@transaction.atomic
def create_cultivation(application, *, published_on: date, actor, list_number: str = "",
                       ends_on: date | None = None, targets: list[dict] | None = None,
                       milestones: list[dict] | None = None) -> CultivationObject:
    """The cultivation object with its plan (from the application book unless given), refused when
    the plan runs past two years; the progress-report schedule. Side effects: audit event
    cultivation.create."""
    ends_on = ends_on or latest_end(published_on)
    book_targets, book_milestones = plan_from_book(application)
    targets = book_targets if targets is None else targets
    milestones = book_milestones if milestones is None else milestones
    validate_plan(published_on, ends_on, milestones)
    obj = CultivationObject.objects.create(
        factory=application.factory, application=application, campaign=application.campaign, list_number=list_number,
        published_on=published_on, ends_on=ends_on, enterprise_name=application.factory.enterprise.name,
    )
    CultivationTarget.objects.bulk_create([CultivationTarget(cultivation=obj, number=t["number"], indicator=t["indicator"],
                                                             target_value=t["value"], unit=t["unit"]) for t in targets])
    Milestone.objects.bulk_create([Milestone(cultivation=obj, number=m["number"], due_on=m["date"], content=m["content"])
                                   for m in milestones])
    ProgressReport.objects.bulk_create([ProgressReport(cultivation=obj, sequence=n, due_on=due)
                                        for n, due in enumerate(report_schedule(published_on, ends_on), start=1)])
    record_event("cultivation.create", actor=actor, obj=obj,
                 after={"factory": str(application.factory_id), "published_on": published_on.isoformat(),
                        "ends_on": ends_on.isoformat(), "list_number": list_number, "targets": len(targets),
                        "milestones": len(milestones)})
    return obj


@transaction.atomic
def submit_report(report: ProgressReport, *, actor, summary: str, values: dict) -> ProgressReport:
    """The enterprise reports progress with each target's current value. Late reports are accepted
    (and stay flagged as late). Side effects: audit event cultivation.report."""
    from smartfactory.organisations.rules import is_enterprise_user_of

    report = ProgressReport.objects.select_for_update().select_related("cultivation__factory__enterprise").get(pk=report.pk)
    cultivation = report.cultivation
    if not is_enterprise_user_of(actor, cultivation.factory.enterprise):
        raise NotPermitted()
    if cultivation.status != CultivationObject.Status.CULTIVATING:
        raise TransitionNotAllowed(_("培育期已结束。"))
    if report.submitted_at:
        raise Conflict(_("本期进展报告已提交。"))
    if len(summary.strip()) < 10:
        raise InvalidInput(_("请具体说明本期进展（至少10个字）。"), field="summary")
    numbers = {str(t.number) for t in cultivation.targets.all()}
    clean = {}
    for key, value in (values or {}).items():
        if str(key) not in numbers:
            raise InvalidInput(_("未知的培育目标。"), field=f"values.{key}")
        if str(value).strip():
            clean[str(key)] = str(value).strip()[:64]
    missing = numbers - set(clean)
    if missing:
        raise InvalidInput(_("请填写每个培育目标的当前值。"), field=f"values.{sorted(missing)[0]}")
    report.summary, report.values = summary.strip()[:5000], clean
    report.submitted_at, report.submitted_by = timezone.now(), actor
    report.save()
    record_event("cultivation.report", actor=actor, obj=cultivation,
                 after={"sequence": report.sequence, "due_on": report.due_on.isoformat(),
                        "late": timezone.localdate() > report.due_on})
    return report


@transaction.atomic
def add_guidance(cultivation: CultivationObject, *, actor, text: str) -> GuidanceNote:
    """A guiding expert or MIIT staff writes a guidance note; the enterprise is notified."""
    from smartfactory.notifications.services import enterprise_users, notify
    from smartfactory.organisations.rules import is_miit_staff

    guide = cultivation.guides.filter(user=actor).first()
    if guide is None and not is_miit_staff(actor):
        raise NotPermitted()
    if not text.strip():
        raise InvalidInput(_("请填写指导意见。"), field="text")
    note = GuidanceNote.objects.create(cultivation=cultivation, author=actor, text=text.strip()[:5000],
                                       author_name=guide.name if guide else actor.get_username())
    record_event("cultivation.guidance", actor=actor, obj=cultivation, after={"note": note.pk})
    notify(enterprise_users(cultivation.factory.enterprise), kind="cultivation.guidance", title=_("新的专家指导意见"),
           body=note.text[:200], link=f"/cultivation/{cultivation.pk}/", dedupe_key=f"guidance:{note.pk}")
    return note


def is_overdue(report: ProgressReport, today: date | None = None) -> bool:
    return report.submitted_at is None and (today or timezone.localdate()) > report.due_on


def send_reminders(*, today: date | None = None) -> int:
    """Reminders before and after each unsubmitted report's due date at the configured offsets (the
    latest offset reached, once each — a missed run does not send a burst), to the enterprise and,
    once overdue, to its recommender; and one reminder to apply for acceptance before the period
    ends. Idempotent; run daily by ``manage.py cultivation_reminders``. Returns notifications sent."""
    from smartfactory.notifications.services import authority_users, enterprise_users, notify

    today = today or timezone.localdate()
    config = rules()
    sent = 0
    reports = ProgressReport.objects.filter(submitted_at__isnull=True, cultivation__status=CultivationObject.Status.CULTIVATING
                                            ).select_related("cultivation__factory__enterprise", "cultivation__application__quota")
    for report in reports:
        reached = [o for o in config.reminder_offsets_days if today >= report.due_on + timedelta(days=o)]
        if not reached:
            continue
        offset = max(reached)
        cultivation = report.cultivation
        users = enterprise_users(cultivation.factory.enterprise)
        if offset > 0:
            recommender = _recommender(cultivation)
            users += authority_users(recommender) if recommender else []
            title = _("%(f)s第%(n)d期进展报告已逾期（应于%(d)s前提交）")
        else:
            title = _("%(f)s第%(n)d期进展报告将于%(d)s到期")
        sent += len(notify(users, kind="cultivation.report_due",
                           title=title % {"f": cultivation.factory.name, "n": report.sequence, "d": report.due_on.isoformat()},
                           link=f"/cultivation/{cultivation.pk}/", dedupe_key=f"report:{report.pk}:{offset}"))
    window = today + timedelta(days=config.acceptance_reminder_days)
    for cultivation in CultivationObject.objects.filter(status=CultivationObject.Status.CULTIVATING, ends_on__lte=window,
                                                        ends_on__gte=today).select_related("factory__enterprise"):
        sent += len(notify(enterprise_users(cultivation.factory.enterprise), kind="cultivation.acceptance_due",
                           title=_("%(f)s培育期将于%(d)s结束，请及时申请验收") % {"f": cultivation.factory.name,
                                                                         "d": cultivation.ends_on.isoformat()},
                           link=f"/cultivation/{cultivation.pk}/", dedupe_key=f"acceptance-due:{cultivation.pk}"))
    return sent


def close_expired(*, today: date | None = None) -> list[CultivationObject]:
    """A period that ended without acceptance is closed through ``workflow`` (audit event
    cultivation.closed, the enterprise told); an object whose acceptance was submitted in time stays
    open until that acceptance is decided. Run daily by the scheduler; returns the objects closed."""
    today = today or timezone.localdate()
    closed = []
    for cultivation in CultivationObject.objects.filter(status=CultivationObject.Status.CULTIVATING, ends_on__lt=today
                                                        ).exclude(acceptances__state__in=ACCEPTANCE_IN_PROGRESS):
        try:
            closed.append(workflow.transition(cultivation, workflow.Act.CLOSE_EXPIRED, actor=None, today=today))
        except (TransitionNotAllowed, NotEligible):  # decided, ended or applied for meanwhile: nothing to do
            continue
    return closed


def _recommender(cultivation):
    from smartfactory.recommendations.queries import recommender_authority

    quota = cultivation.application.quota if cultivation.application_id else None
    return recommender_authority(quota) if quota else None
