"""The one workflow engine. Every object with a life (application, recommendation batch, evaluation,
assignment, site visit, publicity, objection, cultivation object, acceptance, supervision case,
case-library case) declares a ``Machine``: its model, its state field and a table of
``Transition`` rows. A row says from which states the action leaves, the state it leads to, who may
take it, its guards (each a ``@guard`` carrying rule ids, see ``smartfactory.guards``), its effect
and whom it concerns.

``transition(machine, obj, action, actor=…, **input)`` does the rest, always in this order:

1. row lock (``machine.lock``), inside one transaction;
2. the action leaves from the current state, else ``TransitionNotAllowed``;
3. who may (``row.who(actor, obj)``), else ``NotPermitted``;
4. the guards, in the row's order (the first to raise stops it);
5. the effect, then the target state;
6. save;
7. the audit event ``<machine.name>.<action>`` (before/after, reason) in the same transaction
   (none for a row marked ``audited=False``: a worker's step whose run is audited when it ends);
8. ``machine.then`` (what another machine must do in the same transaction);
9. the notifications of the row (in-app rows in the same transaction, so a change and its notice
   stand or fall together; e-mail after commit) and the after-commit hooks (counters).

The engine imports only ``audit`` and ``errors``, so that every app from ``organisations`` up may put its
objects on it (memberships and enterprise change requests included). The notices go out through the
sender ``notifications`` offers, registered when Django starts (``register_sender``, called in
``NotificationsConfig.ready``: the engine may not import ``notifications``, which builds on ``organisations``).

``available_actions(machine, obj, user)`` runs the same checks without writing (inside a savepoint
that is rolled back): an action is offered when it would succeed, or shown disabled with the reason
the guard gives. Guards that judge the user's input (a reason, an acknowledgement) or that are too
costly for a page (an OCR scan) are marked ``@when_taken`` and only run when the action is taken.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import InvalidInput, NotPermitted, ProgrammeError, TransitionNotAllowed


def when_taken(function: Callable) -> Callable:
    """Mark a guard that ``available_actions`` skips: it judges the input of the action (a reason,
    an acknowledgement) or is too costly to run for every page view."""
    function.when_taken = True
    return function


def hides(function: Callable) -> Callable:
    """Mark a guard that decides whether an action applies at all (e.g. certify only at the last
    level): when it refuses, ``available_actions`` leaves the action out instead of disabling it."""
    function.hides = True
    return function


@dataclass(frozen=True)
class Notice:
    """Whom a transition concerns and what they are told: a link to the object, what to do, by when."""

    users: list
    kind: str
    title: str
    body: str = ""
    link: str = ""
    dedupe_key: str = ""  # one occurrence: never told twice


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    who: Callable[[Any, Any], bool]
    guards: tuple = ()
    effect: Callable[[Any], None] | None = None
    target: str | None = None  # None: the effect sets the state (or it stays)
    notify: Callable[[Any], Iterable[Notice]] | None = None
    offered: bool = True  # False: taken by another machine or a dedicated form, never a plain button
    audited: bool = True  # False: no audit event of its own (a worker's step; its run is audited when it ends)


@dataclass(frozen=True)
class Machine:
    name: str  # the audit prefix: "application" → application.submit
    model: type
    table: dict[str, Transition]
    context: Callable[..., Any]  # (obj, actor, **input) → the context the guards and effects read
    labels: Callable[[str], str]  # action → its Chinese label
    state_label: Callable[[str], str]
    lock: Callable[[Any], Any] | None = None  # obj → the same row, locked (select_for_update)
    audit: Callable[[Any], dict] | None = None  # obj → the audited fields (default: the state)
    after: Callable[[Any, str], dict] | None = None  # (ctx, action) → extra audit "after" fields
    then: Callable[[Any, str], None] | None = None  # (ctx, action) → work of another machine, same transaction
    state_field: str = "state"
    event_of: Callable[[str], str] | None = None  # action → audit event name (default "<name>.<action>")
    audit_obj: Callable[[Any, str], Any] | None = None  # (ctx, action) → what the event is recorded on (default: obj)
    refused: str = "当前为“%(s)s”，不能执行“%(a)s”。"  # msgid: the state does not allow the action
    reason_of: Callable[[Any], str] = field(default=lambda ctx: getattr(ctx, "reason", "") or "")


@dataclass(frozen=True)
class Available:
    action: str
    label: str
    enabled: bool
    reason: str = ""


# after-commit hooks every transition runs (the statistics counters register here, by import)
AFTER_COMMIT: list[Callable[[Machine, Any, str, str, str], None]] = []
# what sends a notice: notifications.services.notify, registered at start-up (see the module docstring)
_SENDER: list[Callable[..., Any]] = []


def register_sender(send: Callable[..., Any]) -> None:
    """``send(users, *, kind, title, body, link, dedupe_key)`` delivers the notices of every transition."""
    _SENDER[:] = [send]


def _state(machine: Machine, obj) -> str:
    return getattr(obj, machine.state_field)


def _locked(machine: Machine, obj):
    if machine.lock is not None:
        return machine.lock(obj)
    return machine.model.objects.select_for_update().get(pk=obj.pk)


def transition(machine: Machine, obj, action: str, *, actor, **given):
    """Take ``action`` on ``obj``; see the module docstring for the fixed order. Returns the saved
    object. Raises a ``ProgrammeError`` (nothing written) when the table, who-may or a guard refuses."""
    row = machine.table.get(action)
    if row is None:
        raise InvalidInput(_("未知的操作：%(a)s") % {"a": action}, field="action")
    with transaction.atomic():
        obj = obj if obj._state.adding else _locked(machine, obj)  # a new object is created by its first action
        before_state = _state(machine, obj)
        if before_state not in row.sources:
            raise TransitionNotAllowed(_(machine.refused) % {"s": machine.state_label(before_state),
                                                              "a": machine.labels(action)})
        if not row.who(actor, obj):
            raise NotPermitted()
        ctx = machine.context(obj, actor, **given)
        for guard in row.guards:
            guard(ctx)
        before = machine.audit(obj) if machine.audit else {"state": before_state}
        if row.effect is not None:
            row.effect(ctx)
        if row.target is not None:
            setattr(obj, machine.state_field, row.target)
        obj.save()
        after = machine.audit(obj) if machine.audit else {"state": _state(machine, obj)}
        if machine.after is not None:
            after = {**after, **machine.after(ctx, action)}
        event = machine.event_of(action) if machine.event_of else f"{machine.name}.{action}"
        if row.audited:
            record_event(event, actor=actor, obj=machine.audit_obj(ctx, action) if machine.audit_obj else obj,
                         before=before, after=after, reason=machine.reason_of(ctx))
        if machine.then is not None:
            machine.then(ctx, action)
        if row.notify is not None:
            _send(row.notify(ctx))
        after_state = _state(machine, obj)
        for hook in AFTER_COMMIT:
            transaction.on_commit(lambda hook=hook: hook(machine, obj, action, before_state, after_state))
    return obj


def _send(notices: Iterable[Notice]) -> None:
    for notice in notices:
        users = [u for u in notice.users if u is not None]
        if users:
            if not _SENDER:
                raise ImproperlyConfigured("no notice sender registered (smartfactory.workflow.register_sender)")
            _SENDER[0](users, kind=notice.kind, title=notice.title, body=notice.body, link=notice.link,
                       dedupe_key=notice.dedupe_key)


def available_actions(machine: Machine, obj, user) -> list[Available]:
    """The actions this user could take on ``obj`` now: the state and who-may decide whether an
    action appears at all, and so do the ``@hides`` guards; the other guards (except ``@when_taken``
    ones) whether it is enabled, with the first refusing guard's message as the reason. Nothing is
    written (each action's guards run in a savepoint that is rolled back)."""
    return _available(machine, obj, user, savepoint=True)


def available_actions_of_rows(machine: Machine, objs, user) -> dict:
    """``available_actions`` for every object of a list, by primary key, in one savepoint rolled back
    at the end (a list page's query count does not grow by a savepoint per row and action)."""
    with transaction.atomic():
        found = {obj.pk: _available(machine, obj, user, savepoint=False) for obj in objs}
        transaction.set_rollback(True)
    return found


def _available(machine: Machine, obj, user, *, savepoint: bool) -> list[Available]:
    state = _state(machine, obj)
    out = []
    for action, row in machine.table.items():
        if not row.offered or state not in row.sources or not user.is_authenticated or not row.who(user, obj):
            continue
        reason, applies = "", True
        try:
            with transaction.atomic() if savepoint else contextlib.nullcontext():
                ctx = machine.context(copy.copy(obj), user)  # a guard may set fields in memory
                for guard in row.guards:
                    if getattr(guard, "hides", False):
                        try:
                            guard(ctx)
                        except ProgrammeError:
                            applies = False
                            break
                for guard in row.guards if applies else ():
                    if not getattr(guard, "when_taken", False) and not getattr(guard, "hides", False):
                        guard(ctx)
                if savepoint:
                    transaction.set_rollback(True)
        except ProgrammeError as error:
            reason = error.message
        if not applies:
            continue
        out.append(Available(action, machine.labels(action), enabled=not reason, reason=reason))
    return out


def offered(machine: Machine, obj, user) -> list[str]:
    """The actions ``available_actions`` shows (enabled or not), cheaply: state and who-may only."""
    state = _state(machine, obj)
    return [a for a, row in machine.table.items()
            if row.offered and state in row.sources and user.is_authenticated and row.who(user, obj)]
