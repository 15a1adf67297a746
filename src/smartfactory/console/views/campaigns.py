from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartfactory.campaigns.models import Campaign, DeadlineOverride
from smartfactory.campaigns.quotas import can_manage_quotas
from smartfactory.campaigns.services import calendar_for, set_deadline_override, set_stage_deadline
from smartfactory.campaigns.setup import provinces_led_by
from smartfactory.console.forms import DeadlineOverrideForm, NationalDeadlineForm
from smartfactory.console.views.enterprises import _require_authority
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.enums import Tier
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import (
    active_memberships,
    authorities_managed_by,
    is_ministry_staff,
    is_platform_admin_user,
)
from smartfactory.portal.views.common import add_service_error


@login_required
def campaign_list(request):
    _require_authority(request)
    can_create = is_ministry_staff(request.user) or is_platform_admin_user(request.user)
    campaigns = [(c, "、".join(str(Tier(t).label) for t in c.tiers_open if t in Tier.values)) for c in Campaign.objects.all()]
    return render(request, "console/campaign_list.html", {"campaigns": campaigns, "can_create": can_create})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_detail(request, year: int):
    """The national calendar, the deadlines that bind the user's authority, and — for leaders —
    the deadlines they set for the level below (never later than their own)."""
    _require_authority(request)
    campaign = get_object_or_404(Campaign, year=year)
    managed = authorities_managed_by(request.user)
    national_form = None
    if is_ministry_staff(request.user) or is_platform_admin_user(request.user):
        posted = request.POST if request.POST.get("action") == "national" else None
        national_form = NationalDeadlineForm(posted, prefix="national")
        if posted is not None and national_form.is_valid():
            data = national_form.cleaned_data
            try:
                set_stage_deadline(campaign, stage=data["stage"], tier=data["tier"], deadline=data["deadline"],
                                   actor=request.user, reason=data["reason"])
            except ProgrammeError as error:
                add_service_error(national_form, error)
            else:
                messages.success(request, _("全国截止时间已设定。"))
                return redirect("console:campaign", year=year)
    form = None
    if managed.exists():
        posted = request.POST if request.POST.get("action") == "override" else None
        form = DeadlineOverrideForm(posted)
        own = [m.authority for m in active_memberships(request.user) if m.authority_id]
        form.fields["authority"].choices = [(str(a.id), a.name) for a in own if managed.filter(pk=a.pk).exists()]
        if posted is not None and form.is_valid():
            data = form.cleaned_data
            authority = get_in_scope(managed, id=data["authority"])
            try:
                set_deadline_override(
                    campaign, authority=authority, stage=data["stage"], deadline=data["deadline"], actor=request.user,
                    reason=data["reason"],
                )
            except ProgrammeError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("截止时间已设定。"))
                return redirect("console:campaign", year=year)
    calendars = [
        (m.authority, calendar_for(campaign, authority=m.authority))
        for m in active_memberships(request.user) if m.authority_id
    ]
    overrides = DeadlineOverride.objects.filter(campaign=campaign, authority__in=managed).select_related("authority")
    return render(request, "console/campaign_detail.html", {
        "campaign": campaign, "deadlines": campaign.deadlines.all(), "calendars": calendars, "form": form,
        "overrides": overrides, "national_form": national_form, "can_manage_quotas": can_manage_quotas(request.user),
        "leads_province": provinces_led_by(request.user).exists(),
    })
