from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import render
from django.utils.translation import gettext as _

from smartfactory.console.forms import EnterpriseFilterForm
from smartfactory.organisations.enums import AwardStatus
from smartfactory.organisations.models import TierAward
from smartfactory.organisations.queries import (
    enterprise_changes_for_user,
    enterprises_for_user,
    factories_for_user,
    get_in_scope,
)
from smartfactory.organisations.rules import has_authority_role, is_platform_admin_user
from smartfactory.regions.models import Division

PAGE_SIZE = 50


def _require_authority(request):
    from django.http import Http404

    if not (has_authority_role(request.user) or is_platform_admin_user(request.user)):
        raise Http404


@login_required
def enterprise_list(request):
    """Enterprises in the jurisdiction, filterable; the query count does not grow with the rows."""
    _require_authority(request)
    scoped = enterprises_for_user(request.user)
    form = EnterpriseFilterForm(request.GET or None)
    city_codes = scoped.order_by().values_list("city_code", flat=True).distinct()
    cities = Division.objects.filter(code__in=city_codes).order_by("code")
    form.fields["city"].choices = [("", _("全部"))] + [(d.code, d.name) for d in cities]
    selected_city = request.GET.get("city", "")
    counties = Division.objects.filter(parent_id=selected_city).order_by("code") if selected_city else []
    form.fields["county"].choices = [("", _("全部"))] + [(d.code, d.name) for d in counties]
    qs = scoped.annotate(factory_count=Count("factories", distinct=True)).order_by("name", "uscc")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(name__icontains=q) | qs.filter(uscc=q.upper())
        if data["city"]:
            qs = qs.filter(city_code=data["city"])
        if data["county"]:
            qs = qs.filter(county_id=data["county"])
        if data["tier"]:
            qs = qs.filter(factories__tier_awards__tier=data["tier"], factories__tier_awards__status=AwardStatus.ACTIVE).distinct()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/enterprise_list.html", {"form": form, "page": page})


@login_required
def enterprise_detail(request, uscc: str):
    _require_authority(request)
    enterprise = get_in_scope(enterprises_for_user(request.user), uscc=uscc)
    factories = factories_for_user(request.user).filter(enterprise=enterprise).prefetch_related(
        Prefetch("tier_awards", queryset=TierAward.objects.select_related("authority").order_by("-year"))
    )
    members = enterprise.memberships.filter(status="active").select_related("user")
    return render(request, "console/enterprise_detail.html", {
        "enterprise": enterprise, "factories": factories, "members": members,
        "requests": enterprise_changes_for_user(request.user).filter(enterprise=enterprise).order_by("-requested_at"),
    })
