"""The e-mail outbox. ``notify`` queues a notification's e-mail (``queue_email``) in the caller's
transaction, so it exists exactly when the change it reports was committed; nothing is sent in the
request. ``send_outbox`` sends what is due: the ``send_outbox`` job every minute
(``scheduling/data/schedule.yaml``) or ``manage.py send_outbox``.

A sender takes up to ``limit`` due rows in a short transaction — ``SELECT … FOR UPDATE SKIP LOCKED``
where the database has it (PostgreSQL: concurrent senders take disjoint rows without waiting; on SQLite
the IMMEDIATE transactions queue them) — counts the attempt and leases the rows (``next_attempt_at``
moved ``LEASE`` ahead, so no other sender takes them meanwhile), commits, and only then sends, through
the configured ``EMAIL_BACKEND``, outside any transaction. A sent row gets ``sent_at`` (and its
notification ``emailed``); a failure keeps the error and is tried again after the back-off, up to
``settings.EMAIL_OUTBOX_MAX_ATTEMPTS`` attempts, then gets ``failed_at``. Delivery is at least once: a
sender that dies between sending and recording it sends that row again when the lease has expired."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, TextField, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification, OutboxEmail

logger = logging.getLogger("smartfactory.notifications")

SUBJECT_PREFIX = "【智能工厂梯度培育平台】"
# wait before the 2nd, 3rd, 4th, … attempt (the last value repeats)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
# how long a sender owns the rows it took (longer than sending a batch takes)
LEASE = timedelta(minutes=10)
INTERRUPTED = "发送中断：发送进程在记录结果前退出"


def absolute_link(link: str) -> str:
    """A path of the platform ("/portal/…") as an address outside it (``SMARTFACTORY_SITE_URL``)."""
    if not link or "://" in link:
        return link
    return f"{settings.SMARTFACTORY_SITE_URL}/{link.lstrip('/')}"


def queue_email(note: Notification, user) -> OutboxEmail:
    """The notification's e-mail, rendered now from the kind's template (``notifications/email/<kind>.txt``,
    else ``generic.txt``) and due at once (no ``next_attempt_at``: whatever the sender's clock says);
    written in the caller's transaction."""
    link = absolute_link(note.link)
    context = {"user": user, "title": note.title, "body": note.body, "link": link}
    text = render_to_string([f"notifications/email/{note.kind}.txt", "notifications/email/generic.txt"], context)
    return OutboxEmail.objects.create(notification=note, user=user, address=user.email, kind=note.kind,
                                      subject=f"{SUBJECT_PREFIX}{note.title}"[:255], body=text, link=link)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def due_emails(now: datetime):
    """Pending rows never tried, or whose back-off or lease has passed."""
    return OutboxEmail.objects.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
                                      sent_at__isnull=True, failed_at__isnull=True)


def claim(limit: int, now: datetime) -> list[int]:
    """Takes up to ``limit`` due rows for this sender (oldest due first): counts the attempt and leases
    them. Rows whose last attempt never recorded its outcome are given up. Returns the rows' ids."""
    max_attempts = settings.EMAIL_OUTBOX_MAX_ATTEMPTS
    with transaction.atomic():
        interrupted = Case(When(last_error="", then=Value(INTERRUPTED)), default=F("last_error"),
                           output_field=TextField())
        due_emails(now).filter(attempts__gte=max_attempts).update(failed_at=now, last_error=interrupted)
        rows = due_emails(now).filter(attempts__lt=max_attempts).order_by(
            F("next_attempt_at").asc(nulls_first=True), "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        elif connection.features.has_select_for_update:
            rows = rows.select_for_update()
        ids = list(rows.values_list("pk", flat=True)[:limit])
        if ids:
            OutboxEmail.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    return ids


def send_outbox(*, limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """Sends the due e-mails (at most ``limit``). Returns how many were sent, will be retried and were
    given up. ``now`` is for tests (the sender's clock)."""
    def clock() -> datetime:
        return now or timezone.now()

    ids = claim(limit, clock())
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not ids:
        return counts
    mail = get_connection()
    try:
        with contextlib.suppress(Exception):  # one session for the batch; if it cannot open, each send says why
            mail.open()
        for email in OutboxEmail.objects.filter(pk__in=ids).order_by("pk"):
            counts[_send_one(email, mail, clock)] += 1
    finally:
        _close(mail)
    return counts


def _send_one(email: OutboxEmail, mail, clock) -> str:
    message = EmailMessage(email.subject, email.body, None, [email.address], connection=mail)
    try:
        message.send()
    except Exception as exc:  # any backend failure: recorded, tried again
        _close(mail)  # a broken SMTP session: the next message opens a new one
        error = f"{type(exc).__name__}: {exc}"[:2000]
        at = clock()
        if email.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS:
            OutboxEmail.objects.filter(pk=email.pk).update(failed_at=at, last_error=error)
            logger.error("outbox e-mail %s to %s given up after %d attempts: %s", email.pk, email.address,
                         email.attempts, error)
            return "failed"
        OutboxEmail.objects.filter(pk=email.pk).update(last_error=error, next_attempt_at=at + backoff(email.attempts))
        logger.warning("outbox e-mail %s to %s failed (attempt %d): %s", email.pk, email.address, email.attempts, error)
        return "retry"
    with transaction.atomic():
        OutboxEmail.objects.filter(pk=email.pk).update(sent_at=clock())
        if email.notification_id:
            Notification.objects.filter(pk=email.notification_id).update(emailed=True)
    return "sent"


def _close(mail) -> None:
    with contextlib.suppress(Exception):  # closing a broken connection may fail too; it is dropped either way
        mail.close()


def outbox_counts() -> dict[str, int]:
    """Pending, sent and failed e-mails (for operations)."""
    return OutboxEmail.objects.aggregate(
        pending=Count("pk", filter=Q(sent_at__isnull=True, failed_at__isnull=True)),
        sent=Count("pk", filter=Q(sent_at__isnull=False)), failed=Count("pk", filter=Q(failed_at__isnull=False)))
