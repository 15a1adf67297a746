"""The to-do page and the navigation's count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from .items import todo_for_user


def todo_for_request(request) -> list:
    """The user's to-dos, computed once per request (the badge and the landing page share them)."""
    if not hasattr(request, "_todo_items"):
        request._todo_items = todo_for_user(request.user)
    return request._todo_items


@login_required
def todo_page(request):
    return render(request, "todo/todo.html", {"items": todo_for_request(request)})


def count(request) -> dict:
    """Context processor: how many to-dos the signed-in user has (the navigation badge), computed
    only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"todo_count": SimpleLazyObject(lambda: len(todo_for_request(request)))}
