"""The enterprise side of tier applications: open, edit, submit, resubmit after a return, withdraw."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartfactory.applications import content as content_rules
from smartfactory.applications import services
from smartfactory.applications.chain import chain_steps
from smartfactory.applications.deadlines import return_notice
from smartfactory.applications.enums import Action
from smartfactory.applications.feedback import after_action
from smartfactory.applications.queries import applications_for_user
from smartfactory.applications.workflow import BOOK_TIERS, available, transition
from smartfactory.campaigns.services import require_open_campaign
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.changes import changes_since
from smartfactory.organisations.queries import factories_for_user, get_in_scope

from . import book
from .common import add_service_error

APPLICANT_ACTIONS = {Action.SUBMIT, Action.RESUBMIT, Action.WITHDRAW}


def content_form(tier: str, data=None, initial=None) -> forms.Form:
    form = forms.Form(data, initial=initial)
    for key, label, kind, required in content_rules.fields_for(tier):
        if kind == "text":
            form.fields[key] = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                               max_length=5000)
        elif kind == "number":
            form.fields[key] = forms.DecimalField(label=label, required=False, min_value=0, max_digits=14, decimal_places=2)
        else:
            form.fields[key] = forms.CharField(label=label, required=False, max_length=64)
        form.fields[key].widget.attrs["data-required"] = "1" if required else "0"
    return form


@login_required
@require_POST
def apply(request, factory_id):
    factory = get_in_scope(factories_for_user(request.user), id=factory_id)
    try:
        app = services.create_application(factory, require_open_campaign(), tier=request.POST.get("tier", "advanced"),
                                          actor=request.user)
    except ProgrammeError as error:
        messages.error(request, error.as_html())
        return redirect("portal:factory", factory_id=factory.id)
    return redirect("portal:application", application_id=app.id)


@login_required
@require_http_methods(["GET", "POST"])
def application_page(request, application_id):
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    if app.tier in BOOK_TIERS:
        return book.book_page(request, app)
    editable = app.state in services.EDITABLE_STATES
    form = content_form(app.tier, request.POST if request.method == "POST" and editable else None, initial=app.content)
    if request.method == "POST" and editable and form.is_valid():
        data = {k: ("" if v is None else str(v)) for k, v in form.cleaned_data.items()}
        try:
            services.update_content(app, actor=request.user, data=data)
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("portal:application", application_id=app.id)
    return render(request, "portal/application.html", {
        "app": app, "form": form, "editable": editable,
        "actions": [a for a in available(app, request.user) if a.action in APPLICANT_ACTIONS],
        "reviews": app.reviews.select_related("authority", "reviewer"),
        "return_notice": return_notice(app), "chain_steps": chain_steps(app),
        "profile_changes": changes_since(app.factory.enterprise_id, app.created_at),
    })


@login_required
@require_POST
def application_action(request, application_id, action):
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    if action not in APPLICANT_ACTIONS:
        return redirect("portal:application", application_id=app.id)
    try:
        app = transition(app, action, actor=request.user, cooperation=request.POST.get("cooperation") == "1")
    except ProgrammeError as error:
        messages.error(request, error.as_html())
    else:
        messages.success(request, after_action(app, action))
    return redirect("portal:application", application_id=app.id)
