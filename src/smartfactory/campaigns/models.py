"""The annual campaign and its calendar.

Deadlines are data: a default per stage (and optionally per tier) set by the ministry, and
overrides an authority sets for the level below it (Chengdu for its districts, Sichuan for its
cities). ``services.deadline_for`` is the one place that answers "what is the deadline for this
actor and stage". An action is allowed strictly before its deadline instant (Asia/Shanghai).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartfactory.organisations.enums import Tier
from smartfactory.organisations.models import Authority

from .enums import CampaignStatus, Stage


class Campaign(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    name = models.CharField(_("名称"), max_length=128)
    notice_number = models.CharField(_("通知文号"), max_length=64, blank=True)
    framework_version = models.CharField(_("要素条件版本"), max_length=32)
    tiers_open = models.JSONField(_("开放申报层级"), default=list)
    status = models.CharField(_("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED)
    # Who recommends (applications.recommender): the province where the applicant is registered (the
    # notice's 申报主体, default) or where the factory lies. Central SOEs, XPCC and 计划单列市 follow R11/R12/R18.
    recommender_basis = models.CharField(
        _("推荐渠道依据"), max_length=16, default="registered",
        choices=[("registered", _("申报主体注册地所在省份")), ("factory", _("工厂所在省份"))],
    )
    # A returned application may be resubmitted until the returning level's deadline (default), or
    # only while the enterprise submission deadline has not passed either.
    resubmit_after_enterprise_deadline = models.BooleanField(
        _("退回后可在企业申报截止后重新提交（至退回层级的审核截止时间）"), default=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("年度培育行动")
        verbose_name_plural = _("年度培育行动")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_key(self) -> str:
        return str(self.year)

    def is_tier_open(self, tier: str) -> bool:
        return tier in self.tiers_open


class StageDeadline(models.Model):
    """The national default deadline of a stage; ``tier`` empty means every tier."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deadlines")
    stage = models.CharField(_("环节"), max_length=32, choices=Stage.choices)
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices, blank=True)
    deadline = models.DateTimeField(_("截止时间"))

    class Meta:
        verbose_name = _("截止时间")
        verbose_name_plural = _("截止时间")
        ordering = ["deadline"]
        constraints = [models.UniqueConstraint(fields=["campaign", "stage", "tier"], name="one_default_per_stage_tier")]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.get_stage_display()} {self.deadline:%Y-%m-%d %H:%M}"


class DeadlineOverride(models.Model):
    """An authority's own, earlier deadline for a stage, applying to everyone in its jurisdiction.

    Must be no later than the deadline the authority itself would otherwise have (its parent's).
    Set and changed only through ``services.set_deadline_override`` (audited).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="overrides")
    authority = models.ForeignKey(Authority, verbose_name=_("设定单位"), on_delete=models.CASCADE, related_name="deadline_overrides")
    stage = models.CharField(_("环节"), max_length=32, choices=Stage.choices)
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices, blank=True)
    deadline = models.DateTimeField(_("截止时间"))
    reason = models.CharField(_("依据"), max_length=255, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("下级截止时间")
        verbose_name_plural = _("下级截止时间")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "authority", "stage", "tier"], name="one_override_per_authority_stage"),
            models.CheckConstraint(condition=~Q(stage=""), name="override_has_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {self.get_stage_display()} {self.deadline:%Y-%m-%d %H:%M}"


class DeadlineExtension(models.Model):
    """The ministry's extension of a national default for one province only: everyone in that
    province (the province itself, its cities, counties and enterprises) is bound by this later
    deadline instead of the national default. Overrides set inside the province still apply.
    Set only through ``setup.extend_deadline_for_province`` (ministry staff, audited)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="extensions")
    authority = models.ForeignKey(Authority, verbose_name=_("延期省份"), on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(_("环节"), max_length=32, choices=Stage.choices)
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices, blank=True)
    deadline = models.DateTimeField(_("延期至"))
    reason = models.CharField(_("依据"), max_length=255)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("分省延期")
        verbose_name_plural = _("分省延期")
        ordering = ["stage", "deadline"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "authority", "stage", "tier"], name="one_extension_per_province_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {self.get_stage_display()} → {self.deadline:%Y-%m-%d %H:%M}"


class RuleThreshold(models.Model):
    """A campaign's own threshold for a framework rule (some official values are not public).
    Set only through ``services.set_rule_threshold`` (ministry staff, audited)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rule_thresholds")
    rule_id = models.CharField(_("规则编号"), max_length=32)
    threshold = models.JSONField(_("阈值"))
    reason = models.CharField(_("依据"), max_length=255)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("规则阈值")
        verbose_name_plural = _("规则阈值")
        constraints = [models.UniqueConstraint(fields=["campaign", "rule_id"], name="one_threshold_per_campaign_rule")]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.rule_id} = {self.threshold}"


class ReviewChain(models.Model):
    """Which levels review an application, in order, for a province (and tier). Absent → the
    default county → city → province. Central-SOE members and XPCC units have their own one-level
    chains (their headquarters). Programme data: set per campaign, not in code."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="review_chains")
    province_code = models.CharField(_("省级代码"), max_length=6)
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    levels = models.JSONField(_("审核层级"), help_text=_('例如 ["county", "city", "province"] 或 ["city", "province"]'))

    class Meta:
        verbose_name = _("审核链")
        verbose_name_plural = _("审核链")
        constraints = [models.UniqueConstraint(fields=["campaign", "province_code", "tier"], name="one_chain_per_province_tier")]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.province_code} {self.tier}: {' → '.join(self.levels)}"


class ChannelRule(models.Model):
    """A province's own rule for its recommendation channel, e.g. Sichuan accepts only applicants
    registered in Sichuan (申报单位在四川省境内注册)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="channel_rules")
    province_code = models.CharField(_("省级代码"), max_length=6)
    province_name = models.CharField(_("省份"), max_length=32, blank=True)
    registered_in_province_only = models.BooleanField(_("仅受理本省注册的申报主体"), default=False)
    basis = models.CharField(_("依据"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("推荐渠道规则")
        verbose_name_plural = _("推荐渠道规则")
        constraints = [models.UniqueConstraint(fields=["campaign", "province_code"], name="one_channel_rule_per_province")]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.province_name or self.province_code}"


class ProvinceRanking(models.Model):
    """A province's 2024 industrial value-added rank: the input of the excellent-tier quota. Seeded
    from the rules file (an estimate); ministry staff correct it (audited)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="province_rankings")
    province_code = models.CharField(_("省级代码"), max_length=6)
    province_name = models.CharField(_("省份"), max_length=32)
    rank = models.PositiveSmallIntegerField(_("排名"))
    is_estimate = models.BooleanField(_("估算值"), default=True)
    basis = models.CharField(_("依据"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("省级工业增加值排名")
        verbose_name_plural = _("省级工业增加值排名")
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["campaign", "province_code"], name="one_rank_per_province")]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.province_name} #{self.rank}"


class Quota(models.Model):
    """How many applications of a tier one recommender may recommend in a campaign. Exists for every
    recommender the notice names (31 provinces, XPCC, each central-SOE group), with or without users."""

    class Recommender(models.TextChoices):
        PROVINCE = "province", _("省（自治区、直辖市）")
        XPCC = "xpcc", _("新疆生产建设兵团")
        CENTRAL_SOE = "central_soe", _("中央企业集团")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="quotas")
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    recommender = models.CharField(_("推荐单位类型"), max_length=16, choices=Recommender.choices)
    province_code = models.CharField(_("省级代码"), max_length=6, blank=True)
    soe_group = models.ForeignKey(Authority, null=True, blank=True, on_delete=models.CASCADE, related_name="quotas")
    name = models.CharField(_("推荐单位"), max_length=128)
    quota = models.PositiveSmallIntegerField(_("名额"))
    basis = models.CharField(_("计算依据"), max_length=255)
    overridden = models.BooleanField(_("人工调整"), default=False)

    class Meta:
        verbose_name = _("推荐名额")
        verbose_name_plural = _("推荐名额")
        ordering = ["tier", "recommender", "province_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "tier", "province_code"], condition=Q(recommender="province"),
                                    name="one_quota_per_province_tier"),
            models.UniqueConstraint(fields=["campaign", "tier"], condition=Q(recommender="xpcc"), name="one_xpcc_quota_per_tier"),
            models.UniqueConstraint(fields=["campaign", "tier", "soe_group"], condition=Q(recommender="central_soe"),
                                    name="one_quota_per_soe_group_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.get_tier_display()} {self.name}: {self.quota}"


class PaperRequirement(models.Model):
    """How many paper copies of what a receiving desk requires for one tier (成都: 卓越级 summary table
    × 6, application materials × 3, commitment × 1, each with a stamped PDF scan; MIIT: book, table
    and letter × 1 for 卓越级 and 领航级; SASAC: the same from central SOEs, 卓越级). A requirement
    applies only to its tier and, when ``sender_kinds`` is set, only to senders of those kinds.
    Set only through ``recommendations.paper.set_requirement`` (audited)."""

    class Item(models.TextChoices):
        SUMMARY_TABLE = "summary_table", _("推荐汇总表")
        LETTER = "letter", _("推荐函")
        APPLICATION = "application", _("申报材料（申报书）")
        COMMITMENT = "commitment", _("真实性承诺书")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="paper_requirements")
    authority = models.ForeignKey(Authority, verbose_name=_("接收单位"), on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    item = models.CharField(_("材料"), max_length=16, choices=Item.choices)
    copies = models.PositiveSmallIntegerField(_("份数"))
    scan_required = models.BooleanField(_("须附扫描件（PDF）"), default=False)
    # AuthorityKind values of the sending level it applies to (e.g. ["central_soe"] for SASAC); empty: all
    sender_kinds = models.JSONField(_("适用的报送单位类型"), default=list, blank=True)
    basis = models.CharField(_("依据"), max_length=255, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("纸质材料要求")
        verbose_name_plural = _("纸质材料要求")
        ordering = ["tier", "item"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "authority", "tier", "item"], name="one_paper_rule_per_desk_tier_item"),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {self.get_tier_display()} {self.get_item_display()} × {self.copies}"


class CitySubQuota(models.Model):
    """A province's own limit for one of its cities inside the province's quota (e.g. Liaoning 2024:
    沈阳 ≤ 15, other cities ≤ 2). Set by the province's leader (audited)."""

    quota = models.ForeignKey(Quota, on_delete=models.CASCADE, related_name="city_subquotas")
    city_code = models.CharField(_("城市代码"), max_length=6)
    city_name = models.CharField(_("城市"), max_length=32)
    limit = models.PositiveSmallIntegerField(_("名额上限"))
    reason = models.CharField(_("依据"), max_length=255)
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("城市推荐名额")
        verbose_name_plural = _("城市推荐名额")
        constraints = [models.UniqueConstraint(fields=["quota", "city_code"], name="one_subquota_per_city")]

    def __str__(self) -> str:
        return f"{self.quota} · {self.city_name} ≤ {self.limit}"
