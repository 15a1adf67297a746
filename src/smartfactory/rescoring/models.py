"""Re-scoring jobs: after a campaign's threshold changes, every self-assessment of the campaign is
evaluated again in the background (``runner.rescore_campaign``). A job row is what the ministry
page polls for progress; it is written only by ``services``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartfactory.campaigns.models import Campaign


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class RescoreJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, verbose_name=_("年度行动"), on_delete=models.CASCADE,
                                 related_name="rescore_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("原因"), max_length=255, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(_("自评估总数"), default=0)
    done = models.PositiveIntegerField(_("已重新评估"), default=0)
    changed = models.PositiveIntegerField(_("层级变化数"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重新评估任务")
        verbose_name_plural = _("重新评估任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign.year} · {self.get_status_display()} · {self.done}/{self.total}"

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
