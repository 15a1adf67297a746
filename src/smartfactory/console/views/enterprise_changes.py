"""Change requests of enterprises' registration facts: the confirming authority's queue, one
request with its proof, and the decision (``organisations.changes.decide_enterprise_change``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from smartfactory.console.views.enterprises import _require_authority
from smartfactory.errors import ProgrammeError
from smartfactory.organisations import changes
from smartfactory.organisations.enums import ChangeStatus
from smartfactory.organisations.queries import (
    changes_to_confirm_for_user,
    enterprise_changes_for_user,
    get_in_scope,
)


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", gettext_lazy("确认")), ("reject", gettext_lazy("不予确认"))])
    reason = forms.CharField(label=gettext_lazy("确认意见（不予确认时必填）"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


@login_required
@require_GET
def change_list(request):
    """Requests addressed to the user's authorities: pending first, then the latest decisions."""
    _require_authority(request)
    rows = changes_to_confirm_for_user(request.user).annotate(
        pending_first=Case(When(status=ChangeStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("pending_first", "-requested_at")[:200]
    return render(request, "console/enterprise_changes.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def change_detail(request, change_id):
    _require_authority(request)
    change = get_in_scope(enterprise_changes_for_user(request.user), pk=change_id)
    form = ChangeDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changes.decide_enterprise_change(change, actor=request.user, confirm=form.cleaned_data["decision"] == "confirm",
                                             reason=form.cleaned_data["reason"])
        except ProgrammeError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, _("已处理该变更申请。"))
            return redirect("console:enterprise_change", change_id=change.pk)
    # confirm / reject as the request's machine offers them: disabled, with the guard's reason, for an
    # authority that is not the confirming one (P71) or a request that no longer fits the profile (P72)
    actions = [a for a in changes.available(change, request.user) if a.action in (changes.Act.CONFIRM, changes.Act.REJECT)]
    return render(request, "console/enterprise_change.html", {"c": change, "form": form, "actions": actions})


@login_required
@require_GET
def change_file(request, change_id):
    _require_authority(request)
    change = get_in_scope(enterprise_changes_for_user(request.user), pk=change_id)
    return FileResponse(change.file.open("rb"), as_attachment=True, filename=change.file_name)
