"""A recommender's batch of recommendations for one tier of a campaign: the priority order, the
leader's finalisation with the co-departments' concurrence, submission to MIIT, stamped scans."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartfactory.campaigns.models import Quota


class Batch(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("排序中")
        FINALISED = "finalised", _("已定稿")
        SUBMITTED = "submitted", _("已报送工业和信息化部")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quota = models.OneToOneField(Quota, on_delete=models.PROTECT, related_name="batch")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    concurrence = models.JSONField(_("联合部门会签"), default=list, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推荐批次")
        verbose_name_plural = _("推荐批次")

    def __str__(self) -> str:
        return f"{self.quota} · {self.get_status_display()}"


class BatchConcurrence(models.Model):
    """A co-department's concurrence (会签) with one priority order of a recommendation batch: given
    by the co-department's own account, or recorded by the recommender's leader with the
    co-department's letter number (文号). A concurrence counts only for the order it was given on
    (``order_hash``); reordering the batch asks for it again. Written only by
    ``recommendations.concurrence`` (audited); the finalise guard reads it."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="concurrences")
    authority = models.ForeignKey("organisations.Authority", verbose_name=_("会签部门"), on_delete=models.PROTECT,
                                  related_name="+")
    order = models.JSONField(_("会签时的推荐顺序"), default=list)
    order_hash = models.CharField(max_length=64)
    letter_number = models.CharField(_("会签函文号"), max_length=64, blank=True)
    opinion = models.CharField(_("会签意见"), max_length=255, blank=True)
    # empty only on rows imported with a prior year's history (there is no account to name)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("会签时间"), default=timezone.now)

    class Meta:
        verbose_name = _("推荐批次联合部门会签")
        verbose_name_plural = _("推荐批次联合部门会签")
        ordering = ["given_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "authority", "order_hash"],
                                               name="one_batch_concurrence_per_order")]

    def __str__(self) -> str:
        return f"{self.batch} · {self.authority}"


class LevelDossier(models.Model):
    """What an intermediate level (a district, a city) hands the level above for one tier of a
    campaign besides the online approvals: its stamped summary table and letter, scanned."""

    authority = models.ForeignKey("organisations.Authority", on_delete=models.PROTECT, related_name="dossiers")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="dossiers")
    tier = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "campaign", "tier"], name="one_dossier_per_level")]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.authority} {self.tier}"


class StampedScan(models.Model):
    """A stamped scan of a recommender's batch, or of an intermediate level's dossier (exactly one)."""

    class Kind(models.TextChoices):
        SUMMARY_TABLE = "summary_table", _("盖章的推荐汇总表")
        LETTER = "letter", _("盖章的推荐函")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.CASCADE, related_name="scans")
    dossier = models.ForeignKey(LevelDossier, null=True, blank=True, on_delete=models.CASCADE, related_name="scans")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="recommendations/%Y/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=models.Q(batch__isnull=False, dossier__isnull=True) | models.Q(batch__isnull=True, dossier__isnull=False),
            name="scan_of_batch_or_dossier")]

    def __str__(self) -> str:
        return self.original_name


class PaperReceipt(models.Model):
    """Paper copies a level received: what, for which tier, how many, from whom, when they arrived;
    for the application book the verification code printed in the footer names the version (copies of
    a superseded version do not count); a stamped PDF scan where the requirement asks for one."""

    receiving = models.ForeignKey("organisations.Authority", on_delete=models.PROTECT, related_name="paper_receipts")
    tier = models.CharField(max_length=16, blank=True)
    item = models.CharField(max_length=16)
    copies = models.PositiveSmallIntegerField()
    application = models.ForeignKey("applications.TierApplication", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="paper_receipts")
    sender_authority = models.ForeignKey("organisations.Authority", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="paper_sent")
    sender = models.CharField(max_length=128)
    verification_code = models.CharField(max_length=16, blank=True)
    matches_online = models.BooleanField(null=True)
    arrived_at = models.DateTimeField(_("送达时间"), null=True)
    scan = models.FileField(upload_to="paper/%Y/", blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.receiving} {self.item} × {self.copies}"


class AdvancedListReport(models.Model):
    """R4: a certifying authority (province, XPCC, central-SOE group) reports its certified 先进级 list
    to MIIT (central SOEs also to SASAC). The rows are frozen as sent, with their SM3 hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="advanced_reports")
    reporter = models.ForeignKey("organisations.Authority", verbose_name=_("报送单位"), on_delete=models.PROTECT,
                                 related_name="advanced_reports")
    number = models.PositiveSmallIntegerField(_("报送次序"), default=1)
    recipients = models.JSONField(_("接收单位"), default=list)
    rows = models.JSONField(_("名单"), default=list)
    content_hash = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("先进级名单报送")
        verbose_name_plural = _("先进级名单报送")
        ordering = ["-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["campaign", "reporter", "number"], name="one_report_number")]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.reporter} #{self.number}"

    @property
    def audit_key(self) -> str:
        return str(self.id)
