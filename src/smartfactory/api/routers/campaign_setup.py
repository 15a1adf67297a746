"""Setting a campaign up on the platform (R24), on the ``/campaigns`` router: MIIT opens and edits a
year's campaign, its national deadlines and a province's extension; a province sets its channel
rule, review chains and its cities' deadlines."""

from datetime import datetime
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Schema, Status

from smartfactory.campaigns.models import (
    Campaign,
    ChannelRule,
    DeadlineExtension,
    DeadlineOverride,
    ReviewChain,
)
from smartfactory.campaigns.services import (
    create_campaign,
    set_deadline_override,
    set_stage_deadline,
)
from smartfactory.campaigns.setup import (
    extend_deadline_for_province,
    own_managed_authorities,
    provinces_led_by,
    set_channel_rule,
    set_review_chain,
    update_campaign,
)
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import active_memberships

from .campaigns import CampaignOut, _campaign, router


# ------------------------------------------------------------------ setting the campaign up (R24)
class CampaignIn(Schema):
    year: int
    name: str
    notice_number: str = ""
    framework_version: str
    tiers_open: list[str]
    status: str = "planned"


class CampaignUpdateIn(Schema):
    name: str
    notice_number: str = ""
    framework_version: str
    tiers_open: list[str]
    status: str


class NationalDeadlineIn(Schema):
    stage: str
    tier: str = ""
    deadline: datetime
    reason: str = ""


class ExtensionIn(NationalDeadlineIn):
    authority: UUID


class ExtensionOut(Schema):
    authority: UUID
    province: str
    stage: str
    stage_label: str
    tier: str
    deadline: datetime
    reason: str


class DeadlineOverrideIn(NationalDeadlineIn):
    authority: UUID


class DeadlineOverrideOut(Schema):
    authority: UUID
    authority_name: str
    stage: str
    stage_label: str
    tier: str
    deadline: datetime
    reason: str


class ChannelRuleIn(Schema):
    registered_in_province_only: bool
    basis: str = ""


class ReviewChainIn(Schema):
    levels: list[str]
    reason: str = ""


class ProvinceSettingsOut(Schema):
    authority: UUID
    province_code: str
    province_name: str
    registered_in_province_only: bool
    channel_basis: str
    review_chains: dict[str, list[str]]
    deadlines: list[DeadlineOverrideOut]
    extensions: list[ExtensionOut]


def _campaign_by_year(year: int) -> Campaign:
    return get_object_or_404(Campaign.objects.prefetch_related("deadlines"), year=year)


def _extension(e) -> dict:
    return {"authority": e.authority_id, "province": e.authority.name, "stage": e.stage,
            "stage_label": e.get_stage_display(), "tier": e.tier, "deadline": timezone.localtime(e.deadline),
            "reason": e.reason}


def _override(o) -> dict:
    return {"authority": o.authority_id, "authority_name": o.authority.name, "stage": o.stage,
            "stage_label": o.get_stage_display(), "tier": o.tier, "deadline": timezone.localtime(o.deadline),
            "reason": o.reason}


@router.post("", response={201: CampaignOut})
def create(request, payload: CampaignIn):
    """MIIT opens a campaign for a year: framework version (a loaded one), tiers open, status.
    One campaign per year. Ministry staff only; audited."""
    campaign = create_campaign(actor=request.user, **payload.dict())
    return Status(201, _campaign(_campaign_by_year(campaign.year), request.user))


@router.put("/{year}", response=CampaignOut)
def update(request, year: int, payload: CampaignUpdateIn):
    """Ministry staff change the name, notice, tiers open and status (forward only); the framework
    version only while the campaign is planned. Audited."""
    update_campaign(_campaign_by_year(year), actor=request.user, **payload.dict())
    return _campaign(_campaign_by_year(year), request.user)


@router.put("/{year}/deadlines", response=CampaignOut)
def set_national_deadline(request, year: int, payload: NationalDeadlineIn):
    """Ministry staff set or move a national deadline — an extension for everyone when later (a
    reason is then required). Stages stay in order. Audited."""
    set_stage_deadline(_campaign_by_year(year), actor=request.user, **payload.dict())
    return _campaign(_campaign_by_year(year), request.user)


@router.get("/{year}/extensions", response=list[ExtensionOut])
def list_extensions(request, year: int):
    """The ministry's extensions for single provinces (authority users and ministry staff)."""
    if not any(m.authority_id for m in active_memberships(request.user)):
        return []
    rows = DeadlineExtension.objects.filter(campaign=_campaign_by_year(year)).select_related("authority")
    return [_extension(e) for e in rows.order_by("authority__division_id", "stage", "tier")]


@router.post("/{year}/extensions", response={201: ExtensionOut})
def extend_for_province(request, year: int, payload: ExtensionIn):
    """Ministry staff extend a national deadline for one province only (later than the national
    one, with a reason, not past that province's later stages). Audited."""
    from smartfactory.campaigns.setup import province_authorities

    authority = get_in_scope(province_authorities(), pk=payload.authority)
    data = payload.dict(exclude={"authority"})
    extension = extend_deadline_for_province(_campaign_by_year(year), authority=authority, actor=request.user, **data)
    return Status(201, _extension(extension))


@router.put("/{year}/overrides", response=DeadlineOverrideOut)
def set_override(request, year: int, payload: DeadlineOverrideIn):
    """A leader sets their authority's deadline for the level below (a province for its cities),
    never later than what binds the authority itself. Audited."""
    authority = get_in_scope(own_managed_authorities(request.user), pk=payload.authority)
    data = payload.dict(exclude={"authority"})
    return _override(set_deadline_override(_campaign_by_year(year), authority=authority, actor=request.user, **data))


def _province_settings(campaign: Campaign, authority) -> dict:
    rule = ChannelRule.objects.filter(campaign=campaign, province_code=authority.division_id).first()
    chains = ReviewChain.objects.filter(campaign=campaign, province_code=authority.division_id).order_by("tier")
    overrides = DeadlineOverride.objects.filter(campaign=campaign, authority=authority).select_related("authority")
    extensions = DeadlineExtension.objects.filter(campaign=campaign, authority=authority).select_related("authority")
    return {
        "authority": authority.pk, "province_code": authority.division_id, "province_name": authority.division.name,
        "registered_in_province_only": bool(rule and rule.registered_in_province_only),
        "channel_basis": rule.basis if rule else "",
        "review_chains": {c.tier: c.levels for c in chains},
        "deadlines": [_override(o) for o in overrides.order_by("stage", "tier")],
        "extensions": [_extension(e) for e in extensions.order_by("stage", "tier")],
    }


@router.get("/{year}/provinces/{authority_id}", response=ProvinceSettingsOut)
def province_settings(request, year: int, authority_id: UUID):
    """A province's own settings: channel rule, review chains, its deadlines for its cities and the
    ministry's extensions for it. Only the province's leaders; anyone else gets 404."""
    authority = get_in_scope(provinces_led_by(request.user), pk=authority_id)
    return _province_settings(_campaign_by_year(year), authority)


@router.put("/{year}/provinces/{authority_id}/channel-rule", response=ProvinceSettingsOut)
def put_channel_rule(request, year: int, authority_id: UUID, payload: ChannelRuleIn):
    """The province's channel rule (四川: applicants registered in Sichuan only). Audited."""
    authority = get_in_scope(provinces_led_by(request.user), pk=authority_id)
    campaign = _campaign_by_year(year)
    set_channel_rule(campaign, authority=authority, actor=request.user, **payload.dict())
    return _province_settings(campaign, authority)


@router.put("/{year}/provinces/{authority_id}/review-chains/{tier}", response=ProvinceSettingsOut)
def put_review_chain(request, year: int, authority_id: UUID, tier: str, payload: ReviewChainIn):
    """The province's review chain for a tier, e.g. ["city", "province"]; applies to applications
    submitted afterwards. Audited."""
    authority = get_in_scope(provinces_led_by(request.user), pk=authority_id)
    campaign = _campaign_by_year(year)
    set_review_chain(campaign, authority=authority, tier=tier, actor=request.user, **payload.dict())
    return _province_settings(campaign, authority)
