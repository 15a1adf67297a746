"""Checks of a campaign's set-up, shared by the ministry's and the provinces' settings services.

They only read; each raises a ``ProgrammeError`` naming the field to correct. Guards of the
programme rules carry their ids (``smartfactory.guards``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartfactory.errors import InvalidInput
from smartfactory.frameworks.models import FrameworkVersion
from smartfactory.guards import guard
from smartfactory.organisations.enums import Tier

from .enums import CampaignStatus, Stage
from .models import Campaign, StageDeadline

# The review levels a province may put in its chain, in the only order they may appear.
CHAIN_LEVELS = ("county", "city", "province")
CHAIN_LEVEL_LABELS = {"county": gettext_lazy("区县"), "city": gettext_lazy("市（州）"), "province": gettext_lazy("省级")}
# Tiers whose applications go through a province's review chain (basic is self-declared).
CHAIN_TIERS = (Tier.ADVANCED, Tier.EXCELLENT, Tier.LEADING)


def _when(value: datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


@guard("R1", "P60")
def campaign_setup_valid(
    *, year: int, framework_version: str, tiers_open: list[str], status: str, campaign: Campaign | None = None
) -> None:
    """One campaign per year; the framework version is one the platform has loaded (R1 pins it per
    campaign, so it must be something the engine can score); the tiers are the four tiers."""
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput(_("请填写有效的年度（2000–2100）。"), field="year")
    others = Campaign.objects.filter(year=year)
    if campaign is not None:
        others = others.exclude(pk=campaign.pk)
    if others.exists():
        raise InvalidInput(_("%(y)s年度行动已存在，每个年度只能设立一个年度行动。") % {"y": year}, field="year")
    if not FrameworkVersion.objects.filter(version=framework_version).exists():
        loaded = "、".join(FrameworkVersion.objects.order_by("version").values_list("version", flat=True)) or "—"
        raise InvalidInput(
            _("要素条件版本“%(v)s”尚未加载，请选择已加载的版本：%(l)s。") % {"v": framework_version, "l": loaded},
            field="framework_version",
        )
    unknown = [t for t in tiers_open if t not in Tier.values]
    if unknown:
        raise InvalidInput(_("未知的层级：%(t)s") % {"t": "、".join(unknown)}, field="tiers_open")
    if status not in CampaignStatus.values:
        raise InvalidInput(_("未知的状态：%(s)s") % {"s": status}, field="status")


@guard("P61")
def stages_in_order(campaign: Campaign, *, stage: str, tier: str, deadline: datetime) -> None:
    """National deadlines fall in stage order (``Stage`` lists them as they fall): a stage's deadline
    is not before an earlier stage's nor after a later stage's, for every tier it applies to. The
    deadline service bounds each level by the later stages too (``binding_bound``)."""
    if tier and tier not in Tier.values:
        raise InvalidInput(_("未知的层级：%(t)s") % {"t": tier}, field="tier")
    order = list(Stage.values)
    rows = list(StageDeadline.objects.filter(campaign=campaign).exclude(stage=stage, tier=tier))
    specific = {(r.stage, r.tier) for r in rows if r.tier}
    tiers = [tier] if tier else ["", *sorted({r.tier for r in rows if r.tier})]
    for t in tiers:
        if not tier and t and (stage, t) in specific:
            continue  # this tier has its own deadline for the stage: the default does not apply to it
        effective = {r.stage: r.deadline for r in rows if r.tier == ""}
        effective.update({r.stage: r.deadline for r in rows if t and r.tier == t})
        for other, when in effective.items():
            if other == stage:
                continue
            earlier = order.index(other) < order.index(stage)
            if (earlier and when > deadline) or (not earlier and when < deadline):
                template = (
                    _("“%(stage)s”的截止时间（%(mine)s）不能早于在先环节“%(other)s”的截止时间（%(when)s）。")
                    if earlier else
                    _("“%(stage)s”的截止时间（%(mine)s）不能晚于在后环节“%(other)s”的截止时间（%(when)s）。")
                )
                raise InvalidInput(template % {
                    "stage": Stage(stage).label, "mine": _when(deadline), "other": Stage(other).label, "when": _when(when),
                }, field="deadline")


@guard("R3", "P63")
def valid_review_chain(*, tier: str, levels: list[str]) -> None:
    """A province's chain: levels from county, city, province, each at most once, in that order,
    ending at the province (which certifies or recommends)."""
    if tier not in CHAIN_TIERS:
        raise InvalidInput(_("只有先进级、卓越级、领航级设有审核链。"), field="tier")
    if not levels or any(level not in CHAIN_LEVELS for level in levels):
        raise InvalidInput(_("审核层级只能从区县、市（州）、省级中选择。"), field="levels")
    positions = [CHAIN_LEVELS.index(level) for level in levels]
    if positions != sorted(set(positions)):
        raise InvalidInput(_("审核层级须按区县 → 市（州） → 省级的顺序排列，且不能重复。"), field="levels")
    if levels[-1] != "province":
        raise InvalidInput(_("审核链须以省级结束（由省级认定或推荐）。"), field="levels")
