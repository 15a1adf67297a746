from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from smartfactory.campaigns.models import Campaign
from smartfactory.documents.responses import content_disposition
from smartfactory.errors import InvalidInput
from smartfactory.organisations.queries import get_in_scope
from smartfactory.recommendations import concurrence, exports, services

router = Router(tags=["recommendations"])


class RankedOut(Schema):
    id: UUID
    priority: int
    enterprise: str
    factory: str


class ConcurrenceOut(Schema):
    authority: UUID
    name: str
    given: bool
    by: str = ""
    at: str = ""
    letter_number: str = ""
    opinion: str = ""


class BatchOut(Schema):
    recommender: str
    tier: str
    quota: int
    used: int
    status: str
    applications: list[RankedOut]
    concurrences: list[ConcurrenceOut]


class OrderIn(Schema):
    order: list[UUID]


class ConcurrenceIn(Schema):
    authority: UUID | None = None  # given: the recommender's leader records that co-department's letter
    letter_number: str = ""
    opinion: str = ""


def _batch(request, year: int, tier: str):
    campaign = get_object_or_404(Campaign, year=year)
    quota = get_in_scope(services.quotas_for_user(request.user), campaign=campaign, tier=tier)
    return services.batch_for(quota)


def _concurrences(batch) -> list[dict]:
    given = {c.authority_id: c for c in concurrence.concurrences_for(batch)}
    rows = []
    for a in services.co_departments(batch.quota):
        c = given.get(a.pk)
        rows.append({"authority": a.pk, "name": a.name, "given": c is not None} | ({
            "by": c.given_by.get_username(), "at": c.given_at.isoformat(), "letter_number": c.letter_number,
            "opinion": c.opinion} if c else {}))
    return rows


def _out(batch) -> dict:
    apps = list(services.recommended(batch.quota))
    return {"concurrences": _concurrences(batch),
        "recommender": batch.quota.name, "tier": batch.quota.tier, "quota": batch.quota.quota, "used": len(apps),
        "status": batch.status,
        "applications": [{"id": a.id, "priority": a.priority, "enterprise": a.factory.enterprise.name,
                          "factory": a.factory.name} for a in apps],
    }


@router.get("/{year}/{tier}", response=BatchOut)
def get_batch(request, year: int, tier: str):
    """The caller's batch (as reviewer or leader of the recommender) with its priority order."""
    return _out(_batch(request, year, tier))


@router.put("/{year}/{tier}", response=BatchOut)
def put_order(request, year: int, tier: str, payload: OrderIn):
    batch = _batch(request, year, tier)
    services.reorder(batch, ordered_ids=[str(i) for i in payload.order], actor=request.user)
    return _out(batch)


@router.post("/{year}/{tier}/concurrences", response={201: BatchOut})
def give_concurrence(request, year: int, tier: str, payload: ConcurrenceIn):
    """A co-department's concurrence with the batch's current order: without ``authority``, by the
    caller's own co-department account; with it, the recommender's leader records that
    co-department's letter (``letter_number`` required). Reordering asks for it again."""
    batch = _batch(request, year, tier)
    if payload.authority is None:
        concurrence.give(batch, actor=request.user, opinion=payload.opinion)
    else:
        authority = next((a for a in services.co_departments(batch.quota) if a.pk == payload.authority), None)
        if authority is None:
            raise InvalidInput(_("该单位不是须会签的联合部门。"), field="authority")
        concurrence.record_letter(batch, actor=request.user, authority=authority,
                                  letter_number=payload.letter_number, opinion=payload.opinion)
    return Status(201, _out(services.batch_for(batch.quota)))


@router.post("/{year}/{tier}/finalise", response=BatchOut)
def finalise(request, year: int, tier: str):
    """The recommender's leader finalises once every co-department has concurred with the order."""
    batch = _batch(request, year, tier)
    services.finalise(batch, actor=request.user)
    return _out(services.batch_for(batch.quota))


@router.get("/{year}/{tier}/summary-table.xlsx")
def summary_xlsx(request, year: int, tier: str):
    batch = _batch(request, year, tier)
    response = HttpResponse(exports.summary_xlsx(batch),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition(f"推荐汇总表-{year}-{tier}.xlsx")
    return response


@router.get("/{year}/{tier}/summary-table.pdf")
def summary_pdf(request, year: int, tier: str):
    batch = _batch(request, year, tier)
    response = HttpResponse(exports.summary_pdf(batch), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"推荐汇总表-{year}-{tier}.pdf")
    return response
