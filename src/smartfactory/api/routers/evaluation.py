"""The national evaluation over the API: the formal check, expert assignment and scores, the ranked
panel, on-site verification, 公示 with public objections, and the six ministries' decision.

Every endpoint calls ``smartfactory.evaluation.services`` / ``workflow.transition`` (the same as the
console). Evaluations are fetched through ``evaluations_for_user`` and ``get_in_scope``: out of scope
is 404. Who sees what in an evaluation: MIIT staff everything; an expert only their own assignment
and scores; a recommender neither the experts' identities nor their scores. Publicities and
objections are for ministry staff only (404 for others), except the public objection form."""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from smartfactory.applications.workflow import is_miit_staff
from smartfactory.campaigns.models import Campaign
from smartfactory.errors import InvalidInput, NotPermitted
from smartfactory.evaluation import services, workflow
from smartfactory.evaluation.models import (
    Assignment,
    Evaluation,
    EvaluationState,
    ExpertProfile,
    Objection,
    Publicity,
    SiteVisit,
)
from smartfactory.evaluation.queries import evaluations_for_user, expert_of
from smartfactory.evaluation.rules import rules_for
from smartfactory.organisations.enums import AuthorityKind, MembershipStatus, Role
from smartfactory.organisations.models import Authority, Membership
from smartfactory.organisations.queries import active_memberships, get_in_scope

router = Router(tags=["evaluation"])

NationalTier = Literal["excellent", "leading"]
Kind = Literal["selection", "acceptance"]


# ------------------------------------------------------------------ schemas
class EvaluationItemOut(Schema):
    id: UUID
    application: UUID
    enterprise: str
    factory: str
    year: int
    tier: str
    state: str
    state_label: str
    formal_verdict: str
    formal_reasons: str
    publicity: UUID | None
    certificate_no: str
    kind: str
    acceptance: UUID | None


class ExpertRef(Schema):
    id: int
    name: str


class AssignmentOut(Schema):
    id: UUID
    expert: ExpertRef
    role: str
    role_label: str
    due_at: datetime
    submitted_at: datetime | None
    scores: dict[str, float]
    comments: dict[str, str]
    total: float | None


class FindingOut(Schema):
    result: str
    note: str


class SiteVisitOut(Schema):
    id: int
    scheduled_for: date
    agreed: bool
    agreed_at: datetime | None
    checklist: list[dict]
    findings: dict[str, FindingOut]
    outcome: str
    outcome_label: str
    outcome_note: str
    recorded_at: datetime | None
    team: list[str] | None  # names, for ministry staff only


class EvaluationOut(EvaluationItemOut):
    auto_checks: list[dict]
    checked_at: datetime | None
    outcome_reason: str
    assignments: list[AssignmentOut]
    site_visit: SiteVisitOut | None
    actions: list[str]


class EvaluationFilter(Schema):
    kind: Kind | None = None
    year: int | None = None
    tier: str | None = None
    state: str | None = None


class FormalCheckIn(Schema):
    passed: bool
    reason: str = ""


class ActionIn(Schema):
    action: Literal["resubmit", "to_site_visit", "reject"]
    reason: str = ""


class RoundIn(Schema):
    year: int
    tier: NationalTier
    kind: Kind = "selection"


class EvaluationRef(Schema):
    id: UUID
    enterprise: str
    factory: str


class PreviewRowOut(Schema):
    evaluation: EvaluationRef
    experts: list[ExpertRef]


class ShortOut(Schema):
    evaluation: EvaluationRef
    missing: int


class PreviewOut(Schema):
    rows: list[PreviewRowOut]
    short: list[ShortOut]
    plan: dict[str, list[int]]


class CommitIn(RoundIn):
    plan: dict[UUID, list[int]]


class CommittedOut(Schema):
    id: UUID
    evaluation: UUID
    expert: ExpertRef
    role: str
    due_at: datetime


class AssignIn(Schema):
    expert: int


class ReasonIn(Schema):
    reason: str = ""


class CriterionOut(Schema):
    key: str
    label: str
    weight: float


class QueueItemOut(AssignmentOut):
    evaluation: EvaluationItemOut
    criteria: list[CriterionOut]
    open: bool  # can still be scored


class ScoresIn(Schema):
    scores: dict[str, Any]
    comments: dict[str, str] = {}


class PanelScoreOut(Schema):
    assignment: UUID
    expert: str
    role: str
    total: float
    z: float | None


class PanelRowOut(Schema):
    rank: int
    evaluation: EvaluationItemOut
    scores: list[PanelScoreOut]
    pending: int
    mean: float | None
    mean_z: float | None
    spread: float | None


class SiteVisitIn(Schema):
    team: list[int]
    scheduled_for: date


class AgreedOut(Schema):
    id: int
    evaluation: UUID
    scheduled_for: date
    agreed_at: datetime


class FindingIn(Schema):
    item: str
    result: str
    note: str = ""


class OutcomeIn(Schema):
    outcome: str
    note: str = ""


class PublicityIn(RoundIn):
    evaluations: list[UUID]
    days: int | None = None
    title: str = ""


class ObjectionOut(Schema):
    id: UUID
    evaluation: UUID
    name: str
    contact: str | None  # decrypted for MIIT staff only
    content: str
    submitted_at: datetime
    status: str
    status_label: str
    handling: str
    handled_at: datetime | None


class MinistryOut(Schema):
    id: UUID
    name: str
    concurred: bool


class PublicityOut(Schema):
    id: UUID
    year: int
    tier: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    status_label: str
    finalised_at: datetime | None
    concurrences: list[dict]
    ministries: list[MinistryOut]
    decided_at: datetime | None
    decision_number: str
    evaluations: list[EvaluationItemOut]
    objections: list[ObjectionOut]


class ObjectionIn(Schema):
    evaluation: UUID
    name: str
    contact: str
    content: str


class ObjectionCreated(Schema):
    id: UUID


class HandleIn(Schema):
    upheld: bool
    handling: str = ""


class ConcurrenceIn(Schema):
    authority: UUID
    document: str = ""


class DecideIn(Schema):
    decision_number: str = ""


# ------------------------------------------------------------------ scope and output helpers
def _scope(user):
    return evaluations_for_user(user)


def _evaluation(request, evaluation_id) -> Evaluation:
    return get_in_scope(_scope(request.user), pk=evaluation_id)


def _require_miit(user) -> None:
    """For endpoints that must resolve ids in the body before the service checks who may: say 403
    first, so nobody learns which ids exist."""
    if not is_miit_staff(user):
        raise NotPermitted()


def _campaign(year: int) -> Campaign:
    return get_object_or_404(Campaign, year=year)


def _item(e: Evaluation) -> dict:
    app = e.application
    return {
        "id": e.pk, "application": e.application_id, "enterprise": app.factory.enterprise.name, "factory": app.factory.name,
        "year": e.campaign.year, "tier": e.tier, "state": e.state, "state_label": e.state_label(),
        "formal_verdict": e.formal_verdict, "formal_reasons": e.formal_reasons, "publicity": e.publicity_id,
        "certificate_no": e.certificate_no, "kind": e.kind, "acceptance": e.acceptance_id,
    }


def _ref(e: Evaluation) -> dict:
    return {"id": e.pk, "enterprise": e.application.factory.enterprise.name, "factory": e.application.factory.name}


def _assignment(a: Assignment) -> dict:
    return {
        "id": a.pk, "expert": {"id": a.expert_id, "name": a.expert.name}, "role": a.role, "role_label": a.get_role_display(),
        "due_at": a.due_at, "submitted_at": a.submitted_at, "scores": a.scores or {}, "comments": a.comments or {},
        "total": float(a.total) if a.total is not None else None,
    }


def _visit(v: SiteVisit, user) -> dict:
    return {
        "id": v.pk, "scheduled_for": v.scheduled_for, "agreed": v.agreed_at is not None, "agreed_at": v.agreed_at,
        "checklist": v.checklist, "findings": v.findings or {}, "outcome": v.outcome,
        "outcome_label": v.get_outcome_display() if v.outcome else "", "outcome_note": v.outcome_note,
        "recorded_at": v.recorded_at,
        "team": [e.name for e in v.team.all()] if is_miit_staff(user) else None,
    }


def _detail(evaluation: Evaluation, user) -> dict:
    evaluation = Evaluation.objects.select_related("application__factory__enterprise", "campaign").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("expert"))).get(pk=evaluation.pk)
    assignments = list(evaluation.assignments.all())
    if not is_miit_staff(user):  # an expert sees their own; a recommender none
        assignments = [a for a in assignments if a.expert.user_id == user.pk]
    visit = SiteVisit.objects.filter(evaluation=evaluation).prefetch_related("team").first()
    return {
        **_item(evaluation), "auto_checks": evaluation.auto_checks, "checked_at": evaluation.checked_at,
        "outcome_reason": evaluation.outcome_reason, "assignments": [_assignment(a) for a in assignments],
        "site_visit": _visit(visit, user) if visit else None, "actions": workflow.allowed(evaluation, user),
    }


def _own_assignment(request, assignment_id) -> Assignment:
    """The caller's own assignment on an evaluation they may read (a conflict hides it), or any
    assignment for MIIT staff."""
    qs = Assignment.objects.select_related("expert", "evaluation").filter(evaluation__in=_scope(request.user))
    if not is_miit_staff(request.user):
        qs = qs.filter(expert__user=request.user, expert__active=True)
    return get_in_scope(qs, pk=assignment_id)


def _visit_in_scope(request, visit_id) -> SiteVisit:
    return get_in_scope(SiteVisit.objects.select_related("evaluation").filter(evaluation__in=_scope(request.user)),
                        pk=visit_id)


def _is_ministry_staff(user) -> bool:
    return is_miit_staff(user) or Membership.objects.filter(
        user=user, role=Role.MINISTRY_STAFF, status=MembershipStatus.ACTIVE, authority__kind=AuthorityKind.MINISTRY).exists()


def _publicities(user):
    """Ministry staff (MIIT and the other deciding ministries) see every publicity; others none."""
    return Publicity.objects.select_related("campaign") if _is_ministry_staff(user) else Publicity.objects.none()


def _objection(o: Objection, *, miit: bool) -> dict:
    from smartfactory.crypto import decrypt

    return {
        "id": o.pk, "evaluation": o.evaluation_id, "name": o.submitter_name,
        "contact": decrypt(o.contact_encrypted) if miit else None, "content": o.content, "submitted_at": o.submitted_at,
        "status": o.status, "status_label": o.get_status_display(), "handling": o.handling, "handled_at": o.handled_at,
    }


def _publicity_out(p: Publicity, user) -> dict:
    miit = is_miit_staff(user)
    concurred = {c["authority"] for c in p.concurrences}
    evaluations = Evaluation.objects.filter(publicity=p).select_related("application__factory__enterprise", "campaign")
    return {
        "id": p.pk, "year": p.campaign.year, "tier": p.tier, "kind": p.kind, "title": p.title, "starts_at": p.starts_at,
        "ends_at": p.ends_at, "status": p.status, "status_label": p.get_status_display(), "finalised_at": p.finalised_at,
        "concurrences": p.concurrences,
        "ministries": [{"id": a.pk, "name": a.name, "concurred": str(a.pk) in concurred}
                       for a in services.decision_ministries(p.campaign)],
        "decided_at": p.decided_at, "decision_number": p.decision_number,
        "evaluations": [_item(e) for e in evaluations.order_by("created_at")],
        "objections": [_objection(o, miit=miit) for o in p.objections.all()],
    }


# ------------------------------------------------------------------ evaluations
class _Mapped:
    """A queryset the paginator slices and counts, mapped to output rows only for the page."""

    def __init__(self, qs, fn):
        self.qs, self.fn = qs, fn

    def __getitem__(self, page: slice) -> list:
        return [self.fn(x) for x in self.qs[page]]

    def __len__(self) -> int:
        return self.qs.count()


@router.get("/evaluations", response=list[EvaluationItemOut])
@paginate(LimitOffsetPagination)
def list_evaluations(request, filters: Query[EvaluationFilter]):
    """The evaluations in the caller's scope: MIIT staff all; an expert those assigned (to score or
    verify on site) without a conflict; a recommender its own recommendations'."""
    qs = _scope(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.year:
        qs = qs.filter(campaign__year=filters.year)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return _Mapped(qs.order_by("campaign__year", "tier", "created_at", "pk"), _item)


@router.get("/evaluations/panel", response=list[PanelRowOut])
def get_panel(request, year: int, tier: NationalTier, kind: Kind = "selection"):
    """The ranked panel of a round (MIIT staff only): each evaluation with every expert's raw total
    and z-score within that expert, the mean (the ranking key), the mean z-score and the spread.
    ``kind=acceptance``: the round of 领航级 acceptances of that campaign's objects."""
    _require_miit(request.user)
    rows = services.panel(_campaign(year), tier, kind)
    by_id = {e.pk: e for e in _scope(request.user).filter(pk__in=[r["evaluation"].pk for r in rows])}
    # the service lists each row's scores in the order of its prefetched assignments: the same order here
    scored = [[a.pk for a in r["evaluation"].assignments.all() if a.submitted_at] for r in rows]
    return [{
        "rank": r["rank"], "evaluation": _item(by_id[r["evaluation"].pk]),
        "scores": [{"assignment": pk, **s} for pk, s in zip(ids, r["scores"], strict=True)],
        "pending": r["pending"], "mean": r["mean"], "mean_z": r["mean_z"], "spread": r["spread"],
    } for r, ids in zip(rows, scored, strict=True)]


@router.get("/evaluations/{uuid:evaluation_id}", response=EvaluationOut)
def get_evaluation(request, evaluation_id: UUID):
    """One evaluation with its automatic checks, assignments (MIIT staff: all with scores; an expert:
    their own; a recommender: none), the site visit and the actions the caller may take."""
    return _detail(_evaluation(request, evaluation_id), request.user)


@router.post("/evaluations/{uuid:evaluation_id}/formal-check", response=EvaluationOut)
def formal_check(request, evaluation_id: UUID, payload: FormalCheckIn):
    """MIIT's formal check: pass (a reason is needed when an automatic check failed) or fail with
    reasons (returned to the recommender)."""
    evaluation = services.formal_check(_evaluation(request, evaluation_id), actor=request.user, passed=payload.passed,
                                       reason=payload.reason)
    return _detail(evaluation, request.user)


ACTIONS = {"resubmit": workflow.Act.RESUBMIT, "to_site_visit": workflow.Act.TO_SITE_VISIT, "reject": workflow.Act.REJECT}


@router.post("/evaluations/{uuid:evaluation_id}/actions", response=EvaluationOut)
def take_action(request, evaluation_id: UUID, payload: ActionIn):
    """resubmit (the recommender, after a return), to_site_visit (MIIT, once scoring is complete),
    reject (MIIT, with a reason)."""
    evaluation = workflow.transition(_evaluation(request, evaluation_id), ACTIONS[payload.action], actor=request.user,
                                     reason=payload.reason)
    return _detail(evaluation, request.user)


# ------------------------------------------------------------------ assignment
@router.post("/evaluations/assignments/preview", response=PreviewOut)
def preview_assignment(request, payload: RoundIn):
    """The automatic assignment of a round, computed but not written."""
    preview = services.preview_assignment(_campaign(payload.year), payload.tier, actor=request.user, kind=payload.kind)
    return {
        "rows": [{"evaluation": _ref(r["evaluation"]), "experts": [{"id": i, "name": n} for i, n in r["experts"]]}
                 for r in preview["rows"]],
        "short": [{"evaluation": _ref(s["evaluation"]), "missing": s["missing"]} for s in preview["short"]],
        "plan": {str(k): list(v) for k, v in preview["plan"].items()},
    }


@router.post("/evaluations/assignments/commit", response={201: list[CommittedOut]})
def commit_assignment(request, payload: CommitIn):
    """Writes a (previewed, possibly edited) plan ``{evaluation id: [expert ids]}``; every pair is
    checked again (conflict, cap, state), all or nothing."""
    _require_miit(request.user)
    campaign = _campaign(payload.year)
    scope = _scope(request.user).filter(campaign=campaign, tier=payload.tier, kind=payload.kind)
    for evaluation_id in payload.plan:
        get_in_scope(scope, pk=evaluation_id)
    wanted = {i for ids in payload.plan.values() for i in ids}
    known = set(ExpertProfile.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        raise InvalidInput(_("专家库中没有编号为%(ids)s的专家。") % {"ids": "、".join(str(i) for i in sorted(wanted - known))},
                           field="plan")
    created = services.commit_assignment(campaign, payload.tier, actor=request.user, kind=payload.kind,
                                         plan={str(k): list(v) for k, v in payload.plan.items()})
    return Status(201, [{"id": a.pk, "evaluation": a.evaluation_id, "expert": {"id": a.expert_id, "name": a.expert.name},
                         "role": a.role, "due_at": a.due_at} for a in created])


@router.post("/evaluations/{uuid:evaluation_id}/assignments", response={201: AssignmentOut})
def assign_expert(request, evaluation_id: UUID, payload: AssignIn):
    """A manual assignment, with the same checks as the automatic one."""
    evaluation = _evaluation(request, evaluation_id)
    _require_miit(request.user)
    expert = ExpertProfile.objects.filter(pk=payload.expert).first()
    if expert is None:
        raise InvalidInput(_("专家库中没有编号为%(ids)s的专家。") % {"ids": payload.expert}, field="expert")
    return Status(201, _assignment(services.assign_expert(evaluation, expert, actor=request.user)))


def _unassign(request, assignment_id: UUID, reason: str):
    services.unassign(_own_assignment(request, assignment_id), actor=request.user, reason=reason)
    return Status(204, None)


@router.delete("/assignments/{uuid:assignment_id}", response={204: None})
def delete_assignment(request, assignment_id: UUID, payload: ReasonIn):
    """Withdraws an unscored assignment (MIIT staff, with a reason)."""
    return _unassign(request, assignment_id, payload.reason)


@router.post("/assignments/{uuid:assignment_id}/withdraw", response={204: None})
def withdraw_assignment(request, assignment_id: UUID, payload: ReasonIn):
    """The same as DELETE, for clients that cannot send a body with DELETE."""
    return _unassign(request, assignment_id, payload.reason)


# ------------------------------------------------------------------ scoring
@router.get("/experts/me/assignments", response=list[QueueItemOut])
def my_assignments(request, pending: bool = False):
    """The caller's assignments (an expert's queue), soonest due first, with the criteria to score.
    A conflict declared after the assignment hides it. ``pending=true``: only those still to score."""
    expert = expert_of(request.user)
    if expert is None:
        return []
    qs = Assignment.objects.filter(expert=expert, evaluation__in=_scope(request.user)).select_related(
        "expert", "evaluation__application__factory__enterprise", "evaluation__campaign").order_by("due_at", "pk")
    if pending:
        qs = qs.filter(submitted_at__isnull=True)
    criteria: dict[tuple, list[dict]] = {}
    out = []
    for a in qs:
        e = a.evaluation
        if (e.campaign_id, e.kind) not in criteria:
            criteria[(e.campaign_id, e.kind)] = [{"key": c.key, "label": c.label, "weight": c.weight}
                                                 for c in rules_for(e.campaign).criteria_for(e.kind)]
        out.append({**_assignment(a), "evaluation": _item(e), "criteria": criteria[(e.campaign_id, e.kind)],
                    "open": a.submitted_at is None and e.state == EvaluationState.EXPERT_REVIEW})
    return out


@router.post("/assignments/{uuid:assignment_id}/scores", response=AssignmentOut)
def submit_scores(request, assignment_id: UUID, payload: ScoresIn):
    """The expert's scores ``{criterion key: 0–100}`` and comments, once, before the due time."""
    assignment = services.submit_scores(_own_assignment(request, assignment_id), actor=request.user,
                                        scores=payload.scores, comments=payload.comments)
    return _assignment(Assignment.objects.select_related("expert").get(pk=assignment.pk))


# ------------------------------------------------------------------ on-site verification
@router.post("/evaluations/{uuid:evaluation_id}/site-visit", response=SiteVisitOut)
def plan_site_visit(request, evaluation_id: UUID, payload: SiteVisitIn):
    """MIIT forms a conflict-checked team and proposes a date (planning again resets the
    enterprise's confirmation)."""
    evaluation = _evaluation(request, evaluation_id)
    _require_miit(request.user)
    team = list(ExpertProfile.objects.filter(pk__in=payload.team))
    missing = set(payload.team) - {e.pk for e in team}
    if missing:
        raise InvalidInput(_("专家库中没有编号为%(ids)s的专家。") % {"ids": "、".join(str(i) for i in sorted(missing))},
                           field="team")
    visit = services.plan_site_visit(evaluation, actor=request.user, team=team, scheduled_for=payload.scheduled_for)
    return _visit(visit, request.user)


@router.post("/site-visits/{int:visit_id}/agree", response=AgreedOut)
def agree_site_visit(request, visit_id: int):
    """The enterprise confirms the proposed date (its own users only; 404 for other enterprises)."""
    own = [m.enterprise_id for m in active_memberships(request.user) if m.enterprise_id]
    qs = SiteVisit.objects.select_related("evaluation__application__factory__enterprise").filter(
        Q(evaluation__application__factory__enterprise__in=own) | Q(evaluation__in=_scope(request.user)))
    visit = services.agree_site_visit(get_in_scope(qs, pk=visit_id), actor=request.user)
    return {"id": visit.pk, "evaluation": visit.evaluation_id, "scheduled_for": visit.scheduled_for,
            "agreed_at": visit.agreed_at}


@router.post("/site-visits/{int:visit_id}/findings", response=SiteVisitOut)
def record_finding(request, visit_id: int, payload: FindingIn):
    """A team member's (or MIIT's) finding on one checklist item: met, partly or not_met."""
    visit = services.record_finding(_visit_in_scope(request, visit_id), actor=request.user, item=payload.item,
                                    result=payload.result, note=payload.note)
    return _visit(visit, request.user)


@router.post("/site-visits/{int:visit_id}/outcome", response=SiteVisitOut)
def record_outcome(request, visit_id: int, payload: OutcomeIn):
    """The team's conclusion (pass or fail with a reason) once the date was agreed and every item
    has a finding."""
    visit = services.record_site_outcome(_visit_in_scope(request, visit_id), actor=request.user,
                                         outcome=payload.outcome, note=payload.note)
    return _visit(visit, request.user)


# ------------------------------------------------------------------ 公示, objections, decision
@router.post("/publicities", response={201: PublicityOut})
def open_publicity(request, payload: PublicityIn):
    """Publishes the proposed list (each application passed its site visit) for objections."""
    _require_miit(request.user)
    campaign = _campaign(payload.year)
    evaluations = [get_in_scope(_scope(request.user), pk=pk) for pk in dict.fromkeys(payload.evaluations)]
    publicity = services.open_publicity(campaign, payload.tier, actor=request.user, evaluations=evaluations,
                                        days=payload.days, title=payload.title.strip(), kind=payload.kind)
    return Status(201, _publicity_out(get_in_scope(_publicities(request.user), pk=publicity.pk), request.user))


@router.get("/publicities/{uuid:publicity_id}", response=PublicityOut)
def get_publicity(request, publicity_id: UUID):
    """A publicity with its list, objections (the contact decrypted for MIIT staff only) and the
    ministries' concurrences. Ministry staff only."""
    return _publicity_out(get_in_scope(_publicities(request.user), pk=publicity_id), request.user)


@router.post("/publicities/{uuid:publicity_id}/objections", response={201: ObjectionCreated}, auth=None)
def submit_objection(request, publicity_id: UUID, payload: ObjectionIn):
    """Anyone may object during the period (no login). Name and contact are required; the contact
    is stored encrypted and never returned. The answer is the objection's id only."""
    publicity = get_object_or_404(Publicity, pk=publicity_id)
    objection = services.submit_objection(publicity, evaluation_id=payload.evaluation, name=payload.name,
                                          contact=payload.contact, content=payload.content)
    return Status(201, {"id": objection.pk})


@router.post("/objections/{uuid:objection_id}/handle", response=ObjectionOut)
def handle_objection(request, objection_id: UUID, payload: HandleIn):
    """MIIT records how an objection was handled; an upheld one takes the application off the list."""
    objection = get_in_scope(Objection.objects.filter(publicity__in=_publicities(request.user)), pk=objection_id)
    objection = services.handle_objection(objection, actor=request.user, upheld=payload.upheld, handling=payload.handling)
    return _objection(objection, miit=is_miit_staff(request.user))


def _publicity(request, publicity_id: UUID) -> Publicity:
    return get_in_scope(_publicities(request.user), pk=publicity_id)


@router.post("/publicities/{uuid:publicity_id}/finalise", response=PublicityOut)
def finalise_publicity(request, publicity_id: UUID):
    """Closes the notice once its period is over and every objection is handled."""
    publicity = services.finalise_publicity(_publicity(request, publicity_id), actor=request.user)
    return _publicity_out(_publicity(request, publicity.pk), request.user)


@router.post("/publicities/{uuid:publicity_id}/concurrences", response=PublicityOut)
def record_concurrence(request, publicity_id: UUID, payload: ConcurrenceIn):
    """One ministry's concurrence: by its own staff, or by MIIT staff with that ministry's letter
    number in ``document``."""
    publicity = _publicity(request, publicity_id)
    authority = Authority.objects.filter(pk=payload.authority, kind=AuthorityKind.MINISTRY).first()
    if authority is None:
        raise InvalidInput(_("该单位不是联合审定的部门。"), field="authority")
    services.record_concurrence(publicity, actor=request.user, authority=authority, document=payload.document)
    return _publicity_out(_publicity(request, publicity_id), request.user)


@router.post("/publicities/{uuid:publicity_id}/decide", response=PublicityOut)
def decide(request, publicity_id: UUID, payload: DecideIn):
    """The joint decision on a final list with every ministry's concurrence: each proposed
    application is approved (卓越级 awarded with a certificate number; 领航级 a cultivation object)."""
    services.decide(_publicity(request, publicity_id), actor=request.user, decision_number=payload.decision_number)
    return _publicity_out(_publicity(request, publicity_id), request.user)
