"""Builders for the public site: awards as they stand after a list was published, and the closed
campaign of a year."""

from __future__ import annotations

from datetime import date

import factory as fb
from django.utils import timezone
from factory.django import DjangoModelFactory

from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign
from smartfactory.organisations.enums import AwardStatus, Tier
from smartfactory.organisations.models import TierAward
from smartfactory.publicsite.enums import CaseStatus
from smartfactory.publicsite.models import Case
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
    return f.CampaignFactory(year=year, name=f"{year}年度智能工厂梯度培育行动", tiers_open=list(Tier.values),
                             status=CampaignStatus.CLOSED)


# ------------------------------------------------------------------ factory_boy
class CaseFactory(DjangoModelFactory):
    """A typical-scenario case of a published award, published (consent given to its text)."""

    class Meta:
        model = Case

    award = fb.LazyFunction(lambda: published(f.factory(f.enterprise("510107")), Tier.EXCELLENT, 2025))
    framework_version = "2025"
    scenario_number = 24
    scenario_name = "质量精准追溯"
    link = "L05"
    link_name = "生产作业"
    title = fb.Sequence(lambda n: f"视觉检测案例{n}")
    redacted_text = "应用机器视觉实现在线检测，漏检率下降。"
    status = CaseStatus.PUBLISHED
    consent_at = fb.LazyFunction(timezone.now)
    published_at = fb.LazyFunction(timezone.now)
