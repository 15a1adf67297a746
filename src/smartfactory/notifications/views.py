"""The signed-in user's notifications: newest first; opening the page marks them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from .models import Notification


@login_required
def inbox(request):
    mine = Notification.objects.filter(user=request.user)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    unread = [n.pk for n in page if n.read_at is None]
    response = render(request, "notifications/inbox.html", {"page": page, "unread": set(unread)})
    Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return response
