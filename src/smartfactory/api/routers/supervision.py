"""Supervision of awarded factories over the API: cases (open, respond, decide, lift) and the yearly
re-check of the basic requirements.

Every endpoint calls ``smartfactory.supervision.workflow.transition`` / ``services`` (the same as the
pages). Cases and re-check items are fetched through the scope queries and ``get_in_scope``: out
of scope is 404. The award a case is opened on must be one the caller may supervise (404 otherwise)."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from smartfactory.api.actions import BlockedOut, split
from smartfactory.campaigns.models import Campaign
from smartfactory.organisations.queries import get_in_scope
from smartfactory.supervision import services, workflow
from smartfactory.supervision.enums import Action, CaseKind, CaseState, ItemResult, Measure
from smartfactory.supervision.models import RecheckItem, RecheckRound, SupervisionCase
from smartfactory.supervision.queries import (
    cases_for_user,
    recheck_counts,
    recheck_items_for_user,
    recheck_rounds_for_user,
    supervisable_awards_for_user,
)

router = Router(tags=["supervision"])


# ------------------------------------------------------------------ schemas
class AwardRef(Schema):
    id: int
    factory: UUID
    factory_name: str
    enterprise: str
    uscc: str
    year: int
    tier: str
    tier_label: str
    certificate_no: str
    status: str
    status_label: str
    status_reason: str
    status_changed_at: datetime | None


class CaseOut(Schema):
    id: UUID
    award: AwardRef
    opened_by_authority: str
    opened_at: datetime
    kind: str
    kind_label: str
    occurred_on: date
    description: str
    measure: str
    measure_label: str
    state: str
    state_label: str
    response_due: date
    response_deadline: datetime
    response: str
    responded_at: datetime | None
    decision_reason: str
    decided_at: datetime | None
    lift_reason: str
    lifted_at: datetime | None
    recheck_item: UUID | None
    actions: list[str]
    blocked: list[BlockedOut] = []


class CaseFilter(Schema):
    state: CaseState | None = None
    award: int | None = None


class CaseIn(Schema):
    award: int
    kind: CaseKind
    occurred_on: date
    description: str
    measure: Measure
    recheck_item: UUID | None = None


class RespondIn(Schema):
    response: str


class DecideIn(Schema):
    decision: Literal["suspend", "revoke", "dismiss"]
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


class RoundOut(Schema):
    id: UUID
    campaign: int
    due_on: date
    state: str
    state_label: str
    opened_at: datetime
    closed_at: datetime | None
    counts: dict[str, int]  # in the caller's scope


class RoundIn(Schema):
    campaign: int
    due_on: date | None = None


class RequirementOut(Schema):
    id: str
    name: str
    confirmed: bool | None


class ItemOut(Schema):
    id: UUID
    round: UUID
    award: AwardRef
    requirements: list[RequirementOut]
    result: str
    note: str
    confirmed_at: datetime | None
    cases: list[UUID]


class ConfirmIn(Schema):
    answers: dict[str, bool]
    note: str = ""


# ------------------------------------------------------------------ output helpers
def _award(a) -> dict:
    return {
        "id": a.pk, "factory": a.factory_id, "factory_name": a.factory.name, "enterprise": a.factory.enterprise.name,
        "uscc": a.factory.enterprise.uscc, "year": a.year, "tier": a.tier, "tier_label": a.get_tier_display(),
        "certificate_no": a.certificate_no, "status": a.status, "status_label": a.get_status_display(),
        "status_reason": a.status_reason, "status_changed_at": a.status_changed_at,
    }


def _case(c: SupervisionCase, user, *, with_actions: bool = True) -> dict:
    return {
        "id": c.pk, "award": _award(c.award), "opened_by_authority": c.opened_by_authority.name, "opened_at": c.opened_at,
        "kind": c.kind, "kind_label": c.get_kind_display(), "occurred_on": c.occurred_on, "description": c.description,
        "measure": c.measure, "measure_label": c.get_measure_display(), "state": c.state,
        "state_label": c.get_state_display(), "response_due": c.response_due, "response_deadline": c.response_deadline,
        "response": c.response, "responded_at": c.responded_at, "decision_reason": c.decision_reason,
        "decided_at": c.decided_at, "lift_reason": c.lift_reason, "lifted_at": c.lifted_at,
        "recheck_item": c.recheck_item_id,
        **(split(workflow.available(c, user)) if with_actions else {"actions": [], "blocked": []}),
    }


def _case_in_scope(request, case_id) -> SupervisionCase:
    return get_in_scope(cases_for_user(request.user), pk=case_id)


def _fresh(request, case: SupervisionCase) -> dict:
    return _case(_case_in_scope(request, case.pk), request.user)


def _item(i: RecheckItem) -> dict:
    return {
        "id": i.pk, "round": i.round_id, "award": _award(i.award),
        "requirements": [{"id": r["id"], "name": r["name"], "confirmed": i.answers.get(r["id"])} for r in i.requirements],
        "result": i.result, "note": i.note, "confirmed_at": i.confirmed_at, "cases": [c.pk for c in i.cases.all()],
    }


def _round(r: RecheckRound, user, counts: dict | None = None) -> dict:
    """A round with the counts of its items in the caller's scope (``counts``: those of every round
    of a list, from ``_counts_by_round``)."""
    return {
        "id": r.pk, "campaign": r.campaign.year, "due_on": r.due_on, "state": r.state, "state_label": r.get_state_display(),
        "opened_at": r.opened_at, "closed_at": r.closed_at,
        "counts": recheck_counts(recheck_items_for_user(user).filter(round=r)) if counts is None else counts.get(
            r.pk, {"total": 0, "ok": 0, "not_ok": 0, "pending": 0}),
    }


def _counts_by_round(user, rounds: list[RecheckRound]) -> dict:
    """``services.recheck_counts`` of each round's items in the caller's scope, in one query."""
    rows = recheck_items_for_user(user).filter(round__in=rounds).order_by().values("round").annotate(
        total=Count("pk"), ok=Count("pk", filter=Q(result=ItemResult.OK)), not_ok=Count("pk", filter=Q(result=ItemResult.NOT_OK)))
    return {row["round"]: {"total": row["total"], "ok": row["ok"], "not_ok": row["not_ok"],
                           "pending": row["total"] - row["ok"] - row["not_ok"]} for row in rows}


class _Mapped:
    """A queryset the paginator slices and counts, mapped to output rows only for the page."""

    def __init__(self, qs, fn):
        self.qs, self.fn = qs, fn

    def __getitem__(self, page: slice) -> list:
        return [self.fn(x) for x in self.qs[page]]

    def __len__(self) -> int:
        return self.qs.count()


# ------------------------------------------------------------------ cases
@router.get("/cases", response=list[CaseOut])
@paginate(LimitOffsetPagination)
def list_cases(request, filters: Query[CaseFilter]):
    """The cases in the caller's scope, newest first: an authority those of factories in its
    jurisdiction (and awards it certified); MIIT staff all; an enterprise those against its awards.
    Actions are listed on the single case (``GET /cases/{id}``)."""
    qs = cases_for_user(request.user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.award:
        qs = qs.filter(award_id=filters.award)
    return _Mapped(qs.order_by("-opened_at", "pk"), lambda c: _case(c, request.user, with_actions=False))


@router.post("/cases", response={201: CaseOut})
def open_case(request, payload: CaseIn):
    """Open a case against an award the caller may supervise and notify the enterprise (the notice
    with the facts, the intended measure and the last day to respond)."""
    award = get_in_scope(supervisable_awards_for_user(request.user), pk=payload.award)
    item = None
    if payload.recheck_item:
        item = get_in_scope(recheck_items_for_user(request.user), pk=payload.recheck_item)
    case = workflow.open_case(award, actor=request.user, kind=payload.kind, occurred_on=payload.occurred_on,
                              description=payload.description, measure=payload.measure, recheck_item=item)
    return Status(201, _fresh(request, case))


@router.get("/cases/{uuid:case_id}", response=CaseOut)
def get_case(request, case_id: UUID):
    """One case with the actions the caller may take now (guards are checked when taken)."""
    return _case(_case_in_scope(request, case_id), request.user)


@router.post("/cases/{uuid:case_id}/respond", response=CaseOut)
def respond(request, case_id: UUID, payload: RespondIn):
    """The enterprise's administrator responds (陈述申辩), once, before the end of the response day."""
    case = workflow.transition(_case_in_scope(request, case_id), Action.RESPOND, actor=request.user,
                               response=payload.response)
    return _fresh(request, case)


@router.post("/cases/{uuid:case_id}/decide", response=CaseOut)
def decide(request, case_id: UUID, payload: DecideIn):
    """Suspend, revoke or dismiss, with the reasons; after the response or the end of the response
    period. 卓越级 and 领航级: MIIT staff only; 先进级: the certifying authority."""
    case = workflow.transition(_case_in_scope(request, case_id), workflow.DECISIONS[payload.decision],
                               actor=request.user, reason=payload.reason)
    return _fresh(request, case)


@router.post("/cases/{uuid:case_id}/lift", response=CaseOut)
def lift(request, case_id: UUID, payload: ReasonIn):
    """Lift a suspension still in force (the award is active again), with the reasons."""
    case = workflow.transition(_case_in_scope(request, case_id), Action.LIFT, actor=request.user, reason=payload.reason)
    return _fresh(request, case)


# ------------------------------------------------------------------ yearly re-check
@router.get("/rechecks", response=list[RoundOut])
def list_rounds(request):
    """Re-check rounds (government users), each with the counts in the caller's scope."""
    rounds = list(recheck_rounds_for_user(request.user).order_by("-opened_at"))
    counts = _counts_by_round(request.user, rounds)
    return [_round(r, request.user, counts) for r in rounds]


@router.post("/rechecks", response={201: RoundOut})
def open_round(request, payload: RoundIn):
    """MIIT staff open the re-check for a campaign (one round per campaign)."""
    campaign = get_object_or_404(Campaign, year=payload.campaign)
    round_ = services.open_recheck_round(campaign, actor=request.user, due_on=payload.due_on)
    return Status(201, _round(get_in_scope(recheck_rounds_for_user(request.user), pk=round_.pk), request.user))


@router.get("/recheck-items", response=list[ItemOut])
@paginate(LimitOffsetPagination)
def list_items(request, round: UUID | None = None, result: Literal["ok", "not_ok", "pending"] | None = None):  # noqa: A002 (the API's parameter name)
    """Re-check items in the caller's scope (an enterprise: its own factories')."""
    qs = recheck_items_for_user(request.user).prefetch_related("cases")
    if round:
        qs = qs.filter(round_id=round)
    if result:
        qs = qs.filter(result="" if result == "pending" else result)
    return _Mapped(qs.order_by("round__opened_at", "award__factory__enterprise__name", "award__factory__name", "pk"),
                   _item)


@router.post("/recheck-items/{uuid:item_id}/confirm", response=ItemOut)
def confirm_item(request, item_id: UUID, payload: ConfirmIn):
    """The enterprise's administrator confirms each basic requirement (true: still met)."""
    item = get_in_scope(recheck_items_for_user(request.user), pk=item_id)
    services.confirm_recheck_item(item, actor=request.user, answers=payload.answers, note=payload.note)
    return _item(get_in_scope(recheck_items_for_user(request.user).prefetch_related("cases"), pk=item_id))
