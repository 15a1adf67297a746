"""factory_boy factory for the notifications app."""

from __future__ import annotations

import factory as fb
from factory.django import DjangoModelFactory

from smartfactory.notifications.models import Notification
from tests.factories.organisations import UserFactory


class NotificationFactory(DjangoModelFactory):
    """An unread notification with a link."""

    class Meta:
        model = Notification

    user = fb.SubFactory(UserFactory)
    kind = "application.returned"
    title = fb.Sequence(lambda n: f"申报书已退回修改（{n}）")
    body = "请按审核意见修改后重新提交。"
    link = "/portal/"
