import json
from datetime import datetime
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from smartfactory.api.actions import BlockedOut, split
from smartfactory.applications import book as book_rules
from smartfactory.applications import services
from smartfactory.applications.enums import Action
from smartfactory.applications.queries import applications_for_user
from smartfactory.applications.workflow import available as workflow_available
from smartfactory.applications.workflow import transition
from smartfactory.campaigns.models import Campaign
from smartfactory.errors import Conflict, NotEligible
from smartfactory.organisations.queries import factories_for_user, get_in_scope

router = Router(tags=["applications"])


class ApplicationIn(Schema):
    factory: UUID
    tier: str
    campaign: int


class VersionOut(Schema):
    number: int
    submitted_at: datetime
    verification_code: str
    content_hash: str
    cooperation: dict | None = None  # the R23 acknowledgement recorded with this version


class AttachmentOut(Schema):
    id: UUID
    kind: str
    name: str
    size: int
    sha256: str
    findings: list[dict]
    manual_check: str = ""  # 需人工核查: why the confidentiality scan could not read the file


class ApplicationOut(Schema):
    id: UUID
    factory: UUID
    enterprise_uscc: str
    tier: str
    campaign: int
    state: str
    current_authority: str | None
    version: int
    legal_representative: str
    completeness: list[dict]
    attachments: list[AttachmentOut]
    versions: list[VersionOut]
    actions: list[str]
    blocked: list[BlockedOut] = []


class EntryIn(Schema):
    key: str
    value: str | dict | None = None
    version: int = 0


class EntryOut(Schema):
    key: str
    value: str | dict | list | None
    version: int


class NotEligibleOut(Schema):
    code: str
    message: str
    reasons: list[str]


def _out(app, user, *, with_actions: bool = True) -> dict:
    """``actions``: what the caller could do now (would succeed); ``blocked``: what it is offered but
    a guard refuses, with the reason. The list leaves both empty (one application: GET it)."""
    available = workflow_available(app, user) if with_actions else []
    entries = {e.key: e.value for e in app.book.all()}  # prefetched by the list
    return {
        "id": app.id, "factory": app.factory_id, "enterprise_uscc": app.factory.enterprise.uscc, "tier": app.tier,
        "campaign": app.campaign.year, "state": app.state,
        "current_authority": app.current_authority.name if app.current_authority_id else None,
        "version": app.version, "legal_representative": app.legal_representative,
        "completeness": book_rules.completeness(app.campaign.framework_version, app.tier, entries)
        if app.tier in ("excellent", "leading") else [],
        "attachments": [{"id": a.id, "kind": a.kind, "name": a.original_name, "size": a.size, "sha256": a.sha256,
                         "findings": a.findings, "manual_check": a.manual_check} for a in app.attachments.all()],
        "versions": [{"number": v.number, "submitted_at": v.submitted_at, "verification_code": v.verification_code,
                      "content_hash": v.content_hash, "cooperation": v.snapshot.get("cooperation")}
                     for v in app.versions.all()],
        **split(available),
    }


@router.get("", response=list[ApplicationOut])
def list_applications(request, state: str | None = None):
    """Applications in the caller's scope (authorities read-only here; review actions come with the
    recommendation workflow)."""
    qs = applications_for_user(request.user).prefetch_related("attachments", "versions", "book").order_by("-created_at")
    if state:
        qs = qs.filter(state=state)
    return [_out(a, request.user, with_actions=False) for a in qs[:500]]


@router.post("", response={201: ApplicationOut, 422: NotEligibleOut})
def open_application(request, payload: ApplicationIn):
    """Open an application; 422 with every eligibility reason when the factory may not apply."""
    factory = get_in_scope(factories_for_user(request.user), id=payload.factory)
    campaign = get_object_or_404(Campaign, year=payload.campaign)
    try:
        app = services.create_application(factory, campaign, tier=payload.tier, actor=request.user)
    except NotEligible as error:
        reasons = error.details.get("reasons")
        return Status(422, {"code": error.code, "message": error.message,
                            "reasons": reasons if isinstance(reasons, list) else [error.message]})
    return Status(201, _out(app, request.user))


@router.get("/{application_id}", response=ApplicationOut)
def get_application(request, application_id: UUID):
    return _out(get_in_scope(applications_for_user(request.user), id=application_id), request.user)


@router.get("/{application_id}/sections", response=list[EntryOut])
def get_sections(request, application_id: UUID):
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    return [{"key": k, "value": v, "version": n} for k, v, n in app.book.order_by("key").values_list("key", "value", "version")]


@router.patch("/{application_id}/sections", response={200: EntryOut, 409: dict})
def patch_section(request, application_id: UUID, payload: EntryIn):
    """Save one entry with the version you last read (0 for a new one); 409 with the current value
    when someone saved it in between."""
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    try:
        entry = services.save_entry(app, payload.key, payload.value, expected_version=payload.version, actor=request.user)
    except Conflict as error:
        return Status(409, {**error.as_dict(), "current_value": json.loads(error.details["current_value"]),
                            "current_version": error.details["current_version"]})
    return {"key": entry.key, "value": entry.value, "version": entry.version}


@router.post("/{application_id}/attachments", response={201: AttachmentOut})
def upload_attachment(request, application_id: UUID, kind: Form[str], file: File[UploadedFile]):
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    a = services.attach_file(app, kind=kind, upload=file, actor=request.user)
    return Status(201, {"id": a.id, "kind": a.kind, "name": a.original_name, "size": a.size, "sha256": a.sha256,
                        "findings": a.findings, "manual_check": a.manual_check})


class SubmitIn(Schema):
    # 卓越级/领航级 (R23): the applicant confirms it will cooperate with on-site verification,
    # technology promotion and case exchange; recorded with the submitted version
    cooperation_acknowledged: bool = False


@router.post("/{application_id}/submit", response=ApplicationOut)
def submit(request, application_id: UUID, payload: SubmitIn | None = None):
    """Submit (or resubmit after a return). 卓越级/领航级 need ``{"cooperation_acknowledged": true}``."""
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    action = Action.RESUBMIT if app.state == "returned" else Action.SUBMIT
    acknowledged = bool(payload and payload.cooperation_acknowledged)
    return _out(transition(app, action, actor=request.user, cooperation=acknowledged), request.user)


@router.post("/{application_id}/withdraw", response=ApplicationOut)
def withdraw(request, application_id: UUID):
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    return _out(transition(app, Action.WITHDRAW, actor=request.user), request.user)


class ReviewIn(Schema):
    decision: str
    reason: str = ""
    concurrence: list[UUID] = []  # no longer read: concurrence is given by POST /{id}/concurrences


REVIEW_DECISIONS = {"approve": Action.APPROVE, "return": Action.RETURN, "reject": Action.REJECT,
                    "recommend": Action.RECOMMEND, "certify": Action.CERTIFY}


@router.post("/{application_id}/reviews", response=ApplicationOut)
def review(request, application_id: UUID, payload: ReviewIn):
    """A review decision at the caller's level: approve (forward), return (reason), reject (reason),
    and at the last level recommend (within quota) or, for the advanced tier, certify."""
    from smartfactory.errors import InvalidInput

    app = get_in_scope(applications_for_user(request.user), id=application_id)
    action = REVIEW_DECISIONS.get(payload.decision)
    if action is None:
        raise InvalidInput("decision 应为 approve、return、reject、recommend 或 certify。", field="decision")
    app = transition(app, action, actor=request.user, reason=payload.reason,
                     concurrence=[str(c) for c in payload.concurrence])
    return _out(app, request.user)


class ConcurrenceIn(Schema):
    authority: UUID | None = None  # the lead records a co-department's letter; omitted: the caller's own department
    letter_number: str = ""
    opinion: str = ""


class ConcurrenceOut(Schema):
    authority: UUID
    authority_name: str
    version: int
    letter_number: str
    opinion: str
    given_by: str
    given_at: datetime


class ConcurrencesOut(Schema):
    required: list[dict]
    given: list[ConcurrenceOut]


def _concurrences(app) -> dict:
    from smartfactory.applications import concurrence

    return {
        "required": [{"authority": str(a.pk), "name": a.name} for a in concurrence.required_concurrence(app)]
        if concurrence.awaiting_certification(app) else [],
        "given": [
            {"authority": c.authority_id, "authority_name": c.authority.name, "version": c.version,
             "letter_number": c.letter_number, "opinion": c.opinion, "given_by": c.given_by.get_username(),
             "given_at": c.given_at}
            for c in concurrence.concurrences_for(app)
        ],
    }


@router.get("/{application_id}/concurrences", response=ConcurrencesOut)
def list_concurrences(request, application_id: UUID):
    """The co-departments whose concurrence certification needs, and those given for this version."""
    return _concurrences(get_in_scope(applications_for_user(request.user), id=application_id))


@router.post("/{application_id}/concurrences", response={201: ConcurrencesOut})
def give_concurrence(request, application_id: UUID, payload: ConcurrenceIn):
    """A co-department's concurrence with certifying this version: without ``authority``, by the
    caller's own co-department account; with ``authority`` and ``letter_number``, recorded by the
    lead department's leader from that co-department's letter. Audited."""
    from smartfactory.applications import concurrence

    app = get_in_scope(applications_for_user(request.user), id=application_id)
    if payload.authority is None:
        concurrence.give_concurrence(app, actor=request.user, opinion=payload.opinion)
    else:
        authority = next((a for a in concurrence.required_concurrence(app) if a.pk == payload.authority), None)
        if authority is None:
            raise Http404
        concurrence.record_concurrence_letter(app, actor=request.user, authority=authority,
                                              letter_number=payload.letter_number, opinion=payload.opinion)
    return Status(201, _concurrences(app))
