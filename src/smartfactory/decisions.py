"""The 公示 → decision step, the one owner of it: when the six ministries decide a final list, the
evaluations, the applications (through ``applications.workflow.transition``: awarded, cultivating,
not selected, accepted) and the cultivation objects (created, or closed as accepted) move together in
one transaction, and the enterprises are notified. It comes after ``evaluation`` and ``cultivation``
in the data flow (see the README's app order); neither of them imports it.

The decision is the ``decide`` row of the 公示's machine: ``evaluation.publicity_workflow`` declares
the machine with the rows the evaluation layer takes (finalise); this module adds the decision's row,
guards (every ministry concurred, the decision number given), effect and the work of the other
machines (``then``), and ``MACHINE`` here is the whole machine the pages offer actions from."""

from __future__ import annotations

from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.applications.enums import Action as AppAction
from smartfactory.applications.workflow import transition as app_transition
from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.quotas import follow_published_awards
from smartfactory.cultivation import acceptance as acceptance_flow
from smartfactory.cultivation.services import create_cultivation
from smartfactory.errors import InvalidInput, NotEligible
from smartfactory.evaluation import publicity_workflow
from smartfactory.evaluation.models import Evaluation, Publicity
from smartfactory.evaluation.models import EvaluationState as S
from smartfactory.evaluation.notices import decision_ministries
from smartfactory.evaluation.publicity_workflow import Act, Ctx
from smartfactory.evaluation.rules import rules_for
from smartfactory.evaluation.workflow import Act as EvaluationAct
from smartfactory.evaluation.workflow import transition
from smartfactory.guards import guard
from smartfactory.notifications.services import enterprise_users
from smartfactory.organisations.enums import AuthorityKind
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import is_miit_staff
from smartfactory.workflow import Available, Notice, Transition, available_actions, when_taken
from smartfactory.workflow import transition as run


# ------------------------------------------------------------------ guards
@guard("P6")
def every_ministry_concurred(ctx: Ctx) -> None:
    """The decision is the six ministries' own: each deciding ministry has concurred."""
    done = {c["authority"] for c in ctx.publicity.concurrences}
    missing = [a.name for a in decision_ministries(ctx.publicity.campaign) if str(a.pk) not in done]
    if missing:
        raise NotEligible(_("尚缺以下部门会签：%(m)s") % {"m": "、".join(missing)}, field="concurrence")


@guard("P6")
@when_taken
def decision_number_given(ctx: Ctx) -> None:
    if not ctx.decision_number.strip():
        raise InvalidInput(_("请填写审定文件文号。"), field="decision_number")


# ------------------------------------------------------------------ the decision
def _decide(ctx: Ctx) -> None:
    """The publicity's own fields; the evaluations still on the list are what the decision approves."""
    publicity = ctx.publicity
    publicity.decided_at, publicity.decision_number = timezone.now(), ctx.decision_number.strip()
    related = ("application", "acceptance") if publicity.kind == "acceptance" else ("application",)
    ctx.proposed = list(publicity.evaluations.filter(state=S.PROPOSED).select_related(*related).order_by("created_at"))


def _after(ctx: Ctx, action: str) -> dict:
    if action != Act.DECIDE:
        return {}
    after = {"decision_number": ctx.publicity.decision_number, "approved": len(ctx.proposed)}
    return {**after, "kind": "acceptance"} if ctx.publicity.kind == "acceptance" else after


def _then(ctx: Ctx, action: str) -> None:
    """In the decision's transaction: the evaluations, applications and cultivation objects follow."""
    if action == Act.DECIDE:
        (_approve_acceptances if ctx.publicity.kind == "acceptance" else _approve_selection)(ctx)


def _approve_selection(ctx: Ctx) -> None:
    """Every proposed application is approved — 卓越级 into the tier history with a certificate
    number and published, 领航级 as a cultivation object; the ones the evaluation turned down get
    their final state; the next campaign's quotas follow the published awards."""
    publicity, actor = ctx.publicity, ctx.actor
    rules = rules_for(publicity.campaign)
    Campaign.objects.select_for_update().get(pk=publicity.campaign_id)  # serialises certificate numbering
    serial = Evaluation.objects.filter(campaign=publicity.campaign, tier=publicity.tier, kind="selection",
                                       state=S.APPROVED).count()
    approved = []
    for evaluation in ctx.proposed:
        serial += 1
        Evaluation.objects.filter(pk=evaluation.pk).update(
            certificate_no=rules.certificate_format[publicity.tier].format(year=publicity.campaign.year, n=serial))
        evaluation = transition(evaluation, EvaluationAct.APPROVE, actor=actor)
        action = AppAction.NATIONAL_AWARD if publicity.tier == "excellent" else AppAction.NATIONAL_CULTIVATE
        app = app_transition(evaluation.application, action, actor=actor, reason=publicity.decision_number)
        if action == AppAction.NATIONAL_CULTIVATE:  # 领航级: the cultivation object, from the list's publication
            create_cultivation(app, published_on=timezone.localdate(publicity.decided_at),
                               list_number=evaluation.certificate_no, actor=actor)
        approved.append(evaluation)
    ctx.proposed = approved  # with their certificate numbers, for the notices
    for evaluation in publicity.evaluations.filter(state=S.NOT_APPROVED).select_related("application"):
        if evaluation.application.state == "recommended":
            app_transition(evaluation.application, AppAction.NATIONAL_DECLINE, actor=actor, reason=evaluation.outcome_reason)
    follow_published_awards(publicity.campaign.year, tier=publicity.tier, actor=actor, source=publicity.decision_number)


def _approve_acceptances(ctx: Ctx) -> None:
    """A list of 领航级 objects proposed as accepted: each becomes a 领航级 factory — certificate
    number of the decision year, the tier history line, published — and its cultivation object and
    acceptance application are closed as accepted."""
    publicity, actor = ctx.publicity, ctx.actor
    rules = rules_for(publicity.campaign)
    Authority.objects.select_for_update().get(kind=AuthorityKind.MINISTRY, is_lead=True)  # serialises numbering
    year = timezone.localdate(publicity.decided_at).year
    number_format = rules.certificate_format["leading_accepted"]
    prefix = number_format.split("{n")[0].format(year=year)
    serial = Evaluation.objects.filter(kind="acceptance", state=S.APPROVED, certificate_no__startswith=prefix).count()
    approved = []
    for evaluation in ctx.proposed:
        serial += 1
        Evaluation.objects.filter(pk=evaluation.pk).update(certificate_no=number_format.format(year=year, n=serial))
        evaluation = transition(evaluation, EvaluationAct.APPROVE, actor=actor)
        app_transition(evaluation.application, AppAction.NATIONAL_ACCEPT, actor=actor, reason=publicity.decision_number)
        acceptance_flow.transition(evaluation.acceptance, acceptance_flow.Act.ACCEPT, actor=actor,
                                   reason=publicity.decision_number)
        approved.append(evaluation)
    ctx.proposed = approved


def _on_decide(ctx: Ctx) -> list[Notice]:
    """Each enterprise on the list: its factory's place on the published list, with the numbers."""
    publicity, notices = ctx.publicity, []
    for e in ctx.proposed:
        enterprise, body = e.application.factory.enterprise, _("审定文件：%(n)s；编号：%(c)s") % {
            "n": publicity.decision_number, "c": e.certificate_no}
        if publicity.kind == "acceptance":
            notices.append(Notice(enterprise_users(enterprise), kind="cultivation.accepted",
                                  title=_("%(f)s通过领航级智能工厂验收") % {"f": e.application.factory.name}, body=body,
                                  link=f"/cultivation/{e.acceptance.cultivation_id}/", dedupe_key=f"accepted:{e.pk}"))
        else:
            listed = publicity.title.replace("拟入选名单公示", "名单")
            notices.append(Notice(enterprise_users(enterprise), kind="evaluation.decided",
                                  title=_("%(f)s已列入%(t)s") % {"f": e.application.factory.name, "t": listed}, body=body,
                                  link=f"/portal/applications/{e.application_id}/", dedupe_key=f"decided:{e.pk}"))
    return notices


TABLE: dict[str, Transition] = {
    **publicity_workflow.TABLE,
    Act.DECIDE: Transition(frozenset({Publicity.Status.FINAL}), is_miit_staff,
                           (every_ministry_concurred, decision_number_given), _decide, Publicity.Status.DECIDED,
                           notify=_on_decide),
}

# the 公示's whole machine: finalise (declared by evaluation) and the decision
MACHINE = replace(publicity_workflow.MACHINE, table=TABLE, after=_after, then=_then)


def available(publicity: Publicity, user) -> list[Available]:
    """The 公示's actions for this user: finalise and decide, enabled or with the reason they are not."""
    return available_actions(MACHINE, publicity, user)


def decide(publicity: Publicity, *, actor, decision_number: str) -> Publicity:
    """The six ministries' joint decision on a final list (through the engine: row lock; state,
    MIIT staff, every ministry's concurrence and the decision number; audit event publicity.decided):
    every proposed application is approved — 卓越级 into the tier history with a certificate number
    and published, 领航级 as a cultivation object; on an acceptance list each 领航级 object accepted —
    and every enterprise is notified, in one transaction."""
    return run(MACHINE, publicity, Act.DECIDE, actor=actor, decision_number=decision_number)


def close_not_approved(campaign, tier: str, *, actor) -> int:
    """Applications the evaluation turned down outside a 公示 (formal check, review, site visit) get
    their final state when the campaign's tier is decided."""
    n = 0
    for evaluation in Evaluation.objects.filter(campaign=campaign, tier=tier, kind="selection", state=S.NOT_APPROVED,
                                                application__state="recommended").select_related("application"):
        app_transition(evaluation.application, AppAction.NATIONAL_DECLINE, actor=actor, reason=evaluation.outcome_reason)
        n += 1
    return n
