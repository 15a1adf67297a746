"""The ministry's threshold page: rules with default and campaign thresholds, setting one re-scores the
campaign in the background, the job list polls while a job is active, and nobody else sees the page."""

from __future__ import annotations

import pytest

from smartfactory.assessments.models import SelfAssessment
from smartfactory.campaigns.models import RuleThreshold
from smartfactory.organisations.enums import AuthorityLevel, Role
from smartfactory.rescoring.models import JobStatus, RescoreJob
from tests import factories as f

from .builders import IMMEDIATE, tiers

pytestmark = pytest.mark.django_db
PAGE = "/console/campaigns/2041/thresholds/"
JOBS = "/console/campaigns/2041/thresholds/jobs/"


def test_page_lists_the_rules_with_default_and_campaign_thresholds(world, client_for):
    RuleThreshold.objects.create(campaign=world["campaign"], rule_id="SCN-count", threshold={"advanced": 8},
                                 reason="2041年通知")
    body = client_for(world["staff"]).get(PAGE).content.decode()
    assert 'data-rule="AI-excellent"' in body and "<code>0.2</code>" in body
    assert "人工智能场景占比" in body and "S-JHC, S-DINHEE, S-KB" in body
    # the reference data's "medium (threshold) / low (formula)" reads as a level; no rule ids, no kind keys
    row = body.split('data-rule="AI-excellent"')[1].split("</tr>")[0]
    assert "<td>中</td>" in row and "medium" not in row and "AI-excellent" not in row and "ai_share" not in row
    assert '<code>{&quot;advanced&quot;: 8}</code>' in body and "2041年通知" in body
    assert 'data-rule="OUT-excellent"' in body and "由专家评审判断" in body
    assert '<option value="OUT-excellent"' not in body and '<option value="AI-excellent"' in body
    assert "尚未重新评估" in body and 'hx-trigger="every' not in body


def test_setting_a_threshold_rescores_and_shows_the_finished_job(
    world, client_for, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    client = client_for(world["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"action": "threshold", "rule_id": "AI-excellent", "threshold": "0.1",
                                      "reason": "工信厅通知〔2041〕1号"})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert RuleThreshold.objects.get(campaign=world["campaign"], rule_id="AI-excellent").threshold == 0.1
    job = RescoreJob.objects.get()
    assert (job.status, job.total, job.done, job.changed) == (JobStatus.DONE, 3, 3, 1)
    assert job.reason == "AI-excellent 阈值调整：工信厅通知〔2041〕1号" and job.requested_by == world["staff"]
    assert tiers(world["a15"]) == ["excellent"]
    page = client.get(PAGE).content.decode()
    assert "阈值已设定" in page and "<code>0.1</code>" in page
    assert 'data-status="done"' in page and '<progress value="3" max="3">' in page and "3 / 3（100%）" in page
    assert 'hx-trigger="every' not in page  # no longer polled


def test_running_job_is_polled_every_two_seconds_until_it_finishes(world, client_for):
    job = RescoreJob.objects.create(campaign=world["campaign"], reason="进行中", status=JobStatus.RUNNING,
                                    total=4, done=1)
    client = client_for(world["staff"])
    page = client.get(PAGE).content.decode()
    assert f'hx-get="{JOBS}" hx-trigger="every 2s" hx-swap="outerHTML"' in page
    assert '<progress value="1" max="4">' in page and "1 / 4（25%）" in page
    fragment = client.get(JOBS, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body and 'hx-trigger="every 2s"' in body
    job.done = 3
    job.save(update_fields=["done"])
    assert "3 / 4（75%）" in client.get(JOBS).content.decode()
    job.status, job.done = JobStatus.DONE, 4
    job.save(update_fields=["status", "done"])
    finished = client.get(JOBS).content.decode()
    assert "hx-trigger" not in finished and 'data-status="done"' in finished and "4 / 4（100%）" in finished


def test_queued_job_shows_an_indeterminate_bar_and_polls(world, client_for):
    RescoreJob.objects.create(campaign=world["campaign"], reason="排队")
    body = client_for(world["staff"]).get(JOBS).content.decode()
    assert "<progress></progress>" in body and "排队中" in body and 'hx-trigger="every 2s"' in body


def test_invalid_json_or_refused_threshold_changes_nothing(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        bad_json = client.post(PAGE, {"action": "threshold", "rule_id": "AI-excellent", "threshold": "0,1",
                                      "reason": "x"})
        out_of_range = client.post(PAGE, {"action": "threshold", "rule_id": "AI-excellent", "threshold": "1.5",
                                          "reason": "x"})
    assert bad_json.status_code == 200 and "阈值应为 JSON 值" in bad_json.content.decode()
    assert out_of_range.status_code == 200 and "阈值格式不符合该规则" in out_of_range.content.decode()
    assert not RuleThreshold.objects.exists() and not RescoreJob.objects.exists()


def test_rescore_without_changing_a_threshold(world, client_for, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world["staff"]).post(PAGE, {"action": "rescore", "rescore-reason": "框架数据更新"})
    assert response.status_code == 302
    job = RescoreJob.objects.get()
    assert (job.status, job.done, job.changed, job.reason) == (JobStatus.DONE, 3, 0, "框架数据更新")
    assert SelfAssessment.objects.filter(campaign=world["campaign"], scored_thresholds={}).count() == 3


@pytest.mark.parametrize("who", ["enterprise", "province_leader", "reviewer"])
def test_others_get_404(world, client_for, who):
    if who == "enterprise":
        user = f.user(role=Role.ENTERPRISE_ADMIN, enterprise=f.enterprise("510107"))
    elif who == "province_leader":
        user = f.user(role=Role.AUTHORITY_LEADER, authority=f.authority("510000", level=AuthorityLevel.PROVINCE))
    else:
        user = f.user(role=Role.AUTHORITY_REVIEWER, authority=f.authority("510100", level=AuthorityLevel.CITY))
    RescoreJob.objects.create(campaign=world["campaign"], reason="不应泄露")
    client = client_for(user)
    assert client.get(PAGE).status_code == 404
    assert client.get(JOBS).status_code == 404
    posted = client.post(PAGE, {"action": "threshold", "rule_id": "AI-excellent", "threshold": "0.1", "reason": "x"})
    assert posted.status_code == 404
    assert not RuleThreshold.objects.exists() and RescoreJob.objects.count() == 1


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_platform_admin_sees_the_page_and_unknown_year_is_404(world, client_for):
    client = client_for(f.platform_admin())
    assert client.get(PAGE).status_code == 200
    assert client.get("/console/campaigns/1999/thresholds/").status_code == 404

