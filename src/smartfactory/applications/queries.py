from __future__ import annotations

from django.db.models import Q, QuerySet

from smartfactory.organisations.enums import Role
from smartfactory.organisations.queries import active_memberships, is_platform_admin, jurisdiction_for

from .enums import State
from .models import TierApplication


def applications_for_user(user) -> QuerySet[TierApplication]:
    """Applications of factories in the user's jurisdiction; a draft only for its own enterprise."""
    j = jurisdiction_for(user)
    qs = TierApplication.objects.filter(j.enterprise_q("factory__enterprise__"))
    if not is_platform_admin(user):
        qs = qs.filter(~Q(state=State.DRAFT) | Q(factory__enterprise_id__in=j.enterprise_ids))
    return qs.select_related("factory", "factory__enterprise", "factory__enterprise__county", "campaign",
                             "current_authority")


def review_queue_for_user(user) -> QuerySet[TierApplication]:
    """Applications waiting at an authority where the user reviews."""
    authority_ids = [
        m.authority_id for m in active_memberships(user)
        if m.authority_id and m.role in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)
    ]
    return applications_for_user(user).filter(state=State.IN_REVIEW, current_authority_id__in=authority_ids)
