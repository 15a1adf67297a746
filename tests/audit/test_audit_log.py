"""The audit log is append-only at the database and its hash chain shows tampering."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from smartfactory.audit.models import AuditEvent
from smartfactory.audit.services import AuditOutsideTransaction, record_event, verify_chain
from smartfactory.organisations.enums import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    actor = f.user(role=Role.EXPERT)
    with transaction.atomic():
        for i in range(3):
            record_event("test.event", actor=actor, object_type="test", object_id=str(i), after={"n": i, "名": "值"})
    return list(AuditEvent.objects.order_by("seq"))


def test_events_are_chained(events):
    assert [e.seq for e in events][-3:] == [events[-3].seq, events[-3].seq + 1, events[-3].seq + 2]
    for previous, current in zip(events, events[1:], strict=False):
        assert current.prev_hash == previous.hash
    checked, broken, _why = verify_chain()
    assert broken is None and checked == len(events)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditevent SET reason = 'changed'",
    "DELETE FROM audit_auditevent",
])
def test_update_and_delete_are_refused_by_the_database(events, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.filter(reason="changed").count() == 0
    assert AuditEvent.objects.count() == len(events)


def test_orm_update_and_delete_are_refused(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).delete()
    assert AuditEvent.objects.get(pk=events[0].pk).action == "test.event"


def test_truncate_is_refused(events):
    """PostgreSQL: TRUNCATE (a statement trigger; row triggers do not fire on it). SQLite has no
    TRUNCATE; its equivalent is an unqualified DELETE, whose truncate optimisation SQLite turns off
    when the table has triggers, so the row trigger fires."""
    statement = "TRUNCATE audit_auditevent" if connection.vendor == "postgresql" else "DELETE FROM audit_auditevent"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == len(events)


def _tamper(pk: int) -> None:
    """What someone with database superuser rights could do: switch the trigger off and edit a row.
    DDL is transactional on both databases, so the test's rollback restores the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update_delete")
            cursor.execute("UPDATE audit_auditevent SET reason = 'tampered' WHERE id = %s", [pk])
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update_delete")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("UPDATE audit_auditevent SET reason = 'tampered' WHERE id = %s", [pk])


def test_verify_audit_reports_the_first_tampered_row(events):
    call_command("verify_audit")  # intact before
    target = events[-2]
    _tamper(target.pk)
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert f"seq {target.seq}" in str(exc.value)
    assert "content does not match its hash" in str(exc.value)


def test_event_outside_a_transaction_is_refused():
    with pytest.raises(AuditOutsideTransaction):
        # pytest-django wraps tests in atomic; leave it to reproduce a service that forgot its own
        connection.in_atomic_block = False
        try:
            record_event("test.event", actor=None)
        finally:
            connection.in_atomic_block = True


def test_failed_change_leaves_no_event():
    before = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record_event("test.event", actor=None)
        1 / 0  # noqa: B018  (the change fails after its event was written)
    assert AuditEvent.objects.count() == before


def test_login_and_failed_login_are_audited(client):
    f.user("auditme")
    client.post("/accounts/login/", {"username": "auditme", "password": "wrong-password-x"})
    client.post("/accounts/login/", {"username": "auditme", "password": f.PASSWORD})
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", "object_id"))[-2:]
    assert actions[0] == ("auth.login_failed", "auditme")
    assert actions[1][0] == "auth.login"
    assert not AuditEvent.objects.filter(after__icontains="wrong-password-x").exists()
    assert not AuditEvent.objects.filter(reason__icontains="wrong-password-x").exists()
