"""The signed-in user's to-do list (待办), the nearest deadline first."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from smartfactory.todo.items import todo_for_user

router = Router(tags=["todo"])


class ItemOut(Schema):
    kind: str
    what: str
    subject: str
    link: str
    deadline: datetime | None
    days_left: int | None
    overdue: bool


@router.get("", response=list[ItemOut])
def todo(request):
    """Every object on which the caller has an action to take: what to do, the deadline, the days
    left and the page's link."""
    return [{"kind": i.kind, "what": i.what, "subject": i.subject, "link": i.link, "deadline": i.deadline,
             "days_left": i.days_left, "overdue": i.overdue} for i in todo_for_user(request.user)]
