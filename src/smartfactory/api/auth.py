"""API authentication: a bearer token (for systems) or the browser session (CSRF enforced)."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from .models import ApiToken, hash_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), expires_at__gt=timezone.now(), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


AUTH = [BearerToken(), django_auth]
