"""The acceptance of a 领航级 cultivation object: a declarative table and the one function that
moves an acceptance application, plus the services around it (the draft, evidence files, the
ministry's deferral). Pages, API and commands call these; nothing else writes ``state``.

draft ─submit→ submitted ─approve (recommender)→ forwarded ─accept (six ministries' decision)→ accepted
              │   ▲ resubmit     │ reject                   ├─not_accept (evaluation not approved)→ not_accepted
              ▼   │              ▼                          └─extend (ministry defers, ≤ 2 years)→ extended
             returned         rejected

Forwarding opens an evaluation of kind ``acceptance`` on the cultivation object's application: the
ministry's formal check, expert scoring, the site visit, 公示 and the joint decision are the
national evaluation's own steps (``smartfactory.evaluation``), which call back here when they end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop

from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import is_enterprise_user_of, is_miit_staff, is_reviewer_at
from smartfactory.recommendations.queries import recommender_authority
from smartfactory.uploads import MB, PDF_OR_IMAGE, check_upload
from smartfactory.workflow import (
    Available,
    Machine,
    Notice,
    Transition,
    available_actions,
    offered,
    when_taken,
)
from smartfactory.workflow import transition as run

from . import workflow as cultivation_flow
from .models import AcceptanceApplication, AcceptanceEvidence, AcceptanceReview, CultivationObject
from .models import AcceptanceState as S
from .rules import rules
from .services import latest_end

OPEN_STATES = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.FORWARDED)
MAX_EVIDENCE_BYTES = 20 * MB


class Act:
    SUBMIT = "submit"
    RESUBMIT = "resubmit"
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    EXTEND = "extend"


LABELS = {
    Act.SUBMIT: _lazy("提交验收申请"), Act.RESUBMIT: _lazy("修改后重新提交"), Act.APPROVE: _lazy("初审通过，报送工业和信息化部"),
    Act.RETURN: _lazy("退回修改"), Act.REJECT: _lazy("不予推荐验收"), Act.ACCEPT: _lazy("通过验收"), Act.NOT_ACCEPT: _lazy("未通过验收"),
    Act.EXTEND: _lazy("延期验收"),
}
REVIEW_ACTIONS = (Act.APPROVE, Act.RETURN, Act.REJECT)


@dataclass
class Ctx:
    acceptance: AcceptanceApplication
    actor: object
    reason: str = ""
    ends_on: date | None = None
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------ who
def recommender_of(cultivation: CultivationObject) -> Authority | None:
    """The authority that recommended the object (its quota's recommender); for an imported object
    without one, the industry department of the province where the factory is (R18: 领航级 is
    recommended by the province where the factory is)."""
    application = cultivation.application
    if application is not None and application.quota_id:
        return recommender_authority(application.quota)
    county = cultivation.factory.county
    province = county.province_code if county is not None else ""
    return Authority.objects.filter(kind=AuthorityKind.GOVERNMENT, level=AuthorityLevel.PROVINCE, division_id=province,
                                    department=Department.INDUSTRY).first()


def is_applicant(user, acceptance: AcceptanceApplication) -> bool:
    return is_enterprise_user_of(user, acceptance.cultivation.factory.enterprise)


def is_recommender(user, acceptance: AcceptanceApplication) -> bool:
    return is_reviewer_at(user, recommender_of(acceptance.cultivation))


def ministry(user, acceptance: AcceptanceApplication) -> bool:
    return is_miit_staff(user)


# ------------------------------------------------------------------ guards
@guard("P4")
@when_taken
def reason_required(ctx: Ctx) -> None:
    if not ctx.reason.strip():
        raise InvalidInput(_("请填写理由。"), field="reason")


@guard("R20")
def cultivating(ctx: Ctx) -> None:
    cultivation = ctx.acceptance.cultivation
    if cultivation.status != CultivationObject.Status.CULTIVATING:
        raise TransitionNotAllowed(_("培育对象当前为“%(s)s”，不能申请验收。") % {"s": cultivation.get_status_display()})


@guard("R20")
def within_period(ctx: Ctx) -> None:
    """The first submission must come before the period ends (a returned one submitted in time may
    be corrected afterwards)."""
    cultivation = ctx.acceptance.cultivation
    if timezone.localdate() > cultivation.ends_on:
        raise NotEligible(_("培育期已于%(d)s届满，不能再申请验收。") % {"d": cultivation.ends_on.isoformat()})


@guard("P11")
def reports_filed(ctx: Ctx) -> None:
    if not rules().reports_required_before_acceptance:
        return
    today = timezone.localdate()
    late = [r.sequence for r in ctx.acceptance.cultivation.reports.all() if r.submitted_at is None and r.due_on < today]
    if late:
        raise NotEligible(_("第%(n)s期进展报告逾期未交，请先补报。") % {"n": "、".join(map(str, late))})


@guard("P12")
@when_taken
def evidence_complete(ctx: Ctx) -> None:
    """Every target has its achieved value and evidence (a description or a file). Checked when
    submitted: the page saves what was typed, then submits."""
    acceptance = ctx.acceptance
    if len(acceptance.summary.strip()) < 20:
        raise InvalidInput(_("请填写培育工作总结（至少20个字）。"), field="summary")
    files = set(acceptance.evidence.values_list("target_number", flat=True))
    for target in acceptance.cultivation.targets.all():
        row = acceptance.results.get(str(target.number), {})
        if not str(row.get("value", "")).strip():
            raise InvalidInput(_("请填写目标%(n)d“%(i)s”的达成值。") % {"n": target.number, "i": target.indicator},
                               field=f"results.{target.number}.value")
        if not str(row.get("evidence", "")).strip() and target.number not in files:
            raise InvalidInput(_("请为目标%(n)d“%(i)s”说明佐证或上传佐证材料。") % {"n": target.number, "i": target.indicator},
                               field=f"results.{target.number}.evidence")


def evaluation_in(state: str):
    @guard("R20")
    def national_conclusion(ctx: Ctx) -> None:
        evaluation = getattr(ctx.acceptance, "evaluation", None)
        if evaluation is None or evaluation.state != state:
            raise TransitionNotAllowed(_("国家验收尚未作出相应结论。"))
    return national_conclusion


@guard("R20")
def extension_fits(ctx: Ctx) -> None:
    cultivation = ctx.acceptance.cultivation
    if not rules().extension_allowed:
        raise NotEligible(_("现行规则不允许延期验收。"))
    limit = latest_end(cultivation.published_on)
    if ctx.ends_on is None:
        raise InvalidInput(_("请填写延期后的培育期截止日期。"), field="ends_on")
    if ctx.ends_on <= cultivation.ends_on:
        raise InvalidInput(_("延期后的截止日期须晚于现截止日期%(d)s。") % {"d": cultivation.ends_on.isoformat()}, field="ends_on")
    if ctx.ends_on > limit:
        raise InvalidInput(_("培育期自名单发布起不得超过2年（最迟%(d)s）。") % {"d": limit.isoformat()}, field="ends_on")


# ------------------------------------------------------------------ effects
def _submit(ctx: Ctx) -> None:
    a = ctx.acceptance
    a.submitted_at, a.submitted_by = timezone.now(), ctx.actor


def _on_submit(ctx: Ctx) -> list[Notice]:
    from smartfactory.notifications.services import authority_users

    a = ctx.acceptance
    recommender = recommender_of(a.cultivation)
    return [Notice(authority_users(recommender) if recommender else [], kind="acceptance.submitted",
                   title=_("%(f)s提交领航级验收申请，待初审") % {"f": a.cultivation.factory.name},
                   link=f"/cultivation/{a.cultivation_id}/acceptance/", dedupe_key=f"acceptance-submitted:{a.pk}:{a.version}")]


def _review(decision: str, state: str):
    def effect(ctx: Ctx) -> None:
        a = ctx.acceptance
        recommender = recommender_of(a.cultivation)
        AcceptanceReview.objects.create(acceptance=a, decision=decision, reason=ctx.reason, reviewer=ctx.actor,
                                        authority=recommender)
        if state == S.RETURNED:
            a.version += 1
        if state == S.REJECTED:
            a.outcome_reason, a.decided_at = ctx.reason, timezone.now()
        if state == S.FORWARDED:
            _open_evaluation(a, ctx.actor)
    return effect


def _on_review(decision: str):
    def notices(ctx: Ctx) -> list[Notice]:
        from smartfactory.notifications.services import authority_users, enterprise_users

        a = ctx.acceptance
        out = [Notice(enterprise_users(a.cultivation.factory.enterprise), kind="acceptance.reviewed",
                      title=_("验收申请初审结果：%(d)s") % {"d": LABELS[decision]}, body=ctx.reason,
                      link=f"/cultivation/{a.cultivation_id}/acceptance/",
                      dedupe_key=f"acceptance-review:{a.pk}:{a.version}:{decision}")]
        evaluation = getattr(a, "evaluation", None) if decision == Act.APPROVE else None
        miit = Authority.objects.filter(kind=AuthorityKind.MINISTRY, is_lead=True).first()
        if evaluation is not None and miit is not None:
            out.append(Notice(authority_users(miit), kind="acceptance.forwarded",
                              title=_("%(f)s的领航级验收申请已报送，待形式审查") % {"f": a.cultivation.factory.name},
                              link=f"/console/evaluation/{evaluation.pk}/",
                              dedupe_key=f"acceptance-forwarded:{evaluation.pk}"))
        return out
    return notices


def _open_evaluation(acceptance: AcceptanceApplication, actor) -> None:
    """The national acceptance: an evaluation of kind ``acceptance`` awaiting the ministry's formal
    check, on the object's application and campaign."""
    from smartfactory.evaluation.models import Evaluation

    cultivation = acceptance.cultivation
    if cultivation.application_id is None:
        raise NotEligible(_("该培育对象没有平台上的申报记录，请联系工业和信息化部补录后再报送验收。"))
    evaluation = Evaluation(application=cultivation.application, campaign=cultivation.campaign, tier="leading",
                            kind="acceptance", acceptance=acceptance)
    evaluation.auto_checks = acceptance_checks(acceptance)
    evaluation.save()
    record_event("evaluation.open", actor=actor, obj=evaluation,
                 after={"application": str(cultivation.application_id), "kind": "acceptance", "acceptance": str(acceptance.pk)})
    acceptance.evaluation = evaluation


def _decided(state: str):
    def effect(ctx: Ctx) -> None:
        a = ctx.acceptance
        a.decided_at = timezone.now()
        a.outcome_reason = ctx.reason
        if state == S.EXTENDED:
            a.extended_to = ctx.ends_on
    return effect


def _then(ctx: Ctx, action: str) -> None:
    """The decided acceptance moves its cultivation object (accepted, not accepted, extended) in the
    same transaction, through the object's own machine. An object that ended meanwhile (its 卓越级
    revoked, P84) keeps its end when the acceptance is not accepted or deferred; accepting it is
    refused by its machine."""
    a = ctx.acceptance
    if action not in OBJECT_ACTION:
        return
    if action != Act.ACCEPT and a.cultivation.status != CultivationObject.Status.CULTIVATING:
        return
    a.cultivation = cultivation_flow.transition(a.cultivation, OBJECT_ACTION[action], actor=ctx.actor,
                                                reason=ctx.reason, acceptance=a)


def _on_not_accepted(ctx: Ctx) -> list[Notice]:
    from smartfactory.notifications.services import enterprise_users

    a, cultivation = ctx.acceptance, ctx.acceptance.cultivation
    return [Notice(enterprise_users(cultivation.factory.enterprise), kind="acceptance.not_accepted",
                   title=_("%(f)s未通过领航级验收") % {"f": cultivation.factory.name}, body=ctx.reason,
                   link=f"/cultivation/{cultivation.pk}/acceptance/", dedupe_key=f"acceptance-no:{a.pk}")]


def _on_extended(ctx: Ctx) -> list[Notice]:
    from smartfactory.notifications.services import enterprise_users

    a, cultivation = ctx.acceptance, ctx.acceptance.cultivation
    return [Notice(enterprise_users(cultivation.factory.enterprise), kind="acceptance.extended",
                   title=_("%(f)s的领航级验收延期至%(d)s") % {"f": cultivation.factory.name, "d": ctx.ends_on.isoformat()},
                   body=ctx.reason, link=f"/cultivation/{cultivation.pk}/", dedupe_key=f"acceptance-ext:{a.pk}")]


T = Transition
TABLE: dict[str, Transition] = {
    Act.SUBMIT: T(frozenset({S.DRAFT}), is_applicant, (cultivating, within_period, reports_filed, evidence_complete),
                  _submit, S.SUBMITTED, notify=_on_submit),
    Act.RESUBMIT: T(frozenset({S.RETURNED}), is_applicant, (cultivating, reports_filed, evidence_complete), _submit,
                    S.SUBMITTED, notify=_on_submit),
    Act.APPROVE: T(frozenset({S.SUBMITTED}), is_recommender, (), _review(Act.APPROVE, S.FORWARDED), S.FORWARDED,
                   notify=_on_review(Act.APPROVE)),
    Act.RETURN: T(frozenset({S.SUBMITTED}), is_recommender, (reason_required,), _review(Act.RETURN, S.RETURNED),
                  S.RETURNED, notify=_on_review(Act.RETURN)),
    Act.REJECT: T(frozenset({S.SUBMITTED}), is_recommender, (reason_required,), _review(Act.REJECT, S.REJECTED),
                  S.REJECTED, notify=_on_review(Act.REJECT)),
    # taken by the national evaluation when it ends (decision, not approved, deferred)
    Act.ACCEPT: T(frozenset({S.FORWARDED}), ministry, (evaluation_in("approved"),), _decided(S.ACCEPTED), S.ACCEPTED,
                  offered=False),
    Act.NOT_ACCEPT: T(frozenset({S.FORWARDED}), ministry, (evaluation_in("not_approved"), reason_required),
                      _decided(S.NOT_ACCEPTED), S.NOT_ACCEPTED, notify=_on_not_accepted, offered=False),
    Act.EXTEND: T(frozenset({S.FORWARDED}), ministry, (evaluation_in("deferred"), reason_required, extension_fits),
                  _decided(S.EXTENDED), S.EXTENDED, notify=_on_extended, offered=False),
}
NATIONAL = {Act.ACCEPT, Act.NOT_ACCEPT, Act.EXTEND}
OBJECT_ACTION = {Act.ACCEPT: cultivation_flow.Act.ACCEPT, Act.NOT_ACCEPT: cultivation_flow.Act.NOT_ACCEPT,
                 Act.EXTEND: cultivation_flow.Act.EXTEND}  # what the decision does to the cultivation object


def _lock(acceptance: AcceptanceApplication) -> AcceptanceApplication:
    acceptance = AcceptanceApplication.objects.select_for_update().get(pk=acceptance.pk)
    # the object is read under its own lock: a decision moves it (``_then``, the object's machine)
    acceptance.cultivation = CultivationObject.objects.select_for_update(of=("self",)).select_related(
        "factory__enterprise", "factory__county", "application__quota", "campaign").get(pk=acceptance.cultivation_id)
    return acceptance


MACHINE = Machine(
    name="acceptance", model=AcceptanceApplication, table=TABLE, lock=_lock,
    context=lambda a, actor, reason="", ends_on=None: Ctx(acceptance=a, actor=actor, reason=reason or "", ends_on=ends_on),
    after=lambda ctx, action: {"cultivation": str(ctx.acceptance.cultivation_id), "version": ctx.acceptance.version},
    then=_then,
    labels=lambda action: str(LABELS[action]), state_label=lambda state: str(S(state).label),
    refused=gettext_noop("验收申请当前为“%(s)s”，不能执行“%(a)s”。"),
)


def allowed(acceptance: AcceptanceApplication, user) -> list[str]:
    """The actions offered to this user now (guards are checked when taken)."""
    return offered(MACHINE, acceptance, user)


def available(acceptance: AcceptanceApplication, user) -> list[Available]:
    return available_actions(MACHINE, acceptance, user)


def transition(acceptance: AcceptanceApplication, action: str, *, actor, reason: str = "",
               ends_on: date | None = None) -> AcceptanceApplication:
    """Take ``action`` through the engine: row locks (the acceptance, then its cultivation object);
    who-may and guards; the effect (review row, evaluation opened, decision recorded); save; audit
    event ``acceptance.<action>`` with before/after; on a decision the cultivation object accepted,
    not accepted or extended through ``cultivation.workflow``; the notices of the row — all in one
    transaction."""
    return run(MACHINE, acceptance, action, actor=actor, reason=reason, ends_on=ends_on)


def conclude(evaluation, *, actor, reason: str = "", ends_on: date | None = None) -> None:
    """Called by the evaluation workflow in its transaction when an acceptance evaluation ends not
    approved (→ not accepted) or deferred (→ extended to ``ends_on``)."""
    action = Act.EXTEND if evaluation.state == "deferred" else Act.NOT_ACCEPT
    transition(evaluation.acceptance, action, actor=actor, reason=reason, ends_on=ends_on)


# ------------------------------------------------------------------ services
def acceptance_checks(acceptance: AcceptanceApplication) -> list[dict]:
    """The automatic checks the ministry's formal check shows for an acceptance."""
    cultivation = acceptance.cultivation
    today = timezone.localdate()
    targets = list(cultivation.targets.all())
    files = set(acceptance.evidence.values_list("target_number", flat=True))
    no_value = [str(t.number) for t in targets if not str(acceptance.results.get(str(t.number), {}).get("value", "")).strip()]
    no_evidence = [str(t.number) for t in targets if t.number not in files
                   and not str(acceptance.results.get(str(t.number), {}).get("evidence", "")).strip()]
    late = [str(r.sequence) for r in cultivation.reports.all() if r.submitted_at is None and r.due_on < today]
    return [
        {"key": "period", "label": _("在培育期内提出（不超过2年）"), "ok": bool(acceptance.submitted_at)
         and timezone.localdate(acceptance.submitted_at) <= cultivation.ends_on, "detail": cultivation.ends_on.isoformat()},
        {"key": "targets", "label": _("每项培育目标均填报达成值"), "ok": bool(targets) and not no_value, "detail": "、".join(no_value)},
        {"key": "evidence", "label": _("每项培育目标均有佐证"), "ok": not no_evidence, "detail": "、".join(no_evidence)},
        {"key": "reports", "label": _("进展报告按期报送"), "ok": not late, "detail": "、".join(late)},
        {"key": "recommender", "label": _("推荐单位初审通过"), "ok": acceptance.reviews.filter(decision=Act.APPROVE).exists(),
         "detail": ""},
    ]


def current_acceptance(cultivation: CultivationObject) -> AcceptanceApplication | None:
    return cultivation.acceptances.order_by("-created_at").first()


@transaction.atomic
def save_draft(cultivation: CultivationObject, *, actor, summary: str, results: dict) -> AcceptanceApplication:
    """The enterprise writes (or keeps writing) its acceptance application: the summary and, per
    target, the achieved value and how it is shown. A new one may be started while the object is
    cultivating and no other is open. Side effects: audit event acceptance.save."""
    if not is_enterprise_user_of(actor, cultivation.factory.enterprise):
        raise NotPermitted()
    cultivation = CultivationObject.objects.select_for_update().get(pk=cultivation.pk)
    if cultivation.status != CultivationObject.Status.CULTIVATING:
        raise TransitionNotAllowed(_("培育对象当前为“%(s)s”，不能申请验收。") % {"s": cultivation.get_status_display()})
    acceptance = cultivation.acceptances.filter(state__in=OPEN_STATES).select_for_update().first()
    if acceptance is None:
        acceptance = AcceptanceApplication.objects.create(cultivation=cultivation, created_by=actor)
        record_event("acceptance.create", actor=actor, obj=acceptance, after={"cultivation": str(cultivation.pk)})
    elif acceptance.state not in (S.DRAFT, S.RETURNED):
        raise TransitionNotAllowed(_("验收申请已提交，当前为“%(s)s”，不能修改。") % {"s": acceptance.get_state_display()})
    numbers = {str(t.number) for t in cultivation.targets.all()}
    clean = {}
    for key, row in (results or {}).items():
        if str(key) not in numbers:
            raise InvalidInput(_("未知的培育目标。"), field=f"results.{key}")
        if not isinstance(row, dict):
            raise InvalidInput(_("目标达成情况格式有误。"), field=f"results.{key}")
        clean[str(key)] = {"value": str(row.get("value", "")).strip()[:64], "evidence": str(row.get("evidence", "")).strip()[:2000]}
    acceptance.summary, acceptance.results = (summary or "").strip()[:10000], clean
    acceptance.save(update_fields=["summary", "results"])
    record_event("acceptance.save", actor=actor, obj=acceptance, after={"targets": sorted(clean)})
    return acceptance


@transaction.atomic
def attach_evidence(acceptance: AcceptanceApplication, *, actor, target_number: int, upload) -> AcceptanceEvidence:
    """A PDF or image of evidence against one target, sniffed by content. Side effects: the file;
    audit event acceptance.evidence."""
    acceptance = AcceptanceApplication.objects.select_for_update().select_related("cultivation__factory__enterprise").get(
        pk=acceptance.pk)
    if not is_enterprise_user_of(actor, acceptance.cultivation.factory.enterprise):
        raise NotPermitted()
    if acceptance.state not in (S.DRAFT, S.RETURNED):
        raise TransitionNotAllowed(_("验收申请已提交，不能再上传佐证。"))
    try:
        target_number = int(target_number)
    except (TypeError, ValueError):
        raise InvalidInput(_("请选择培育目标。"), field="target") from None
    if not acceptance.cultivation.targets.filter(number=target_number).exists():
        raise InvalidInput(_("未知的培育目标。"), field="target")
    checked = check_upload(upload, types=PDF_OR_IMAGE, max_bytes=MAX_EVIDENCE_BYTES,
                           type_message=_("佐证材料只能是 PDF、JPG 或 PNG（按文件内容识别）。"))
    if acceptance.evidence.filter(sha256=checked.sha256, target_number=target_number).exists():
        raise Conflict(_("该文件已上传。"))
    evidence = AcceptanceEvidence(acceptance=acceptance, target_number=target_number, original_name=upload.name[:255],
                                  mime=checked.mime, sha256=checked.sha256, uploaded_by=actor)
    evidence.file.save(f"{evidence.id.hex}.{checked.extension}", upload, save=False)
    evidence.save()
    record_event("acceptance.evidence", actor=actor, obj=acceptance,
                 after={"target": target_number, "sha256": evidence.sha256, "name": evidence.original_name})
    return evidence


def defer(acceptance: AcceptanceApplication, *, actor, ends_on: date, reason: str) -> AcceptanceApplication:
    """The ministry defers the acceptance: the period is extended to ``ends_on`` (never past two
    years from the list's publication) and the object cultivates on; a new acceptance application
    may follow. Goes through the evaluation workflow (``defer``), which extends here in the same
    transaction."""
    from smartfactory.evaluation.workflow import Act as EAct
    from smartfactory.evaluation.workflow import transition as evaluation_transition

    evaluation = getattr(acceptance, "evaluation", None)
    if evaluation is None:
        raise TransitionNotAllowed(_("该验收申请尚未报送国家验收。"))
    evaluation_transition(evaluation, EAct.DEFER, actor=actor, reason=reason, ends_on=ends_on)
    acceptance.refresh_from_db()
    return acceptance
