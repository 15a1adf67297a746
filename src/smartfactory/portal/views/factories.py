from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartfactory.errors import ProgrammeError
from smartfactory.organisations import services
from smartfactory.organisations.models import TierAward
from smartfactory.organisations.queries import enterprises_for_user, factories_for_user, get_in_scope
from smartfactory.portal.forms import FactoryForm

from .common import add_service_error, location_context, location_initial


@login_required
@require_http_methods(["GET", "POST"])
def factory_create(request, uscc: str):
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc)
    form = FactoryForm(request.POST or None, initial=location_initial(enterprise.county))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            factory = services.create_factory(
                enterprise, actor=request.user, name=data["name"], county=data["county"], address=data["address"],
                main_products=data["main_products"],
            )
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("工厂已添加。"))
            return redirect("portal:factory", factory_id=factory.id)
    return render(request, "portal/factory_form.html", {"enterprise": enterprise, "form": form, **location_context(form)})


@login_required
def factory_detail(request, factory_id):
    factory = get_in_scope(
        factories_for_user(request.user).prefetch_related(
            Prefetch("tier_awards", queryset=TierAward.objects.select_related("authority").order_by("-year"))
        ),
        id=factory_id,
    )
    return render(request, "portal/factory_detail.html", {"factory": factory})


@login_required
@require_http_methods(["GET", "POST"])
def factory_edit(request, factory_id):
    factory = get_in_scope(factories_for_user(request.user), id=factory_id)
    initial = {"name": factory.name, "address": factory.address, "main_products": factory.main_products,
               **location_initial(factory.county)}
    form = FactoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in ("name", "county", "address", "main_products")}
        try:
            services.update_factory(factory, actor=request.user, changes=changes)
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("工厂信息已保存。"))
            return redirect("portal:factory", factory_id=factory.id)
    return render(request, "portal/factory_form.html", {
        "enterprise": factory.enterprise, "factory": factory, "form": form, **location_context(form),
    })
