"""Who may do what in supervision.

* Open a case: a reviewer or leader of the authority that certified the award, or of any authority
  whose jurisdiction covers the factory's enterprise (county, city, province, XPCC, central-SOE
  headquarters), and MIIT staff.
* Decide (suspend, revoke, dismiss, lift): for the tiers the six ministries award (卓越级, 领航级;
  ``ministry_decides_tiers`` in the data) MIIT staff only; for 先进级 the certifying authority (its
  reviewers or its leader); for the self-declared 基础级 a provincial-level authority (or XPCC /
  central-SOE headquarters) covering the enterprise.
* Respond to a notice, confirm a re-check: an administrator of the factory's enterprise.
* Open and close a re-check round: MIIT staff.

Jurisdiction itself is resolved in ``organisations.queries`` (``authority_scope_q``).
"""

from __future__ import annotations

import rules

from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Role
from smartfactory.organisations.models import Authority, Enterprise, TierAward
from smartfactory.organisations.queries import authority_scope_q
from smartfactory.organisations.rules import active_memberships, is_enterprise_admin_of, is_miit_staff

from .policy import policy

SUPERVISOR_ROLES = frozenset({Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER})


def covers(authority: Authority, enterprise: Enterprise) -> bool:
    """Whether the enterprise lies in the authority's jurisdiction."""
    scope = authority_scope_q(authority)
    return scope is None or Enterprise.objects.filter(scope, pk=enterprise.pk).exists()


def opening_authorities(user, award: TierAward) -> list[Authority]:
    """The authorities in whose name this user may open a case on the award, the certifier first."""
    if not getattr(user, "is_authenticated", False):
        return []
    enterprise = award.factory.enterprise
    found: list[Authority] = []
    for m in active_memberships(user):
        if not m.authority_id:
            continue
        supervises = m.role in SUPERVISOR_ROLES and (m.authority_id == award.authority_id
                                                     or covers(m.authority, enterprise))
        miit = m.role == Role.MINISTRY_STAFF and m.authority.kind == AuthorityKind.MINISTRY and m.authority.is_lead
        if supervises or miit:
            found.append(m.authority)
    unique = list({a.pk: a for a in found}.values())
    return sorted(unique, key=lambda a: a.pk != award.authority_id)


def is_provincial(authority: Authority) -> bool:
    return authority.level == AuthorityLevel.PROVINCE or authority.kind in (AuthorityKind.XPCC,
                                                                            AuthorityKind.CENTRAL_SOE)


@rules.predicate
def can_open_case(user, award) -> bool:
    return award is not None and bool(opening_authorities(user, award))


@rules.predicate
def can_decide_case(user, case) -> bool:
    if case is None or not getattr(user, "is_authenticated", False):
        return False
    award = case.award
    if award.tier in policy().ministry_decides_tiers:
        return is_miit_staff(user)
    supervising = [m for m in active_memberships(user) if m.role in SUPERVISOR_ROLES and m.authority_id]
    if award.authority_id:
        return any(m.authority_id == award.authority_id for m in supervising)
    enterprise = award.factory.enterprise
    return any(is_provincial(m.authority) and covers(m.authority, enterprise) for m in supervising)


@rules.predicate
def is_case_enterprise_admin(user, case) -> bool:
    return case is not None and is_enterprise_admin_of(user, case.award.factory.enterprise)


@rules.predicate
def can_run_recheck(user) -> bool:
    return is_miit_staff(user)


@rules.predicate
def can_confirm_recheck(user, item) -> bool:
    return item is not None and is_enterprise_admin_of(user, item.award.factory.enterprise)


rules.add_perm("supervision.open_case", can_open_case)
rules.add_perm("supervision.decide_case", can_decide_case)
rules.add_perm("supervision.respond_case", is_case_enterprise_admin)
rules.add_perm("supervision.run_recheck", can_run_recheck)
rules.add_perm("supervision.confirm_recheck", can_confirm_recheck)
