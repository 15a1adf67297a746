"""The on-site verification's life on the engine (``smartfactory.workflow``); its stage is derived
from its fields (``SiteVisit.stage``), so the rows have no target state:

    proposed ──agree──▶ agreed ──record_outcome──▶ recorded
    (the enterprise confirms the date)   (the team or MIIT, from the visit day, every item found)

A visit whose evaluation has left the site-visit stage is ``ended``. The ministry proposes a team and
a date (``site_visits.plan_site_visit``, which creates the visit or proposes another date). The audit
events keep their names and their object, the evaluation: ``evaluation.site_visit_agreed`` and
``evaluation.site_outcome``."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.errors import InvalidInput, NotEligible
from smartfactory.guards import guard
from smartfactory.organisations.rules import is_enterprise_user_of, is_miit_staff
from smartfactory.workflow import Machine, Transition, when_taken
from smartfactory.workflow import transition as run

from .models import SiteVisit

PROPOSED, AGREED, RECORDED, ENDED = "proposed", "agreed", "recorded", "ended"
STAGES = {PROPOSED: gettext_noop("待企业确认日期"), AGREED: gettext_noop("企业已确认日期"),
          RECORDED: gettext_noop("已有核查结论"), ENDED: gettext_noop("现场核查已结束")}


class Act:
    AGREE = "agree"
    RECORD_OUTCOME = "record_outcome"


LABELS = {Act.AGREE: gettext_noop("确认核查日期"), Act.RECORD_OUTCOME: gettext_noop("记录核查结论")}
EVENTS = {Act.AGREE: "evaluation.site_visit_agreed", Act.RECORD_OUTCOME: "evaluation.site_outcome"}


@dataclass
class Ctx:
    visit: SiteVisit
    actor: object
    outcome: str = ""
    note: str = ""


# ------------------------------------------------------------------ who may
def enterprise_user(user, visit: SiteVisit) -> bool:
    return is_enterprise_user_of(user, visit.evaluation.application.factory.enterprise)


def team_or_ministry(user, visit: SiteVisit) -> bool:
    return visit.team.filter(user=user).exists() or is_miit_staff(user)


# ------------------------------------------------------------------ guards
@guard("R19")
def date_agreed(ctx: Ctx) -> None:
    if ctx.visit.agreed_at is None:
        raise NotEligible(_("企业尚未确认核查日期。"))


@guard("R19")
def visit_date_reached(ctx: Ctx) -> None:
    """The outcome is recorded on or after the visit day (Beijing date)."""
    if timezone.localdate() < ctx.visit.scheduled_for:
        raise NotEligible(_("现场核查定于%(d)s，核查当日起方可记录核查结论。") % {"d": ctx.visit.scheduled_for.isoformat()})


@guard("R19")
def every_item_found(ctx: Ctx) -> None:
    missing = [i["label"] for i in ctx.visit.checklist if i["key"] not in ctx.visit.findings]
    if missing:
        raise NotEligible(_("以下核查项尚无结果：%(m)s") % {"m": "；".join(missing)})


@guard("R19")
@when_taken
def outcome_given(ctx: Ctx) -> None:
    if ctx.outcome not in SiteVisit.Outcome.values:
        raise InvalidInput(_("请选择核查结论。"), field="outcome")


@guard("P4")
@when_taken
def failure_explained(ctx: Ctx) -> None:
    if ctx.outcome == SiteVisit.Outcome.FAIL and not ctx.note.strip():
        raise InvalidInput(_("核查未通过须写明理由。"), field="note")


# ------------------------------------------------------------------ effects
def _agree(ctx: Ctx) -> None:
    ctx.visit.agreed_at, ctx.visit.agreed_by = timezone.now(), ctx.actor


def _record(ctx: Ctx) -> None:
    v = ctx.visit
    v.outcome, v.outcome_note, v.recorded_by, v.recorded_at = ctx.outcome, ctx.note, ctx.actor, timezone.now()


TABLE: dict[str, Transition] = {
    Act.AGREE: Transition(frozenset({PROPOSED}), enterprise_user, (), _agree, None),
    # from "proposed" too: an unconfirmed date is refused with its own words (not eligible yet)
    Act.RECORD_OUTCOME: Transition(frozenset({PROPOSED, AGREED}), team_or_ministry,
                                   (date_agreed, visit_date_reached, every_item_found, outcome_given, failure_explained),
                                   _record, None),
}

MACHINE = Machine(
    name="site_visit", model=SiteVisit, table=TABLE, state_field="stage",
    context=lambda visit, actor, outcome="", note="": Ctx(visit=visit, actor=actor, outcome=outcome or "", note=note or ""),
    lock=lambda visit: SiteVisit.objects.select_for_update(of=("self",)).select_related(
        "evaluation", "evaluation__application__factory__enterprise").get(pk=visit.pk),
    audit=lambda visit: {"stage": visit.stage},
    after=lambda ctx, action: {"date": ctx.visit.scheduled_for.isoformat()} if action == Act.AGREE
    else {"outcome": ctx.visit.outcome},
    audit_obj=lambda ctx, action: ctx.visit.evaluation, event_of=EVENTS.__getitem__,
    labels=lambda action: _(LABELS[action]), state_label=lambda stage: _(STAGES[stage]),
    refused=gettext_noop("现场核查当前为“%(s)s”，不能执行“%(a)s”。"),
    reason_of=lambda ctx: ctx.note,
)


def take(visit: SiteVisit, action: str, *, actor, **given) -> SiteVisit:
    return run(MACHINE, visit, action, actor=actor, **given)
