from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from smartfactory.organisations.enums import Role
from smartfactory.organisations.queries import active_memberships, is_platform_admin, jurisdiction_for

from .enums import State
from .models import Review, TierApplication


def applications_for_user(user) -> QuerySet[TierApplication]:
    """Applications of factories in the user's jurisdiction, and those its authorities review or have
    reviewed (the recommender may lie elsewhere: ``applications.recommender``); a draft only for its
    own enterprise."""
    j = jurisdiction_for(user)
    scope = j.enterprise_q("factory__enterprise__")
    if j.authority_ids and not j.everything:
        reviewed = Review.objects.filter(application=OuterRef("pk"), authority_id__in=j.authority_ids)
        scope |= Q(current_authority_id__in=j.authority_ids) | Q(Exists(reviewed))
    qs = TierApplication.objects.filter(scope)
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
