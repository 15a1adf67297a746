"""The re-scoring run itself (``services.request_rescore`` queues it; ``tasks.task_rescore_campaign``
runs it in the worker): every self-assessment of the campaign evaluated again from its stored facts,
written back one chunk per statement, progress committed after every chunk."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.assessments.models import SelfAssessment
from smartfactory.assessments.services import score
from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.services import framework_spec_for
from smartfactory.errors import InvalidInput
from smartfactory.frameworks.engine import evaluate, validate_facts
from smartfactory.workflow import Machine, Transition
from smartfactory.workflow import transition as run

from .models import JobStatus, RescoreJob

logger = logging.getLogger(__name__)

# (id, new verdict as JSON text from the writer's dumps, new attained tier or "", scored_at as read: the
# row is written only if that is unchanged)
Update = tuple[uuid.UUID, str, str, object]


def current_overrides(campaign: Campaign) -> dict:
    return dict(campaign.rule_thresholds.values_list("rule_id", "threshold"))


def rescore_campaign(job_id, *, chunk: int = 5000) -> RescoreJob:
    """Score every self-assessment of the job's campaign again under the campaign's current thresholds.

    Idempotent: running a job again recomputes the same verdicts (and then counts no changes). Rows are
    read in primary-key order, ``chunk`` at a time (id, facts, the old verdict's completeness only);
    each is evaluated from its facts, keeping ``complete``/``missing`` from the old verdict (they depend
    on the questionnaire, not on thresholds). A row never scored (no answer saved yet) is left alone:
    its first save scores it under the thresholds of that day. A row scored before facts were stored,
    or whose facts no longer validate, is scored from its answers by ``assessments.services.score``
    (slow, rare). Every row read counts as done.
    Side effects, in order: the job marked running with its total (the job machine's ``start``); per
    chunk, in one transaction, the verdicts, attained tiers, scored_at and scored_thresholds written
    and the job's done/changed advanced; at the end the job marked done (or failed, with the error)
    and one audit event rescore.finished / rescore.failed with the counts (``finish`` / ``fail``). A row saved by its enterprise while the chunk
    was being computed is left as that save scored it. If the thresholds change while the job runs,
    the following chunks use the new ones (a later job re-scores the earlier chunks).
    """
    job = RescoreJob.objects.select_related("campaign").get(pk=job_id)
    campaign = job.campaign
    rows = SelfAssessment.objects.filter(campaign=campaign)
    job = run(MACHINE, job, Act.START, actor=None, total=rows.count())
    try:
        spec = framework_spec_for(campaign)
        writer = _bulk_writer()
        last = None
        while True:
            if current_overrides(campaign) != spec.overrides:
                spec = framework_spec_for(campaign)
            page = rows.filter(pk__gt=last) if last is not None else rows
            batch = list(page.order_by("pk").values_list(
                "pk", "facts", "attained_tier", "scored_at", "verdict__complete", "verdict__missing"
            )[:chunk])
            if not batch:
                break
            last = batch[-1][0]
            updates: list[Update] = []
            slow: list[uuid.UUID] = []
            changed = 0
            for pk, facts, old_tier, scored_at, complete, missing in batch:
                if scored_at is None:
                    continue  # never scored (no answer saved yet): its first save scores it
                if facts is None or complete is None:
                    slow.append(pk)
                    continue
                try:
                    verdict = evaluate(spec, validate_facts(spec, facts))
                except InvalidInput:
                    slow.append(pk)
                    continue
                verdict["complete"] = complete
                verdict["missing"] = missing or []
                tier = verdict["attained_tier"] or ""
                changed += tier != old_tier
                updates.append((pk, writer.dumps(verdict), tier, scored_at))  # text: 5,000 dicts weigh more
            with transaction.atomic():
                writer.write(updates, timezone.now(), spec.overrides)
                for assessment in SelfAssessment.objects.filter(pk__in=slow).select_related("campaign"):
                    old_tier = assessment.attained_tier
                    changed += (score(assessment, spec=spec)["attained_tier"] or "") != old_tier
                RescoreJob.objects.filter(pk=job.pk).update(done=F("done") + len(batch), changed=F("changed") + changed)
    except Exception as error:
        job.refresh_from_db()
        finish_job(job, JobStatus.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    job.refresh_from_db()
    return finish_job(job, JobStatus.DONE)


def finish_job(job: RescoreJob, status: str, *, error: str = "") -> RescoreJob:
    """The job ends ``done`` or ``failed`` (with the error), through the job's machine: audit event
    rescore.finished / rescore.failed with the counts."""
    return run(MACHINE, job, Act.FINISH if status == JobStatus.DONE else Act.FAIL, actor=None, error=error)


# ---------------------------------------------------------------------------------- the job's machine
#
#     queued ──start──▶ running ──finish──▶ done
#       │                  └───────fail───▶ failed
#       └────────────fail─────────────────▶ failed      (it could not be queued)
#
# Taken by the worker (actor None), never offered as a button. A job may start again from any status
# (it is recomputed from the start; a worker that died leaves it running). ``start`` writes no audit
# event: a job has one, written when it ends. The progress counters (done, changed) are not a state:
# the run advances them chunk by chunk, outside the engine.
class Act:
    START = "start"
    FINISH = "finish"
    FAIL = "fail"


LABELS = {Act.START: gettext_noop("开始重新评估"), Act.FINISH: gettext_noop("完成重新评估"),
          Act.FAIL: gettext_noop("重新评估失败")}
EVENTS = {Act.START: "rescore.started", Act.FINISH: "rescore.finished", Act.FAIL: "rescore.failed"}


@dataclass
class Ctx:
    job: RescoreJob
    actor: object
    total: int = 0
    error: str = ""


def is_the_worker(user, job: RescoreJob) -> bool:
    return user is None


def _start(ctx: Ctx) -> None:
    job = ctx.job
    job.started_at, job.finished_at = timezone.now(), None
    job.total, job.done, job.changed, job.error = ctx.total, 0, 0, ""


def _end(ctx: Ctx) -> None:
    job = ctx.job
    job.error, job.finished_at = ctx.error, timezone.now()
    job.total = max(job.total, job.done)  # assessments started while the job ran are re-scored too


def _after(ctx: Ctx, action: str) -> dict:
    job = ctx.job
    after = {"campaign": job.campaign.year, "total": job.total, "done": job.done, "changed": job.changed,
             "thresholds": current_overrides(job.campaign)}
    if ctx.error:
        after["error"] = ctx.error[:500]
    return after


S = JobStatus
TABLE: dict[str, Transition] = {
    Act.START: Transition(frozenset(S.values), is_the_worker, (), _start, S.RUNNING, offered=False, audited=False),
    Act.FINISH: Transition(frozenset({S.RUNNING}), is_the_worker, (), _end, S.DONE, offered=False),
    Act.FAIL: Transition(frozenset({S.QUEUED, S.RUNNING}), is_the_worker, (), _end, S.FAILED, offered=False),
}

MACHINE = Machine(
    name="rescore", model=RescoreJob, table=TABLE, state_field="status",
    context=lambda job, actor, total=0, error="": Ctx(job=job, actor=actor, total=total, error=error),
    lock=lambda job: RescoreJob.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=job.pk),
    audit=lambda job: {"status": job.status}, after=_after, event_of=EVENTS.__getitem__,
    labels=lambda action: _(LABELS[action]), state_label=lambda state: str(JobStatus(state).label),
)


# ---------------------------------------------------------------------------------- bulk writes


class BulkWriter(NamedTuple):
    dumps: Callable[[object], str]
    write: Callable[[Sequence[Update], object, dict], None]


def _bulk_writer() -> BulkWriter:
    if connection.vendor == "postgresql":
        return BulkWriter(_dumps, _write_postgresql)
    return BulkWriter(_dumps_as_django, _write_sqlite)


def _dumps(value) -> str:
    """Compact JSON for jsonb parameters (PostgreSQL parses it; the text form is not kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _dumps_as_django(value) -> str:
    """JSON text exactly as JSONField writes it: on SQLite the text is what is stored, and an exact
    lookup such as ``filter(scored_thresholds={...})`` compares it as text."""
    return json.dumps(value)


_PG_UPDATE = (
    "UPDATE assessments_selfassessment AS a SET verdict = v.verdict, attained_tier = v.attained, "
    "scored_at = %s, scored_thresholds = %s::jsonb "
    "FROM (VALUES {values}) AS v(id, verdict, attained, read_scored_at) "
    "WHERE a.id = v.id AND a.scored_at IS NOT DISTINCT FROM v.read_scored_at"
)


def _write_postgresql(updates: Sequence[Update], now, thresholds: dict) -> None:
    """One UPDATE … FROM (VALUES …) for the chunk. ``scored_at IS NOT DISTINCT FROM`` the value read
    skips a row its enterprise re-scored meanwhile (that save already used the current thresholds)."""
    if not updates:
        return
    values = ", ".join(["(%s::uuid, %s::jsonb, %s, %s::timestamptz)"] * len(updates))
    params: list = [now, _dumps(thresholds)]
    for pk, verdict, tier, scored_at in updates:
        params += (pk, verdict, tier, scored_at)
    sql = _PG_UPDATE.format(values=values)  # only placeholders are interpolated; values are bound parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _write_sqlite(updates: Sequence[Update], now, thresholds: dict) -> None:
    """SQLite: one parameterised UPDATE run with executemany (``IS`` is SQLite's null-safe equality)."""
    if not updates:
        return
    ops = connection.ops
    db_now = ops.adapt_datetimefield_value(now)
    db_thresholds = _dumps_as_django(thresholds)
    db_id = (lambda u: u) if connection.features.has_native_uuid_field else (lambda u: u.hex)
    params = [
        (verdict, tier, db_now, db_thresholds, db_id(pk), ops.adapt_datetimefield_value(scored_at))
        for pk, verdict, tier, scored_at in updates
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE assessments_selfassessment SET verdict = %s, attained_tier = %s, scored_at = %s, "
            "scored_thresholds = %s WHERE id = %s AND scored_at IS %s",
            params,
        )
