"""The application workflow: a declarative transition table and the one function that moves an
application. Pages, API, admin and commands all call ``transition``; nothing else writes ``state``.

Each row: the action, the states it leaves from, who may take it, and the guards (the programme's
rules: tier open, prerequisite tier, completeness, the deadline of the actor's level, reasons,
co-department concurrence). Every transition writes its review row (for reviewer actions) and an
audit event in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.assessments.models import SelfAssessment
from smartfactory.campaigns.enums import QUOTA_STATES, Stage
from smartfactory.campaigns.services import ensure_before_deadline
from smartfactory.errors import InvalidInput, NotEligible, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.enums import Tier
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import (
    is_enterprise_user_of,
    is_leader_at,
    is_miit_staff,
    is_reviewer_at,
)
from smartfactory.organisations.services import record_tier_award
from smartfactory.workflow import Available, Machine, Transition, available_actions, hides, when_taken
from smartfactory.workflow import transition as run

from . import notices
from .book_entries import entries_of, scan
from .chain import resolve_chain
from .concurrence import ensure_concurrence, required_concurrence  # noqa: F401  (required_concurrence: re-exported)
from .content import missing_fields
from .deadlines import level_stages, resubmission_stages
from .enums import BOOK_TIERS, Action, State
from .materials import cooperation_acknowledged, cooperation_record, materials_sound
from .models import ApplicationVersion, Review, TierApplication
from .national import national_accept, national_award, national_cultivate, national_decline
from .recommender import quota_of, recommender_of


@dataclass
class Context:
    app: TierApplication
    actor: object
    reason: str = ""
    concurrence: list[str] = field(default_factory=list)
    quota: object = None
    priority: int | None = None
    acceptance_evaluation: object = None
    cooperation: bool = False  # R23 acknowledged at this submission


# ------------------------------------------------------------------ who may
def is_applicant(user, app: TierApplication) -> bool:
    return is_enterprise_user_of(user, app.factory.enterprise)


def is_current_reviewer(user, app: TierApplication) -> bool:
    return is_reviewer_at(user, app.current_authority_id)


def is_current_leader(user, app: TierApplication) -> bool:
    return is_leader_at(user, app.current_authority_id)


# ------------------------------------------------------------------ guards
@guard("R7")
def enterprise_deadline(ctx: Context) -> None:
    ensure_before_deadline(ctx.app.campaign, Stage.ENTERPRISE_SUBMISSION, tier=ctx.app.tier,
                           enterprise=ctx.app.factory.enterprise)


@guard("R1", "R3", "R5", "R6", "R16", "R21", "P1", "P19")
def eligible(ctx: Context) -> None:
    """Every condition of the target tier (``eligibility.CHECKS``), checked again at (re)submission."""
    from .eligibility import reasons_not_eligible

    reasons = reasons_not_eligible(ctx.app.factory, ctx.app.campaign, ctx.app.tier)
    if reasons:
        raise NotEligible("；".join(reasons), reasons=reasons)


@guard("P2")
def complete(ctx: Context) -> None:
    """The advanced tier's form; for excellent and leading every section of the book, every required
    attachment and the legal representative."""
    app = ctx.app
    if app.tier not in BOOK_TIERS:
        missing = missing_fields(app.tier, app.content)
    else:
        from . import book as book_rules
        from .models import Attachment

        version = app.campaign.framework_version
        missing = book_rules.missing(version, app.tier, entries_of(app))
        have = set(app.attachments.values_list("kind", flat=True))
        missing += [str(Attachment.Kind(k).label) for k in book_rules.required_attachments(version, app.tier)
                    if k not in have]
        if not app.legal_representative:
            missing.append(str(_("法定代表人姓名")))
    if missing:
        raise NotEligible(_("申报内容未填写完整：%(f)s") % {"f": "、".join(missing)})


@guard("R9")
@when_taken
def confidentiality_clear(ctx: Context) -> None:
    """Excellent and leading: no confidentiality finding in the book or its files left without a
    justification (the reviewers see the justification)."""
    app = ctx.app
    if app.tier not in BOOK_TIERS:
        return
    findings = scan(app)
    app.confidentiality = {"findings": findings, "scanned_at": timezone.now().isoformat()}
    if findings and not app.confidentiality_justification.strip():
        places = "；".join(f"“{f['term']}” {f['place']}" for f in findings[:5])
        raise NotEligible(
            _("保密审查发现疑似涉密内容，请删除或填写说明后再提交：%(p)s") % {"p": places}, field="confidentiality",
            count=len(findings),
        )


@guard("R13", "R21", "R22")
def level_deadline(ctx: Context) -> None:
    for stage, kwargs in level_stages(ctx.app):
        ensure_before_deadline(ctx.app.campaign, stage, tier=ctx.app.tier, **kwargs)


@guard("P3")
def returning_level_deadline(ctx: Context) -> None:
    """The enterprise resubmits before the deadline of the level that returned it; where the campaign
    says so, also before the enterprise submission deadline."""
    for stage, kwargs in resubmission_stages(ctx.app):
        ensure_before_deadline(ctx.app.campaign, stage, tier=ctx.app.tier, **kwargs)


@guard("P4")
@when_taken
def reason_required(ctx: Context) -> None:
    if not ctx.reason.strip():
        raise InvalidInput(_("请填写理由。"), field="reason")


@guard("P5")
@hides
def not_last_step(ctx: Context) -> None:
    if ctx.app.current_step >= len(ctx.app.chain) - 1:
        raise TransitionNotAllowed(_("本级为最终审核层级，请作出认定决定。"))


@guard("R3", "R13")
@hides
def last_step(ctx: Context) -> None:
    if ctx.app.current_step != len(ctx.app.chain) - 1:
        raise TransitionNotAllowed(_("只有最终审核层级可以认定。"))


@guard("P20", "R12", "R18")
def decided_recommender(ctx: Context) -> None:
    """Only the authority that the campaign's rule makes the recommender recommends or certifies."""
    from .recommender import is_the_recommender

    if not is_the_recommender(ctx.app.current_authority, recommender_of(ctx.app)):
        raise TransitionNotAllowed(_("按本年度推荐规则，本申报不由%(a)s推荐或认定，请退回或联系上级主管部门。") % {
            "a": ctx.app.current_authority})


@guard("R3")
def concurrence_recorded(ctx: Context) -> None:
    """Each co-department concurred with this version, by its own account or by letter (concurrence.py)."""
    ctx.concurrence = ensure_concurrence(ctx.app)


@guard("R3")
@hides
def advanced_only(ctx: Context) -> None:
    if ctx.app.tier != Tier.ADVANCED:
        raise TransitionNotAllowed(_("卓越级、领航级由推荐单位在名额内推荐，由六部门认定。"))


@guard("R10", "R17")
@hides
def book_tier_only(ctx: Context) -> None:
    if ctx.app.tier not in BOOK_TIERS:
        raise TransitionNotAllowed(_("先进级由省级主管部门或中央企业集团认定，无需占用推荐名额。"))


@guard("R10", "R11", "R12", "R17")
def quota_available(ctx: Context) -> None:
    """The recommender still has a place: the quota row is locked, then its recommendations counted,
    so parallel recommendations can never exceed it (row lock on PostgreSQL; SQLite's IMMEDIATE
    transactions serialise writers)."""
    from smartfactory.campaigns.models import Quota
    from smartfactory.errors import QuotaExceeded

    app = ctx.app
    quota = quota_of(app)
    if quota is None:
        raise QuotaExceeded(_("尚未设定推荐名额，请联系工业和信息化部。"))
    quota = Quota.objects.select_for_update().get(pk=quota.pk)
    used = TierApplication.objects.filter(quota=quota, state__in=QUOTA_STATES).count()
    if used >= quota.quota:
        raise QuotaExceeded(
            _("%(n)s的%(t)s推荐名额（%(q)d个）已用完。") % {"n": quota.name, "t": Tier(app.tier).label, "q": quota.quota},
            used=used, quota=quota.quota,
        )
    city = app.factory.county.city_code
    subquota = quota.city_subquotas.filter(city_code=city).first()
    if subquota is not None:
        used_in_city = TierApplication.objects.filter(
            quota=quota, state__in=QUOTA_STATES, factory__county__city_code=city
        ).count()
        if used_in_city >= subquota.limit:
            raise QuotaExceeded(
                _("%(c)s的推荐名额（%(q)d个，省级分配）已用完。") % {"c": subquota.city_name, "q": subquota.limit},
                used=used_in_city, quota=subquota.limit,
            )
    ctx.quota = quota
    ctx.priority = used + 1


def _evaluation_in(ctx: Context, state: str, tiers) -> None:
    evaluation = getattr(ctx.app, "evaluation", None)
    if evaluation is None or evaluation.state != state or ctx.app.tier not in tiers:
        raise TransitionNotAllowed(_("国家评审尚未作出相应结论。"))


@guard("P6")
def evaluation_approved_excellent(ctx: Context) -> None:
    _evaluation_in(ctx, "approved", {Tier.EXCELLENT})


@guard("R19")
def evaluation_approved_leading(ctx: Context) -> None:
    _evaluation_in(ctx, "approved", {Tier.LEADING})


@guard("R20")
def acceptance_approved(ctx: Context) -> None:
    """The six ministries decided the latest acceptance evaluation of this 领航级 object."""
    evaluation = ctx.app.evaluations.filter(kind="acceptance").order_by("-created_at").first()
    if evaluation is None or evaluation.state != "approved" or ctx.app.tier != Tier.LEADING:
        raise TransitionNotAllowed(_("领航级验收尚未审定通过。"))
    ctx.acceptance_evaluation = evaluation


@guard("P6")
def evaluation_not_approved(ctx: Context) -> None:
    _evaluation_in(ctx, "not_approved", BOOK_TIERS)


@guard("P7")
def no_review_yet(ctx: Context) -> None:
    if ctx.app.reviews.exists():
        raise TransitionNotAllowed(_("已有审核记录，不能撤回。"))


# ------------------------------------------------------------------ effects
def _new_version(ctx: Context) -> None:
    """An immutable snapshot of what is submitted, with its SM3 hash and a fresh verification code
    (printed on every page of the paper copy; a resubmission gets a new one)."""
    import json
    import secrets

    from smartfactory.audit.chain import sm3_hex

    app = ctx.app
    app.version += 1
    snapshot = {
        "tier": app.tier, "campaign": app.campaign.year, "version": app.version,
        "enterprise": {"uscc": app.factory.enterprise.uscc, "name": app.factory.enterprise.name},
        "factory": {"id": str(app.factory.id), "name": app.factory.name},
        "content": app.content, "book": entries_of(app) if app.tier in BOOK_TIERS else {},
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "sha256": a.sha256, "size": a.size, "manual_check": a.manual_check}
            for a in app.attachments.all()
        ],
        "legal_representative": app.legal_representative,
        "cooperation": cooperation_record(ctx),
        "confidentiality": {"findings": app.confidentiality.get("findings", []),
                            "justification": app.confidentiality_justification},
        "submitted_at": timezone.now().isoformat(),
    }
    digest = sm3_hex(json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    code = "".join(secrets.choice(alphabet) for _ in range(10))
    ApplicationVersion.objects.create(
        application=app, number=app.version, content=app.content, snapshot=snapshot, content_hash=digest,
        verification_code=code, submitted_by=ctx.actor,
    )


def _submit(ctx: Context) -> None:
    app = ctx.app
    app.chain = resolve_chain(app.factory, app.campaign, app.tier)
    app.province_code = recommender_of(app).province_code
    app.current_step = 0
    app.current_authority_id = app.chain[0]["authority"]
    app.submitted_at = timezone.now()
    assessment = SelfAssessment.objects.filter(factory=app.factory, campaign=app.campaign).first()
    app.assessment_verdict = assessment.verdict if assessment else None
    _new_version(ctx)
    app.state = State.IN_REVIEW


def _review(ctx: Context, decision: str) -> None:
    app = ctx.app
    Review.objects.create(
        application=app, step=app.current_step, level=app.chain[app.current_step]["level"],
        authority_id=app.current_authority_id, reviewer=ctx.actor, decision=decision, reason=ctx.reason,
        version_reviewed=app.version, concurrence=ctx.concurrence,
    )


def _approve(ctx: Context) -> None:
    _review(ctx, Action.APPROVE)
    app = ctx.app
    app.current_step += 1
    app.current_authority_id = app.chain[app.current_step]["authority"]


def _return(ctx: Context) -> None:
    _review(ctx, Action.RETURN)
    ctx.app.returned_by_step = ctx.app.current_step


def _reject(ctx: Context) -> None:
    _review(ctx, Action.REJECT)


def _resubmit(ctx: Context) -> None:
    _new_version(ctx)


def _withdraw(ctx: Context) -> None:
    """Nothing but the state (the table's target)."""


def _recommend(ctx: Context) -> None:
    _review(ctx, Action.RECOMMEND)
    ctx.app.quota = ctx.quota
    ctx.app.priority = ctx.priority


def _certify(ctx: Context) -> None:
    _review(ctx, Action.CERTIFY)
    app = ctx.app
    authority = Authority.objects.select_for_update().get(pk=app.current_authority_id)  # serialises numbering
    from .numbering import next_certificate_no

    app.certificate_no = next_certificate_no(authority, tier=app.tier, year=app.campaign.year)
    app.decided_at = timezone.now()
    record_tier_award(app.factory, actor=ctx.actor, year=app.campaign.year, tier=app.tier, authority=authority,
                      certificate_no=app.certificate_no, awarded_on=timezone.localdate())


def _context(app: TierApplication, actor, *, reason: str = "", concurrence: list[str] | None = None,
             cooperation: bool = False) -> Context:
    return Context(app=app, actor=actor, reason=reason or "", concurrence=list(concurrence or []),
                   cooperation=cooperation)


def _lock(app: TierApplication) -> TierApplication:
    return TierApplication.objects.select_for_update(of=("self",)).select_related(
        "factory", "factory__enterprise", "campaign", "current_authority").get(pk=app.pk)


def _audited(app: TierApplication) -> dict:
    return {"state": app.state, "step": app.current_step, "authority": str(app.current_authority_id or ""),
            "version": app.version}


T = Transition
TABLE: dict[str, Transition] = {
    Action.SUBMIT: T(frozenset({State.DRAFT}), is_applicant,
                     (enterprise_deadline, eligible, complete, materials_sound, cooperation_acknowledged,
                      confidentiality_clear), _submit, notify=notices.on_submit),
    Action.WITHDRAW: T(frozenset({State.IN_REVIEW}), is_applicant, (no_review_yet,), _withdraw, State.WITHDRAWN,
                       notify=notices.on_withdraw),
    Action.APPROVE: T(frozenset({State.IN_REVIEW}), is_current_reviewer, (level_deadline, not_last_step), _approve,
                      notify=notices.on_approve),
    Action.RETURN: T(frozenset({State.IN_REVIEW}), is_current_reviewer, (level_deadline, reason_required), _return,
                     State.RETURNED, notify=notices.on_return),
    Action.REJECT: T(frozenset({State.IN_REVIEW}), is_current_reviewer, (level_deadline, reason_required), _reject,
                     State.REJECTED, notify=notices.on_reject),
    Action.RESUBMIT: T(frozenset({State.RETURNED}), is_applicant,
                       (returning_level_deadline, eligible, complete, materials_sound, cooperation_acknowledged,
                        confidentiality_clear), _resubmit, State.IN_REVIEW, notify=notices.on_resubmit),
    Action.CERTIFY: T(frozenset({State.IN_REVIEW}), is_current_leader,
                      (advanced_only, level_deadline, last_step, decided_recommender, concurrence_recorded),
                      _certify, State.AWARDED, notify=notices.on_certify),
    Action.RECOMMEND: T(frozenset({State.IN_REVIEW}), is_current_leader,
                        (book_tier_only, level_deadline, last_step, decided_recommender, quota_available),
                        _recommend, State.RECOMMENDED, notify=notices.on_recommend),
    # the national decision, taken by the evaluation workflow when the six ministries decide (the
    # enterprise is told there, with the decision's number)
    Action.NATIONAL_AWARD: T(frozenset({State.RECOMMENDED}), is_miit_staff, (evaluation_approved_excellent,),
                             national_award, offered=False),
    Action.NATIONAL_CULTIVATE: T(frozenset({State.RECOMMENDED}), is_miit_staff, (evaluation_approved_leading,),
                                 national_cultivate, offered=False),
    Action.NATIONAL_DECLINE: T(frozenset({State.RECOMMENDED}), is_miit_staff, (evaluation_not_approved,),
                               national_decline, offered=False, notify=notices.on_national_decline),
    # the acceptance of a 领航级 cultivation object, taken when the six ministries decide it
    Action.NATIONAL_ACCEPT: T(frozenset({State.CULTIVATING}), is_miit_staff, (acceptance_approved,),
                              national_accept, offered=False),
}
NATIONAL_ACTIONS = {Action.NATIONAL_AWARD, Action.NATIONAL_CULTIVATE, Action.NATIONAL_DECLINE, Action.NATIONAL_ACCEPT}

MACHINE = Machine(
    name="application", model=TierApplication, table=TABLE, context=_context, lock=_lock, audit=_audited,
    after=lambda ctx, action: {"certificate_no": ctx.app.certificate_no},
    labels=lambda action: str(Action(action).label), state_label=lambda state: str(State(state).label),
    refused=gettext_noop("申报当前为“%(s)s”，不能执行“%(a)s”。"),
)


def available(app: TierApplication, user) -> list[Available]:
    """The actions this user can take now, or sees disabled with the reason (pages, API, to-dos)."""
    return available_actions(MACHINE, app, user)


def allowed_actions(app: TierApplication, user) -> list[str]:
    """The actions offered to this user in this state (enabled or not): the table's state and
    who-may, without the actions the chain position rules out."""
    return [a.action for a in available(app, user)]


def transition(app: TierApplication, action: str, *, actor, reason: str = "",
               concurrence: list[str] | None = None, cooperation: bool = False) -> TierApplication:
    """Take ``action`` on the application through the engine (``smartfactory.workflow``): row lock;
    who-may and guards; the effect (state, chain position, version, review row, tier history on
    certification); save; audit event ``application.<action>`` with before/after; the notices of
    the row. All or nothing."""
    return run(MACHINE, app, action, actor=actor, reason=reason, concurrence=concurrence, cooperation=cooperation)
