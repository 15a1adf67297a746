"""A receiving desk's paper requirements (set by the desk: a province, a city, MIIT, SASAC) and the
status of what arrived; the same service functions as /console/paper/."""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from smartfactory.applications.queries import applications_for_user
from smartfactory.campaigns.models import Campaign
from smartfactory.organisations.queries import get_in_scope
from smartfactory.recommendations import paper

router = Router(tags=["paper"])


class RequirementOut(Schema):
    desk: str
    tier: str
    item: str
    item_label: str
    copies: int
    scan_required: bool
    sender_kinds: list[str]
    basis: str


class RequirementIn(Schema):
    desk: UUID | None = None
    tier: str
    item: str
    copies: int
    scan_required: bool = False
    sender_kinds: list[str] = []
    basis: str = ""


class ItemOut(Schema):
    item: str
    required: int
    received: int
    short: int


class ApplicationPaperOut(Schema):
    application: UUID
    enterprise: str
    tier: str
    sender: str
    items: list[ItemOut]
    findings: list[str]
    matches_online: bool | None
    deadline: datetime | None


class SenderPaperOut(Schema):
    sender: str
    tier: str
    items: list[ItemOut]
    findings: list[str]
    deadline: datetime | None


class StatusOut(Schema):
    desk: str
    applications: list[ApplicationPaperOut]
    senders: list[SenderPaperOut]


def _desk(request, desk: UUID | None):
    desks = paper.desks_for_user(request.user)
    chosen = next((d for d in desks if desk is None or d.id == desk), None)
    if chosen is None:
        raise Http404
    return chosen


def _requirements(campaign, desk) -> list[dict]:
    return [{"desk": desk.name, "tier": r.tier, "item": r.item, "item_label": r.get_item_display(), "copies": r.copies,
             "scan_required": r.scan_required, "sender_kinds": r.sender_kinds, "basis": r.basis}
            for r in paper.requirements(campaign, desk)]


@router.get("/{year}/requirements", response=list[RequirementOut])
def get_requirements(request, year: int, desk: UUID | None = None):
    """What the caller's desk (or ``desk``, one of the caller's) requires on paper, per tier."""
    campaign = get_object_or_404(Campaign, year=year)
    return _requirements(campaign, _desk(request, desk))


@router.put("/{year}/requirements", response=list[RequirementOut])
def put_requirement(request, year: int, payload: RequirementIn):
    """Set one requirement of the caller's desk (``copies`` 0 removes it); leaders and ministry staff."""
    campaign = get_object_or_404(Campaign, year=year)
    desk = _desk(request, payload.desk)
    paper.set_requirement(campaign, desk, actor=request.user, tier=payload.tier, item=payload.item,
                          copies=payload.copies, scan_required=payload.scan_required,
                          sender_kinds=payload.sender_kinds, basis=payload.basis)
    return _requirements(campaign, desk)


def _items(items) -> list[dict]:
    return [{"item": str(i["item"]), "required": i["required"], "received": i["received"], "short": i["short"]}
            for i in items]


@router.get("/{year}/status", response=StatusOut)
def get_status(request, year: int, desk: UUID | None = None):
    """What reached the desk: per application and per sending level, with shortfalls and findings."""
    campaign = get_object_or_404(Campaign, year=year)
    chosen = _desk(request, desk)
    state = paper.status(chosen, campaign)
    return {
        "desk": chosen.name,
        "applications": [{"application": r["application"].id, "enterprise": r["application"].factory.enterprise.name,
                          "tier": r["application"].tier, "sender": r["sender"].name if r["sender"] else "",
                          "items": _items(r["items"]), "findings": [str(x) for x in r["findings"]],
                          "matches_online": r["matches_online"], "deadline": r["deadline"]}
                         for r in state["applications"]],
        "senders": [{"sender": s["sender"].name, "tier": s["tier"], "items": _items(s["items"]),
                     "findings": [str(x) for x in s["findings"]], "deadline": s["deadline"]} for s in state["senders"]],
    }


class ReceiptIn(Schema):
    desk: UUID | None = None
    item: str
    copies: int
    application: UUID | None = None
    sender_authority: UUID | None = None
    tier: str = ""
    code: str = ""
    arrived_at: datetime | None = None


class ReceiptOut(Schema):
    id: int
    item: str
    tier: str
    copies: int
    sender: str
    matches_online: bool | None
    arrived_at: datetime
    scan_sha256: str
    message: str


@router.post("/{year}/receipts", response={201: ReceiptOut})
def post_receipt(request, year: int, payload: Form[ReceiptIn], scan: File[UploadedFile] = None):
    """Log paper that arrived at the caller's desk (multipart: the fields and, where the desk asks for
    it, the stamped PDF ``scan``)."""
    campaign = get_object_or_404(Campaign, year=year)
    desk = _desk(request, payload.desk)
    application = None
    if payload.application:
        application = get_in_scope(applications_for_user(request.user), id=payload.application)
    senders = {r.sender.id: r.sender for r in paper.incoming(desk, campaign) if r.sender}
    receipt, message = paper.log_receipt(
        desk, actor=request.user, campaign=campaign, item=payload.item, copies=payload.copies, tier=payload.tier,
        application=application, sender_authority=senders.get(payload.sender_authority),
        verification_code=payload.code, arrived_at=payload.arrived_at, scan=scan)
    return Status(201, {"id": receipt.pk, "item": receipt.item, "tier": receipt.tier, "copies": receipt.copies,
                        "sender": receipt.sender, "matches_online": receipt.matches_online,
                        "arrived_at": receipt.arrived_at, "scan_sha256": receipt.scan_sha256, "message": message})
