"""Supervision cases for authorities and MIIT: the cases in my scope, opening a case against an award
in my scope (found by certificate number, factory, enterprise or USCC, or from a failed re-check),
and the case page with the decisions the transition table allows me (each enabled, or disabled with
the guard's reason)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartfactory.errors import ProgrammeError
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import has_authority_role, is_platform_admin_user

from ..enums import Action, CaseKind, CaseState, ItemResult, Measure
from ..queries import cases_for_user, recheck_items_for_user, supervisable_awards_for_user
from ..workflow import available, open_case, transition

DECIDER_ACTIONS = (Action.SUSPEND, Action.REVOKE, Action.DISMISS, Action.LIFT)
PAGE_SIZE = 50


def require_government(request) -> None:
    if not (has_authority_role(request.user) or is_platform_admin_user(request.user)):
        raise Http404


def parse_uuid(value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


@login_required
def case_list(request):
    require_government(request)
    state = request.GET.get("state", "")
    qs = cases_for_user(request.user).order_by("-opened_at", "pk")
    if state in CaseState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/console_case_list.html", {
        "page": page, "states": CaseState.choices, "state": state, "today": timezone.localdate(),
    })


@login_required
def case_new(request):
    """Find the award (GET ``q``), then the notice form (``award``); POST opens the case."""
    require_government(request)
    awards = supervisable_awards_for_user(request.user)
    data = request.POST if request.method == "POST" else request.GET
    item = None
    item_id = parse_uuid(data.get("item"))
    if item_id:
        item = get_in_scope(recheck_items_for_user(request.user).filter(result=ItemResult.NOT_OK), pk=item_id)
    award_id = data.get("award") or (str(item.award_id) if item else "")
    award = None
    if award_id:
        if not str(award_id).isdigit():
            raise Http404
        award = get_in_scope(awards, pk=int(award_id))
    values = {"kind": CaseKind.VIOLATION if item else "", "occurred_on": "", "measure": "", "description": ""}
    if item:
        unmet = "；".join(r["name"] for r in item.unmet())
        values["description"] = _("年度复核中企业报告不再符合基本要求：%(r)s。企业说明：%(n)s") % {"r": unmet, "n": item.note}
    error = None
    if request.method == "POST" and award is not None:
        values = {k: request.POST.get(k, "") for k in values}
        try:
            case = open_case(award, actor=request.user, kind=values["kind"], occurred_on=values["occurred_on"],
                             description=values["description"], measure=values["measure"], recheck_item=item)
        except ProgrammeError as caught:
            error = caught
            messages.error(request, caught.message)
        else:
            messages.success(request, _("已立案，告知书已发送企业。"))
            return redirect("supervision_console:case", case_id=case.pk)
    q = (request.GET.get("q") or "").strip()[:64]
    results = []
    if q and award is None:
        results = list(awards.filter(
            Q(certificate_no__iexact=q) | Q(factory__name__icontains=q) | Q(factory__enterprise__name__icontains=q)
            | Q(factory__enterprise__uscc=q.upper())
        ).order_by("factory__enterprise__name", "factory__name", "-year")[:20])
    open_cases = list(award.supervision_cases.filter(state__in=[CaseState.NOTIFIED, CaseState.RESPONDED])) if award else []
    return render(request, "supervision/console_case_new.html", {
        "q": q, "results": results, "award": award, "item": item, "values": values, "error": error,
        "kinds": CaseKind.choices, "measures": Measure.choices, "open_cases": open_cases,
        "today": timezone.localdate(),
    }, status=422 if error else 200)


@login_required
def case_detail(request, case_id):
    require_government(request)
    case = get_in_scope(cases_for_user(request.user), pk=case_id)
    now = timezone.now()
    return render(request, "supervision/console_case_detail.html", {
        "case": case, "actions": [a for a in available(case, request.user) if a.action in DECIDER_ACTIONS],
        "heard": case.state != CaseState.NOTIFIED or now >= case.response_deadline,  # as the guard ``heard``
        "history": case.award.factory.tier_awards.select_related("authority").order_by("-year"),
        "related": case.award.supervision_cases.exclude(pk=case.pk).order_by("-opened_at"),
    })


@login_required
@require_POST
def case_action(request, case_id, action):
    require_government(request)
    case = get_in_scope(cases_for_user(request.user), pk=case_id)
    if action not in DECIDER_ACTIONS:
        raise Http404
    try:
        transition(case, action, actor=request.user, reason=request.POST.get("reason", ""))
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已%(a)s。") % {"a": Action(action).label})
    return redirect("supervision_console:case", case_id=case.pk)
