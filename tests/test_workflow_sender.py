"""The engine sends a transition's notices through the sender registered at start-up (the engine may
not import notifications, which builds on organisations; ``NotificationsConfig.ready`` registers it)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from smartfactory import workflow
from smartfactory.notifications.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_notices_go_out_through_the_registered_sender_and_none_registered_is_an_error(monkeypatch):
    user = f.user("told")
    notice = workflow.Notice([user, None], kind="recommendation.submitted", title="已报送", dedupe_key="once")
    workflow._send([notice, notice])
    assert list(Notification.objects.filter(user=user).values_list("title", flat=True)) == ["已报送"]
    monkeypatch.setattr(workflow, "_SENDER", [])
    workflow._send([workflow.Notice([None], kind="recommendation.submitted", title="无人")])  # nobody: nothing to send
    with pytest.raises(ImproperlyConfigured):
        workflow._send([notice])
