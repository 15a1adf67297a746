"""API schemas shared by several resource modules."""

from datetime import date, datetime
from uuid import UUID

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class DivisionRef(Schema):
    code: str
    name: str


class TierAwardOut(Schema):
    year: int
    tier: str
    tier_label: str
    authority: str | None
    certificate_no: str
    awarded_on: date
    status: str


class FactoryOut(Schema):
    id: UUID
    name: str
    enterprise_uscc: str
    enterprise_name: str
    county: DivisionRef
    address: str
    main_products: str
    tier_history: list[TierAwardOut]


class EnterpriseOut(Schema):
    uscc: str
    name: str
    legal_status: str
    parent_uscc: str
    county: DivisionRef
    province_code: str
    city_code: str
    industry_code: str
    industry_name: str
    above_designated_size: bool
    soe_group: str | None
    is_xpcc: bool
    address: str
    created_at: datetime


def division_ref(d) -> dict:
    return {"code": d.code, "name": d.name}


def enterprise_out(e) -> dict:
    return {
        "uscc": e.uscc, "name": e.name, "legal_status": e.legal_status, "parent_uscc": e.parent_uscc,
        "county": division_ref(e.county), "province_code": e.province_code, "city_code": e.city_code,
        "industry_code": e.industry_id, "industry_name": e.industry.name,
        "above_designated_size": e.above_designated_size,
        "soe_group": e.soe_group.name if e.soe_group_id else None, "is_xpcc": e.is_xpcc, "address": e.address,
        "created_at": e.created_at,
    }


def award_out(a) -> dict:
    return {
        "year": a.year, "tier": a.tier, "tier_label": a.get_tier_display(),
        "authority": a.authority.name if a.authority_id else None, "certificate_no": a.certificate_no,
        "awarded_on": a.awarded_on, "status": a.status,
    }


def factory_out(f) -> dict:
    return {
        "id": f.id, "name": f.name, "enterprise_uscc": f.enterprise.uscc, "enterprise_name": f.enterprise.name,
        "county": division_ref(f.county), "address": f.address, "main_products": f.main_products,
        "tier_history": [award_out(a) for a in f.tier_awards.all()],
    }
