"""The supervision case workflow: a declarative transition table and the one function that moves a
case. Pages, API and the re-check call ``transition`` (``open_case`` builds the new case and calls
it); nothing else writes ``SupervisionCase.state`` or an award's status on a supervision decision.

    (new) ──open──▶ notified ──respond──▶ responded
                       │                      │
                       └──────┬───────────────┘
                              ├─suspend──▶ decided_suspend ──lift──▶ lifted
                              ├─revoke───▶ decided_revoke
                              └─dismiss──▶ dismissed

Due process: the notice states the facts, the intended measure and the last day to respond; a
decision needs the enterprise's response or that day to have ended (Beijing time), a reason every
time, and may be milder than the measure notified, never harsher. Suspending needs an active award,
revoking an active or suspended one, lifting a suspension still in force. The decision sets the
award's status, reason and time in the same transaction (a revoked 卓越级 ends the 领航级
cultivation it founded, ``consequences``); every move writes an audit event
``supervision.<action>``; the enterprise's users are notified after the commit of the notice and
of the decision, the opening authority of the response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.errors import Conflict, DeadlinePassed, InvalidInput, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.enums import AwardStatus, Tier
from smartfactory.organisations.models import Authority, TierAward
from smartfactory.workflow import (
    Available,
    Machine,
    Notice,
    Transition,
    available_actions,
    hides,
    offered,
    when_taken,
)
from smartfactory.workflow import transition as run

from .consequences import end_cultivation_without_ground
from .enums import OPEN_STATES, Action, CaseKind, CaseState, ItemResult, Measure
from .models import RecheckItem, SupervisionCase
from .policy import policy
from .rules import can_decide_case, can_open_case, is_case_enterprise_admin, opening_authorities

NEW = ""  # the state of a case being opened (not saved yet)


@dataclass
class Context:
    case: SupervisionCase
    actor: object
    reason: str = ""
    response: str = ""
    authority: Authority | None = None


# ------------------------------------------------------------------ who may
def may_open(user, case: SupervisionCase) -> bool:
    return can_open_case(user, case.award)


def may_decide(user, case: SupervisionCase) -> bool:
    return can_decide_case(user, case)


def is_enterprise_admin(user, case: SupervisionCase) -> bool:
    return is_case_enterprise_admin(user, case)


# ------------------------------------------------------------------ guards
@guard("P13")
def details_complete(ctx: Context) -> None:
    case = ctx.case
    if case.kind not in CaseKind.values:
        raise InvalidInput(_("请选择事项类别（重大安全事故、重大环保事故、重大质量事故或违法违规行为）。"), field="kind")
    if case.measure not in Measure.values:
        raise InvalidInput(_("请选择拟采取的措施（暂停或撤销层级）。"), field="measure")
    if not isinstance(case.occurred_on, date):
        raise InvalidInput(_("请填写事项发生日期，格式如 2025-06-30。"), field="occurred_on")
    if case.occurred_on > timezone.localdate():
        raise InvalidInput(_("发生日期不能晚于今天。"), field="occurred_on")
    if len(case.description.strip()) < 10:
        raise InvalidInput(_("请写明认定的事实和依据（至少10个字），企业将据此陈述申辩。"), field="description")


@guard("P14")
def one_open_case(ctx: Context) -> None:
    if SupervisionCase.objects.filter(award_id=ctx.case.award_id, state__in=OPEN_STATES).exists():
        raise Conflict(_("该认定已有尚未作出决定的监督事项，请在原事项中处理。"))


@guard("P14")
def measure_possible(ctx: Context) -> None:
    """Suspending needs an active award; revoking an active or a suspended one."""
    allowed = {Measure.SUSPEND: {AwardStatus.ACTIVE}, Measure.REVOKE: {AwardStatus.ACTIVE, AwardStatus.SUSPENDED}}
    status = ctx.case.award.status
    if status not in allowed[ctx.case.measure]:
        raise TransitionNotAllowed(_("该认定当前为“%(s)s”，不能%(m)s。") % {
            "s": AwardStatus(status).label, "m": Measure(ctx.case.measure).label})


@guard("P15")
def from_failed_recheck(ctx: Context) -> None:
    """A case opened from a re-check needs the enterprise's "not met" on that same award."""
    item = ctx.case.recheck_item
    if item is None:
        return
    if item.award_id != ctx.case.award_id or item.result != ItemResult.NOT_OK:
        raise TransitionNotAllowed(_("只有复核结果为“不符合”的确认可以转为监督事项。"), field="recheck_item")


@guard("P16")
def before_response_deadline(ctx: Context) -> None:
    if timezone.now() >= ctx.case.response_deadline:
        raise DeadlinePassed(_("陈述申辩期限已于%(d)s届满，不能再提交。") % {"d": ctx.case.response_due.isoformat()},
                             deadline=ctx.case.response_deadline.isoformat())


@guard("P16")
@when_taken
def response_given(ctx: Context) -> None:
    if len(ctx.response.strip()) < 10:
        raise InvalidInput(_("请写明陈述和申辩的意见（至少10个字）。"), field="response")


@guard("P16")
def heard(ctx: Context) -> None:
    """Due process: the enterprise has responded, or its time to respond has ended."""
    case = ctx.case
    if case.state != CaseState.RESPONDED and timezone.now() < case.response_deadline:
        raise TransitionNotAllowed(
            _("企业尚未陈述申辩，陈述申辩期限至%(d)s（含当日）届满后方可作出决定。") % {"d": case.response_due.isoformat()},
            deadline=case.response_deadline.isoformat())


@guard("P4")
@when_taken
def reason_required(ctx: Context) -> None:
    if not ctx.reason.strip():
        raise InvalidInput(_("请写明决定的理由。"), field="reason")


@guard("P14")
def award_active(ctx: Context) -> None:
    if ctx.case.award.status != AwardStatus.ACTIVE:
        raise TransitionNotAllowed(_("该认定当前为“%(s)s”，只能暂停有效的认定。") % {
            "s": AwardStatus(ctx.case.award.status).label})


@guard("P14")
def award_active_or_suspended(ctx: Context) -> None:
    if ctx.case.award.status not in (AwardStatus.ACTIVE, AwardStatus.SUSPENDED):
        raise TransitionNotAllowed(_("该认定当前为“%(s)s”，不能撤销。") % {"s": AwardStatus(ctx.case.award.status).label})


@guard("P16")
@hides
def revocation_notified(ctx: Context) -> None:
    """The decision may be milder than the notice, never harsher: revoking needs a notice that said so
    (the revoke button is not shown on a case whose notice said suspend)."""
    if ctx.case.measure != Measure.REVOKE:
        raise TransitionNotAllowed(_("告知书拟采取的措施为暂停层级，不能直接决定撤销；如需撤销，请重新立案告知企业。"))


@guard("P14")
def award_suspended(ctx: Context) -> None:
    if ctx.case.award.status != AwardStatus.SUSPENDED:
        raise TransitionNotAllowed(_("该认定当前为“%(s)s”，没有可以解除的暂停。") % {
            "s": AwardStatus(ctx.case.award.status).label})


# ------------------------------------------------------------------ effects
def _lock_award(ctx: Context) -> TierAward:
    award = TierAward.objects.select_for_update(of=("self",)).select_related(
        "factory", "factory__enterprise", "authority").get(pk=ctx.case.award_id)
    ctx.case.award = award
    return award


def _set_award_status(ctx: Context, status: str, reason: str) -> None:
    award = ctx.case.award
    award.status, award.status_reason, award.status_changed_at = status, reason.strip(), timezone.now()
    award.save(update_fields=["status", "status_reason", "status_changed_at"])


def _open(ctx: Context) -> None:
    case = ctx.case
    choices = opening_authorities(ctx.actor, case.award)
    if ctx.authority is not None and ctx.authority.pk not in {a.pk for a in choices}:
        raise NotPermitted(_("您不能以该单位名义立案。"))
    case.opened_by_authority = ctx.authority or choices[0]
    case.opened_by, case.opened_at = ctx.actor, timezone.now()
    case.response_due = timezone.localdate() + timedelta(days=policy().response_days)
    case.description = case.description.strip()


def _respond(ctx: Context) -> None:
    case = ctx.case
    case.response, case.responded_at, case.responded_by = ctx.response.strip(), timezone.now(), ctx.actor


def _decision(status: str | None):
    def effect(ctx: Context) -> None:
        case = ctx.case
        case.decision_reason, case.decided_at, case.decided_by = ctx.reason.strip(), timezone.now(), ctx.actor
        if status is not None:
            _set_award_status(ctx, status, ctx.reason)
    return effect


def _then(ctx: Context, action: str) -> None:
    """A revoked 卓越级 ends the 领航级 cultivation it founded, in the same transaction."""
    if action == Action.REVOKE:
        end_cultivation_without_ground(ctx.case.award, actor=ctx.actor, reason=ctx.reason)


def _lift(ctx: Context) -> None:
    case = ctx.case
    case.lift_reason, case.lifted_at, case.lifted_by = ctx.reason.strip(), timezone.now(), ctx.actor
    _set_award_status(ctx, AwardStatus.ACTIVE, ctx.reason)


# ------------------------------------------------------------------ notifications (after the commit)
def _award_label(case: SupervisionCase) -> str:
    award = case.award
    return f"{award.factory.name}（{award.year}年度{Tier(award.tier).label}{'，' + award.certificate_no if award.certificate_no else ''}）"


def _notice_title(case: SupervisionCase) -> str:
    return _("关于拟%(m)s%(a)s的告知") % {"m": Measure(case.measure).label, "a": _award_label(case)}


def _notice_body(case: SupervisionCase) -> str:
    return _(
        "%(authority)s查明：%(date)s发生%(kind)s。\n事实和依据：%(text)s\n拟采取的措施：%(measure)s。\n"
        "贵企业可于%(due)s（含当日）前登录平台提交陈述和申辩意见；逾期未提交的，视为放弃陈述和申辩，"
        "主管部门将依据查明的事实作出决定。"
    ) % {"authority": case.opened_by_authority.name, "date": case.occurred_on.isoformat(),
         "kind": CaseKind(case.kind).label, "text": case.description, "measure": Measure(case.measure).label,
         "due": case.response_due.isoformat()}


def _decision_title(case: SupervisionCase, status: str | None) -> str:
    words = {AwardStatus.SUSPENDED: _("暂停"), AwardStatus.REVOKED: _("撤销"), AwardStatus.ACTIVE: _("解除暂停"),
             None: _("不予处理")}
    return _("监督事项决定：%(a)s %(w)s") % {"a": _award_label(case), "w": words[status]}


def _tell_enterprise(case: SupervisionCase, kind: str, title: str, body: str, occasion: str) -> Notice:
    from smartfactory.notifications.services import enterprise_users

    return Notice(enterprise_users(case.award.factory.enterprise), kind=kind, title=title, body=body,
                  link=reverse("supervision_portal:case", args=[case.pk]), dedupe_key=f"supervision:{case.pk}:{occasion}")


def _on_open(ctx: Context) -> list[Notice]:
    case = ctx.case
    return [_tell_enterprise(case, "supervision.notice", _notice_title(case), _notice_body(case), "notice")]


def _on_respond(ctx: Context) -> list[Notice]:
    from smartfactory.notifications.services import authority_users

    case = ctx.case
    title = _("%(e)s已就监督事项陈述申辩：%(a)s") % {"e": case.award.factory.enterprise.name, "a": _award_label(case)}
    return [Notice(authority_users(case.opened_by_authority), kind="supervision.response", title=title,
                   body=case.response[:500], link=reverse("supervision_console:case", args=[case.pk]),
                   dedupe_key=f"supervision:{case.pk}:response")]


def _on_decision(status: str | None):
    def notices(ctx: Context) -> list[Notice]:
        case = ctx.case
        return [_tell_enterprise(case, "supervision.decision", _decision_title(case, status), case.decision_reason,
                                 "decision")]
    return notices


def _on_lift(ctx: Context) -> list[Notice]:
    case = ctx.case
    return [_tell_enterprise(case, "supervision.decision", _decision_title(case, AwardStatus.ACTIVE), case.lift_reason,
                             "lift")]


# ------------------------------------------------------------------ the table
T = Transition
DECIDABLE = frozenset(OPEN_STATES)
TABLE: dict[str, Transition] = {
    Action.OPEN: T(frozenset({NEW}), may_open, (details_complete, one_open_case, measure_possible, from_failed_recheck),
                   _open, CaseState.NOTIFIED, notify=_on_open, offered=False),
    Action.RESPOND: T(frozenset({CaseState.NOTIFIED}), is_enterprise_admin, (before_response_deadline, response_given),
                      _respond, CaseState.RESPONDED, notify=_on_respond),
    Action.SUSPEND: T(DECIDABLE, may_decide, (heard, reason_required, award_active), _decision(AwardStatus.SUSPENDED),
                      CaseState.DECIDED_SUSPEND, notify=_on_decision(AwardStatus.SUSPENDED)),
    Action.REVOKE: T(DECIDABLE, may_decide, (heard, reason_required, revocation_notified, award_active_or_suspended),
                     _decision(AwardStatus.REVOKED), CaseState.DECIDED_REVOKE, notify=_on_decision(AwardStatus.REVOKED)),
    Action.DISMISS: T(DECIDABLE, may_decide, (heard, reason_required), _decision(None), CaseState.DISMISSED,
                      notify=_on_decision(None)),
    Action.LIFT: T(frozenset({CaseState.DECIDED_SUSPEND}), may_decide, (reason_required, award_suspended), _lift,
                   CaseState.LIFTED, notify=_on_lift),
}
DECISIONS = {"suspend": Action.SUSPEND, "revoke": Action.REVOKE, "dismiss": Action.DISMISS}


def _context(case: SupervisionCase, actor, *, reason: str = "", response: str = "",
             authority: Authority | None = None) -> Context:
    ctx = Context(case=case, actor=actor, reason=reason or "", response=response or "", authority=authority)
    _lock_award(ctx)
    return ctx


def _lock(case: SupervisionCase) -> SupervisionCase:
    return SupervisionCase.objects.select_for_update(of=("self",)).select_related(
        "opened_by_authority", "recheck_item").get(pk=case.pk)


def _after(ctx: Context, action: str) -> dict:
    case, award = ctx.case, ctx.case.award
    return {"award": award.pk, "award_status": award.status, "tier": award.tier, "certificate_no": award.certificate_no,
            "measure": case.measure, "response_due": case.response_due.isoformat()}


MACHINE = Machine(
    name="supervision", model=SupervisionCase, table=TABLE, context=_context, lock=_lock,
    audit=lambda case: {"state": case.state, "award_status": case.award.status}, after=_after, then=_then,
    labels=lambda action: str(Action(action).label),
    state_label=lambda state: str(CaseState(state).label) if state else _("新立案"),
    refused=gettext_noop("监督事项当前为“%(s)s”，不能执行“%(a)s”。"),
    reason_of=lambda ctx: (ctx.reason or ctx.response).strip(),
)


def allowed_actions(case: SupervisionCase, user) -> list[str]:
    """The actions offered to this user in this state (the API's ``actions``); the guards are checked
    when taken. The pages show ``available``: the same actions, each enabled or disabled with the
    guard's reason."""
    return [a for a in offered(MACHINE, case, user)
            if not (a == Action.REVOKE and case.measure != Measure.REVOKE)]


def available(case: SupervisionCase, user) -> list[Available]:
    return available_actions(MACHINE, case, user)


def transition(case: SupervisionCase, action: str, *, actor, reason: str = "", response: str = "",
               authority: Authority | None = None) -> SupervisionCase:
    """Take ``action`` through the engine: row locks (the case, then its award); the state check,
    who-may and guards; the effect (notice and response deadline, response, decision, the award's
    status, reason and time); save; audit event ``supervision.<action>`` with the case's state and the
    award's status before and after; the notices of the row (once per occasion). All or nothing."""
    return run(MACHINE, case, action, actor=actor, reason=reason, response=response, authority=authority)


def open_case(award: TierAward, *, actor, kind: str, occurred_on, description: str, measure: str,
              authority: Authority | None = None, recheck_item: RecheckItem | None = None) -> SupervisionCase:
    """Open a case against an award and notify the enterprise (the notice with its response
    deadline). ``occurred_on`` may be a date or ISO text (from a form)."""
    if isinstance(occurred_on, str):
        try:
            occurred_on = date.fromisoformat(occurred_on.strip())
        except ValueError:
            raise InvalidInput(_("请填写事项发生日期，格式如 2025-06-30。"), field="occurred_on") from None
    case = SupervisionCase(award=award, kind=kind or "", occurred_on=occurred_on, description=description or "",
                           measure=measure or "", recheck_item=recheck_item, state=NEW)
    return transition(case, Action.OPEN, actor=actor, authority=authority)
