"""Supervision for the enterprise: the notices against its awards (read, respond before the deadline,
see the decision and its reasons) and the yearly re-check confirmations it owes. Another
enterprise's notice or confirmation is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.errors import ProgrammeError
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import active_memberships

from ..enums import Action, RoundState
from ..queries import enterprise_cases_for_user, enterprise_recheck_items_for_user
from ..rules import can_confirm_recheck
from ..workflow import available, transition


def _require_enterprise(request) -> None:
    if not any(m.enterprise_id for m in active_memberships(request.user)):
        raise Http404


@login_required
def home(request):
    _require_enterprise(request)
    cases = enterprise_cases_for_user(request.user).order_by("-opened_at", "pk")
    items = enterprise_recheck_items_for_user(request.user).filter(round__state=RoundState.OPEN).order_by(
        "round__due_on", "award__factory__name", "pk")
    return render(request, "supervision/portal_home.html", {"cases": cases, "items": items, "now": timezone.now()})


@login_required
def case_page(request, case_id):
    case = get_in_scope(enterprise_cases_for_user(request.user), pk=case_id)
    error = None
    if request.method == "POST":
        try:
            transition(case, Action.RESPOND, actor=request.user, response=request.POST.get("response", ""))
        except ProgrammeError as caught:
            error = caught
            messages.error(request, caught.message)
        else:
            messages.success(request, _("陈述申辩意见已提交。"))
            return redirect("supervision_portal:case", case_id=case.pk)
    can_respond = any(a.action == Action.RESPOND and a.enabled for a in available(case, request.user))
    return render(request, "supervision/portal_case.html", {
        "case": case, "can_respond": can_respond, "error": error,
        "response_text": request.POST.get("response", "") if error else "",
    }, status=422 if error else 200)


@login_required
def recheck_item(request, item_id):
    from ..services import confirm_recheck_item

    item = get_in_scope(enterprise_recheck_items_for_user(request.user), pk=item_id)
    error = None
    if request.method == "POST":
        answers = {r["id"]: request.POST.get(f"br-{r['id']}", "") for r in item.requirements}
        try:
            confirm_recheck_item(item, actor=request.user, answers=answers, note=request.POST.get("note", ""))
        except ProgrammeError as caught:
            error = caught
            messages.error(request, caught.message)
        else:
            messages.success(request, _("年度复核确认已提交。"))
            return redirect("supervision_portal:recheck_item", item_id=item.pk)
    open_ = (item.round.state == RoundState.OPEN and item.confirmed_at is None
             and timezone.now() < item.round.deadline and can_confirm_recheck(request.user, item))
    return render(request, "supervision/portal_recheck_item.html", {
        "item": item, "open": open_, "error": error, "posted": request.POST if error else {},
        "rows": [{**r, "answer": item.answers.get(r["id"])} for r in item.requirements],
    }, status=422 if error else 200)
