"""Re-scoring a campaign's self-assessments after a threshold change: the verdicts follow the new
threshold both ways, job counts are exact, a re-run changes nothing, progress is committed per chunk
and shown on the ministry page, one audit event per job, and only the ministry may ask for it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from smartfactory.assessments.models import Answer, SelfAssessment
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import Campaign, RuleThreshold
from smartfactory.campaigns.services import set_rule_threshold
from smartfactory.errors import NotPermitted
from smartfactory.organisations.enums import AuthorityLevel, Role
from smartfactory.rescoring import runner, services
from smartfactory.rescoring.models import JobStatus, RescoreJob
from tests import factories as f

from .builders import assessment, facts, tiers

pytestmark = pytest.mark.django_db
def change_threshold(world, value, captured, reason="2041年通知") -> RescoreJob:
    with captured(execute=True):
        set_rule_threshold(world["campaign"], rule_id="AI-excellent", threshold=value, actor=world["staff"],
                           reason=reason)
        job = services.request_rescore(world["campaign"], actor=world["staff"], reason=reason)
    job.refresh_from_db()
    return job


def test_default_thresholds_give_the_expected_tiers(world):
    assert tiers(world["a15"], world["a25"], world["basic"]) == ["advanced", "excellent", "basic"]


def test_lower_ai_threshold_promotes_and_stricter_one_demotes(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    job = change_threshold(world, 0.10, django_capture_on_commit_callbacks)
    assert (job.status, job.total, job.done, job.changed, job.error) == (JobStatus.DONE, 3, 3, 1, "")
    assert job.started_at <= job.finished_at
    assert tiers(world["a15"], world["a25"], world["basic"]) == ["excellent", "excellent", "basic"]
    a15 = SelfAssessment.objects.get(pk=world["a15"].pk)
    assert a15.scored_thresholds == {"AI-excellent": 0.1}
    # stored as the ORM stores JSON, so exact lookups (compared as text on SQLite) find the rows
    assert SelfAssessment.objects.filter(campaign=world["campaign"], scored_thresholds={"AI-excellent": 0.1},
                                         verdict__attained_tier="excellent").count() == 2
    assert a15.verdict["attained_tier"] == "excellent" and a15.verdict["complete"] is True
    assert a15.verdict["tiers"]["excellent"]["met"] is True
    assert a15.scored_at > world["a15"].scored_at
    # completeness is the questionnaire's, kept from the old verdict
    basic = SelfAssessment.objects.get(pk=world["basic"].pk)
    assert (basic.verdict["complete"], basic.verdict["missing"]) == (False, ["kpi:level"])
    # stricter than both: each excellent one falls back to advanced
    job = change_threshold(world, 0.30, django_capture_on_commit_callbacks, reason="从严")
    assert (job.status, job.total, job.done, job.changed) == (JobStatus.DONE, 3, 3, 2)
    assert tiers(world["a15"], world["a25"], world["basic"]) == ["advanced", "advanced", "basic"]
    gaps = SelfAssessment.objects.get(pk=world["a25"].pk).verdict["gaps"]
    assert [g["rule"] for g in gaps] == ["AI-excellent"]
    # the other campaign's assessment is untouched
    elsewhere = SelfAssessment.objects.get(pk=world["elsewhere"].pk)
    assert (elsewhere.attained_tier, elsewhere.scored_thresholds) == ("advanced", {})


def test_scenario_count_threshold_is_applied(world, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_rule_threshold(world["campaign"], rule_id="SCN-count", threshold={"excellent": 22},
                           actor=world["staff"], reason="2041年通知")
        job = services.request_rescore(world["campaign"], actor=world["staff"], reason="场景数量")
    job.refresh_from_db()
    assert (job.total, job.done, job.changed) == (3, 3, 1)
    assert tiers(world["a15"], world["a25"], world["basic"]) == ["advanced", "advanced", "basic"]


def test_rerun_recomputes_the_same_verdicts_and_changes_nothing(world, immediate_tasks,
                                                                django_capture_on_commit_callbacks):
    job = change_threshold(world, 0.10, django_capture_on_commit_callbacks)
    before = {a.pk: (a.verdict, a.attained_tier, a.scored_thresholds, a.facts)
              for a in SelfAssessment.objects.filter(campaign=world["campaign"])}
    again = runner.rescore_campaign(job.pk)
    assert (again.status, again.total, again.done, again.changed) == (JobStatus.DONE, 3, 3, 0)
    after = {a.pk: (a.verdict, a.attained_tier, a.scored_thresholds, a.facts)
             for a in SelfAssessment.objects.filter(campaign=world["campaign"])}
    assert after == before


def test_progress_is_committed_per_chunk(world, monkeypatch):
    RuleThreshold.objects.create(campaign=world["campaign"], rule_id="AI-excellent", threshold=0.1, reason="x")
    job = RescoreJob.objects.create(campaign=world["campaign"], reason="分批")
    seen = []
    original = runner._bulk_writer

    def spying_writer():
        writer = original()

        def write(updates, now, thresholds):
            seen.append(RescoreJob.objects.values_list("done", "total", "status").get(pk=job.pk))
            writer.write(updates, now, thresholds)
        return runner.BulkWriter(writer.dumps, write)

    monkeypatch.setattr(runner, "_bulk_writer", spying_writer)
    done = runner.rescore_campaign(job.pk, chunk=2)
    assert seen == [(0, 3, "running"), (2, 3, "running")]
    assert (done.status, done.done, done.changed) == (JobStatus.DONE, 3, 1)


def test_query_count_does_not_grow_with_the_rows(world):
    RuleThreshold.objects.create(campaign=world["campaign"], rule_id="AI-excellent", threshold=0.1, reason="x")

    def queries() -> int:
        job = RescoreJob.objects.create(campaign=world["campaign"], reason="计数")
        with CaptureQueriesContext(connection) as ctx:
            runner.rescore_campaign(job.pk)
        return len(ctx)

    few = queries()
    for ai in range(6):
        assessment(world["campaign"], facts(ai=ai))
    assert queries() == few


def test_rows_without_facts_scored_from_answers_and_never_scored_ones_left_alone(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    never = assessment(world["campaign"], None)  # started, nothing saved yet
    legacy = assessment(world["campaign"], None)  # scored before the facts column existed
    SelfAssessment.objects.filter(pk=legacy.pk).update(
        verdict={"attained_tier": None, "complete": False, "missing": []}, scored_at=timezone.now())
    Answer.objects.create(assessment=legacy, key="cmmm:level", value="3")
    job = change_threshold(world, 0.10, django_capture_on_commit_callbacks)
    assert (job.total, job.done, job.changed) == (5, 5, 1)
    legacy.refresh_from_db()
    assert legacy.facts["cmmm_level"] == 3
    assert legacy.verdict["complete"] is False and legacy.attained_tier == ""
    assert legacy.scored_thresholds == {"AI-excellent": 0.1}
    never.refresh_from_db()
    assert (never.facts, never.verdict, never.scored_at, never.scored_thresholds) == (None, None, None, {})


def test_a_row_saved_meanwhile_is_not_overwritten(world):
    row = SelfAssessment.objects.get(pk=world["a15"].pk)
    writer = runner._bulk_writer()
    verdict = writer.dumps({"attained_tier": "leading"})
    stale = row.scored_at - timedelta(seconds=1)
    writer.write([(row.pk, verdict, "leading", stale)], timezone.now(), {})
    assert tiers(row) == ["advanced"]
    writer.write([(row.pk, verdict, "leading", row.scored_at)], timezone.now(), {"x": 1})
    row.refresh_from_db()
    assert (row.attained_tier, row.verdict, row.scored_thresholds) == ("leading", {"attained_tier": "leading"}, {"x": 1})


def test_audit_one_event_per_job_not_per_row(world, immediate_tasks, django_capture_on_commit_callbacks):
    start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    job = change_threshold(world, 0.10, django_capture_on_commit_callbacks, reason="2041年通知")
    events = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq"))
    assert [e.action for e in events] == ["campaign.rule_threshold_set", "rescore.requested", "rescore.finished"]
    requested, finished = events[1], events[2]
    assert (requested.actor_name, requested.reason, requested.object_id) == ("miit-staff", "2041年通知", str(job.pk))
    assert requested.after["thresholds"] == {"AI-excellent": 0.1}
    assert finished.actor_name == "system"
    assert {k: finished.after[k] for k in ("campaign", "total", "done", "changed")} == {
        "campaign": 2041, "total": 3, "done": 3, "changed": 1}


def test_failure_marks_the_job_failed_with_the_error(world):
    broken = Campaign.objects.create(year=2043, name="2043", framework_version="1999", tiers_open=["basic"])
    job = RescoreJob.objects.create(campaign=broken, reason="无此版本")
    with pytest.raises(Exception, match="does not exist"):
        runner.rescore_campaign(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "DoesNotExist" in job.error and job.finished_at
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.object_id) == ("rescore.failed", str(job.pk))
    assert "DoesNotExist" in event.after["error"]


def test_failing_task_under_the_immediate_backend_leaves_a_failed_job(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    broken = Campaign.objects.create(year=2044, name="2044", framework_version="1999", tiers_open=["basic"])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_rescore(broken, actor=world["staff"], reason="失败")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_request_is_queued_on_the_database_backend_after_commit(world, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.request_rescore(world["campaign"], actor=world["staff"], reason="排队")
    assert not DBTaskResult.objects.exists()  # nothing is queued before the request commits
    for callback in callbacks:
        callback()
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs == {"args": [str(job.pk)], "kwargs": {}}
    assert queued.task_path == "smartfactory.rescoring.tasks.task_rescore_campaign"
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


@pytest.mark.parametrize("who", ["enterprise", "province_leader", "nobody"])
def test_only_the_ministry_may_request(world, who):
    if who == "enterprise":
        e = f.enterprise("510107")
        user = f.user(role=Role.ENTERPRISE_ADMIN, enterprise=e)
    elif who == "province_leader":
        user = f.user(role=Role.AUTHORITY_LEADER, authority=f.authority("510000", level=AuthorityLevel.PROVINCE))
    else:
        user = f.user()
    with pytest.raises(NotPermitted):
        services.request_rescore(world["campaign"], actor=user, reason="x")
    assert not RescoreJob.objects.exists()


def test_platform_admin_may_request(world, django_capture_on_commit_callbacks):
    job = services.request_rescore(world["campaign"], actor=f.platform_admin(), reason="管理员")
    assert job.status == JobStatus.QUEUED and job.requested_by.username == "admin-user"
