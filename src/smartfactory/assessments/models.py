"""Self-assessments against the campaign's framework, their answers (autosaved, optimistically
versioned), evidence files, and the basic-tier declaration (an immutable, hashed snapshot)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartfactory.campaigns.models import Campaign
from smartfactory.organisations.enums import Tier
from smartfactory.organisations.models import Factory


class SelfAssessment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    factory = models.ForeignKey(Factory, verbose_name=_("工厂"), on_delete=models.PROTECT, related_name="assessments")
    campaign = models.ForeignKey(Campaign, verbose_name=_("年度行动"), on_delete=models.PROTECT, related_name="assessments")
    framework_version = models.CharField(_("要素条件版本"), max_length=16)
    # the verdict of the answers as last scored, with the thresholds it was scored under
    # the facts the answers amount to (what the engine reads): re-scoring needs only this column
    facts = models.JSONField(_("评估事实"), null=True, blank=True)
    verdict = models.JSONField(_("评估结果"), null=True, blank=True)
    attained_tier = models.CharField(_("达到层级"), max_length=16, choices=Tier.choices, blank=True, db_index=True)
    scored_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    scored_thresholds = models.JSONField(_("评估所用阈值"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("自评估")
        verbose_name_plural = _("自评估")
        constraints = [models.UniqueConstraint(fields=["factory", "campaign"], name="one_assessment_per_factory_campaign")]

    def __str__(self) -> str:
        return f"{self.factory} · {self.campaign.year}"


class Answer(models.Model):
    """One answer of a questionnaire item (key from the framework, e.g. ``br:BR3``, ``scn:24:ai``).
    ``version`` increases with every save; a save naming an older version is refused (409)."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    key = models.CharField(max_length=48)
    value = models.JSONField(null=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("答题")
        verbose_name_plural = _("答题")
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.key}={self.value!r} (v{self.version})"


class Evidence(models.Model):
    """A file supporting an answer (the c3mep CMMM report, a scenario's evidence). Stored under a
    random name; downloads go through a scoped view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="evidence")
    key = models.CharField(max_length=48)
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")

    def __str__(self) -> str:
        return self.original_name


class BasicDeclaration(models.Model):
    """基础级 declared for a campaign: the answers and verdict frozen, with their SM3 hash."""

    factory = models.ForeignKey(Factory, verbose_name=_("工厂"), on_delete=models.PROTECT, related_name="basic_declarations")
    campaign = models.ForeignKey(Campaign, verbose_name=_("年度行动"), on_delete=models.PROTECT, related_name="+")
    assessment = models.OneToOneField(SelfAssessment, on_delete=models.PROTECT, related_name="declaration")
    snapshot = models.JSONField(_("声明快照"))
    snapshot_hash = models.CharField(_("快照哈希（SM3）"), max_length=64)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField(_("声明时间"), auto_now_add=True)
    # denormalised for list filters by jurisdiction (copied from the enterprise at declaration)
    province_code = models.CharField(max_length=6, db_index=True)
    city_code = models.CharField(max_length=6, db_index=True)

    class Meta:
        verbose_name = _("基础级声明")
        verbose_name_plural = _("基础级声明")
        constraints = [models.UniqueConstraint(fields=["factory", "campaign"], name="one_basic_declaration_per_campaign")]

    def __str__(self) -> str:
        return f"{self.factory} · {self.campaign.year} 基础级"
