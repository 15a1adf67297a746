"""A re-scoring job's status on the workflow engine: queued → running → done / failed, taken by the
worker only (no actor), with one audit event per job (the start writes none)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.errors import NotPermitted, TransitionNotAllowed
from smartfactory.rescoring import runner, services
from smartfactory.rescoring.models import JobStatus, RescoreJob
from smartfactory.workflow import transition

pytestmark = pytest.mark.django_db


def test_only_the_worker_moves_a_job_and_a_job_that_never_ran_does_not_finish(world):
    job = RescoreJob.objects.create(campaign=world["campaign"], reason="状态")
    with pytest.raises(NotPermitted):
        transition(runner.MACHINE, job, runner.Act.START, actor=world["staff"])
    with pytest.raises(TransitionNotAllowed):
        runner.finish_job(job, JobStatus.DONE)
    started = transition(runner.MACHINE, job, runner.Act.START, actor=None, total=7)
    assert (started.status, started.total, started.done) == (JobStatus.RUNNING, 7, 0) and started.started_at
    assert not AuditEvent.objects.filter(object_id=str(job.pk)).exists()  # the start is not audited
    done = runner.finish_job(started, JobStatus.DONE)
    assert (done.status, done.total) == (JobStatus.DONE, 7) and done.finished_at
    with pytest.raises(TransitionNotAllowed):
        runner.finish_job(done, JobStatus.FAILED, error="late")
    assert list(AuditEvent.objects.filter(object_id=str(job.pk)).values_list("action", flat=True)) == [
        "rescore.finished"]


def test_a_job_that_cannot_be_queued_fails_from_queued(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(services, "task_rescore_campaign", SimpleNamespace(enqueue=refuse))
    job = RescoreJob.objects.create(campaign=world["campaign"], reason="排队失败")
    services._enqueue(job.pk)
    job.refresh_from_db()
    assert (job.status, job.started_at) == (JobStatus.FAILED, None) and "queue unavailable" in job.error
    event = AuditEvent.objects.get(action="rescore.failed", object_id=str(job.pk))
    assert (event.actor_name, event.before, event.after["status"]) == ("system", {"status": "queued"}, "failed")
