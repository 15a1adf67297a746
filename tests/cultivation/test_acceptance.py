"""The acceptance of a 领航级 cultivation object, service by service: the application with evidence
per target, the recommender's preliminary review, the national acceptance through the evaluation
machinery (formal check, acceptance criteria, a checklist per target, 公示, the joint decision), the
outcomes accepted / not accepted / extended within two years, and the period's end."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from smartfactory import decisions
from smartfactory.applications.models import TierApplication
from smartfactory.audit.models import AuditEvent
from smartfactory.cultivation import acceptance as flow
from smartfactory.cultivation.models import AcceptanceReview, CultivationObject
from smartfactory.cultivation.services import close_expired, latest_end, submit_report
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.evaluation import assigning, notices, opening, scoring, site_visits
from smartfactory.evaluation.models import Evaluation
from smartfactory.evaluation.workflow import Act, transition
from smartfactory.organisations.enums import AuthorityLevel, Role
from smartfactory.organisations.models import TierAward
from smartfactory.publicsite.queries import ListFilters, published_awards
from tests import factories as f
from tests.factories.cultivation import SUMMARY, acceptance_results
from tests.factories.evaluation import on_visit_day

pytestmark = pytest.mark.django_db
ACCEPTANCE_SCORES = {"targets": 88, "leadership": 85, "ai": 86, "spillover": 80}
BJ = timezone.get_default_timezone()


def _submitted(x):
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())
    return flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])


def _forwarded(x):
    return flow.transition(_submitted(x), flow.Act.APPROVE, actor=x["leader"], reason="材料齐全，同意报送")


@pytest.mark.rule("P9", "P12")
def test_submission_needs_a_value_and_evidence_for_every_target(leading):
    x = leading
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY,
                        results={"1": {"value": "32", "evidence": ""}})
    with pytest.raises(InvalidInput) as exc:
        flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    assert exc.value.field == "results.1.evidence"  # no description and no file yet
    flow.attach_evidence(a, actor=x["enterprise_user"], target_number=1,
                         upload=SimpleUploadedFile("检测报告.pdf", f.real_pdf()))
    with pytest.raises(InvalidInput) as exc:
        flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    assert exc.value.field == "results.2.value"
    with pytest.raises(InvalidInput):  # evidence is sniffed by content, not by name
        flow.attach_evidence(a, actor=x["enterprise_user"], target_number=2, upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00"))
    with pytest.raises(NotPermitted):
        flow.save_draft(x["cultivation"], actor=x["leader"], summary=SUMMARY, results=acceptance_results())
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY,
                        results={"1": {"value": "32", "evidence": ""}, "2": {"value": "21", "evidence": "审计报告"}})
    a = flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    assert a.state == "submitted" and a.submitted_by == x["enterprise_user"]
    with pytest.raises(TransitionNotAllowed):  # submitted: no more edits
        flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())


@pytest.mark.rule("P9", "P11")
def test_an_overdue_progress_report_must_be_filed_first(leading):
    x = leading
    first = x["cultivation"].reports.get(sequence=1)
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())
    with time_machine.travel(datetime.combine(first.due_on + timedelta(days=1), time(9), tzinfo=BJ), tick=False):
        with pytest.raises(NotEligible) as exc:
            flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
        assert "第1期" in exc.value.message
        submit_report(first, actor=x["enterprise_user"], summary="本期完成数字孪生平台一期建设。", values={"1": "12", "2": "8"})
        assert flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"]).state == "submitted"


@pytest.mark.rule("P9", "R20")
def test_the_first_submission_closes_with_the_period(leading):
    """Boundary: the period's last day is the last day to apply (Beijing time)."""
    x = leading
    c = x["cultivation"]
    for r in c.reports.all():
        r.submitted_at = timezone.now()
        r.save()
    a = flow.save_draft(c, actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())
    end = datetime.combine(c.ends_on + timedelta(days=1), time(0), tzinfo=BJ)
    with time_machine.travel(end, tick=False), pytest.raises(NotEligible):
        flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    with time_machine.travel(end + timedelta(seconds=1), tick=False), pytest.raises(NotEligible):
        flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    with time_machine.travel(end - timedelta(seconds=1), tick=False):
        assert flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"]).state == "submitted"


@pytest.mark.rule("P4", "P9")
def test_recommender_returns_then_approves_into_the_national_acceptance(leading):
    x = leading
    a = _submitted(x)
    other = f.user("gd-lead", role=Role.AUTHORITY_LEADER,
                   authority=f.authority("440000", level=AuthorityLevel.PROVINCE, name="广东省工业和信息化厅"))
    with pytest.raises(NotPermitted):
        flow.transition(a, flow.Act.APPROVE, actor=other)
    with pytest.raises(NotPermitted):
        flow.transition(a, flow.Act.APPROVE, actor=x["enterprise_user"])
    with pytest.raises(InvalidInput):
        flow.transition(a, flow.Act.RETURN, actor=x["leader"])  # a reason is required
    a = flow.transition(a, flow.Act.RETURN, actor=x["leader"], reason="目标2佐证不足")
    assert a.state == "returned" and a.version == 2
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results("33"))
    a = flow.transition(a, flow.Act.RESUBMIT, actor=x["enterprise_user"])
    a = flow.transition(a, flow.Act.APPROVE, actor=x["leader"], reason="同意报送")
    assert a.state == "forwarded"
    assert list(AcceptanceReview.objects.filter(acceptance=a).values_list("decision", flat=True)) == ["return", "approve"]
    e = Evaluation.objects.get(acceptance=a)
    assert (e.kind, e.state, e.tier, e.application_id) == ("acceptance", "awaiting_check", "leading",
                                                          x["cultivation"].application_id)
    assert all(c["ok"] for c in e.auto_checks), e.auto_checks
    assert x["selection"].application.evaluation.pk == x["selection"].pk  # the selection stays the application's evaluation
    assert AuditEvent.objects.filter(action__in=["acceptance.return", "acceptance.resubmit", "acceptance.approve"]).count() == 3


@pytest.mark.rule("P9")
def test_rejected_by_the_recommender(leading):
    x = leading
    a = flow.transition(_submitted(x), flow.Act.REJECT, actor=x["leader"], reason="目标未达成")
    assert a.state == "rejected" and not Evaluation.objects.filter(acceptance=a).exists()
    x["cultivation"].refresh_from_db()
    assert x["cultivation"].status == "cultivating"  # it may apply again within the period
    again = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())
    assert again.pk != a.pk and again.state == "draft"


def _accepted_through_the_evaluation(x):
    n = x
    a = _forwarded(x)
    e = opening.formal_check(Evaluation.objects.get(acceptance=a), actor=n["staff"], passed=True)
    first = assigning.assign_expert(e, n["experts"][0], actor=n["staff"])
    second = assigning.assign_expert(e, n["experts"][1], actor=n["staff"])
    with pytest.raises(InvalidInput):  # the selection's criteria are not the acceptance's
        scoring.submit_scores(first, actor=n["experts"][0].user, scores=dict.fromkeys(
            ["foundation", "scenarios", "intelligence", "results", "demonstration"], 80))
    scoring.submit_scores(first, actor=n["experts"][0].user, scores=ACCEPTANCE_SCORES)
    scoring.submit_scores(second, actor=n["experts"][1].user, scores=ACCEPTANCE_SCORES)
    e = transition(e, Act.TO_SITE_VISIT, actor=n["staff"])
    visit = site_visits.plan_site_visit(e, actor=n["staff"], team=[n["experts"][2]],
                                     scheduled_for=timezone.localdate() + timedelta(days=5))
    assert [i["key"] for i in visit.checklist] == ["g:basic", "g:reports", "t:1", "t:2"]
    assert "企业自报达成值 32" in visit.checklist[2]["label"]
    site_visits.agree_site_visit(visit, actor=n["enterprise_user"])
    for item in visit.checklist:
        site_visits.record_finding(visit, actor=n["experts"][2].user, item=item["key"], result="met")
    with time_machine.travel(on_visit_day(visit), tick=False):
        site_visits.record_site_outcome(visit, actor=n["experts"][2].user, outcome="pass")
    return a, Evaluation.objects.get(pk=e.pk)


@pytest.mark.rule("P9")
def test_expert_acceptance_publicity_and_decision_make_it_leading_on_the_public_list(leading):
    x = leading
    a, e = _accepted_through_the_evaluation(x)
    assert scoring.panel(e.campaign, "leading", "acceptance")[0]["evaluation"].pk == e.pk
    assert e.pk not in [r["evaluation"].pk for r in scoring.panel(e.campaign, "leading")]  # rounds kept apart
    with pytest.raises(InvalidInput):  # an acceptance cannot be put on a selection list
        notices.open_publicity(e.campaign, "leading", actor=x["staff"], evaluations=[e])
    publicity = notices.open_publicity(e.campaign, "leading", actor=x["staff"], evaluations=[e], kind="acceptance")
    assert "验收" in publicity.title and publicity.kind == "acceptance"
    publicity = notices.finalise_publicity(publicity, actor=x["staff"], now=publicity.ends_at)
    for ministry in x["ministries"]:
        notices.record_concurrence(publicity, actor=x["staff"], authority=ministry, document="会签函")
    decisions.decide(publicity, actor=x["staff"], decision_number="工信部联通装〔2044〕9号")
    year = timezone.localdate().year
    app = TierApplication.objects.get(pk=e.application_id)
    award = TierAward.objects.get(factory=app.factory, tier="leading")
    assert app.state == "awarded" and award.certificate_no == f"领航智能工厂〔{year}〕001号" == app.certificate_no
    assert award.year == year and award.published_on == timezone.localdate()
    assert award in published_awards(ListFilters(tier="leading"))
    a.refresh_from_db()
    x["cultivation"].refresh_from_db()
    assert a.state == "accepted" and x["cultivation"].status == "accepted"
    assert AuditEvent.objects.filter(action="application.national_accept").exists()
    assert AuditEvent.objects.filter(action="cultivation.accepted").exists()
    from smartfactory.notifications.models import Notification

    assert Notification.objects.filter(kind="cultivation.accepted", user=x["enterprise_user"]).exists()


@pytest.mark.rule("P9")
def test_not_approved_acceptance_closes_the_object(leading):
    x = leading
    a = _forwarded(x)
    e = opening.formal_check(Evaluation.objects.get(acceptance=a), actor=x["staff"], passed=True)
    transition(e, Act.REJECT, actor=x["staff"], reason="目标2未达成")
    a.refresh_from_db()
    x["cultivation"].refresh_from_db()
    assert a.state == "not_accepted" and a.outcome_reason == "目标2未达成"
    assert x["cultivation"].status == "not_accepted"
    assert not TierAward.objects.filter(tier="leading").exists()
    with pytest.raises(TransitionNotAllowed):
        flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())


@pytest.mark.rule("P9", "R20")
def test_deferral_extends_the_period_within_two_years_only(leading):
    x = leading
    c = x["cultivation"]
    limit = latest_end(c.published_on)
    short_end = c.published_on + timedelta(days=400)
    CultivationObject.objects.filter(pk=c.pk).update(ends_on=short_end)
    c.reports.filter(due_on__gt=short_end).delete()
    c.refresh_from_db()
    a = _forwarded(x)
    e = Evaluation.objects.get(acceptance=a)
    with pytest.raises(TransitionNotAllowed):  # only an acceptance may be deferred
        transition(x["selection"], Act.DEFER, actor=x["staff"], reason="x")
    with pytest.raises(InvalidInput) as exc:
        flow.defer(a, actor=x["staff"], ends_on=limit + timedelta(days=1), reason="部分目标尚需时间")
    assert exc.value.field == "ends_on" and limit.isoformat() in exc.value.message
    e.refresh_from_db()
    assert e.state == "awaiting_check"  # nothing written
    with pytest.raises(NotPermitted):
        flow.defer(a, actor=x["leader"], ends_on=limit, reason="部分目标尚需时间")
    a = flow.defer(a, actor=x["staff"], ends_on=limit, reason="部分目标尚需时间")
    e.refresh_from_db()
    c.refresh_from_db()
    assert (a.state, a.extended_to, e.state, c.ends_on, c.status) == ("extended", limit, "deferred", limit, "cultivating")
    assert c.reports.order_by("-sequence").first().due_on == limit
    again = flow.save_draft(c, actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())
    assert again.pk != a.pk  # a new acceptance application within the extended period


@pytest.mark.rule("P9")
def test_the_period_end_waits_for_a_submitted_acceptance(leading):
    x = leading
    c = x["cultivation"]
    a = _submitted(x)
    after = c.ends_on + timedelta(days=1)
    assert close_expired(today=after) == []
    flow.transition(a, flow.Act.REJECT, actor=x["leader"], reason="目标未达成")
    assert [o.pk for o in close_expired(today=after)] == [c.pk]
    c.refresh_from_db()
    assert c.status == "closed"


# ------------------------------------------------------------------ API and pages
def _json(client, method: str, url: str, body: dict | None = None):
    import json

    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


@pytest.mark.rule("P9", "P12", "R20")
def test_acceptance_over_the_api_in_the_callers_scope(leading, client_for):
    x = leading
    c = x["cultivation"]
    url = f"/api/v1/cultivations/{c.pk}/acceptance"
    owner, province, staff = client_for(x["enterprise_user"]), client_for(x["leader"]), client_for(x["staff"])
    assert owner.get(url).status_code == 404  # none yet
    body = _json(owner, "put", url, {"summary": SUMMARY, "results": {"1": {"value": "32", "evidence": "检测报告"}}}).json()
    assert body["state"] == "draft" and body["actions"] == ["submit"]
    bad = _json(owner, "post", f"{url}/actions", {"action": "submit"})
    assert bad.status_code == 422 and bad.json()["field"] == "results.2.value"
    pdf = SimpleUploadedFile("审计报告.pdf", f.real_pdf(), content_type="application/pdf")
    uploaded = owner.post(f"{url}/evidence", {"target": 2, "file": pdf})
    assert uploaded.status_code == 201, uploaded.content
    _json(owner, "put", url, {"summary": SUMMARY, "results": {"1": {"value": "32", "evidence": "检测报告"},
                                                               "2": {"value": "21"}}})
    assert _json(owner, "post", f"{url}/actions", {"action": "submit"}).json()["state"] == "submitted"
    assert _json(owner, "post", f"{url}/actions", {"action": "approve"}).status_code == 403
    zhejiang = f.user("zj-lead", role=Role.AUTHORITY_LEADER,
                      authority=f.authority("330000", level=AuthorityLevel.PROVINCE, name="浙江省经济和信息化厅"))
    assert client_for(zhejiang).get(url).status_code == 404  # another province: out of scope
    assert _json(client_for(zhejiang), "post", f"{url}/actions", {"action": "approve"}).status_code == 404
    assert province.get(url).json()["actions"] == ["approve", "return", "reject"]
    body = _json(province, "post", f"{url}/actions", {"action": "approve", "reason": "同意"}).json()
    assert body["state"] == "forwarded" and body["evaluation_state"] == "awaiting_check"
    assert [r["decision"] for r in body["reviews"]] == ["approve"]
    listed = staff.get("/api/v1/evaluations", {"kind": "acceptance"}).json()
    assert [i["id"] for i in listed["items"]] == [body["evaluation"]] and listed["items"][0]["acceptance"] == body["id"]
    late = latest_end(c.published_on) + timedelta(days=1)
    refused = _json(staff, "post", f"{url}/defer", {"ends_on": late.isoformat(), "reason": "需补充数据"})
    assert refused.status_code == 422 and refused.json()["field"] == "ends_on"
    # the acceptance round is its own in the panel and the assignment preview
    opening.formal_check(Evaluation.objects.get(pk=body["evaluation"]), actor=x["staff"], passed=True)
    preview = _json(staff, "post", "/api/v1/evaluations/assignments/preview",
                    {"year": 2042, "tier": "leading", "kind": "acceptance"}).json()
    assert [r["evaluation"]["id"] for r in preview["rows"]] == [body["evaluation"]]
    queue = _json(staff, "post", "/api/v1/evaluations/assignments/commit",
                  {"year": 2042, "tier": "leading", "kind": "acceptance", "plan": preview["plan"]})
    assert queue.status_code == 201, queue.content
    expert_id = queue.json()[0]["expert"]["id"]
    expert_user = next(e.user for e in x["experts"] if e.pk == expert_id)
    mine = client_for(expert_user).get("/api/v1/experts/me/assignments").json()
    assert [c["key"] for c in mine[0]["criteria"]] == ["targets", "leadership", "ai", "spillover"]
    evidence_id = uploaded.json()["id"]
    file_url = f"/cultivation/acceptance/{body['id']}/evidence/{evidence_id}/"
    got = client_for(expert_user).get(file_url)  # the assigned expert reads the evidence
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    unassigned = next(e.user for e in x["experts"] if e.pk not in {a["expert"]["id"] for a in queue.json()})
    assert client_for(unassigned).get(file_url).status_code == 404


@pytest.mark.rule("P4", "P9", "R20")
def test_acceptance_pages_for_the_enterprise_the_province_and_the_ministry(leading, client_for):
    x = leading
    c = x["cultivation"]
    page = f"/cultivation/{c.pk}/acceptance/"
    owner, province = client_for(x["enterprise_user"]), client_for(x["leader"])
    text = owner.get(page).content.decode()
    assert 'data-testid="acceptance-form"' in text and "生产效率提升" in text
    assert 'data-testid="acceptance-link"' in owner.get(f"/cultivation/{c.pk}/").content.decode()
    form = {"summary": SUMMARY, "value-1": "32", "evidence-1": "检测报告", "value-2": "21", "evidence-2": "审计报告"}
    owner.post(page, {**form, "action": "save"})
    owner.post(page, {**form, "action": "submit"})
    assert "待推荐单位初审" in owner.get(page).content.decode()
    assert 'data-testid="acceptance-review"' not in owner.get(page).content.decode()
    text = province.get(page).content.decode()
    assert 'data-testid="review-approve"' in text and 'data-testid="acceptance-form"' not in text
    province.post(page, {"action": "return", "reason": ""})
    assert "请填写理由" in province.get(page).content.decode()  # the error message is shown, nothing changed
    province.post(page, {"action": "approve", "reason": "同意报送"})
    e = Evaluation.objects.get(kind="acceptance")
    staff = client_for(x["staff"])
    detail = staff.get(f"/console/evaluation/{e.pk}/").content.decode()
    assert 'data-testid="acceptance-results"' in detail and 'data-testid="defer-form"' in detail and "32" in detail
    assert "领航级验收" in staff.get("/console/evaluation/", {"kind": "acceptance"}).content.decode()
    assert staff.get("/console/evaluation/panel/2042/leading/", {"kind": "acceptance"}).status_code == 200
    assert staff.get("/console/evaluation/panel/2042/leading/", {"kind": "bogus"}).status_code == 404
    limit = latest_end(c.published_on)
    staff.post(f"/console/evaluation/{e.pk}/defer/", {"ends_on": (limit + timedelta(days=1)).isoformat(), "reason": "x"})
    e.refresh_from_db()
    assert e.state == "awaiting_check"
    outsider = client_for(f.user("other-ent", role=Role.ENTERPRISE_ADMIN, enterprise=f.enterprise("510107")))
    assert outsider.get(page).status_code == 404


@pytest.mark.rule("R20")
def test_only_an_object_under_cultivation_applies_for_acceptance(leading):
    x = leading
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=acceptance_results())
    CultivationObject.objects.filter(pk=x["cultivation"].pk).update(status=CultivationObject.Status.CLOSED)
    with pytest.raises(TransitionNotAllowed) as exc:
        flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    assert "到期关闭" in exc.value.message
    a.refresh_from_db()
    assert a.state == "draft"


@pytest.mark.rule("R20")
def test_acceptance_is_decided_only_on_the_national_conclusion(leading):
    x = leading
    a = _forwarded(x)
    assert a.evaluation.state == "awaiting_check"
    with pytest.raises(TransitionNotAllowed) as exc:
        flow.transition(a, flow.Act.ACCEPT, actor=x["staff"])
    assert "国家验收尚未作出相应结论" in exc.value.message
    x["cultivation"].refresh_from_db()
    assert x["cultivation"].status == CultivationObject.Status.CULTIVATING
