from __future__ import annotations

import pytest

from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign
from smartfactory.organisations.enums import Role
from tests import factories as f

from .builders import IMMEDIATE, assessment, facts


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run synchronously, inside the on-commit callback that queues them."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def world():
    """Campaign 2041 with three scored self-assessments (advanced, excellent, basic) and one in another
    campaign; a ministry staff member."""
    campaign = Campaign.objects.create(year=2041, name="2041年度", framework_version="2025",
                                       tiers_open=["basic", "advanced", "excellent"], status=CampaignStatus.OPEN)
    other = Campaign.objects.create(year=2042, name="2042年度", framework_version="2025", tiers_open=["basic"],
                                    status=CampaignStatus.OPEN)
    return {
        "campaign": campaign,
        "staff": f.user("miit-staff", role=Role.MINISTRY_STAFF, authority=f.ministry()),
        "a15": assessment(campaign, facts(ai=3)),  # AI share 15 %: advanced under 20 %
        "a25": assessment(campaign, facts(ai=5)),  # AI share 25 %: excellent under 20 %
        "basic": assessment(campaign, facts(cmmm=2, kpi="above_provincial_average", built=1, ai=0,
                                            dimensions=("D3",)), missing=("kpi:level",)),
        "elsewhere": assessment(other, facts(ai=3)),  # another campaign: never touched
    }
