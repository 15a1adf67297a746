"""Recommendation quotas from data (the founding notice's bands in ``data/quota-rules-<year>.yaml``).

Excellent: by the province's 2024 industrial value-added rank (1–10 → 40, 11–20 → 30, others → 20),
XPCC 5, each central-SOE group 5; 计划单列市 inside their province. Leading: by the province's count of
prior-year excellent factories *published* in the tier history, imported history included
(≥ 20 → 3, 10–19 → 2, < 10 → 1); central SOEs and 计划单列市 through the province where the factory is.
Every recommender the notice names gets a row. Manual overrides (audited) survive recomputation.

Quotas stay true: they are recomputed when an input changes — the ministry corrects a rank
(``set_ranking``), a list of excellent awards is published (``follow_published_awards``, called by the
service that publishes) — and no write ever leaves more places used than a quota or a city's
sub-quota allows (``quota_covers_use``, P50): a recomputation, override or sub-quota that would is
refused as a whole, with the recommender, the places used and what to do.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import InvalidInput, NotPermitted, QuotaExceeded
from smartfactory.guards import guard
from smartfactory.organisations.enums import AuthorityKind, Tier
from smartfactory.organisations.models import Authority, TierAward
from smartfactory.organisations.rules import is_miit_staff, is_platform_admin, is_province_industry_leader
from smartfactory.regions.models import Division

from .enums import QUOTA_STATES
from .models import Campaign, CitySubQuota, ProvinceRanking, Quota

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
    """Prior-year 卓越级 awards per province (the factory's location: 计划单列市 and central-SOE
    factories count for the province that recommends their leading tier, R18), counting only awards
    on a published list — imported history included. An award suspended or revoked later still
    counts: the notice counts the factories 获评 that year, a fact a later decision does not undo."""
    counts: dict[str, int] = {}
    rows = TierAward.objects.filter(
        tier=Tier.EXCELLENT, year=campaign.year - 1, published_on__isnull=False
    ).values_list("factory__county__province_code", flat=True)
    for code in rows:
        counts[code] = counts.get(code, 0) + 1
    return counts


def used_places(quota: Quota, *, city_code: str = "") -> int:
    """Places of the quota (or of one city's share of it) taken by recommendations."""
    rows = quota.applications.filter(state__in=QUOTA_STATES)
    if city_code:
        rows = rows.filter(factory__county__city_code=city_code)
    return rows.count()


@guard("P50")
def quota_covers_use(quota: Quota, value: int, *, city: Division | None = None) -> None:
    """Refuse a quota (or a city's sub-quota) below the places already recommended within it: no
    override, recomputation or sub-quota may leave more recommended than allowed. The caller holds
    the quota row's lock, which the recommend guard takes too, so no recommendation slips in between."""
    used = used_places(quota, city_code=city.code if city else "")
    if value >= used:
        return
    if city is not None:
        message = _("%(c)s已推荐%(u)d个，城市名额不能低于%(u)d个；请先由推荐单位调整推荐名单。") % {
            "c": city.name, "u": used}
    else:
        message = _("%(n)s的%(t)s推荐名额已使用%(u)d个，不能调整为%(v)d个；请先由推荐单位调整推荐名单，"
                    "或保留人工调整的名额。") % {"n": quota.name, "t": Tier(quota.tier).label, "u": used, "v": value}
    raise QuotaExceeded(message, used=used, quota=value)


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


def _wanted(campaign: Campaign) -> list[dict]:
    """Every recommender's computed quota from the rules file and the current inputs."""
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
                       "basis": f"{campaign.year - 1}年卓越级智能工厂{count}个（已公布）"})
    wanted.append({"tier": Tier.EXCELLENT, "recommender": Quota.Recommender.XPCC, "province_code": "",
                   "soe_group": None, "name": "新疆生产建设兵团", "quota": ex["xpcc"], "basis": "通知规定"})
    for group in Authority.objects.filter(kind=AuthorityKind.CENTRAL_SOE).order_by("name"):
        wanted.append({"tier": Tier.EXCELLENT, "recommender": Quota.Recommender.CENTRAL_SOE, "province_code": "",
                       "soe_group": group, "name": group.name, "quota": ex["central_soe"], "basis": "通知规定（按集团）"})
    return wanted


def _key(tier: str, recommender: str, province_code: str, soe_group_id) -> tuple:
    return (tier, recommender, province_code if recommender == Quota.Recommender.PROVINCE else "",
            soe_group_id if recommender == Quota.Recommender.CENTRAL_SOE else None)


@transaction.atomic
def compute_quotas(campaign: Campaign, *, actor=None, reason: str = "") -> list[Quota]:
    """(Re)compute every quota of the campaign from the rules and inputs; overridden rows are kept.
    All or nothing: a row that would fall below the places already used refuses the whole
    recomputation (QuotaExceeded, P50) — and with it the write that asked for it (a rank correction).
    Side effects, in order: the campaign's quota rows locked; rows created or updated; one audit
    event campaign.quotas_computed listing each change — written when a row changed or a person
    asked, so a repeated run (seed_demo) adds nothing."""
    existing = {_key(q.tier, q.recommender, q.province_code, q.soe_group_id): q
                for q in Quota.objects.select_for_update().filter(campaign=campaign)}
    result, changes, created = [], [], 0
    for row in _wanted(campaign):
        group = row.pop("soe_group", None)
        quota = existing.get(_key(row["tier"], row["recommender"], row["province_code"], group.pk if group else None))
        if quota is None:
            quota = Quota.objects.create(campaign=campaign, soe_group=group, **row)
            created += 1
        elif not quota.overridden and (quota.quota, quota.basis, quota.name) != (row["quota"], row["basis"], row["name"]):
            if row["quota"] < quota.quota:
                quota_covers_use(quota, row["quota"])
            before = quota.quota
            quota.quota, quota.basis, quota.name = row["quota"], row["basis"], row["name"]
            quota.save(update_fields=["quota", "basis", "name"])
            changes.append({"recommender": quota.name, "tier": quota.tier, "before": before, "after": quota.quota,
                            "basis": quota.basis})
        result.append(quota)
    if changes or created or actor is not None:
        record_event("campaign.quotas_computed", actor=actor, obj=campaign,
                     after={"quotas": len(result), "created": created, "changes": changes}, reason=reason)
    return result


def follow_published_awards(year: int, *, tier: str = Tier.EXCELLENT, actor=None, source: str = "") -> list[Quota]:
    """A list of ``year``'s awards was published: the next campaign's leading quotas count its
    卓越级 factories (R17), so that campaign's quotas are recomputed in the same transaction. Called
    by every service that publishes awards (the six ministries' decision, imports of history), never
    by a signal. Nothing to do for other tiers, or before the next campaign has quotas (they are
    computed from the published awards when they are first computed)."""
    campaign = Campaign.objects.filter(year=year + 1).first()
    if tier != Tier.EXCELLENT or campaign is None or not campaign.quotas.exists():
        return []
    reason = f"{year}年度卓越级智能工厂名单公布" + (f"（{source}）" if source else "")  # audit data: not translated
    return compute_quotas(campaign, actor=actor, reason=reason)


def can_manage_quotas(user) -> bool:
    """Staff of the lead ministry (MIIT, 装备工业一司) and platform administrators; not the other
    five ministries, nor any recommender."""
    if user is None or not user.is_authenticated:
        return False
    return is_platform_admin(user) or is_miit_staff(user)


@guard("P52")
def miit_sets_quotas(actor) -> None:
    """Only MIIT corrects the ranking, overrides or recomputes quotas (the notice's issuer)."""
    if not can_manage_quotas(actor):
        raise NotPermitted(_("只有工业和信息化部工作人员可以修正排名、调整或重新计算推荐名额。"))


@transaction.atomic
def set_ranking(campaign: Campaign, *, province_code: str, rank: int, actor, basis: str) -> ProvinceRanking:
    """Ministry staff correct a province's rank (e.g. with the NBS figures); quotas are recomputed.
    Refused as a whole when the recomputed quota would fall below the places already used.
    Side effects: audit event campaign.ranking_set with before/after; quotas recomputed (audited)."""
    miit_sets_quotas(actor)
    basis = (basis or "").strip()
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
    compute_quotas(campaign, actor=actor, reason=f"修正{row.province_name}排名：{basis}")
    return row


@transaction.atomic
def override_quota(quota: Quota, *, value: int, actor, reason: str) -> Quota:
    """Ministry staff override one computed quota (e.g. the leading-tier count), with a reason; never
    below the places already used (P50). Side effects: the quota row locked and saved; audit event
    campaign.quota_overridden with before/after."""
    miit_sets_quotas(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("调整名额必须说明理由。"), field="reason")
    if not 0 <= value <= 100:
        raise InvalidInput(_("名额应在0至100之间。"), field="quota")
    quota = Quota.objects.select_for_update().get(pk=quota.pk)
    quota_covers_use(quota, value)
    before = {"quota": quota.quota, "basis": quota.basis, "overridden": quota.overridden}
    quota.quota, quota.overridden = value, True
    quota.basis = f"人工调整：{reason}"[:255]
    quota.save(update_fields=["quota", "overridden", "basis"])
    record_event("campaign.quota_overridden", actor=actor, obj=quota.campaign, before=before,
                 after={"quota": value, "recommender": quota.name, "tier": quota.tier}, reason=reason)
    return quota


@transaction.atomic
def restore_computed_quota(quota: Quota, *, actor, reason: str) -> Quota:
    """Ministry staff drop an override: the quota follows the rules and inputs again (recomputed
    at once; refused when the computed value is below the places already used). Side effects: audit
    event campaign.quota_restored; quotas recomputed (audited)."""
    miit_sets_quotas(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("恢复计算名额必须说明理由。"), field="reason")
    quota = Quota.objects.select_for_update().get(pk=quota.pk)
    if not quota.overridden:
        raise InvalidInput(_("该名额未经人工调整。"), field="quota")
    before = {"quota": quota.quota, "basis": quota.basis, "overridden": True}
    quota.overridden = False
    quota.save(update_fields=["overridden"])
    record_event("campaign.quota_restored", actor=actor, obj=quota.campaign, before=before,
                 after={"recommender": quota.name, "tier": quota.tier}, reason=reason)
    compute_quotas(quota.campaign, actor=actor, reason=f"恢复{quota.name}的计算名额：{reason}")
    quota.refresh_from_db()
    return quota


@transaction.atomic
def recompute_quotas(campaign: Campaign, *, actor, reason: str) -> list[Quota]:
    """Ministry staff recompute a campaign's quotas (e.g. after the rules file or the tier history
    was corrected). Side effects: as compute_quotas, the audit event carrying the reason."""
    miit_sets_quotas(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请说明重新计算的原因。"), field="reason")
    return compute_quotas(campaign, actor=actor, reason=reason)


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
def set_city_subquota(quota: Quota, *, city_code: str, limit: int, actor, reason: str) -> CitySubQuota:
    """The province's leader limits one city inside the province's quota: not above the province's
    quota, not below the city's places already used (P50). Side effects: the quota row locked (the
    recommend guard takes the same lock); the sub-quota saved; audit event."""
    if quota.recommender != Quota.Recommender.PROVINCE:
        raise InvalidInput(_("只有省级推荐名额可以分配到城市。"), field="quota")
    if not (is_province_industry_leader(actor, quota.province_code) or is_platform_admin(actor)):
        raise NotPermitted()
    quota = Quota.objects.select_for_update().get(pk=quota.pk)
    city = Division.objects.filter(code=city_code, level="city", province_code=quota.province_code).first()
    if city is None:
        raise InvalidInput(_("请选择本省的城市。"), field="city_code")
    if not 0 <= limit <= quota.quota:
        raise InvalidInput(_("城市名额不能超过本省名额（%(q)d个）。") % {"q": quota.quota}, field="limit")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请说明依据。"), field="reason")
    quota_covers_use(quota, limit, city=city)
    existing = CitySubQuota.objects.filter(quota=quota, city_code=city_code).first()
    before = {"limit": existing.limit} if existing else None
    sub, _created = CitySubQuota.objects.update_or_create(
        quota=quota, city_code=city_code, defaults={"city_name": city.name, "limit": limit, "reason": reason}
    )
    record_event("campaign.city_subquota_set", actor=actor, obj=quota.campaign, before=before,
                 after={"city": city.name, "limit": limit, "tier": quota.tier}, reason=reason)
    return sub
