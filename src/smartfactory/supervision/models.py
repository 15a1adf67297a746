"""Supervision of awarded factories: a case against one award (notice, the enterprise's response, a
decision with reasons), and the yearly re-check of the basic requirements.

A case's ``state`` is written only by ``workflow.transition``; the award's status, reason and the
time it changed (``TierAward.status``, ``status_reason``, ``status_changed_at``) follow from the
decision in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import OPEN_STATES, CaseKind, CaseState, ItemResult, Measure, RoundState


def end_of_day(day: date) -> datetime:
    """The instant a day ends in Beijing time (24:00, i.e. 00:00 of the next day): a period that runs
    "until" a date includes that whole day, and the action is refused from this instant on."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


class SupervisionCase(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    award = models.ForeignKey("organisations.TierAward", verbose_name=_("层级认定记录"), on_delete=models.PROTECT,
                              related_name="supervision_cases")
    opened_by_authority = models.ForeignKey("organisations.Authority", verbose_name=_("立案单位"),
                                            on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("立案时间"))
    kind = models.CharField(_("事项类别"), max_length=32, choices=CaseKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("事实和依据"))
    measure = models.CharField(_("拟采取措施"), max_length=16, choices=Measure.choices)
    state = models.CharField(_("状态"), max_length=24, choices=CaseState.choices, default=CaseState.NOTIFIED)
    response_due = models.DateField(_("陈述申辩截止日期"))
    response = models.TextField(_("企业陈述申辩意见"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    lift_reason = models.TextField(_("解除暂停理由"), blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    # the re-check confirmation the case was opened from, if any
    recheck_item = models.ForeignKey("RecheckItem", verbose_name=_("年度复核"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="cases")

    class Meta:
        verbose_name = _("监督事项")
        verbose_name_plural = _("监督事项")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["award"], condition=Q(state__in=sorted(OPEN_STATES)),
                                    name="one_open_supervision_case_per_award"),
        ]

    def __str__(self) -> str:
        return f"{self.award} · {self.get_kind_display()} · {self.get_state_display()}"

    @property
    def audit_key(self) -> str:
        return str(self.id)

    @property
    def response_deadline(self) -> datetime:
        return end_of_day(self.response_due)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RecheckRound(models.Model):
    """The yearly re-check of the basic requirements MIIT opens for a campaign: every factory holding
    an active award from an earlier year confirms them by ``due_on`` (inclusive)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("年度行动"), on_delete=models.PROTECT,
                                 related_name="recheck_rounds")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("发起时间"))
    due_on = models.DateField(_("确认截止日期"))
    state = models.CharField(_("状态"), max_length=16, choices=RoundState.choices, default=RoundState.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = _("基本要求年度复核")
        verbose_name_plural = _("基本要求年度复核")
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["campaign"], name="one_recheck_round_per_campaign")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_state_display()}"

    @property
    def audit_key(self) -> str:
        return str(self.id)

    @property
    def deadline(self) -> datetime:
        return end_of_day(self.due_on)


class RecheckItem(models.Model):
    """One factory's confirmation in a round, for its highest active award. ``requirements`` is the
    list of basic requirements of that tier as the campaign's framework stated them when the round
    opened; ``answers`` maps each requirement id to the enterprise's yes/no."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(RecheckRound, on_delete=models.CASCADE, related_name="items")
    award = models.ForeignKey("organisations.TierAward", verbose_name=_("层级认定记录"), on_delete=models.PROTECT,
                              related_name="recheck_items")
    requirements = models.JSONField(_("基本要求"), default=list)  # [{"id": "BR1", "name": "…"}]
    answers = models.JSONField(_("确认情况"), default=dict, blank=True)  # {"BR1": true}
    result = models.CharField(_("复核结果"), max_length=8, choices=ItemResult.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = _("年度复核确认")
        verbose_name_plural = _("年度复核确认")
        ordering = ["round", "award__factory__enterprise__name", "award__factory__name"]
        constraints = [models.UniqueConstraint(fields=["round", "award"], name="one_recheck_item_per_award")]

    def __str__(self) -> str:
        return f"{self.round} · {self.award}"

    @property
    def audit_key(self) -> str:
        return str(self.id)

    @property
    def stage(self) -> str:
        """The item's life, derived from its fields (``recheck_item_workflow``): pending → confirmed."""
        return "confirmed" if self.confirmed_at else "pending"

    def unmet(self) -> list[dict]:
        """The requirements the enterprise said it no longer meets."""
        return [r for r in self.requirements if self.answers.get(r["id"]) is False]
