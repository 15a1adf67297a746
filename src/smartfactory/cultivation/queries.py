"""The one place that decides which cultivation objects a user may read (out of scope → 404):
MIIT staff and platform admins all; authorities those of factories in their jurisdiction; the
enterprise its own; guiding experts those they guide."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from smartfactory.organisations.queries import jurisdiction_for
from smartfactory.organisations.rules import is_miit_staff, is_platform_admin

from .models import CultivationObject


def cultivations_for_user(user) -> QuerySet[CultivationObject]:
    base = CultivationObject.objects.select_related("factory", "factory__enterprise", "factory__county", "campaign")
    if not user.is_authenticated:
        return base.none()
    if is_platform_admin(user) or is_miit_staff(user):
        return base
    j = jurisdiction_for(user)
    return base.filter(j.enterprise_q("factory__enterprise__") | Q(guides__user=user)).distinct()


def acceptances_for_user(user) -> QuerySet:
    """Acceptance applications readable by the user: those of cultivation objects in scope, and
    those whose national acceptance the user may read (assigned experts, without conflicts)."""
    from smartfactory.evaluation.queries import evaluations_for_user

    from .models import AcceptanceApplication

    base = AcceptanceApplication.objects.select_related("cultivation", "cultivation__factory",
                                                        "cultivation__factory__enterprise")
    if not user.is_authenticated:
        return base.none()
    return base.filter(Q(cultivation__in=cultivations_for_user(user).values("pk"))
                       | Q(evaluation__in=evaluations_for_user(user).values("pk")))
