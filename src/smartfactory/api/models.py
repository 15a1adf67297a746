from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"token of {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, user) -> tuple[ApiToken, str]:
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, key_hash=hash_token(raw),
            expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        )
        return token, raw
