"""Notifications: one per occurrence, an e-mail with it (through the outbox), listed on the user's page
and marked read."""

from __future__ import annotations

import pytest
from django.core import mail

from smartfactory.notifications.models import Notification
from smartfactory.notifications.outbox import send_outbox
from smartfactory.notifications.services import notify
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_notify_once_per_occurrence_with_an_email(client_for):
    user = f.user("n-user", email="n-user@example.com")
    first = notify([user], kind="test.kind", title="进展报告将于2042-06-30到期", body="请按时提交 <进展报告>",
                   link="/portal/", dedupe_key="report:1:-14")
    again = notify([user], kind="test.kind", title="进展报告将于2042-06-30到期", dedupe_key="report:1:-14")
    assert len(first) == 1 and again == []
    send_outbox()
    assert len(mail.outbox) == 1 and "请按时提交 <进展报告>" in mail.outbox[0].body  # plain text, not HTML-escaped
    client = client_for(user)
    page = client.get("/notifications/").content.decode()
    assert "进展报告将于2042-06-30到期" in page and 'class="unread"' in page
    assert 'class="badge">1<' in page  # the unread badge in the navigation
    assert Notification.objects.get().read_at is not None
    assert 'class="unread"' not in client.get("/notifications/").content.decode()


def test_notifications_are_private(client_for):
    owner, other = f.user("n-owner"), f.user("n-other")
    notify([owner], kind="test.kind", title="仅本人可见的通知")
    assert "仅本人可见的通知" not in client_for(other).get("/notifications/").content.decode()
    assert client_for(None).get("/notifications/").status_code == 302


@pytest.mark.parametrize("kind", ["cultivation.report_due", "cultivation.acceptance_due", "cultivation.closed",
                                  "cultivation.guidance", "evaluation.assigned", "evaluation.decided",
                                  "evaluation.returned", "evaluation.site_visit", "acceptance.submitted",
                                  "acceptance.reviewed", "acceptance.forwarded", "acceptance.not_accepted",
                                  "acceptance.extended", "cultivation.accepted", "no.template.of.its.own"])
def test_every_kind_has_a_plain_text_email(kind):
    user = f.user(f"mail-{kind}", email="m@example.com")
    notify([user], kind=kind, title="标题 <A&B>", body="正文", link="/cultivation/1/")
    send_outbox()
    body = mail.outbox[-1].body
    assert "标题 <A&B>" in body and "/cultivation/1/" in body and "请勿回复" in body
    intro = {"cultivation.report_due": "进展报告提醒", "cultivation.acceptance_due": "提交验收申请",
             "cultivation.closed": "培育期已届满", "cultivation.guidance": "指导意见", "evaluation.assigned": "评审任务",
             "evaluation.decided": "审定结果", "evaluation.returned": "形式审查意见", "evaluation.site_visit": "现场核查安排",
             "acceptance.submitted": "待初审", "acceptance.reviewed": "初审结果", "acceptance.forwarded": "待形式审查",
             "acceptance.not_accepted": "未通过", "acceptance.extended": "培育期相应延长",
             "cultivation.accepted": "验收审定结果"}
    if kind in intro:
        assert intro[kind] in body  # the kind's own template
    else:
        assert "请登录智能工厂梯度培育平台查看" in body  # the generic one
