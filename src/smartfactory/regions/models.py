"""Administrative divisions (GB/T 2260) and the industry classification (GB/T 4754-2017).

Both are reference data loaded from versioned files under ``regions/data/`` by idempotent
commands; codes are never deleted, only closed with ``valid_to`` (enterprises keep old codes).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")


class Division(models.Model):
    """One administrative division. XPCC (新疆生产建设兵团) is a province-level unit of its own."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    province_code = models.CharField(_("所属省级代码"), max_length=6, db_index=True)
    city_code = models.CharField(_("所属地级代码"), max_length=6, blank=True, db_index=True)
    is_separately_planned = models.BooleanField(_("计划单列市"), default=False)
    is_xpcc = models.BooleanField(_("兵团"), default=False)
    is_development_zone = models.BooleanField(
        _("开发区等统计单元"), default=False, help_text=_("统计用区划中的开发区、新区（代码第5–6位为71–79）")
    )
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)
    source_version = models.CharField(_("数据来源版本"), max_length=64)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def full_name(self) -> str:
        names = []
        node: Division | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Industry(models.Model):
    """A node of GB/T 4754-2017 (with Amendment No. 1, 2019): 门类 (A–T) or 大类 (two digits)."""

    class Level(models.TextChoices):
        SECTION = "section", _("门类")
        DIVISION = "division", _("大类")

    code = models.CharField(_("行业代码"), max_length=4, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    section = models.CharField(_("门类"), max_length=1, db_index=True)
    is_industrial = models.BooleanField(_("工业"), default=False, help_text=_("B 采矿业、C 制造业、D 电力、热力、燃气及水生产和供应业"))
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)
    source_version = models.CharField(_("数据来源版本"), max_length=64)

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
