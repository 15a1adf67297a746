"""factory_boy factories for the campaigns app: the yearly campaign, its stage deadlines and the
deadlines an authority sets for the levels below it."""

from __future__ import annotations

import factory as fb
from factory.django import DjangoModelFactory

from smartfactory.campaigns.enums import CampaignStatus, Stage
from smartfactory.campaigns.models import Campaign, DeadlineOverride, StageDeadline


class CampaignFactory(DjangoModelFactory):
    """An open campaign on the 2025 framework (years are unique: give one or take the next free one
    from 2100 on)."""

    class Meta:
        model = Campaign
        django_get_or_create = ("year",)

    year = fb.Sequence(lambda n: 2100 + n)
    name = fb.LazyAttribute(lambda o: str(o.year))
    framework_version = "2025"
    tiers_open = fb.LazyFunction(lambda: ["basic", "advanced"])
    status = CampaignStatus.OPEN


class StageDeadlineFactory(DjangoModelFactory):
    class Meta:
        model = StageDeadline

    campaign = fb.SubFactory(CampaignFactory)
    stage = Stage.ENTERPRISE_SUBMISSION


class DeadlineOverrideFactory(DjangoModelFactory):
    class Meta:
        model = DeadlineOverride

    campaign = fb.SubFactory(CampaignFactory)
    stage = Stage.COUNTY_REVIEW
