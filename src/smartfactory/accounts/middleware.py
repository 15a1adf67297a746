from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login


class SessionTimeoutMiddleware:
    """Idle timeout (等保 身份鉴别 b): a session unused for SESSION_IDLE_TIMEOUT seconds is ended.
    The absolute timeout is SESSION_COOKIE_AGE (the session is not extended on each request)."""

    KEY = "_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            request.session[self.KEY] = now
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Authenticated pages are never cached by browsers or proxies (剩余信息保护)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response
