"""The one place that decides which supervision cases, awards and re-check items a user may see (out
of scope → 404, on pages and API alike).

* Cases: MIIT staff and platform admins all; an authority those of factories in its jurisdiction,
  those on awards it certified and those it opened; an enterprise those against its own awards.
* Awards open to supervision: those in the jurisdiction of the user's supervising authorities (or
  certified by them); every award for MIIT staff. Only active or suspended awards.
* Re-check items: like cases. Rounds: every round for government users, none for others.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from smartfactory.organisations.enums import AwardStatus
from smartfactory.organisations.models import TierAward
from smartfactory.organisations.queries import Jurisdiction, authority_scope_q, jurisdiction_for
from smartfactory.organisations.rules import (
    active_memberships,
    has_authority_role,
    is_miit_staff,
    is_platform_admin,
)

from .enums import ItemResult
from .models import RecheckItem, RecheckRound, SupervisionCase
from .rules import SUPERVISOR_ROLES

CASE_RELATED = ("award", "award__factory", "award__factory__enterprise", "award__authority", "opened_by_authority")
ITEM_RELATED = ("round", "round__campaign", "award", "award__factory", "award__factory__enterprise", "award__authority")


def _reads_everything(user) -> bool:
    return is_platform_admin(user) or is_miit_staff(user)


def _scope_q(user, prefix: str) -> Q:
    """Factories in the user's jurisdiction (authority or own enterprise) or awards its authorities certified."""
    j = jurisdiction_for(user)
    q = j.enterprise_q(f"{prefix}factory__enterprise__")
    if j.authority_ids:
        q |= Q(**{f"{prefix}authority_id__in": j.authority_ids})
    return q


def cases_for_user(user) -> QuerySet[SupervisionCase]:
    base = SupervisionCase.objects.select_related(*CASE_RELATED)
    if not user.is_authenticated:
        return base.none()
    if _reads_everything(user):
        return base
    j = jurisdiction_for(user)
    q = _scope_q(user, "award__")
    if j.authority_ids:
        q |= Q(opened_by_authority_id__in=j.authority_ids)
    return base.filter(q)


def enterprise_cases_for_user(user) -> QuerySet[SupervisionCase]:
    """Cases against the awards of the user's own enterprises (the portal's view)."""
    own = {m.enterprise_id for m in active_memberships(user) if m.enterprise_id}
    return SupervisionCase.objects.select_related(*CASE_RELATED).filter(award__factory__enterprise_id__in=own)


def supervisable_awards_for_user(user) -> QuerySet[TierAward]:
    """Awards this user may open a case on: active or suspended, in the jurisdiction of an authority
    where the user is a reviewer or leader, or certified by it; all of them for MIIT staff."""
    base = TierAward.objects.filter(status__in=[AwardStatus.ACTIVE, AwardStatus.SUSPENDED]).select_related(
        "factory", "factory__enterprise", "authority")
    if not user.is_authenticated:
        return base.none()
    if is_miit_staff(user):
        return base
    authorities = [m.authority for m in active_memberships(user) if m.role in SUPERVISOR_ROLES and m.authority_id]
    if not authorities:
        return base.none()
    scopes = [authority_scope_q(a) for a in authorities]
    if any(s is None for s in scopes):
        return base
    j = Jurisdiction(clauses=tuple(scopes))
    return base.filter(j.enterprise_q("factory__enterprise__") | Q(authority_id__in=[a.pk for a in authorities]))


def recheck_rounds_for_user(user) -> QuerySet[RecheckRound]:
    base = RecheckRound.objects.select_related("campaign")
    if not user.is_authenticated:
        return base.none()
    if is_platform_admin(user) or has_authority_role(user):
        return base
    return base.none()


def recheck_items_for_user(user) -> QuerySet[RecheckItem]:
    base = RecheckItem.objects.select_related(*ITEM_RELATED)
    if not user.is_authenticated:
        return base.none()
    if _reads_everything(user):
        return base
    return base.filter(_scope_q(user, "award__"))


def enterprise_recheck_items_for_user(user) -> QuerySet[RecheckItem]:
    own = {m.enterprise_id for m in active_memberships(user) if m.enterprise_id}
    return RecheckItem.objects.select_related(*ITEM_RELATED).filter(award__factory__enterprise_id__in=own)


def recheck_counts(items) -> dict[str, int]:
    """How many items are confirmed ok, not ok, and not confirmed (one query)."""
    row = items.aggregate(total=Count("pk"), ok=Count("pk", filter=Q(result=ItemResult.OK)),
                          not_ok=Count("pk", filter=Q(result=ItemResult.NOT_OK)))
    return {"total": row["total"], "ok": row["ok"], "not_ok": row["not_ok"],
            "pending": row["total"] - row["ok"] - row["not_ok"]}
