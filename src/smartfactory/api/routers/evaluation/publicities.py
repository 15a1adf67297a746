"""公示, objections and the six ministries' decision over the API. Publicities and objections are for
ministry staff only (404 for others), except the public objection form."""

from datetime import datetime
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from smartfactory import decisions
from smartfactory.errors import InvalidInput
from smartfactory.evaluation import notices
from smartfactory.evaluation.models import (
    Evaluation,
    Objection,
    Publicity,
)
from smartfactory.organisations.enums import AuthorityKind
from smartfactory.organisations.models import Authority
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import is_miit_staff, is_staff_of_a_ministry

from .common import EvaluationItemOut, RoundIn, _campaign, _item, _require_miit, _scope

router = Router()  # tagged "evaluation" by the package router


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


def _publicities(user):
    """Ministry staff (MIIT and the other deciding ministries) see every publicity; others none."""
    return Publicity.objects.select_related("campaign") if is_staff_of_a_ministry(user) else Publicity.objects.none()


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
                       for a in notices.decision_ministries(p.campaign)],
        "decided_at": p.decided_at, "decision_number": p.decision_number,
        "evaluations": [_item(e) for e in evaluations.order_by("created_at")],
        "objections": [_objection(o, miit=miit) for o in p.objections.all()],
    }


@router.post("/publicities", response={201: PublicityOut})
def open_publicity(request, payload: PublicityIn):
    """Publishes the proposed list (each application passed its site visit) for objections."""
    _require_miit(request.user)
    campaign = _campaign(payload.year)
    evaluations = [get_in_scope(_scope(request.user), pk=pk) for pk in dict.fromkeys(payload.evaluations)]
    publicity = notices.open_publicity(campaign, payload.tier, actor=request.user, evaluations=evaluations,
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
    objection = notices.submit_objection(publicity, evaluation_id=payload.evaluation, name=payload.name,
                                          contact=payload.contact, content=payload.content)
    return Status(201, {"id": objection.pk})


@router.post("/objections/{uuid:objection_id}/handle", response=ObjectionOut)
def handle_objection(request, objection_id: UUID, payload: HandleIn):
    """MIIT records how an objection was handled; an upheld one takes the application off the list."""
    objection = get_in_scope(Objection.objects.filter(publicity__in=_publicities(request.user)), pk=objection_id)
    objection = notices.handle_objection(objection, actor=request.user, upheld=payload.upheld, handling=payload.handling)
    return _objection(objection, miit=is_miit_staff(request.user))


def _publicity(request, publicity_id: UUID) -> Publicity:
    return get_in_scope(_publicities(request.user), pk=publicity_id)


@router.post("/publicities/{uuid:publicity_id}/finalise", response=PublicityOut)
def finalise_publicity(request, publicity_id: UUID):
    """Closes the notice once its period is over and every objection is handled."""
    publicity = notices.finalise_publicity(_publicity(request, publicity_id), actor=request.user)
    return _publicity_out(_publicity(request, publicity.pk), request.user)


@router.post("/publicities/{uuid:publicity_id}/concurrences", response=PublicityOut)
def record_concurrence(request, publicity_id: UUID, payload: ConcurrenceIn):
    """One ministry's concurrence: by its own staff, or by MIIT staff with that ministry's letter
    number in ``document``."""
    publicity = _publicity(request, publicity_id)
    authority = Authority.objects.filter(pk=payload.authority, kind=AuthorityKind.MINISTRY).first()
    if authority is None:
        raise InvalidInput(_("该单位不是联合审定的部门。"), field="authority")
    notices.record_concurrence(publicity, actor=request.user, authority=authority, document=payload.document)
    return _publicity_out(_publicity(request, publicity_id), request.user)


@router.post("/publicities/{uuid:publicity_id}/decide", response=PublicityOut)
def decide(request, publicity_id: UUID, payload: DecideIn):
    """The joint decision on a final list with every ministry's concurrence: each proposed
    application is approved (卓越级 awarded with a certificate number; 领航级 a cultivation object)."""
    decisions.decide(_publicity(request, publicity_id), actor=request.user, decision_number=payload.decision_number)
    return _publicity_out(_publicity(request, publicity_id), request.user)
