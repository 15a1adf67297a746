"""notify(): one in-app notification per user and, unless the user turned this kind's e-mail off, its
e-mail queued in the outbox (``outbox.py``) — both in the caller's transaction, never twice for the
same occurrence."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartfactory.errors import InvalidInput
from smartfactory.organisations.enums import MembershipStatus, Role
from smartfactory.organisations.models import Membership

from .kinds import KIND_LABELS
from .models import EmailPreference, Notification
from .outbox import queue_email


def enterprise_users(enterprise):
    return [m.user for m in Membership.objects.filter(
        enterprise=enterprise, status=MembershipStatus.ACTIVE, role__in=[Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER]
    ).select_related("user")]


def authority_users(authority):
    return [m.user for m in Membership.objects.filter(authority=authority, status=MembershipStatus.ACTIVE).select_related("user")]


def email_wanted(user, kind: str) -> bool:
    """The user's choice for this kind's e-mail; on unless they turned it off."""
    return not EmailPreference.objects.filter(user=user, kind=kind, enabled=False).exists()


def email_preferences(user) -> dict[str, bool]:
    """Every known kind → whether its e-mail is sent to the user (default on)."""
    off = set(EmailPreference.objects.filter(user=user, enabled=False).values_list("kind", flat=True))
    return {kind: kind not in off for kind in KIND_LABELS}


@transaction.atomic
def set_email_preferences(user, choices: dict[str, bool]) -> dict[str, bool]:
    """Stores the user's choices (only known kinds; an unknown kind is refused). In-app notifications
    are not affected: they cannot be turned off."""
    unknown = sorted(set(choices) - set(KIND_LABELS))
    if unknown:
        raise InvalidInput(_("未知的通知类别：%(k)s") % {"k": "、".join(unknown)}, field="email")
    for kind, enabled in choices.items():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"enabled": bool(enabled)})
    return email_preferences(user)


def notify(users, *, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = "") -> list[Notification]:
    """Creates the notifications and queues each user's e-mail (``outbox.queue_email``: template
    notifications/email/<kind>.txt when present, else the generic one) unless the user has no address or
    turned this kind's e-mail off. Both are written in the caller's transaction: rolled back with it,
    sent only once it is committed (by the ``send_outbox`` job), never in the request. Returns the
    notifications created (none for repeats)."""
    created = []
    for user in users:
        with transaction.atomic(savepoint=False):  # the caller's transaction, or one of its own
            try:
                with transaction.atomic():
                    note = Notification.objects.create(user=user, kind=kind, title=title, body=body, link=link,
                                                       dedupe_key=dedupe_key)
            except IntegrityError:
                continue  # already sent for this occurrence
            if user.email and email_wanted(user, kind):
                queue_email(note, user)
        created.append(note)
    return created
