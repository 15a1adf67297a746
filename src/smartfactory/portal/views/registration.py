from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartfactory.errors import ProgrammeError
from smartfactory.organisations import services
from smartfactory.portal.forms import RegistrationForm

from .common import add_service_error, location_context


@require_http_methods(["GET", "POST"])
def register(request):
    """Enterprise self-registration. A USCC already on the platform becomes a request to join."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.register_enterprise(
                username=data["username"], password=data["password"], display_name=data["display_name"],
                email=data["email"], uscc=data["uscc"],
                enterprise={
                    "name": data["name"], "legal_status": data["legal_status"], "parent_uscc": data["parent_uscc"],
                    "county": data["county"], "industry": data["industry"],
                    "above_designated_size": data["above_designated_size"], "address": data["address"],
                },
            )
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            login(request, registration.user, backend="django.contrib.auth.backends.ModelBackend")
            if registration.joined_existing:
                messages.info(request, _("该企业已在平台注册，已向其管理员提交加入申请，批准后即可使用。"))
            else:
                messages.success(request, _("注册成功，您是“%(n)s”的企业管理员。") % {"n": registration.enterprise.name})
            return redirect("portal:home")
    return render(request, "portal/register.html", {"form": form, **location_context(form)})
