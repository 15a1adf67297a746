"""E-mail through the outbox: notify() queues in the caller's transaction (never sends), the sender
sends, retries with back-off and gives up; two senders never take the same row."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from smartfactory.notifications import outbox
from smartfactory.notifications.models import Notification, OutboxEmail
from smartfactory.notifications.outbox import LEASE, claim, send_outbox
from smartfactory.notifications.services import notify, set_email_preferences
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.SMARTFACTORY_SITE_URL = "https://sf.example.cn"
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 3


def test_notify_queues_an_email_for_each_user_who_wants_it_and_sends_nothing(site):
    wants = f.user("ob-wants", email="wants@example.com")
    off = f.user("ob-off", email="off@example.com")
    no_address = f.user("ob-none")
    set_email_preferences(off, {"evaluation.assigned": False})
    created = notify([wants, off, no_address], kind="evaluation.assigned", title="新的评审任务",
                     body="请于2042-07-01前完成评分。", link="/console/evaluation/7/", dedupe_key="assigned:7")
    assert {n.user for n in created} == {wants, off, no_address}  # in-app: always, for everyone
    [email] = OutboxEmail.objects.all()
    assert email.user == wants and email.address == "wants@example.com" and email.kind == "evaluation.assigned"
    assert email.subject == "【智能工厂梯度培育平台】新的评审任务"
    assert email.link == "https://sf.example.cn/console/evaluation/7/" and email.link in email.body
    assert "评审任务" in email.body and "请于2042-07-01前完成评分。" in email.body  # the kind's own template
    assert email.pending and email.attempts == 0 and email.notification.user == wants
    assert mail.outbox == []  # nothing is sent in the request
    assert not Notification.objects.filter(emailed=True).exists()
    notify([wants, off], kind="evaluation.assigned", title="新的评审任务", dedupe_key="assigned:7")
    assert OutboxEmail.objects.count() == 1  # a repeated occurrence queues nothing


def test_rolled_back_caller_leaves_no_notification_and_no_email():
    user = f.user("ob-rollback", email="rollback@example.com")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([user], kind="evaluation.decided", title="审定结果")
        assert OutboxEmail.objects.count() == 1
        raise RuntimeError("the change the notification reports failed")
    assert not Notification.objects.exists() and not OutboxEmail.objects.exists()
    assert send_outbox() == {"sent": 0, "retry": 0, "failed": 0} and mail.outbox == []


def test_sending_marks_the_row_sent_and_the_notification_emailed(site):
    user = f.user("ob-send", email="send@example.com")
    [note] = notify([user], kind="evaluation.decided", title="审定结果", body="准予认定", link="/portal/")
    assert send_outbox() == {"sent": 1, "retry": 0, "failed": 0}
    [message] = mail.outbox
    assert message.to == ["send@example.com"] and message.subject == "【智能工厂梯度培育平台】审定结果"
    assert "准予认定" in message.body and "https://sf.example.cn/portal/" in message.body
    email = OutboxEmail.objects.get()
    assert email.sent_at is not None and email.failed_at is None and email.attempts == 1 and not email.pending
    note.refresh_from_db()
    assert note.emailed
    assert send_outbox() == {"sent": 0, "retry": 0, "failed": 0} and len(mail.outbox) == 1  # once only


def _failing(monkeypatch, failures: int | None = None):
    """The configured (locmem) backend refuses the next ``failures`` messages (all when None)."""
    left = {"n": failures}
    real = locmem.EmailBackend.send_messages

    def send_messages(self, messages):
        if left["n"] is None or left["n"] > 0:
            if left["n"] is not None:
                left["n"] -= 1
            raise ConnectionRefusedError("smtp.example.cn:25 refused")
        return real(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)


def test_a_failing_backend_is_retried_with_back_off_then_given_up(site, monkeypatch):
    user = f.user("ob-fail", email="fail@example.com")
    notify([user], kind="evaluation.decided", title="审定结果")
    _failing(monkeypatch)
    t0 = timezone.now()
    assert send_outbox(now=t0) == {"sent": 0, "retry": 1, "failed": 0}
    email = OutboxEmail.objects.get()
    assert email.attempts == 1 and email.pending and "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at == t0 + timedelta(minutes=1)
    assert send_outbox(now=t0 + timedelta(seconds=59)) == {"sent": 0, "retry": 0, "failed": 0}  # not yet due
    t1 = t0 + timedelta(minutes=1)
    assert send_outbox(now=t1) == {"sent": 0, "retry": 1, "failed": 0}
    email.refresh_from_db()
    assert email.attempts == 2 and email.next_attempt_at == t1 + timedelta(minutes=5)
    t2 = t1 + timedelta(minutes=5)
    assert send_outbox(now=t2) == {"sent": 0, "retry": 0, "failed": 1}  # the third of three attempts
    email.refresh_from_db()
    assert email.attempts == 3 and email.failed_at == t2 and email.sent_at is None and not email.pending
    assert "smtp.example.cn:25 refused" in email.last_error
    assert send_outbox(now=t2 + timedelta(days=1)) == {"sent": 0, "retry": 0, "failed": 0}
    assert mail.outbox == [] and not Notification.objects.get().emailed


def test_a_failure_then_success_is_sent_once(site, monkeypatch):
    user = f.user("ob-flaky", email="flaky@example.com")
    notify([user], kind="evaluation.decided", title="审定结果")
    _failing(monkeypatch, failures=1)
    t0 = timezone.now()
    assert send_outbox(now=t0) == {"sent": 0, "retry": 1, "failed": 0}
    assert send_outbox(now=t0 + timedelta(minutes=1)) == {"sent": 1, "retry": 0, "failed": 0}
    email = OutboxEmail.objects.get()
    assert email.sent_at is not None and email.attempts == 2 and "refused" in email.last_error  # the history stays
    assert len(mail.outbox) == 1


def test_a_second_sender_does_not_take_rows_another_sender_holds(site):
    users = [f.user(f"ob-two-{i}", email=f"two{i}@example.com") for i in range(5)]
    notify(users, kind="evaluation.decided", title="审定结果")
    now = timezone.now()
    taken = claim(2, now)  # sender A took two rows and is still sending them
    assert len(taken) == 2
    assert send_outbox(now=now) == {"sent": 3, "retry": 0, "failed": 0}  # sender B: the three others
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        OutboxEmail.objects.exclude(pk__in=taken).values_list("address", flat=True))
    assert send_outbox(now=now + LEASE - timedelta(seconds=1)) == {"sent": 0, "retry": 0, "failed": 0}
    # A died before recording its outcome: once its lease has passed, the rows are sent (at least once)
    assert send_outbox(now=now + LEASE) == {"sent": 2, "retry": 0, "failed": 0}
    assert len(mail.outbox) == 5 and set(OutboxEmail.objects.values_list("attempts", flat=True)) == {1, 2}


def test_a_row_whose_last_attempt_never_reported_is_given_up(site):
    user = f.user("ob-lost", email="lost@example.com")
    notify([user], kind="evaluation.decided", title="审定结果")
    now = timezone.now()
    OutboxEmail.objects.update(attempts=3, next_attempt_at=now - timedelta(seconds=1))
    assert send_outbox(now=now) == {"sent": 0, "retry": 0, "failed": 0}
    email = OutboxEmail.objects.get()
    assert email.failed_at == now and email.last_error == outbox.INTERRUPTED and mail.outbox == []


def test_the_claim_skips_locked_rows_where_the_database_can():
    with CaptureQueriesContext(connection) as queries:
        claim(10, timezone.now())
    selects = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    if connection.features.has_select_for_update_skip_locked:
        assert any("FOR UPDATE SKIP LOCKED" in s.upper() for s in selects)
    else:  # SQLite: the claim's IMMEDIATE transaction queues concurrent senders instead
        assert selects and not any("FOR UPDATE" in s.upper() for s in selects)


def _in_thread(fn, *, started=None):
    """Runs ``fn`` on its own connection (committed work, unlike the test's own transaction)."""
    out = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # re-raised in the test's thread
            out["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def _result(thread, out, timeout=30):
    thread.join(timeout)
    assert not thread.is_alive(), "thread did not finish"
    if "error" in out:
        raise out["error"]
    return out.get("value")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL")
def test_concurrent_senders_on_postgres_send_each_row_once():
    """Real concurrency, on committed rows: sender A holds its rows (SKIP LOCKED lets B go on without
    waiting for them), then two senders race over twenty rows; every e-mail goes out exactly once."""
    name = f"ob-race-{uuid.uuid4().hex[:8]}"

    def setup():
        user = get_user_model().objects.create_user(username=name, password=f.PASSWORD)
        rows = [OutboxEmail(user=user, address=f"race{i}@example.com", kind="evaluation.decided", subject=f"s{i}",
                            body="b") for i in range(26)]
        OutboxEmail.objects.bulk_create(rows)
        return user.pk

    user_pk = _result(*_in_thread(setup))
    try:
        a_holds, b_done = threading.Event(), threading.Event()

        def sender_a():
            with transaction.atomic():
                ids = claim(6, timezone.now())
                a_holds.set()
                assert b_done.wait(20), "sender B waited for A's rows"
            return ids

        thread_a, out_a = _in_thread(sender_a)
        assert a_holds.wait(20)
        b_counts = _result(*_in_thread(lambda: send_outbox(limit=10)))
        b_done.set()
        a_ids = _result(thread_a, out_a)
        assert len(a_ids) == 6 and b_counts["sent"] == 10
        held = set(OutboxEmail.objects.filter(pk__in=a_ids).values_list("address", flat=True))
        assert held.isdisjoint(m.to[0] for m in mail.outbox)

        barrier = threading.Barrier(2)

        def racer():
            barrier.wait(10)
            return send_outbox(limit=26)

        racers = [_in_thread(racer) for _ in range(2)]
        counts = [_result(*r) for r in racers]
        assert sum(c["sent"] for c in counts) == 10  # the 26 less A's 6 (leased) and B's 10 (sent)
        addresses = [m.to[0] for m in mail.outbox]
        assert len(addresses) == len(set(addresses)) == 20 and held.isdisjoint(addresses)
    finally:
        def cleanup():
            OutboxEmail.objects.filter(user_id=user_pk).delete()
            get_user_model().objects.filter(pk=user_pk).delete()

        _result(*_in_thread(cleanup))


def test_the_command_and_the_job_send_the_outbox(capsys):
    user = f.user("ob-cmd", email="cmd@example.com")
    notify([user], kind="evaluation.decided", title="审定结果")
    call_command("send_outbox")
    assert "sent=1 retry=0 failed=0 pending=0" in capsys.readouterr().out and len(mail.outbox) == 1
    notify([user], kind="evaluation.returned", title="形式审查意见")
    call_command("run_job", "send_outbox")
    assert "sent=1" in capsys.readouterr().out and len(mail.outbox) == 2


def test_the_outbox_is_listed_read_only_in_the_admin(admin_client, site, monkeypatch):
    user = f.user("ob-admin", email="ops@example.com")
    notify([user], kind="evaluation.decided", title="审定结果")
    _failing(monkeypatch)
    send_outbox()
    page = admin_client.get("/admin/notifications/outboxemail/?delivery=pending").content.decode()
    assert "ops@example.com" in page and "ConnectionRefusedError" in page
    assert "ops@example.com" not in admin_client.get("/admin/notifications/outboxemail/?delivery=sent").content.decode()
    pk = OutboxEmail.objects.get().pk
    assert admin_client.get("/admin/notifications/outboxemail/add/").status_code == 403
    assert admin_client.post(f"/admin/notifications/outboxemail/{pk}/delete/").status_code == 403
