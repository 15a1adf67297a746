"""The public pages link the 公示 running now (issue 14, public site): the index lists each open notice
until it ends; every public page's menu links the notices page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from smartfactory.evaluation.models import Publicity
from tests.factories.publicsite import campaign

pytestmark = pytest.mark.django_db


def test_the_index_links_the_running_notice_until_it_ends():
    now = timezone.now()
    notice = Publicity.objects.create(campaign=campaign(2026), tier="excellent", title="2026年度卓越级智能工厂拟入选名单公示",
                                      starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=4))
    Publicity.objects.create(campaign=campaign(2026), tier="leading", title="已结束的公示", status=Publicity.Status.FINAL,
                             starts_at=now - timedelta(days=20), ends_at=now - timedelta(days=10))
    page = Client().get("/public/").content.decode()
    assert f'<a href="/publicity/{notice.pk}/">2026年度卓越级智能工厂拟入选名单公示</a>' in page
    assert "已结束的公示" not in page and 'data-testid="publicity-link"' in page
    with time_machine.travel(notice.ends_at, tick=False):
        assert 'data-testid="current-notices"' not in Client().get("/public/").content.decode()
