"""Tier applications (先进级 now; 卓越级/领航级 build on the same workflow), their versions and the
review rows of each level. ``state`` is written only by ``workflow.transition``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from smartfactory.campaigns.models import Campaign
from smartfactory.organisations.enums import Tier
from smartfactory.organisations.models import Authority, Factory

from .enums import Action, State


class TierApplication(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    factory = models.ForeignKey(Factory, verbose_name=_("工厂"), on_delete=models.PROTECT, related_name="applications")
    campaign = models.ForeignKey(Campaign, verbose_name=_("年度行动"), on_delete=models.PROTECT, related_name="applications")
    tier = models.CharField(_("申报层级"), max_length=16, choices=Tier.choices)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True)
    # the review chain fixed at submission: [{"level": "county", "authority": "<uuid>"}, ...]
    chain = models.JSONField(_("审核链"), default=list)
    current_step = models.PositiveSmallIntegerField(_("当前审核步骤"), default=0)
    current_authority = models.ForeignKey(
        Authority, verbose_name=_("当前审核单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_by_step = models.PositiveSmallIntegerField(null=True, blank=True)
    content = models.JSONField(_("申报内容"), default=dict)
    version = models.PositiveIntegerField(_("版本"), default=0)
    assessment_verdict = models.JSONField(_("提交时的自评结果"), null=True, blank=True)
    certificate_no = models.CharField(_("证书编号"), max_length=64, blank=True)
    # excellent / leading: the quota the recommendation draws on and its place in the priority order
    quota = models.ForeignKey("campaigns.Quota", null=True, blank=True, on_delete=models.PROTECT, related_name="applications")
    priority = models.PositiveSmallIntegerField(_("推荐顺序"), null=True, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    # confidentiality scan at the last submit: findings and the enterprise's justification (reviewers see both)
    confidentiality = models.JSONField(_("保密审查"), default=dict, blank=True)
    confidentiality_justification = models.TextField(_("保密审查说明"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    province_code = models.CharField(max_length=6, db_index=True)

    class Meta:
        verbose_name = _("层级申报")
        verbose_name_plural = _("层级申报")
        constraints = [
            models.UniqueConstraint(
                fields=["factory", "campaign", "tier"], condition=~models.Q(state__in=["withdrawn", "rejected"]),
                name="one_live_application_per_factory_tier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.factory} · {self.campaign.year} {self.get_tier_display()}"

    @property
    def subject_label(self) -> str:
        """The application in words, for confirmations and messages: "蜀都一号工厂 · 2041年度先进级"."""
        return str(_("%(f)s · %(y)s年度%(t)s") % {"f": self.factory.name, "y": self.campaign.year,
                                                 "t": self.get_tier_display()})

    @cached_property
    def evaluation(self):
        """The national evaluation of this recommendation (the selection; a 领航级 object's later
        acceptance evaluations are in ``evaluations`` too), or None."""
        return self.evaluations.filter(kind="selection").first()


class ApplicationVersion(models.Model):
    """The content as submitted each time (first submission and every resubmission): an immutable
    snapshot with its SM3 hash and the short code printed on every page of the paper copy."""

    application = models.ForeignKey(TierApplication, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    snapshot = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64, blank=True)
    verification_code = models.CharField(max_length=16, blank=True, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="one_version_number")]

    def __str__(self) -> str:
        return f"{self.application} v{self.number}"


class Review(models.Model):
    """One action at one level: who, which level and authority, the decision, the reason, when."""

    application = models.ForeignKey(TierApplication, on_delete=models.CASCADE, related_name="reviews")
    step = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=16)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=24, choices=Action.choices)
    reason = models.TextField(blank=True)
    version_reviewed = models.PositiveIntegerField()
    concurrence = models.JSONField(default=list, blank=True)  # co-departments recorded at certification
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.level} {self.decision}"


class BookEntry(models.Model):
    """One autosaved entry of an application book (key from the material checklist, e.g.
    ``part1.revenue``, ``scenario.24``); ``version`` increases with every save (409 when stale)."""

    application = models.ForeignKey(TierApplication, on_delete=models.CASCADE, related_name="book")
    key = models.CharField(max_length=64)
    value = models.JSONField(null=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "key"], name="one_book_entry_per_key")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Attachment(models.Model):
    """A file of an application: checked by content, hashed, stored under a random name, scanned for
    classification markings; downloads only within scope."""

    class Kind(models.TextChoices):
        CMMM_REPORT = "cmmm_report", _("智能制造能力成熟度自评估报告")
        TIER_PROOF = "tier_proof", _("已获评层级证明")
        VIDEO = "video", _("工厂视频")
        COMMITMENT = "commitment", _("签字盖章的真实性承诺书")
        OTHER = "other", _("其他证明材料")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(TierApplication, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="applications/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    findings = models.JSONField(default=list, blank=True)
    # why the confidentiality scan could not read the file (no OCR, timed out, damaged): the reviewer checks it
    manual_check = models.CharField(_("需人工核查"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class IssuedCommitment(models.Model):
    """A commitment form the platform generated (PDF or DOCX), by its SHA-256: the same bytes
    uploaded as the signed and stamped scan are refused (R8)."""

    application = models.ForeignKey(TierApplication, on_delete=models.CASCADE, related_name="issued_commitments")
    format = models.CharField(max_length=8)
    sha256 = models.CharField(max_length=64, db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "sha256"], name="one_issue_per_commitment_hash")]

    def __str__(self) -> str:
        return f"{self.application} {self.format} {self.sha256[:12]}"


class Concurrence(models.Model):
    """A co-department's concurrence (会签) with certifying one version of a 先进级 application:
    given by the co-department's own account, or recorded by the lead department with the
    co-department's letter number (文号). Written only by ``concurrence.give_concurrence`` and
    ``concurrence.record_concurrence_letter`` (audited); the certify guard reads it."""

    application = models.ForeignKey(TierApplication, on_delete=models.CASCADE, related_name="concurrences")
    authority = models.ForeignKey(Authority, verbose_name=_("会签部门"), on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("会签版本"))
    letter_number = models.CharField(_("会签函文号"), max_length=64, blank=True)
    opinion = models.CharField(_("会签意见"), max_length=255, blank=True)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                 related_name="+")
    given_at = models.DateTimeField(_("会签时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联合部门会签")
        verbose_name_plural = _("联合部门会签")
        ordering = ["given_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "authority", "version"], name="one_concurrence_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.authority} v{self.version}"
