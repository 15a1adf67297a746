"""Reads that depend on who asks. Jurisdiction is resolved here and only here.

An authority oversees:
  county     → enterprises registered in its county;
  city       → in its counties (a 计划单列市 likewise, at its own level);
  province   → in its cities, 计划单列市 included (XPCC enterprises excluded: XPCC oversees them);
  XPCC       → enterprises under XPCC;
  central SOE headquarters → its member enterprises, wherever they are (a parallel channel);
  ministry   → all.
Enterprise users see their own enterprises; experts see none here (assignments come later);
platform admins see all. Anything outside the scope is treated as not existing (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from smartfactory.accounts.models import User

from .enums import ENTERPRISE_ROLES, AuthorityKind, AuthorityLevel, Role
from .models import Authority, Enterprise, EnterpriseChange, Factory, Membership, TierAward
from .rules import active_memberships, authorities_managed_by, is_platform_admin


@dataclass(frozen=True)
class Jurisdiction:
    """What a user oversees: everything, or a union of enterprise filters (empty → nothing)."""

    everything: bool = False
    clauses: tuple[Q, ...] = field(default_factory=tuple)
    authority_ids: tuple = ()
    enterprise_ids: tuple = ()

    def enterprise_q(self, prefix: str = "") -> Q:
        """A filter on Enterprise reached through ``prefix`` (e.g. ``"enterprise__"`` from Factory)."""
        if self.everything:
            return Q()
        if not self.clauses:
            return Q(pk__in=[])
        def prefixed(q: Q) -> Q:
            children = [
                prefixed(child) if isinstance(child, Q) else (prefix + child[0], child[1]) for child in q.children
            ]
            new = Q(*children, _connector=q.connector, _negated=q.negated)
            return new
        return reduce(or_, (prefixed(c) for c in self.clauses))

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.clauses


def authority_scope_q(authority: Authority) -> Q | None:
    """The enterprises one authority oversees, as a filter on Enterprise (None = all)."""
    if authority.kind == AuthorityKind.MINISTRY:
        return None
    if authority.kind == AuthorityKind.CENTRAL_SOE:
        return Q(soe_group_id=authority.id)
    if authority.kind == AuthorityKind.XPCC:
        return Q(is_xpcc=True)
    code = authority.division_id
    if authority.level == AuthorityLevel.PROVINCE:
        return Q(province_code=code, is_xpcc=False)
    if authority.level == AuthorityLevel.CITY:
        return Q(city_code=code)
    if authority.level == AuthorityLevel.COUNTY:
        return Q(county_id=code)
    return Q(pk__in=[])


def jurisdiction_for(user: User) -> Jurisdiction:
    clauses: list[Q] = []
    authority_ids = []
    enterprise_ids = []
    for m in active_memberships(user):
        if m.role == Role.PLATFORM_ADMIN:
            return Jurisdiction(everything=True)
        if m.role in ENTERPRISE_ROLES:
            clauses.append(Q(pk=m.enterprise_id))
            enterprise_ids.append(m.enterprise_id)
        elif m.authority_id:
            scope = authority_scope_q(m.authority)
            if scope is None:
                return Jurisdiction(everything=True, authority_ids=(m.authority_id,))
            clauses.append(scope)
            authority_ids.append(m.authority_id)
    return Jurisdiction(clauses=tuple(clauses), authority_ids=tuple(authority_ids), enterprise_ids=tuple(enterprise_ids))


def enterprises_for_user(user: User) -> QuerySet[Enterprise]:
    j = jurisdiction_for(user)
    return Enterprise.objects.filter(j.enterprise_q()).select_related("county", "industry", "soe_group")


def factories_for_user(user: User) -> QuerySet[Factory]:
    j = jurisdiction_for(user)
    return Factory.objects.filter(j.enterprise_q("enterprise__")).select_related("enterprise", "county")


def tier_awards_for_user(user: User) -> QuerySet[TierAward]:
    j = jurisdiction_for(user)
    return TierAward.objects.filter(j.enterprise_q("factory__enterprise__")).select_related("factory", "authority")


def enterprise_changes_for_user(user: User) -> QuerySet[EnterpriseChange]:
    """Change requests of the enterprises a user sees (its own, or in the jurisdiction)."""
    j = jurisdiction_for(user)
    return EnterpriseChange.objects.filter(j.enterprise_q("enterprise__")).select_related(
        "enterprise", "authority", "requested_by", "decided_by"
    )


def changes_to_confirm_for_user(user: User) -> QuerySet[EnterpriseChange]:
    """Change requests addressed to one of the user's authorities (the confirming authority)."""
    ids = [m.authority_id for m in active_memberships(user)
           if m.authority_id and m.role in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)]
    return EnterpriseChange.objects.filter(authority_id__in=ids).select_related(
        "enterprise", "authority", "requested_by", "decided_by"
    )


def authorities_for_user(user: User) -> QuerySet[Authority]:
    """Authorities a user may look at: government users see the whole (public) authority list."""
    if any(m.authority_id for m in active_memberships(user)) or is_platform_admin(user):
        return Authority.objects.select_related("division", "parent")
    return Authority.objects.none()


def memberships_for_user(user: User) -> QuerySet[Membership]:
    """Memberships a user may see and manage: of their enterprises (as admin) or managed authorities."""
    if is_platform_admin(user):
        return Membership.objects.select_related("user", "enterprise", "authority")
    admin_of = [m.enterprise_id for m in active_memberships(user) if m.role == Role.ENTERPRISE_ADMIN]
    managed = authorities_managed_by(user).values("id")
    return Membership.objects.filter(Q(enterprise_id__in=admin_of) | Q(authority_id__in=managed)).select_related(
        "user", "enterprise", "authority"
    )


def get_in_scope(queryset: QuerySet, **lookup):
    """The one way a view or endpoint fetches a single object: out of scope is 404."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
