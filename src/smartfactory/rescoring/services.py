"""Re-scoring a campaign's self-assessments after its thresholds change.

``request_rescore`` (ministry staff) records a job and queues ``tasks.task_rescore_campaign`` once the
request commits; the worker runs ``runner.rescore_campaign``, which re-evaluates every self-assessment of the
campaign from its stored facts (the engine is pure: no answers are read) and writes the verdicts back one
chunk per statement. Progress is committed after every chunk, so the console page can show it.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.campaigns.models import Campaign
from smartfactory.errors import NotPermitted
from smartfactory.organisations.rules import is_ministry_staff, is_platform_admin

from .models import JobStatus, RescoreJob
from .runner import current_overrides, finish_job
from .tasks import task_rescore_campaign

logger = logging.getLogger(__name__)


def can_rescore(user) -> bool:
    return bool(is_ministry_staff(user) or is_platform_admin(user))


def request_rescore(campaign: Campaign, *, actor, reason: str) -> RescoreJob:
    """Ministry staff or a platform admin ask for every self-assessment of the campaign to be scored
    again (after a threshold change). Side effects, in order: the job row (queued); audit event
    rescore.requested; after commit, the background task queued (if queueing fails the job is marked
    failed with the reason, so it never sits queued for ever)."""
    if not can_rescore(actor):
        raise NotPermitted()
    with transaction.atomic():
        job = RescoreJob.objects.create(campaign=campaign, requested_by=actor, reason=reason[:255])
        record_event("rescore.requested", actor=actor, obj=job, reason=reason,
                     after={"campaign": campaign.year, "thresholds": current_overrides(campaign)})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: uuid.UUID) -> None:
    try:
        task_rescore_campaign.enqueue(str(job_id))
    except Exception as error:  # noqa: BLE001 — any queueing failure must show on the job, not vanish
        logger.exception("could not queue re-scoring job %s", job_id)
        finish_job(RescoreJob.objects.select_related("campaign").get(pk=job_id), JobStatus.FAILED,
                error=_("任务未能进入队列：%(e)s") % {"e": error})
