"""Builders for the public side: published awards in several provinces, years, tiers and
industries, and awards that must never be public (revoked, suspended, unpublished, announced for a
later date)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign
from smartfactory.organisations.enums import AwardStatus, Tier
from smartfactory.organisations.models import TierAward
from tests import factories as f


def published(factory, tier: str, year: int = 2025, *, status: str = AwardStatus.ACTIVE, on: date | None = None,
              unpublished: bool = False, certificate_no: str | None = None) -> TierAward:
    """An award as it stands after a national or provincial list was published (on 1 November of
    its year unless ``on`` says otherwise; ``unpublished`` leaves it off every list)."""
    award = f.award(factory, tier, year)
    award.published_on = None if unpublished else (on or date(year, 11, 1))
    award.status = status
    award.certificate_no = certificate_no or f"{tier[:3].upper()}-{year}-{award.pk:05d}"
    award.save(update_fields=["published_on", "status", "certificate_no"])
    return award


def campaign(year: int = 2025) -> Campaign:
    return Campaign.objects.get_or_create(year=year, defaults={
        "name": f"{year}年度智能工厂梯度培育行动", "framework_version": "2025",
        "tiers_open": list(Tier.values), "status": CampaignStatus.CLOSED,
    })[0]


@pytest.fixture
def lists():
    """Public and non-public awards. Keys name the awards; ``public`` lists the certificate numbers
    that may appear on the current list."""
    sichuan = f.enterprise("510107", name="蜀都装备有限公司", industry="34")
    mianyang = f.enterprise("510703", name="涪城电子有限公司", industry="39")
    zhejiang = f.enterprise("330106", name="西湖化工有限公司", industry="26")
    beijing = f.enterprise("110108", name="海淀智造有限公司", industry="34")
    a = {
        "sc_excellent_2025": published(f.factory(sichuan), Tier.EXCELLENT, 2025),
        "my_advanced_2025": published(f.factory(mianyang), Tier.ADVANCED, 2025),
        "zj_leading_2025": published(f.factory(zhejiang), Tier.LEADING, 2025),
        "bj_excellent_2024": published(f.factory(beijing), Tier.EXCELLENT, 2024),
        # never on the current list
        "revoked": published(f.factory(sichuan, name="撤销工厂"), Tier.EXCELLENT, 2025, status=AwardStatus.REVOKED,
                             certificate_no="REVOKED-1"),
        "suspended": published(f.factory(zhejiang, name="暂停工厂"), Tier.ADVANCED, 2025, status=AwardStatus.SUSPENDED,
                               certificate_no="SUSPENDED-1"),
        "unpublished": published(f.factory(beijing, name="未公布工厂"), Tier.ADVANCED, 2025, unpublished=True,
                                 certificate_no="UNPUBLISHED-1"),
        "future": published(f.factory(mianyang, name="待公布工厂"), Tier.EXCELLENT, 2025,
                            on=timezone.localdate() + timedelta(days=30), certificate_no="FUTURE-1"),
    }
    a["hidden"] = {"REVOKED-1", "SUSPENDED-1", "UNPUBLISHED-1", "FUTURE-1"}
    a["public"] = {a[k].certificate_no for k in ("sc_excellent_2025", "my_advanced_2025", "zj_leading_2025",
                                                 "bj_excellent_2024")}
    return a
