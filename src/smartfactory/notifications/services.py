"""notify(): one in-app notification per user (and its e-mail, rendered from the kind's template),
never twice for the same occurrence."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from smartfactory.organisations.enums import MembershipStatus, Role
from smartfactory.organisations.models import Membership

from .models import Notification


def enterprise_users(enterprise):
    return [m.user for m in Membership.objects.filter(
        enterprise=enterprise, status=MembershipStatus.ACTIVE, role__in=[Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER]
    ).select_related("user")]


def authority_users(authority):
    return [m.user for m in Membership.objects.filter(authority=authority, status=MembershipStatus.ACTIVE).select_related("user")]


def notify(users, *, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = "") -> list[Notification]:
    """Creates the notifications and sends each user an e-mail (template notifications/email/<kind>.txt
    when present, else the body). Returns the notifications created (none for repeats)."""
    created = []
    for user in users:
        try:
            with transaction.atomic():
                note = Notification.objects.create(user=user, kind=kind, title=title, body=body, link=link,
                                                   dedupe_key=dedupe_key)
        except IntegrityError:
            continue  # already sent for this occurrence
        if user.email:
            context = {"user": user, "title": title, "body": body, "link": link}
            text = render_to_string([f"notifications/email/{kind}.txt", "notifications/email/generic.txt"], context)
            send_mail(f"【智能工厂梯度培育平台】{title}", text, None, [user.email], fail_silently=True)
            Notification.objects.filter(pk=note.pk).update(emailed=True)
        created.append(note)
    return created
