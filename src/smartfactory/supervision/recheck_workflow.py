"""The yearly re-check round's life on the engine (``smartfactory.workflow``); nothing else writes
``RecheckRound.state``:

    open ──close──▶ closed        (MIIT staff)

``services.open_recheck_round`` creates a round (open, with its items); closing it keeps the
unconfirmed items as they are (shown as not confirmed) and stops further confirmations. The audit
event keeps its name, ``supervision.recheck_close``, with the counts of the items."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.workflow import Machine, Transition
from smartfactory.workflow import transition as run

from .enums import RoundState
from .models import RecheckRound
from .queries import recheck_counts
from .rules import can_run_recheck


class Act:
    CLOSE = "close"


LABELS = {Act.CLOSE: gettext_noop("结束本轮复核")}
EVENTS = {Act.CLOSE: "supervision.recheck_close"}


@dataclass
class Ctx:
    round: RecheckRound
    actor: object


def may_run_recheck(user, round_: RecheckRound) -> bool:
    return can_run_recheck(user)


def _close(ctx: Ctx) -> None:
    ctx.round.closed_at, ctx.round.closed_by = timezone.now(), ctx.actor


TABLE: dict[str, Transition] = {
    Act.CLOSE: Transition(frozenset({RoundState.OPEN}), may_run_recheck, (), _close, RoundState.CLOSED),
}

MACHINE = Machine(
    name="recheck", model=RecheckRound, table=TABLE, context=lambda round_, actor: Ctx(round=round_, actor=actor),
    after=lambda ctx, action: recheck_counts(ctx.round.items.all()), event_of=EVENTS.__getitem__,
    labels=lambda action: _(LABELS[action]), state_label=lambda state: str(RoundState(state).label),
    refused=gettext_noop("年度复核当前为“%(s)s”，不能执行“%(a)s”。"),
)


def transition(round_: RecheckRound, action: str, *, actor) -> RecheckRound:
    """Take ``action`` on the round through the engine: row lock; state and who-may; the effect;
    save; the audit event with the item counts."""
    return run(MACHINE, round_, action, actor=actor)
