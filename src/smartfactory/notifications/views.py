"""The signed-in user's notifications: newest first; opening the page marks them read. And the user's
e-mail settings: one switch per kind (in-app notifications cannot be turned off)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .kinds import KIND_GROUPS
from .models import Notification
from .services import email_preferences, set_email_preferences


@login_required
def inbox(request):
    mine = Notification.objects.filter(user=request.user)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    unread = [n.pk for n in page if n.read_at is None]
    response = render(request, "notifications/inbox.html", {"page": page, "unread": set(unread)})
    Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return response


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Which kinds of notification also arrive by e-mail. A box left unticked turns that kind's
    e-mail off; every kind stays in the in-app list."""
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        set_email_preferences(request.user, {kind: kind in chosen for _group, kinds in KIND_GROUPS for kind, _label in kinds})
        messages.success(request, _("邮件提醒设置已保存。"))
        return redirect("notifications:preferences")
    current = email_preferences(request.user)
    groups = [(group, [(kind, label, current[kind]) for kind, label in kinds]) for group, kinds in KIND_GROUPS]
    return render(request, "notifications/preferences.html", {"groups": groups, "email": request.user.email})
