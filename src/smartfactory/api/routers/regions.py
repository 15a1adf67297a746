from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from smartfactory.regions.models import Division, Industry

router = Router(tags=["regions"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    is_separately_planned: bool
    is_xpcc: bool
    valid_to: str | None


class IndustryOut(Schema):
    code: str
    name: str
    level: str
    section: str
    is_industrial: bool


def _division(d: Division) -> dict:
    return {
        "code": d.code, "name": d.name, "level": d.level, "parent_code": d.parent_id,
        "is_separately_planned": d.is_separately_planned, "is_xpcc": d.is_xpcc,
        "valid_to": d.valid_to.isoformat() if d.valid_to else None,
    }


@router.get("", response=list[DivisionOut])
def list_divisions(request, parent: str | None = None, level: str | None = None):
    """Administrative divisions. Without ``parent``: provinces (and XPCC); with it: its children."""
    qs = Division.objects.filter(valid_to__isnull=True)
    if parent:
        qs = qs.filter(parent_id=parent)
    elif not level:
        qs = qs.filter(level="province")
    if level:
        qs = qs.filter(level=level)
    return [_division(d) for d in qs.order_by("code")]


@router.get("/industries", response=list[IndustryOut])
def list_industries(request, industrial_only: bool = True):
    qs = Industry.objects.all()
    if industrial_only:
        qs = qs.filter(is_industrial=True)
    return [
        {"code": i.code, "name": i.name, "level": i.level, "section": i.section, "is_industrial": i.is_industrial}
        for i in qs.order_by("code")
    ]


@router.get("/{code}", response=DivisionOut)
def get_division(request, code: str):
    return _division(get_object_or_404(Division, code=code))
