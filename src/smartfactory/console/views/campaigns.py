from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartfactory.campaigns.models import Campaign, DeadlineOverride
from smartfactory.campaigns.services import calendar_for, set_deadline_override
from smartfactory.console.forms import DeadlineOverrideForm
from smartfactory.console.views.enterprises import _require_authority
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.queries import active_memberships, authorities_managed_by, get_in_scope
from smartfactory.portal.views.common import add_service_error


@login_required
def campaign_list(request):
    _require_authority(request)
    return render(request, "console/campaign_list.html", {"campaigns": Campaign.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_detail(request, year: int):
    """The national calendar, the deadlines that bind the user's authority, and — for leaders —
    the deadlines they set for the level below (never later than their own)."""
    _require_authority(request)
    campaign = get_object_or_404(Campaign, year=year)
    managed = authorities_managed_by(request.user)
    form = None
    if managed.exists():
        form = DeadlineOverrideForm(request.POST or None)
        own = [m.authority for m in active_memberships(request.user) if m.authority_id]
        form.fields["authority"].choices = [(str(a.id), a.name) for a in own if managed.filter(pk=a.pk).exists()]
        if request.method == "POST" and form.is_valid():
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
        "overrides": overrides,
    })
