"""The typical-scenario case library (典型场景案例库). The public lists themselves need no table of
their own: they are the published, active rows of the tier history and the cultivation objects.

A case is written by ministry staff from one scenario of an excellent or leading factory's
application book. Only ``redacted_text`` is ever public, and only after the enterprise consented to
that exact text and a ministry user published it; ``original_text`` stays internal. ``status`` is
written only by ``workflow.transition_case``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartfactory.organisations.models import TierAward

from .enums import CaseStatus


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    award = models.ForeignKey(TierAward, verbose_name=_("层级认定记录"), on_delete=models.PROTECT, related_name="cases")
    # the scenario as the framework version named it when the case was created (data can change by year)
    framework_version = models.CharField(_("要素条件版本"), max_length=16)
    scenario_number = models.PositiveSmallIntegerField(_("场景编号"))
    scenario_name = models.CharField(_("场景名称"), max_length=64)
    link = models.CharField(_("环节编号"), max_length=8, db_index=True)
    link_name = models.CharField(_("环节"), max_length=32)
    title = models.CharField(_("案例标题"), max_length=120)
    original_text = models.TextField(_("申报书原文"), blank=True)
    source = models.CharField(_("原文出处"), max_length=200, blank=True)
    redacted_text = models.TextField(_("公开文本（脱敏后）"), blank=True)
    # scan of title and redacted text at the last save: [{"term", "place", "excerpt"}]
    findings = models.JSONField(_("脱敏检查结果"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.DRAFT,
                              db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    consent_requested_at = models.DateTimeField(_("请求确认时间"), null=True, blank=True)
    consent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    consent_at = models.DateTimeField(_("企业确认时间"), null=True, blank=True)
    consent_reason = models.TextField(_("企业意见"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("撤下原因"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("典型场景案例")
        verbose_name_plural = _("典型场景案例")
        ordering = ["scenario_number", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "scenario_number"], condition=~Q(status__in=["declined", "withdrawn"]),
                name="one_live_case_per_award_scenario",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False, consent_at__isnull=False),
                name="published_case_has_consent_and_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title
