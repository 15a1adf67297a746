"""The 公示 → decision step, the one owner of it: when the six ministries decide a final list, the
evaluations, the applications (through ``applications.workflow.transition``: awarded, cultivating,
not selected, accepted) and the cultivation objects (created, or closed as accepted) move together in
one transaction, and the enterprises are notified. It comes after ``evaluation`` and ``cultivation``
in the data flow (see the README's app order); neither of them imports it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.applications.enums import Action as AppAction
from smartfactory.applications.workflow import transition as app_transition
from smartfactory.audit.services import record_event
from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.quotas import follow_published_awards
from smartfactory.cultivation import acceptance as acceptance_flow
from smartfactory.cultivation.services import create_cultivation
from smartfactory.errors import InvalidInput, NotEligible, TransitionNotAllowed
from smartfactory.evaluation.guards import require_ministry
from smartfactory.evaluation.models import Evaluation, Publicity
from smartfactory.evaluation.models import EvaluationState as S
from smartfactory.evaluation.notices import decision_ministries
from smartfactory.evaluation.rules import rules_for
from smartfactory.evaluation.workflow import Act, transition
from smartfactory.notifications.services import enterprise_users, notify
from smartfactory.organisations.enums import AuthorityKind
from smartfactory.organisations.models import Authority


@transaction.atomic
def decide(publicity: Publicity, *, actor, decision_number: str) -> Publicity:
    """The six ministries' joint decision on a final list: every proposed application is approved —
    卓越级 into the tier history with a certificate number and published, 领航级 as a cultivation
    object — and every enterprise is notified. Side effects: evaluations, applications, awards or
    cultivation objects, notifications; audit events."""
    require_ministry(actor)
    publicity = Publicity.objects.select_for_update().select_related("campaign").get(pk=publicity.pk)
    if publicity.status != Publicity.Status.FINAL:
        raise TransitionNotAllowed(_("公示定稿后方可审定。"))
    needed = {str(a.pk): a.name for a in decision_ministries(publicity.campaign)}
    missing = [name for pk, name in needed.items() if pk not in {c["authority"] for c in publicity.concurrences}]
    if missing:
        raise NotEligible(_("尚缺以下部门会签：%(m)s") % {"m": "、".join(missing)}, field="concurrence")
    if not decision_number.strip():
        raise InvalidInput(_("请填写审定文件文号。"), field="decision_number")
    if publicity.kind == "acceptance":
        return _decide_acceptance(publicity, actor=actor, decision_number=decision_number.strip())
    rules = rules_for(publicity.campaign)
    Campaign.objects.select_for_update().get(pk=publicity.campaign_id)  # serialises certificate numbering
    publicity.status, publicity.decided_at, publicity.decision_number = (Publicity.Status.DECIDED, timezone.now(),
                                                                         decision_number.strip())
    publicity.save(update_fields=["status", "decided_at", "decision_number"])
    serial = Evaluation.objects.filter(campaign=publicity.campaign, tier=publicity.tier, kind="selection",
                                       state=S.APPROVED).count()
    proposed = list(publicity.evaluations.filter(state=S.PROPOSED).select_related("application").order_by("created_at"))
    for evaluation in proposed:
        serial += 1
        Evaluation.objects.filter(pk=evaluation.pk).update(
            certificate_no=rules.certificate_format[publicity.tier].format(year=publicity.campaign.year, n=serial))
        evaluation = transition(evaluation, Act.APPROVE, actor=actor)
        action = AppAction.NATIONAL_AWARD if publicity.tier == "excellent" else AppAction.NATIONAL_CULTIVATE
        app = app_transition(evaluation.application, action, actor=actor, reason=publicity.decision_number)
        if action == AppAction.NATIONAL_CULTIVATE:  # 领航级: the cultivation object, from the list's publication
            create_cultivation(app, published_on=timezone.localdate(publicity.decided_at),
                               list_number=evaluation.certificate_no, actor=actor)
        notify(enterprise_users(evaluation.application.factory.enterprise), kind="evaluation.decided",
               title=_("%(f)s已列入%(t)s") % {"f": evaluation.application.factory.name, "t": publicity.title.replace("拟入选名单公示", "名单")},
               body=_("审定文件：%(n)s；编号：%(c)s") % {"n": publicity.decision_number, "c": evaluation.certificate_no},
               link=f"/portal/applications/{evaluation.application_id}/", dedupe_key=f"decided:{evaluation.pk}")
    for evaluation in publicity.evaluations.filter(state=S.NOT_APPROVED).select_related("application"):
        if evaluation.application.state == "recommended":
            app_transition(evaluation.application, AppAction.NATIONAL_DECLINE, actor=actor, reason=evaluation.outcome_reason)
    follow_published_awards(publicity.campaign.year, tier=publicity.tier, actor=actor, source=publicity.decision_number)
    record_event("publicity.decided", actor=actor, obj=publicity,
                 after={"decision_number": publicity.decision_number, "approved": len(proposed)})
    return publicity


def _decide_acceptance(publicity: Publicity, *, actor, decision_number: str) -> Publicity:
    """The joint decision on a list of 领航级 objects proposed as accepted: each becomes a 领航级
    factory — certificate number of the decision year, the tier history line, published — and its
    cultivation object and acceptance application are closed as accepted; the enterprise is notified."""
    rules = rules_for(publicity.campaign)
    Authority.objects.select_for_update().get(kind=AuthorityKind.MINISTRY, is_lead=True)  # serialises numbering
    now = timezone.now()
    year = timezone.localdate(now).year
    publicity.status, publicity.decided_at, publicity.decision_number = Publicity.Status.DECIDED, now, decision_number
    publicity.save(update_fields=["status", "decided_at", "decision_number"])
    number_format = rules.certificate_format["leading_accepted"]
    prefix = number_format.split("{n")[0].format(year=year)
    serial = Evaluation.objects.filter(kind="acceptance", state=S.APPROVED, certificate_no__startswith=prefix).count()
    proposed = list(publicity.evaluations.filter(state=S.PROPOSED).select_related("application", "acceptance")
                    .order_by("created_at"))
    for evaluation in proposed:
        serial += 1
        Evaluation.objects.filter(pk=evaluation.pk).update(
            certificate_no=rules.certificate_format["leading_accepted"].format(year=year, n=serial))
        evaluation = transition(evaluation, Act.APPROVE, actor=actor)
        app_transition(evaluation.application, AppAction.NATIONAL_ACCEPT, actor=actor, reason=decision_number)
        acceptance_flow.transition(evaluation.acceptance, acceptance_flow.Act.ACCEPT, actor=actor, reason=decision_number)
        notify(enterprise_users(evaluation.application.factory.enterprise), kind="cultivation.accepted",
               title=_("%(f)s通过领航级智能工厂验收") % {"f": evaluation.application.factory.name},
               body=_("审定文件：%(n)s；编号：%(c)s") % {"n": decision_number, "c": evaluation.certificate_no},
               link=f"/cultivation/{evaluation.acceptance.cultivation_id}/", dedupe_key=f"accepted:{evaluation.pk}")
    record_event("publicity.decided", actor=actor, obj=publicity,
                 after={"decision_number": decision_number, "approved": len(proposed), "kind": "acceptance"})
    return publicity


def close_not_approved(campaign, tier: str, *, actor) -> int:
    """Applications the evaluation turned down outside a 公示 (formal check, review, site visit) get
    their final state when the campaign's tier is decided."""
    n = 0
    for evaluation in Evaluation.objects.filter(campaign=campaign, tier=tier, kind="selection", state=S.NOT_APPROVED,
                                                application__state="recommended").select_related("application"):
        app_transition(evaluation.application, AppAction.NATIONAL_DECLINE, actor=actor, reason=evaluation.outcome_reason)
        n += 1
    return n
