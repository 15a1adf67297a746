"""Security events written to the audit log: logins, failed logins, logouts, lockouts."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from smartfactory.audit.services import record_standalone


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record_standalone("auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_standalone("auth.logout", actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # the username only: never the password
    username = str(credentials.get("username", ""))[:150]
    record_standalone("auth.login_failed", actor=None, object_type="accounts.user", object_id=username)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record_standalone("auth.locked_out", actor=None, object_type="accounts.user", object_id=str(username)[:80])
