"""E-mail per kind can be turned off (page and API); in-app notifications cannot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail

from smartfactory.notifications.kinds import KIND_LABELS
from smartfactory.notifications.models import EmailPreference, Notification
from smartfactory.notifications.outbox import send_outbox
from smartfactory.notifications.services import email_preferences, notify, set_email_preferences
from tests import factories as f

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "smartfactory"


def test_email_off_keeps_the_in_app_notification():
    user = f.user("pref-user", email="pref@example.com")
    set_email_preferences(user, {"evaluation.assigned": False})
    notify([user], kind="evaluation.assigned", title="新的评审任务", dedupe_key="a:1")
    send_outbox()
    assert Notification.objects.filter(user=user, kind="evaluation.assigned", emailed=False).count() == 1
    assert mail.outbox == []
    notify([user], kind="evaluation.decided", title="审定结果", dedupe_key="d:1")  # other kinds: still e-mailed
    send_outbox()
    assert len(mail.outbox) == 1 and Notification.objects.get(kind="evaluation.decided").emailed
    set_email_preferences(user, {"evaluation.assigned": True})
    notify([user], kind="evaluation.assigned", title="新的评审任务", dedupe_key="a:2")
    send_outbox()
    assert len(mail.outbox) == 2


def test_default_is_on_and_unknown_kinds_are_refused():
    from smartfactory.errors import InvalidInput

    user = f.user("pref-default")
    assert all(email_preferences(user).values()) and set(email_preferences(user)) == set(KIND_LABELS)
    with pytest.raises(InvalidInput):
        set_email_preferences(user, {"no.such.kind": False})
    assert not EmailPreference.objects.exists()


def test_every_kind_sent_is_listed_with_a_label():
    """A kind missing from kinds.py would have no switch on the settings page."""
    sent = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        sent |= set(re.findall(r"(?:notify|Notice)\(.{0,300}?kind=\"([^\"]+)\"", text, flags=re.S))
        sent |= set(re.findall(r"(?<![\w.])(?:_enterprise|_arrived)\(app, \"([^\"]+)\"", text))
        sent |= set(re.findall(r"_tell_enterprise\(case, \"([^\"]+)\"", text))
        sent |= set(re.findall(r"Due\(\"([^\"]+)\"", text))
    assert len(sent) > 20
    assert sent - set(KIND_LABELS) == set()


def test_settings_page(client_for):
    user = f.user("pref-page", email="pref-page@example.com")
    client = client_for(user)
    inbox = client.get("/notifications/").content.decode()
    assert 'href="/notifications/preferences/"' in inbox
    page = client.get("/notifications/preferences/").content.decode()
    assert "专家评分截止提醒" in page and "站内通知始终保留" in page and "pref-page@example.com" in page
    assert ">reminder.expert_score<" not in page and " reminder.expert_score\n" not in page  # labels, not keys
    assert page.count('type="checkbox"') == len(KIND_LABELS) and page.count(" checked") == len(KIND_LABELS)
    keep = [k for k in KIND_LABELS if k != "reminder.expert_score"]
    response = client.post("/notifications/preferences/", {"email": keep})
    assert response.status_code == 302
    assert email_preferences(user)["reminder.expert_score"] is False
    assert sum(email_preferences(user).values()) == len(KIND_LABELS) - 1
    page = client.get("/notifications/preferences/").content.decode()
    assert page.count(" checked") == len(KIND_LABELS) - 1 and "邮件提醒设置已保存" in page
    assert client_for(None).get("/notifications/preferences/").status_code == 302


def test_preferences_api(client_for):
    user = f.user("pref-api")
    client = client_for(user)
    got = client.get("/api/v1/notifications/preferences").json()
    assert got["email"]["reminder.review_level"] is True
    row = next(k for k in got["kinds"] if k["kind"] == "reminder.review_level")
    assert row["label"] == "审核推荐截止提醒" and row["in_app"] is True and row["group"] == "截止提醒"
    put = client.put("/api/v1/notifications/preferences", {"email": {"reminder.review_level": False}},
                     content_type="application/json")
    assert put.status_code == 200 and put.json()["email"]["reminder.review_level"] is False
    assert put.json()["email"]["evaluation.assigned"] is True  # not named: unchanged
    bad = client.put("/api/v1/notifications/preferences", {"email": {"nope": False}}, content_type="application/json")
    assert bad.status_code == 422
    assert client_for(None).get("/api/v1/notifications/preferences").status_code == 401
