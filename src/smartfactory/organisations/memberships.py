"""A membership's life on the engine (``smartfactory.workflow``):

    pending ──approve──▶ active ──revoke──▶ revoked
       └─────reject───▶ rejected

A person asking to join an enterprise already on the platform waits ``pending``
(``services.establish_enterprise``); the enterprise's admin (or a platform admin) approves or rejects
the request. An active role is revoked by the enterprise's admin, a leader of an authority at or above
the member's, or a platform admin — never by its holder (P73). The audit events keep their names and
their objects: ``membership.join_approved`` / ``.join_rejected`` on the enterprise, ``membership.revoke``
on the person. ``services.decide_join_request`` and ``services.revoke_membership`` are the entry points."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.errors import Conflict, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.workflow import Available, Machine, Transition, available_actions, available_actions_of_rows
from smartfactory.workflow import transition as run

from .enums import MembershipStatus
from .models import Membership
from .rules import authorities_managed_by, is_enterprise_admin_of, is_platform_admin


class Act:
    APPROVE = "approve"
    REJECT = "reject"
    REVOKE = "revoke"


LABELS = {Act.APPROVE: gettext_noop("批准"), Act.REJECT: gettext_noop("拒绝"), Act.REVOKE: gettext_noop("停用")}
EVENTS = {Act.APPROVE: "membership.join_approved", Act.REJECT: "membership.join_rejected",
          Act.REVOKE: "membership.revoke"}


@dataclass
class Ctx:
    membership: Membership
    actor: object
    reason: str = ""


# ------------------------------------------------------------------ who may
def decides_join(user, membership: Membership) -> bool:
    """The enterprise's admin or a platform admin answers a request to join the enterprise."""
    return bool(is_enterprise_admin_of(user, membership.enterprise) or is_platform_admin(user))


def manages_member(user, membership: Membership) -> bool:
    """A platform admin; the admin of the member's enterprise; a leader of the member's authority or of
    one above it."""
    return bool(
        is_platform_admin(user)
        or (membership.enterprise_id and is_enterprise_admin_of(user, membership.enterprise))
        or (membership.authority_id and authorities_managed_by(user).filter(pk=membership.authority_id).exists())
    )


# ------------------------------------------------------------------ guards
@guard("P73")
def not_own_role(ctx: Ctx) -> None:
    """Nobody revokes their own role (an enterprise's last admin, a leader locking themselves out)."""
    if ctx.membership.user_id == getattr(ctx.actor, "pk", None):
        raise NotPermitted(_("不能停用自己的角色。"))


# ------------------------------------------------------------------ effects
def _decided(ctx: Ctx) -> None:
    ctx.membership.decided_by = ctx.actor
    ctx.membership.decided_at = timezone.now()


def _after(ctx: Ctx, action: str) -> dict:
    if action == Act.REVOKE:
        return {"role": ctx.membership.role}
    return {"user": ctx.membership.user.username}


def _recorded_on(ctx: Ctx, action: str):
    """A join request is recorded on the enterprise's trail, a revoked role on the person's."""
    return ctx.membership.user if action == Act.REVOKE else ctx.membership.enterprise


T = Transition
S = MembershipStatus
TABLE: dict[str, Transition] = {
    Act.APPROVE: T(frozenset({S.PENDING}), decides_join, (), _decided, S.ACTIVE),
    Act.REJECT: T(frozenset({S.PENDING}), decides_join, (), _decided, S.REJECTED),
    Act.REVOKE: T(frozenset({S.ACTIVE}), manages_member, (not_own_role,), _decided, S.REVOKED),
}

MACHINE = Machine(
    name="membership", model=Membership, table=TABLE, state_field="status",
    context=lambda membership, actor, reason="": Ctx(membership=membership, actor=actor, reason=reason or ""),
    lock=lambda membership: Membership.objects.select_for_update(of=("self",)).select_related(
        "user", "enterprise", "authority").get(pk=membership.pk),
    audit=lambda membership: {"status": membership.status}, after=_after, event_of=EVENTS.__getitem__,
    audit_obj=_recorded_on, labels=lambda action: _(LABELS[action]),
    state_label=lambda state: str(MembershipStatus(state).label),
    refused=gettext_noop("该成员当前为“%(s)s”，不能执行“%(a)s”。"),
)


def available(membership: Membership, user) -> list[Available]:
    """The buttons of the members page: approve/reject on a request, revoke on a role, each enabled or
    disabled with the guard's reason (one's own role)."""
    return available_actions(MACHINE, membership, user)


def available_of_rows(memberships, user) -> dict:
    """``available`` for every row of the members page, in one savepoint (by membership id)."""
    return available_actions_of_rows(MACHINE, memberships, user)


def take(membership: Membership, action: str, *, actor, reason: str = "") -> Membership:
    """Take ``action`` through the engine: row lock; state, who-may, guards; decided by/at; save; the
    audit event. A request already answered or a role already revoked is a ``Conflict``, as it always
    was for these functions."""
    try:
        return run(MACHINE, membership, action, actor=actor, reason=reason)
    except TransitionNotAllowed as refused:
        raise Conflict(refused.message) from None
