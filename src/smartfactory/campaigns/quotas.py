"""Recommendation quotas from data (the founding notice's bands in ``data/quota-rules-<year>.yaml``).

Excellent: by the province's 2024 industrial value-added rank (1–10 → 40, 11–20 → 30, others → 20),
XPCC 5, each central-SOE group 5; 计划单列市 inside their province. Leading: by the province's count of
prior-year excellent factories in the tier history (≥ 20 → 3, 10–19 → 2, < 10 → 1); central SOEs and
计划单列市 through the province where the factory is. Every recommender the notice names gets a row.
Manual overrides (audited) survive recomputation.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import InvalidInput, NotPermitted
from smartfactory.organisations.enums import AuthorityKind, AwardStatus, Role, Tier
from smartfactory.organisations.models import Authority, TierAward
from smartfactory.organisations.queries import active_memberships, is_platform_admin
from smartfactory.regions.models import Division

from .models import Campaign, ProvinceRanking, Quota

DATA_DIR = Path(__file__).resolve().parent / "data"


def rules_for(campaign: Campaign) -> dict:
    candidates = sorted(DATA_DIR.glob("quota-rules-*.yaml"))
    chosen = None
    for path in candidates:
        year = int(path.stem.rsplit("-", 1)[1])
        if year <= campaign.year:
            chosen = path
    if chosen is None:
        raise InvalidInput(_("没有适用于该年度的推荐名额规则数据。"))
    return yaml.safe_load(chosen.read_text(encoding="utf-8"))


def _band_by_rank(bands: list[dict], rank: int) -> int:
    for band in bands:
        if rank >= band["rank_from"] and (band["rank_to"] is None or rank <= band["rank_to"]):
            return band["quota"]
    raise InvalidInput(_("排名%(r)d不在任何名额档次内。") % {"r": rank})


def _band_by_count(bands: list[dict], count: int) -> int:
    for band in sorted(bands, key=lambda b: -b["count_min"]):
        if count >= band["count_min"]:
            return band["quota"]
    return 0


def excellent_count_last_year(campaign: Campaign) -> dict[str, int]:
    """Active prior-year 卓越级 awards per province (by the factory's location)."""
    counts: dict[str, int] = {}
    rows = TierAward.objects.filter(
        tier=Tier.EXCELLENT, year=campaign.year - 1, status=AwardStatus.ACTIVE
    ).values_list("factory__county__province_code", flat=True)
    for code in rows:
        counts[code] = counts.get(code, 0) + 1
    return counts


def seed_rankings(campaign: Campaign) -> None:
    """Load the ranking input from the rules file once (it is then edited by the ministry)."""
    if ProvinceRanking.objects.filter(campaign=campaign).exists():
        return
    ranking = rules_for(campaign)["ranking_2024"]
    estimate = "ESTIMATE" in ranking["status"]
    ProvinceRanking.objects.bulk_create([
        ProvinceRanking(campaign=campaign, province_code=p["province_code"], province_name=p["province"], rank=p["rank"],
                        is_estimate=estimate, basis=ranking["status"])
        for p in ranking["provinces"]
    ])


@transaction.atomic
def compute_quotas(campaign: Campaign, *, actor=None) -> list[Quota]:
    """(Re)compute every quota of the campaign from the rules and inputs; overridden rows are kept.
    Side effects: Quota rows; one audit event campaign.quotas_computed."""
    rules = rules_for(campaign)
    seed_rankings(campaign)
    ranks = {r.province_code: r for r in ProvinceRanking.objects.filter(campaign=campaign)}
    provinces = {d.code: d.name for d in Division.objects.filter(level="province", is_xpcc=False)}
    counts = excellent_count_last_year(campaign)
    wanted: list[dict] = []
    ex, le = rules["excellent"], rules["leading"]
    for code, name in sorted(provinces.items()):
        rank = ranks.get(code)
        if rank is not None:
            estimate = "（估算排名）" if rank.is_estimate else ""
            wanted.append({"tier": Tier.EXCELLENT, "recommender": Quota.Recommender.PROVINCE, "province_code": code,
                           "name": name, "quota": _band_by_rank(ex["bands"], rank.rank),
                           "basis": f"2024年工业增加值第{rank.rank}位{estimate}"})
        count = counts.get(code, 0)
        wanted.append({"tier": Tier.LEADING, "recommender": Quota.Recommender.PROVINCE, "province_code": code,
                       "name": name, "quota": _band_by_count(le["bands"], count),
                       "basis": f"{campaign.year - 1}年卓越级智能工厂{count}个"})
    wanted.append({"tier": Tier.EXCELLENT, "recommender": Quota.Recommender.XPCC, "province_code": "",
                   "name": "新疆生产建设兵团", "quota": ex["xpcc"], "basis": "通知规定"})
    for group in Authority.objects.filter(kind=AuthorityKind.CENTRAL_SOE).order_by("name"):
        wanted.append({"tier": Tier.EXCELLENT, "recommender": Quota.Recommender.CENTRAL_SOE, "province_code": "",
                       "soe_group": group, "name": group.name, "quota": ex["central_soe"], "basis": "通知规定（按集团）"})
    result = []
    for row in wanted:
        lookup = {"campaign": campaign, "tier": row["tier"], "recommender": row["recommender"]}
        if row["recommender"] == Quota.Recommender.PROVINCE:
            lookup["province_code"] = row["province_code"]
        elif row["recommender"] == Quota.Recommender.CENTRAL_SOE:
            lookup["soe_group"] = row["soe_group"]
        existing = Quota.objects.filter(**lookup).first()
        if existing and existing.overridden:
            result.append(existing)
            continue
        values = {k: v for k, v in row.items() if k not in lookup}
        quota, _created = Quota.objects.update_or_create(**lookup, defaults=values)
        result.append(quota)
    record_event("campaign.quotas_computed", actor=actor, obj=campaign, after={"quotas": len(result)})
    return result


def _ensure_ministry(actor) -> None:
    if not (is_platform_admin(actor) or any(m.role == Role.MINISTRY_STAFF for m in active_memberships(actor))):
        raise NotPermitted()


@transaction.atomic
def set_ranking(campaign: Campaign, *, province_code: str, rank: int, actor, basis: str) -> ProvinceRanking:
    """Ministry staff correct a province's rank (e.g. with the NBS figures); quotas are recomputed.
    Side effects: audit event campaign.ranking_set with before/after; quotas recomputed."""
    _ensure_ministry(actor)
    if not basis:
        raise InvalidInput(_("请说明排名依据。"), field="basis")
    if not 1 <= rank <= 40:
        raise InvalidInput(_("排名应在1至40之间。"), field="rank")
    seed_rankings(campaign)
    row = ProvinceRanking.objects.select_for_update().filter(campaign=campaign, province_code=province_code).first()
    if row is None:
        raise InvalidInput(_("未知的省份。"), field="province_code")
    before = {"rank": row.rank, "is_estimate": row.is_estimate}
    row.rank, row.is_estimate, row.basis = rank, False, basis
    row.save(update_fields=["rank", "is_estimate", "basis"])
    record_event("campaign.ranking_set", actor=actor, obj=campaign, before=before,
                 after={"province": province_code, "rank": rank}, reason=basis)
    compute_quotas(campaign, actor=actor)
    return row


@transaction.atomic
def override_quota(quota: Quota, *, value: int, actor, reason: str) -> Quota:
    """Ministry staff override one computed quota (e.g. the leading-tier count), with a reason."""
    _ensure_ministry(actor)
    if not reason:
        raise InvalidInput(_("调整名额必须说明理由。"), field="reason")
    if not 0 <= value <= 100:
        raise InvalidInput(_("名额应在0至100之间。"), field="quota")
    quota = Quota.objects.select_for_update().get(pk=quota.pk)
    before = {"quota": quota.quota, "basis": quota.basis}
    quota.quota, quota.overridden = value, True
    quota.basis = f"人工调整：{reason}"
    quota.save(update_fields=["quota", "overridden", "basis"])
    record_event("campaign.quota_overridden", actor=actor, obj=quota.campaign, before=before,
                 after={"quota": value, "recommender": quota.name, "tier": quota.tier}, reason=reason)
    return quota


def quota_for(campaign: Campaign, tier: str, recommender) -> Quota | None:
    """The quota an application draws on, for the recommender that
    ``applications.recommender.recommender_for`` decided: a central-SOE group's or XPCC's own at the
    excellent tier, else the recommending province's (计划单列市 included)."""
    if recommender.kind == "central_soe":
        return Quota.objects.filter(campaign=campaign, tier=tier, recommender=Quota.Recommender.CENTRAL_SOE,
                                    soe_group_id=recommender.soe_group_id).first()
    if recommender.kind == "xpcc":
        return Quota.objects.filter(campaign=campaign, tier=tier, recommender=Quota.Recommender.XPCC).first()
    return Quota.objects.filter(campaign=campaign, tier=tier, recommender=Quota.Recommender.PROVINCE,
                                province_code=recommender.province_code).first()


@transaction.atomic
def set_city_subquota(quota: Quota, *, city_code: str, limit: int, actor, reason: str):
    """The province's leader limits one city inside the province's quota. Side effects: audit event."""
    from smartfactory.organisations.enums import AuthorityLevel, Department, MembershipStatus
    from smartfactory.organisations.models import Membership

    from .models import CitySubQuota

    if quota.recommender != Quota.Recommender.PROVINCE:
        raise InvalidInput(_("只有省级推荐名额可以分配到城市。"), field="quota")
    is_leader = Membership.objects.filter(
        user=actor, role=Role.AUTHORITY_LEADER, status=MembershipStatus.ACTIVE, authority__level=AuthorityLevel.PROVINCE,
        authority__division_id=quota.province_code, authority__department=Department.INDUSTRY,
    ).exists()
    if not (is_leader or is_platform_admin(actor)):
        raise NotPermitted()
    city = Division.objects.filter(code=city_code, level="city", province_code=quota.province_code).first()
    if city is None:
        raise InvalidInput(_("请选择本省的城市。"), field="city_code")
    if not 0 <= limit <= quota.quota:
        raise InvalidInput(_("城市名额不能超过本省名额（%(q)d个）。") % {"q": quota.quota}, field="limit")
    if not reason:
        raise InvalidInput(_("请说明依据。"), field="reason")
    existing = CitySubQuota.objects.filter(quota=quota, city_code=city_code).first()
    before = {"limit": existing.limit} if existing else None
    sub, _created = CitySubQuota.objects.update_or_create(
        quota=quota, city_code=city_code, defaults={"city_name": city.name, "limit": limit, "reason": reason}
    )
    record_event("campaign.city_subquota_set", actor=actor, obj=quota.campaign, before=before,
                 after={"city": city.name, "limit": limit, "tier": quota.tier}, reason=reason)
    return sub
