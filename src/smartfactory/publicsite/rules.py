"""Who may do what with cases: ministry staff curate the library; the enterprise's administrators
decide whether their scenario may be published."""

from __future__ import annotations

import rules

from smartfactory.organisations.rules import is_enterprise_admin_of, is_ministry_staff


@rules.predicate
def can_manage_cases(user) -> bool:
    return is_ministry_staff(user)


@rules.predicate
def is_case_enterprise_admin(user, case) -> bool:
    return case is not None and is_enterprise_admin_of(user, case.award.factory.enterprise)


rules.add_perm("publicsite.manage_cases", can_manage_cases)
rules.add_perm("publicsite.decide_case_consent", is_case_enterprise_admin)
