"""Ministry pages of the case library: the cases, the awards a case can come from, opening a case on
one scenario, editing the redacted text with the scan's findings, and the workflow's buttons.
Anyone who is not ministry staff gets 404, as for an object out of scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from smartfactory.audit.models import AuditEvent
from smartfactory.errors import InvalidInput, ProgrammeError
from smartfactory.frameworks.services import spec_for
from smartfactory.organisations.queries import get_in_scope

from .. import queries, services, workflow
from ..enums import CaseAction, CaseStatus
from ..forms import ActionForm, CaseCreateForm, CaseEditForm, add_service_error
from ..rules import can_manage_cases
from .lists import filter_options

PER_PAGE = 50
EVENT_LABELS = {"case.created": gettext_lazy("创建案例"), "case.edited": gettext_lazy("修改公开文本"),
                **{f"case.{a.value}": a.label for a in CaseAction}}


def _require_manager(request) -> None:
    if not can_manage_cases(request.user):
        raise Http404


@login_required
@require_GET
def case_list(request):
    _require_manager(request)
    qs = queries.cases_for_user(request.user).order_by("-updated_at", "pk")
    status = request.GET.get("status", "")
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "publicsite/manage/case_list.html", {
        "page": page, "statuses": CaseStatus.choices, "status": status,
    })


@login_required
@require_GET
def award_list(request):
    """Published excellent and leading awards, to open a case from."""
    _require_manager(request)
    try:
        filters = queries.parse_filters(request.GET, ("year", "province"))
    except InvalidInput as error:
        messages.error(request, error.message)
        filters = queries.ListFilters()
    qs = queries.published_awards(filters).filter(tier__in=services.CASE_TIERS)
    provinces = queries.province_names()
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "publicsite/manage/award_list.html", {
        **filter_options(), "page": page, "rows": [(a.pk, queries.award_row(a, provinces)) for a in page],
    })


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request, award_id: int):
    _require_manager(request)
    award = get_in_scope(services.case_awards().select_related("factory", "factory__enterprise"), pk=award_id)
    spec = spec_for(services.framework_version_for(award))
    in_book = services.book_scenario_numbers(award)
    form = CaseCreateForm(request.POST or None)
    form.fields["scenario_number"].choices = [
        (n, f"{n}. {s.name}{'（' + _('申报书中有描述') + '）' if n in in_book else ''}")
        for n, s in sorted(spec.scenarios.items())
    ]
    if request.method == "POST" and form.is_valid():
        try:
            case = services.create_case(award, scenario_number=form.cleaned_data["scenario_number"],
                                        title=form.cleaned_data["title"], actor=request.user)
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("案例已创建。请删改公开文本后请企业确认。"))
            return redirect("publicsite:manage_case", case_id=case.id)
    return render(request, "publicsite/manage/case_new.html", {
        "award": award, "form": form, "in_book": sorted(in_book), "tier_label": award.get_tier_display(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, case_id):
    _require_manager(request)
    case = get_in_scope(queries.cases_for_user(request.user), id=case_id)
    edit_form = CaseEditForm(initial={"title": case.title, "redacted_text": case.redacted_text, "version": case.version})
    action_form = ActionForm()
    if request.method == "POST" and "action" in request.POST:
        action_form = ActionForm(request.POST)
        if action_form.is_valid():
            action = action_form.cleaned_data["action"]
            try:
                workflow.transition_case(case, action, actor=request.user, reason=action_form.cleaned_data["reason"])
            except ProgrammeError as error:
                action_form.add_error(None, error.message)
            else:
                messages.success(request, _("已执行：%(a)s") % {"a": CaseAction(action).label})
                return redirect("publicsite:manage_case", case_id=case.id)
    elif request.method == "POST":
        edit_form = CaseEditForm(request.POST)
        if edit_form.is_valid():
            data = edit_form.cleaned_data
            try:
                services.edit_case(case, title=data["title"], redacted_text=data["redacted_text"],
                                   version=data["version"], actor=request.user)
            except ProgrammeError as error:
                add_service_error(edit_form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("publicsite:manage_case", case_id=case.id)
    history = list(AuditEvent.objects.filter(object_type="publicsite.case", object_id=str(case.id)).order_by("seq"))
    for event in history:
        event.label = EVENT_LABELS.get(event.action, event.action)
    return render(request, "publicsite/manage/case_detail.html", {
        "case": case, "edit_form": edit_form, "action_form": action_form,
        "actions": workflow.action_rows(case, request.user),
        "editable": case.status == CaseStatus.DRAFT, "history": history,
        "public": case.status == CaseStatus.PUBLISHED,
    })
