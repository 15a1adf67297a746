"""Background tasks of re-scoring (django-tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from .runner import rescore_campaign


@task()
def task_rescore_campaign(job_id: str) -> dict:
    """Runs one re-scoring job; safe to run again (the job is recomputed from the start)."""
    job = rescore_campaign(job_id)
    return {"total": job.total, "done": job.done, "changed": job.changed}
