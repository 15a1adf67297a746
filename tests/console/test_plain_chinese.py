"""Pages speak Chinese, not keys: tiers by their names (issue 14, 'Plain Chinese everywhere')."""

from __future__ import annotations

import pytest
import time_machine

from smartfactory.applications.enums import Action
from tests.factories.applications import BEFORE_ALL, run

pytestmark = pytest.mark.django_db


def test_the_reviewer_reads_the_attained_tier_by_its_name(world, client_for):
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise", cooperation=True)
        page = client_for(world["users"]["district"]).get(f"/console/applications/{world['app'].pk}/").content.decode()
    assert "提交时自评达到层级：先进级" in page
    assert "提交时自评达到层级：advanced" not in page
