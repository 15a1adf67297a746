"""The national evaluation of recommended 卓越级 and 领航级 applications: the formal check, the expert
pool with its conflicts, assignments and scores, the on-site verification, the public notice (公示)
with objections, and the six ministries' joint decision. ``Evaluation.state`` is written only by
``workflow.transition``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartfactory.organisations.enums import Tier


class EvaluationState(models.TextChoices):
    AWAITING_CHECK = "awaiting_check", _("待形式审查")
    RETURNED = "returned", _("形式审查退回推荐单位")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SITE_VISIT = "site_visit", _("现场核查")
    PROPOSED = "proposed", _("拟入选（公示）")
    APPROVED = "approved", _("审定通过")
    NOT_APPROVED = "not_approved", _("未通过")
    DEFERRED = "deferred", _("延期验收")


class EvaluationKind(models.TextChoices):
    SELECTION = "selection", _("评审遴选")
    ACCEPTANCE = "acceptance", _("领航级验收")


ACCEPTANCE_STATE_LABELS = {
    EvaluationState.PROPOSED: _("拟通过验收（公示）"),
    EvaluationState.APPROVED: _("验收通过"),
    EvaluationState.NOT_APPROVED: _("验收未通过"),
}


class Evaluation(models.Model):
    """The national track of one application the recommender submitted to MIIT."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey("applications.TierApplication", on_delete=models.PROTECT, related_name="evaluations")
    # a selection (the national evaluation of a recommendation) or the acceptance of a 领航级
    # cultivation object, which reuses the same steps on the same application
    kind = models.CharField(_("类别"), max_length=12, choices=EvaluationKind.choices, default=EvaluationKind.SELECTION)
    acceptance = models.OneToOneField("cultivation.AcceptanceApplication", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="evaluation")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="evaluations")
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    state = models.CharField(_("状态"), max_length=16, choices=EvaluationState.choices,
                             default=EvaluationState.AWAITING_CHECK, db_index=True)
    auto_checks = models.JSONField(_("自动检查结果"), default=list, blank=True)
    formal_verdict = models.CharField(_("形式审查结论"), max_length=8, blank=True)
    formal_reasons = models.TextField(_("形式审查意见"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    publicity = models.ForeignKey("Publicity", null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations")
    outcome_reason = models.TextField(_("结论说明"), blank=True)
    certificate_no = models.CharField(_("证书编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("国家评审")
        verbose_name_plural = _("国家评审")
        ordering = ["campaign", "tier", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=models.Q(kind="selection"),
                                    name="one_selection_per_application"),
            models.CheckConstraint(condition=models.Q(kind="selection", acceptance__isnull=True)
                                   | models.Q(kind="acceptance", acceptance__isnull=False), name="acceptance_kind_matches"),
        ]

    def __str__(self) -> str:
        return f"{self.application.factory} · {self.get_state_display()}"

    def state_label(self) -> str:
        """The state as its readers say it: an acceptance is proposed as accepted, not selected."""
        if self.kind == EvaluationKind.ACCEPTANCE and self.state in ACCEPTANCE_STATE_LABELS:
            return str(ACCEPTANCE_STATE_LABELS[self.state])
        return str(self.get_state_display())

    def subject_label(self) -> str:
        """The tier, and whether this is the acceptance of a cultivation object."""
        label = str(self.get_tier_display())
        return f"{label} · {_('验收')}" if self.kind == EvaluationKind.ACCEPTANCE else label


class ExpertProfile(models.Model):
    """An expert of the national pool: organisation (and its USCC), region, industries and scenarios
    of expertise, the cap of applications per round."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile")
    name = models.CharField(_("姓名"), max_length=64)
    organisation = models.CharField(_("工作单位"), max_length=128)
    organisation_uscc = models.CharField(_("工作单位统一社会信用代码"), max_length=18, blank=True, db_index=True)
    soe_group = models.ForeignKey("organisations.Authority", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("所属中央企业集团"))
    province_code = models.CharField(_("所在省份"), max_length=6, blank=True)
    industries = models.JSONField(_("擅长行业（大类代码）"), default=list, blank=True)
    scenarios = models.JSONField(_("擅长场景（编号）"), default=list, blank=True)
    max_load = models.PositiveSmallIntegerField(_("每轮评审上限"), default=12)
    active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"


class DeclaredConflict(models.Model):
    """A conflict the expert declared, or a recorded advisory relationship with an enterprise."""

    class Kind(models.TextChoices):
        DECLARED = "declared", _("本人申报的利益冲突")
        ADVISED = "advised", _("曾提供咨询服务")

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="conflicts")
    enterprise = models.ForeignKey("organisations.Enterprise", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "enterprise", "kind"], name="one_conflict_per_kind")]

    def __str__(self) -> str:
        return f"{self.expert} · {self.get_kind_display()}"


class Assignment(models.Model):
    class Role(models.TextChoices):
        PANEL = "panel", _("评审专家")
        THIRD = "third", _("第三方专家（分歧复核）")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="assignments")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.PANEL)
    due_at = models.DateTimeField(_("评分截止"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # the expert's scores: {criterion key: 0..100}, comments, the weighted total
    scores = models.JSONField(default=dict, blank=True)
    comments = models.JSONField(default=dict, blank=True)
    total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "expert"], name="one_assignment_per_expert")]

    def __str__(self) -> str:
        return f"{self.expert} → {self.evaluation}"

    @property
    def stage(self) -> str:
        """The assignment's life, derived from its fields (``assignment_workflow``)."""
        if self.submitted_at:
            return "scored"
        return "open" if self.evaluation.state == EvaluationState.EXPERT_REVIEW else "closed"


class SiteVisit(models.Model):
    """On-site verification: a conflict-checked team, a date agreed with the enterprise, a checklist
    from the scenarios the application claims, findings per item with photos, and an outcome."""

    class Outcome(models.TextChoices):
        PASS = "pass", _("核查通过")
        FAIL = "fail", _("核查未通过")

    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="site_visit")
    team = models.ManyToManyField(ExpertProfile, related_name="site_visits")
    scheduled_for = models.DateField(_("核查日期"))
    agreed_at = models.DateTimeField(_("企业确认时间"), null=True, blank=True)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checklist = models.JSONField(default=list)
    findings = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(_("核查结论"), max_length=8, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.scheduled_for}"

    @property
    def stage(self) -> str:
        """The visit's life, derived from its fields (``site_visit_workflow``)."""
        if self.outcome:
            return "recorded"
        if self.evaluation.state != EvaluationState.SITE_VISIT:
            return "ended"
        return "agreed" if self.agreed_at else "proposed"


class SiteVisitPhoto(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(SiteVisit, on_delete=models.CASCADE, related_name="photos")
    item = models.CharField(max_length=32)
    file = models.FileField(upload_to="site-visits/%Y/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class Publicity(models.Model):
    """A proposed list published for objections (公示); final once its period is over and every
    objection is handled, then the six ministries decide on it."""

    class Status(models.TextChoices):
        OPEN = "open", _("公示中")
        FINAL = "final", _("公示结束")
        DECIDED = "decided", _("已审定")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="publicities")
    tier = models.CharField(max_length=16, choices=Tier.choices)
    kind = models.CharField(_("类别"), max_length=12, choices=EvaluationKind.choices, default=EvaluationKind.SELECTION)
    title = models.CharField(_("标题"), max_length=200)
    starts_at = models.DateTimeField(_("公示开始"))
    ends_at = models.DateTimeField(_("公示结束"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    # the six ministries' concurrence: [{"authority": id, "name", "by", "at"}]
    concurrences = models.JSONField(default=list, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_number = models.CharField(_("发文字号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class Objection(models.Model):
    """An objection from the public during 公示. Contact details are required and stored encrypted."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="objections")
    submitter_name = models.CharField(_("异议人"), max_length=64)
    contact_encrypted = models.TextField(_("联系方式（加密）"))
    content = models.TextField(_("异议内容"))
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    handling = models.TextField(_("处理情况"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return f"{self.submitter_name} · {self.get_status_display()}"
