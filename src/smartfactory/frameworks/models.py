"""Versioned element conditions (要素条件) and the scenario catalogue (场景指引), loaded from data files.

The whole version is kept as one JSON document (what was loaded, with its sources and confidence);
``spec.FrameworkSpec`` is the typed view the engine works on. A new year is a new data file."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameworkVersion(models.Model):
    version = models.CharField(_("版本"), max_length=16, unique=True)
    title = models.CharField(_("名称"), max_length=128)
    document = models.JSONField(_("内容"))
    content_hash = models.CharField(_("内容哈希"), max_length=64)
    loaded_at = models.DateTimeField(_("加载时间"), auto_now=True)

    class Meta:
        verbose_name = _("要素条件版本")
        verbose_name_plural = _("要素条件版本")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"
