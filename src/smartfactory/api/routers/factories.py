from uuid import UUID

from django.db.models import Prefetch
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from smartfactory.api.schemas import FactoryOut, factory_out
from smartfactory.organisations import services
from smartfactory.organisations.models import TierAward
from smartfactory.organisations.queries import factories_for_user, get_in_scope

router = Router(tags=["factories"])


class FactoryFilter(Schema):
    tier: str | None = None
    county: str | None = None
    city: str | None = None


class FactoryPatch(Schema):
    name: str | None = None
    county: str | None = None
    address: str | None = None
    main_products: str | None = None


def _scoped(request):
    return factories_for_user(request.user).prefetch_related(
        Prefetch("tier_awards", queryset=TierAward.objects.select_related("authority"))
    )


@router.get("", response=list[FactoryOut])
@paginate(LimitOffsetPagination)
def list_factories(request, filters: Query[FactoryFilter]):
    """Factories in the caller's jurisdiction, each with its tier history."""
    qs = _scoped(request).order_by("enterprise__uscc", "name")
    if filters.tier:
        qs = qs.filter(tier_awards__tier=filters.tier, tier_awards__status="active").distinct()
    if filters.county:
        qs = qs.filter(county_id=filters.county)
    if filters.city:
        qs = qs.filter(enterprise__city_code=filters.city)
    return [factory_out(f) for f in qs]


@router.get("/{factory_id}", response=FactoryOut)
def get_factory(request, factory_id: UUID):
    return factory_out(get_in_scope(_scoped(request), id=factory_id))


@router.patch("/{factory_id}", response=FactoryOut)
def patch_factory(request, factory_id: UUID, payload: FactoryPatch):
    factory = get_in_scope(_scoped(request), id=factory_id)
    services.update_factory(factory, actor=request.user, changes=payload.dict(exclude_unset=True))
    return factory_out(get_in_scope(_scoped(request), id=factory_id))
