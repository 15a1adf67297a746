from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from smartfactory.campaigns.services import calendars_for, current_campaign
from smartfactory.organisations.enums import ENTERPRISE_ROLES, MembershipStatus
from smartfactory.organisations.models import Membership
from smartfactory.organisations.queries import enterprises_for_user
from smartfactory.organisations.rules import active_memberships
from smartfactory.todo.views import todo_for_request


@login_required
def home(request):
    """The enterprise user's home: their enterprises, factories with tiers, deadlines that bind them."""
    enterprises = list(
        enterprises_for_user(request.user).annotate(
            factory_count=Count("factories", distinct=True),
            pending_count=Count("memberships", filter=Q(memberships__status=MembershipStatus.PENDING), distinct=True),
        )
    )
    admin_of = {m.enterprise_id for m in active_memberships(request.user) if m.role == "enterprise_admin"}
    pending_own = Membership.objects.filter(
        user=request.user, status=MembershipStatus.PENDING, role__in=ENTERPRISE_ROLES
    ).select_related("enterprise")
    campaign = current_campaign()
    calendars = []
    if campaign:
        found = calendars_for([campaign], enterprises)  # every enterprise's calendar at once
        calendars = [(e, found[(campaign.pk, e)]) for e in enterprises]
    return render(request, "portal/home.html", {
        "enterprises": enterprises, "admin_of": admin_of, "pending_own": pending_own, "campaign": campaign,
        "calendars": calendars, "todo_items": todo_for_request(request),
    })
