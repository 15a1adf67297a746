from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from smartfactory.campaigns.models import Campaign
from smartfactory.documents.responses import content_disposition
from smartfactory.organisations.queries import get_in_scope
from smartfactory.recommendations import exports, services

router = Router(tags=["recommendations"])


class RankedOut(Schema):
    id: UUID
    priority: int
    enterprise: str
    factory: str


class BatchOut(Schema):
    recommender: str
    tier: str
    quota: int
    used: int
    status: str
    applications: list[RankedOut]


class OrderIn(Schema):
    order: list[UUID]


class FinaliseIn(Schema):
    concurrence: list[UUID] = []


def _batch(request, year: int, tier: str):
    campaign = get_object_or_404(Campaign, year=year)
    quota = get_in_scope(services.quotas_for_user(request.user), campaign=campaign, tier=tier)
    return services.batch_for(quota)


def _out(batch) -> dict:
    apps = list(services.recommended(batch.quota))
    return {
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


@router.post("/{year}/{tier}/finalise", response=BatchOut)
def finalise(request, year: int, tier: str, payload: FinaliseIn):
    batch = _batch(request, year, tier)
    services.finalise(batch, actor=request.user, concurrence=[str(i) for i in payload.concurrence])
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
