"""The to-do page and the navigation's count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.html import format_html

from .items import todo_for_user


def todo_for_request(request) -> list:
    """The user's to-dos, computed once per request (the badge and the landing page share them)."""
    if not hasattr(request, "_todo_items"):
        request._todo_items = todo_for_user(request.user)
    return request._todo_items


@login_required
def todo_page(request):
    return render(request, "todo/todo.html", {"items": todo_for_request(request)})


@login_required
def todo_count(request):
    """The navigation's badge, fetched by the page after it loads (htmx), so that a page's own
    queries do not include the to-do list's."""
    n = len(todo_for_request(request))
    return HttpResponse(format_html('<strong class="badge" data-testid="todo-count">{}</strong>', n) if n else "")
