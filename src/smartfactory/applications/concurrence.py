"""Co-department concurrence (联合部门会签) with certifying a 先进级 application (R3: the province
certifies 联合相关部门).

The co-departments (发改, 财政, 国资, 市场监管, 数据) of the certifying province each concur with the
version awaiting certification: through their own account (a member of that department), or the
lead department records it with the co-department's letter number (会签函文号). Each concurrence
is a row with who and when; the certify guard (``ensure_concurrence``) requires one per required
co-department for the application's current version, whichever way it was given.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.enums import AuthorityKind, Department, MembershipStatus, Role, Tier
from smartfactory.organisations.models import Authority, Membership
from smartfactory.organisations.rules import reviewer_membership_among

from .enums import State
from .models import Concurrence, TierApplication


def required_concurrence(app: TierApplication) -> list[Authority]:
    """The co-departments (发改, 财政, 国资, 市场监管, 数据) of the certifying province on the platform."""
    certifier = app.current_authority
    if certifier is None or certifier.kind != AuthorityKind.GOVERNMENT:
        return []
    return list(
        Authority.objects.filter(kind=AuthorityKind.GOVERNMENT, level=certifier.level, division_id=certifier.division_id)
        .exclude(Q(department=Department.INDUSTRY) | Q(pk=certifier.pk))
        .order_by("department")
    )


def concurrences_for(app: TierApplication) -> list[Concurrence]:
    """The concurrences with the version now awaiting certification."""
    return list(app.concurrences.filter(version=app.version).select_related("authority", "given_by"))


def awaiting_certification(app: TierApplication) -> bool:
    return (app.tier == Tier.ADVANCED and app.state == State.IN_REVIEW and bool(app.chain)
            and app.current_step == len(app.chain) - 1)


@guard("R3", "P65")
def ensure_concurrence(app: TierApplication) -> list[str]:
    """Certification needs every required co-department's concurrence with the current version,
    given by its own account or recorded with its letter number. Returns their ids (kept on the
    certify review row)."""
    needed = {str(a.id): a.name for a in required_concurrence(app)}
    given = {str(c.authority_id) for c in app.concurrences.filter(version=app.version)}
    missing = [name for pk, name in needed.items() if pk not in given]
    if missing:
        raise NotEligible(
            _("认定须有联合部门的会签意见（由其本单位账号会签，或凭会签函文号登记），尚缺：%(n)s") % {"n": "、".join(missing)},
            field="concurrence",
        )
    return sorted(needed)


def _own_department(user, app: TierApplication) -> Authority | None:
    """The required co-department where the user is an active reviewer or leader, if any."""
    required = {a.pk: a for a in required_concurrence(app)}
    membership = reviewer_membership_among(user, required)
    return required[membership.authority_id] if membership else None


def can_give_concurrence(user, app: TierApplication) -> bool:
    return awaiting_certification(app) and _own_department(user, app) is not None


def can_record_concurrence_letter(user, app: TierApplication) -> bool:
    """The certifying (lead) department's leader."""
    return awaiting_certification(app) and Membership.objects.filter(
        user=user, authority_id=app.current_authority_id, role=Role.AUTHORITY_LEADER, status=MembershipStatus.ACTIVE,
    ).exists()


def _create(app: TierApplication, *, authority: Authority, actor, letter_number: str, opinion: str) -> Concurrence:
    if not awaiting_certification(app):
        raise TransitionNotAllowed(_("申报尚未到达省级认定环节，不能会签。"))
    if app.concurrences.filter(version=app.version, authority=authority).exists():
        raise Conflict(_("%(n)s已会签。") % {"n": authority.name})
    concurrence = Concurrence.objects.create(application=app, authority=authority, version=app.version, given_by=actor,
                                             letter_number=letter_number, opinion=opinion)
    record_event("application.concurrence", actor=actor, obj=app, after={
        "authority": str(authority.pk), "name": authority.name, "version": app.version,
        "letter_number": letter_number, "opinion": opinion, "by": actor.get_username(),
    })
    return concurrence


@transaction.atomic
def give_concurrence(app: TierApplication, *, actor, opinion: str = "") -> Concurrence:
    """A co-department concurs through its own account (the user's membership at a required
    co-department). Side effects: the concurrence row; audit event application.concurrence."""
    app = TierApplication.objects.select_for_update(of=("self",)).select_related("current_authority").get(pk=app.pk)
    if not awaiting_certification(app):
        raise TransitionNotAllowed(_("申报尚未到达省级认定环节，不能会签。"))
    authority = _own_department(actor, app)
    if authority is None:
        raise NotPermitted(_("只有须会签的联合部门的人员可以会签。"))
    return _create(app, authority=authority, actor=actor, letter_number="", opinion=opinion.strip())


@transaction.atomic
def record_concurrence_letter(app: TierApplication, *, actor, authority: Authority, letter_number: str,
                              opinion: str = "") -> Concurrence:
    """The lead department's leader records a co-department's concurrence from its letter; the
    letter number is required. Side effects: the concurrence row; audit event application.concurrence."""
    app = TierApplication.objects.select_for_update(of=("self",)).select_related("current_authority").get(pk=app.pk)
    if not can_record_concurrence_letter(actor, app):
        raise NotPermitted()
    if authority.pk not in {a.pk for a in required_concurrence(app)}:
        raise InvalidInput(_("该单位不是须会签的联合部门。"), field="authority")
    if not letter_number.strip():
        raise InvalidInput(_("代为登记联合部门的会签意见，请填写其会签函文号。"), field="letter_number")
    return _create(app, authority=authority, actor=actor, letter_number=letter_number.strip(), opinion=opinion.strip())
