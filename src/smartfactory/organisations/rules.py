"""Who someone is: every role and membership predicate of the platform, in this one module. Apps ask
here ("is this MIIT staff?", "a reviewer or leader at that authority?") and never query memberships
for a role themselves. Jurisdiction (what a role sees) lives in queries.py, which builds on these."""

from __future__ import annotations

import rules
from django.db.models import QuerySet

from .enums import AuthorityKind, AuthorityLevel, Department, MembershipStatus, Role
from .models import Authority, Membership


def active_memberships(user) -> list[Membership]:
    """The active memberships of an active, signed-in user (cached on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_active_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).select_related(
                "authority", "authority__division", "enterprise"
            )
        )
        user._active_memberships = cached
    return cached


def is_platform_admin(user) -> bool:
    return any(m.role == Role.PLATFORM_ADMIN for m in active_memberships(user))


def roles_of(user) -> set[str]:
    return {m.role for m in active_memberships(user)}


def has_role_at(user, authority, roles) -> bool:
    """An active membership of ``user`` at ``authority`` (an Authority or its id) in one of ``roles``."""
    if authority is None or not user.is_authenticated:
        return False
    authority_id = authority.pk if isinstance(authority, Authority) else authority
    return Membership.objects.filter(
        user=user, authority_id=authority_id, role__in=roles, status=MembershipStatus.ACTIVE
    ).exists()


def reviewer_membership_among(user, authority_ids) -> Membership | None:
    """The user's active reviewer-or-leader membership at one of ``authority_ids``, if any (e.g. the
    co-department a user concurs for)."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(
        user=user, authority_id__in=list(authority_ids), role__in=[Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER],
        status=MembershipStatus.ACTIVE,
    ).first()


def is_expert(user) -> bool:
    """An active expert account (of the national evaluation's pool)."""
    return user.is_authenticated and Membership.objects.filter(
        user=user, role=Role.EXPERT, status=MembershipStatus.ACTIVE).exists()


def is_reviewer_at(user, authority) -> bool:
    """A reviewer or leader of ``authority`` (who may act in its name on a review)."""
    return has_role_at(user, authority, [Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER])


def is_leader_at(user, authority) -> bool:
    return has_role_at(user, authority, [Role.AUTHORITY_LEADER])


def is_province_industry_leader(user, province_code: str) -> bool:
    """A leader of the province's industry department (the lead department that recommends)."""
    return Membership.objects.filter(
        user=user, role=Role.AUTHORITY_LEADER, status=MembershipStatus.ACTIVE, authority__level=AuthorityLevel.PROVINCE,
        authority__division_id=province_code, authority__department=Department.INDUSTRY,
    ).exists()


def is_miit_staff(user, app=None) -> bool:
    """Staff of the lead ministry (MIIT), who run the national evaluation and record its decision.
    (``app``: the application workflow's who-may signature; not used.)"""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, role=Role.MINISTRY_STAFF, status=MembershipStatus.ACTIVE,
                                     authority__kind=AuthorityKind.MINISTRY, authority__is_lead=True).exists()


def is_staff_of_a_ministry(user) -> bool:
    """Staff of any of the six ministries (a ministry-staff membership at a ministry)."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, role=Role.MINISTRY_STAFF, status=MembershipStatus.ACTIVE,
                                     authority__kind=AuthorityKind.MINISTRY).exists()


def is_ministry_staff_of(user, authority: Authority) -> bool:
    """Staff of this ministry itself (e.g. recording its own concurrence)."""
    return Membership.objects.filter(user=user, authority=authority, authority__kind=AuthorityKind.MINISTRY,
                                     role=Role.MINISTRY_STAFF, status=MembershipStatus.ACTIVE).exists()


def authorities_managed_by(user) -> QuerySet[Authority]:
    """Authorities whose accounts this user may manage: as a leader, their own and all below it."""
    if is_platform_admin(user):
        return Authority.objects.all()
    roots = [
        m.authority_id
        for m in active_memberships(user)
        if m.role in (Role.AUTHORITY_LEADER, Role.MINISTRY_STAFF) and m.authority_id
    ]
    ids: set = set(roots)
    frontier = set(roots)
    while frontier:
        frontier = set(Authority.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    return Authority.objects.filter(id__in=ids).select_related("division", "parent")


@rules.predicate
def is_platform_admin_user(user) -> bool:
    return is_platform_admin(user)


@rules.predicate
def is_enterprise_admin_of(user, enterprise) -> bool:
    return enterprise is not None and any(
        m.role == Role.ENTERPRISE_ADMIN and m.enterprise_id == enterprise.pk for m in active_memberships(user)
    )


@rules.predicate
def is_enterprise_user_of(user, enterprise) -> bool:
    return enterprise is not None and any(m.enterprise_id == enterprise.pk for m in active_memberships(user))


@rules.predicate
def can_manage_authority(user, authority) -> bool:
    return authority is not None and authorities_managed_by(user).filter(pk=authority.pk).exists()


@rules.predicate
def is_ministry_staff(user) -> bool:
    """Any ministry-staff membership (MIIT or one of the other five ministries)."""
    return any(m.role == Role.MINISTRY_STAFF for m in active_memberships(user))


def is_ministry_staff_or_platform_admin(user) -> bool:
    return is_platform_admin(user) or is_ministry_staff(user)


@rules.predicate
def has_authority_role(user) -> bool:
    return any(m.authority_id for m in active_memberships(user))


def _officials(user) -> list[Membership]:
    return [m for m in active_memberships(user)
            if m.authority_id and m.role in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)]


def _recommends(authority: Authority) -> bool:
    """An authority that recommends, or concurs with a recommendation (a province's departments, a
    central SOE group's headquarters, the XPCC, a 计划单列市)."""
    return (authority.level == AuthorityLevel.PROVINCE or authority.kind in (AuthorityKind.CENTRAL_SOE, AuthorityKind.XPCC)
            or bool(authority.division_id and authority.division.is_separately_planned))


def is_lead_ministry_staff(user) -> bool:
    """``is_miit_staff`` from the cached memberships (no query)."""
    return any(m.role == Role.MINISTRY_STAFF and m.authority_id and m.authority.kind == AuthorityKind.MINISTRY
               and m.authority.is_lead for m in active_memberships(user))


def works_on_recommendations(user) -> bool:
    """Who uses the recommendation pages (an empty list is still their page): the ministries,
    platform admins and the officials of a recommending or co-signing authority."""
    return is_ministry_staff_or_platform_admin(user) or any(_recommends(m.authority) for m in _officials(user))


def works_on_evaluations(user) -> bool:
    """Who uses the national evaluation's pages: MIIT, platform admins, experts and the officials of
    a recommender's lead department (they follow their own recommendations)."""
    return (is_platform_admin(user) or is_lead_ministry_staff(user)
            or any(m.role == Role.EXPERT for m in active_memberships(user))
            or any(m.authority.kind in (AuthorityKind.CENTRAL_SOE, AuthorityKind.XPCC)
                   or (m.authority.level == AuthorityLevel.PROVINCE and m.authority.department == Department.INDUSTRY)
                   for m in _officials(user)))


def works_on_cultivation(user) -> bool:
    """Who uses the 领航级 cultivation list: MIIT, platform admins and every official (objects in their
    jurisdiction); enterprises see their own objects from their application pages."""
    return is_platform_admin(user) or is_lead_ministry_staff(user) or bool(_officials(user))


def works_on_paper(user) -> bool:
    """The paper-copy desk is the reviewing authorities' (the ministry receives through its own steps)."""
    return any(m.authority.kind != AuthorityKind.MINISTRY for m in _officials(user))


rules.add_perm("organisations.change_enterprise", is_enterprise_admin_of | is_platform_admin_user)
rules.add_perm("organisations.manage_enterprise_members", is_enterprise_admin_of | is_platform_admin_user)
rules.add_perm("organisations.add_factory", is_enterprise_user_of | is_platform_admin_user)
rules.add_perm("organisations.change_factory", is_enterprise_user_of | is_platform_admin_user)
rules.add_perm("organisations.manage_authority_users", can_manage_authority)
rules.add_perm("organisations.create_expert", is_ministry_staff | is_platform_admin_user)
