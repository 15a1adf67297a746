"""领航级 cultivation objects: a factory the six ministries selected for a cultivation period of at
most two years from the list's publication (the cultivation itself, reports and acceptance, build
on this)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class CultivationObject(models.Model):
    class Status(models.TextChoices):
        CULTIVATING = "cultivating", _("培育中")
        ACCEPTED = "accepted", _("已验收")
        NOT_ACCEPTED = "not_accepted", _("未通过验收")
        CLOSED = "closed", _("到期关闭")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    factory = models.ForeignKey("organisations.Factory", on_delete=models.PROTECT, related_name="cultivations")
    application = models.OneToOneField("applications.TierApplication", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="cultivation")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="cultivations")
    list_number = models.CharField(_("名单编号"), max_length=64, blank=True)
    published_on = models.DateField(_("名单发布日期"))
    ends_on = models.DateField(_("培育期截止"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.CULTIVATING)
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
