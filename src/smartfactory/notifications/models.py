"""In-app notifications (and the e-mail queued with each in the outbox): due dates and decisions reach
the people they concern."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=48)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=255, blank=True)
    # identifies one occurrence (e.g. "report:<id>:-14d") so that a reminder is never sent twice
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)  # its e-mail has been sent (by the outbox sender)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                               name="one_notification_per_occurrence")]

    def __str__(self) -> str:
        return self.title


class EmailPreference(models.Model):
    """Whether a user wants the e-mail of one kind of notification (absent: yes). The in-app
    notification is always created; only its e-mail can be turned off."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(max_length=48)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_email_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {'on' if self.enabled else 'off'}"


class OutboxEmail(models.Model):
    """One e-mail to send, written by ``notify`` in the caller's transaction (rolled back with it) and
    sent later by ``outbox.send_outbox`` (the ``send_outbox`` job, every minute). Pending until
    ``sent_at`` or ``failed_at`` is set; ``next_attempt_at`` is when it may be tried again (none: at
    once): a sender that takes a row moves it ahead (a lease, so no other sender takes it meanwhile), a
    failure sets it by the back-off. Subject and body are rendered when queued, the link already absolute."""

    notification = models.ForeignKey(Notification, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox_emails")
    address = models.EmailField(max_length=254)
    kind = models.CharField(max_length=48)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)  # absolute (settings.SMARTFACTORY_SITE_URL)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # none: due now (never tried)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)  # gave up after the last attempt

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["next_attempt_at"], name="outbox_pending_due",
                                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.address} {self.subject}"

    @property
    def pending(self) -> bool:
        return self.sent_at is None and self.failed_at is None
