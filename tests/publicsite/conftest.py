"""Builders for the public side: published awards in several provinces, years, tiers and
industries, and awards that must never be public (revoked, suspended, unpublished, announced for a
later date)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartfactory.organisations.enums import AwardStatus, Tier
from tests import factories as f
from tests.factories.publicsite import published


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
