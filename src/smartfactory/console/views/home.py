from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render

from smartfactory.campaigns.services import calendars_for, current_campaign
from smartfactory.organisations.enums import AwardStatus, ChangeStatus, Role, Tier
from smartfactory.organisations.queries import (
    changes_to_confirm_for_user,
    enterprises_for_user,
    factories_for_user,
    tier_awards_for_user,
)
from smartfactory.organisations.rules import active_memberships
from smartfactory.todo.views import todo_for_request


@login_required
def home(request):
    """The government/ministry/expert work desk with real counts for the user's jurisdiction."""
    memberships = active_memberships(request.user)
    roles = {m.role for m in memberships}
    if not roles or roles <= {Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER}:
        return redirect("portal:home")
    context = {"memberships": memberships, "is_expert_only": roles == {Role.EXPERT},
               "todo_items": todo_for_request(request)}
    if context["is_expert_only"]:
        from smartfactory.evaluation.queries import evaluations_for_user, expert_of

        expert = expert_of(request.user)
        context["expert_pending"] = expert.assignments.filter(
            submitted_at__isnull=True, evaluation__in=evaluations_for_user(request.user)).count() if expert else 0
    if not context["is_expert_only"]:
        tiers = dict(
            tier_awards_for_user(request.user).filter(status=AwardStatus.ACTIVE)
            .values_list("tier").annotate(n=Count("factory_id", distinct=True)).order_by()
        )
        context.update(
            changes_pending=changes_to_confirm_for_user(request.user).filter(status=ChangeStatus.PENDING).count(),
            enterprise_count=enterprises_for_user(request.user).count(),
            factory_count=factories_for_user(request.user).count(),
            tier_counts=[(t.value, t.label, tiers.get(t.value, 0)) for t in Tier],
        )
    campaign = current_campaign()
    context["campaign"] = campaign
    if campaign:
        authorities = [m.authority for m in memberships if m.authority_id]
        found = calendars_for([campaign], authorities)  # every authority's calendar at once
        context["calendars"] = [(a, found[(campaign.pk, a)]) for a in authorities]
    return render(request, "console/home.html", context)
