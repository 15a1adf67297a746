"""The enterprise's side of a case: the cases put to its enterprises and, for each, the original
and the redacted text with the buttons to consent or decline (administrators only). Cases of other
enterprises, and drafts never sent, are 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smartfactory.errors import ProgrammeError
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import active_memberships

from .. import queries, workflow
from ..enums import CaseAction
from ..forms import ActionForm


@login_required
@require_GET
def consent_list(request):
    if not any(m.enterprise_id for m in active_memberships(request.user)):
        raise Http404
    cases = queries.consent_cases_for_user(request.user).order_by("-consent_requested_at", "pk")
    return render(request, "publicsite/consent_list.html", {"cases": cases})


@login_required
@require_http_methods(["GET", "POST"])
def consent_case(request, case_id):
    case = get_in_scope(queries.consent_cases_for_user(request.user), id=case_id)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        if action not in (CaseAction.CONSENT, CaseAction.DECLINE):
            raise Http404
        try:
            workflow.transition_case(case, action, actor=request.user, reason=form.cleaned_data["reason"])
        except ProgrammeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已提交：%(a)s") % {"a": CaseAction(action).label})
            return redirect("publicsite:consent_case", case_id=case.id)
    return render(request, "publicsite/consent_case.html", {
        "case": case, "form": form,
        "actions": workflow.action_rows(case, request.user, only=(CaseAction.CONSENT, CaseAction.DECLINE)),
    })
