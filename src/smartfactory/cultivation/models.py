"""领航级 cultivation objects: a factory the six ministries selected for a cultivation period of at
most two years from the list's publication (the cultivation itself, reports and acceptance, build
on this)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartfactory.organisations.models import NameAtIssue


class CultivationObject(NameAtIssue, models.Model):
    class Status(models.TextChoices):
        CULTIVATING = "cultivating", _("培育中")
        ACCEPTED = "accepted", _("已验收")
        NOT_ACCEPTED = "not_accepted", _("未通过验收")
        CLOSED = "closed", _("到期关闭")
        TERMINATED = "terminated", _("终止培育")  # its 卓越级 revoked (supervision/consequences.py)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    factory = models.ForeignKey("organisations.Factory", on_delete=models.PROTECT, related_name="cultivations")
    application = models.OneToOneField("applications.TierApplication", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="cultivation")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="cultivations")
    list_number = models.CharField(_("名单编号"), max_length=64, blank=True)
    published_on = models.DateField(_("名单发布日期"))
    ends_on = models.DateField(_("培育期截止"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.CULTIVATING)
    # the national expert committee's members guiding this object (they may read it and write notes)
    guides = models.ManyToManyField("evaluation.ExpertProfile", blank=True, related_name="cultivations")
    closed_reason = models.TextField(blank=True)
    # the enterprise's registered name when the list was published: the public list keeps it
    enterprise_name = models.CharField(_("发布时企业名称"), max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("领航级培育对象")
        verbose_name_plural = _("领航级培育对象")
        ordering = ["-published_on", "factory"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("published_on")), name="cultivation_period_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.factory} · {self.get_status_display()}"


class CultivationTarget(models.Model):
    """A measurable target of the cultivation plan (from the application's 培育目标)."""

    cultivation = models.ForeignKey(CultivationObject, on_delete=models.CASCADE, related_name="targets")
    number = models.PositiveSmallIntegerField()
    indicator = models.CharField(_("指标"), max_length=200)
    target_value = models.CharField(_("目标值"), max_length=64)
    unit = models.CharField(_("单位"), max_length=32, blank=True)

    class Meta:
        ordering = ["cultivation", "number"]
        constraints = [models.UniqueConstraint(fields=["cultivation", "number"], name="one_target_per_number")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.target_value}{self.unit}"


class Milestone(models.Model):
    cultivation = models.ForeignKey(CultivationObject, on_delete=models.CASCADE, related_name="milestones")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("完成日期"))
    content = models.CharField(_("里程碑内容"), max_length=500)

    class Meta:
        ordering = ["cultivation", "due_on", "number"]

    def __str__(self) -> str:
        return f"{self.due_on} {self.content}"


class ProgressReport(models.Model):
    """One scheduled progress report: due on a date, submitted with the indicators' current values."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cultivation = models.ForeignKey(CultivationObject, on_delete=models.CASCADE, related_name="reports")
    sequence = models.PositiveSmallIntegerField(_("期次"))
    due_on = models.DateField(_("报送截止"))
    summary = models.TextField(_("进展情况"), blank=True)
    values = models.JSONField(_("指标当前值"), default=dict, blank=True)  # {target number: value}
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["cultivation", "sequence"]
        constraints = [models.UniqueConstraint(fields=["cultivation", "sequence"], name="one_report_per_period")]

    def __str__(self) -> str:
        return f"{self.cultivation} #{self.sequence}"


class GuidanceNote(models.Model):
    """A note of the national expert committee's guidance to the cultivation object."""

    cultivation = models.ForeignKey(CultivationObject, on_delete=models.CASCADE, related_name="guidance")
    author = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=64)
    text = models.TextField(_("指导意见"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.author_name} {self.created_at:%Y-%m-%d}"


class AcceptanceState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待推荐单位初审")
    RETURNED = "returned", _("初审退回修改")
    REJECTED = "rejected", _("初审不予推荐")
    FORWARDED = "forwarded", _("国家验收中")
    ACCEPTED = "accepted", _("通过验收")
    NOT_ACCEPTED = "not_accepted", _("未通过验收")
    EXTENDED = "extended", _("延期验收")


# submitted in time and not yet decided: the period's end does not close the object meanwhile
ACCEPTANCE_IN_PROGRESS = (AcceptanceState.SUBMITTED, AcceptanceState.RETURNED, AcceptanceState.FORWARDED)


class AcceptanceApplication(models.Model):
    """The enterprise's application for acceptance at the end of cultivation: the achieved value and
    evidence against each target. Its recommender reviews it first; the ministry then organises the
    expert acceptance as an evaluation of kind ``acceptance``. ``state`` is written only by
    ``acceptance.transition``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cultivation = models.ForeignKey(CultivationObject, on_delete=models.PROTECT, related_name="acceptances")
    state = models.CharField(_("状态"), max_length=16, choices=AcceptanceState.choices, default=AcceptanceState.DRAFT,
                             db_index=True)
    summary = models.TextField(_("培育工作总结"), blank=True)
    # {target number: {"value": achieved value, "evidence": how it is shown}}
    results = models.JSONField(_("目标达成情况"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(_("结论说明"), blank=True)
    extended_to = models.DateField(_("延期至"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("验收申请")
        verbose_name_plural = _("验收申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.cultivation.factory} · {self.get_state_display()}"


class AcceptanceEvidence(models.Model):
    """A file of evidence against one target (PDF or image, sniffed by content)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    acceptance = models.ForeignKey(AcceptanceApplication, on_delete=models.CASCADE, related_name="evidence")
    target_number = models.PositiveSmallIntegerField(_("培育目标"))
    file = models.FileField(upload_to="acceptance/%Y/")
    original_name = models.CharField(max_length=255)
    mime = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_number", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class AcceptanceReview(models.Model):
    """One action of the recommender's preliminary review: who, which authority, when, why."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("初审通过")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("不予推荐")

    acceptance = models.ForeignKey(AcceptanceApplication, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.TextField(blank=True)
    reviewer = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    authority = models.ForeignKey("organisations.Authority", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.decision} {self.created_at:%Y-%m-%d}"
