"""Permission predicates. Jurisdiction itself lives in queries.py; these answer role questions."""

from __future__ import annotations

import rules

from .enums import Role
from .queries import active_memberships, authorities_managed_by, is_platform_admin


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
    return any(m.role == Role.MINISTRY_STAFF for m in active_memberships(user))


@rules.predicate
def has_authority_role(user) -> bool:
    return any(m.authority_id for m in active_memberships(user))


rules.add_perm("organisations.change_enterprise", is_enterprise_admin_of | is_platform_admin_user)
rules.add_perm("organisations.manage_enterprise_members", is_enterprise_admin_of | is_platform_admin_user)
rules.add_perm("organisations.add_factory", is_enterprise_user_of | is_platform_admin_user)
rules.add_perm("organisations.change_factory", is_enterprise_user_of | is_platform_admin_user)
rules.add_perm("organisations.manage_authority_users", can_manage_authority)
rules.add_perm("organisations.create_expert", is_ministry_staff | is_platform_admin_user)
