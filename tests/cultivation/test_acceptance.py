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

from smartfactory.applications.models import TierApplication
from smartfactory.audit.models import AuditEvent
from smartfactory.cultivation import acceptance as flow
from smartfactory.cultivation.models import AcceptanceReview, CultivationObject, CultivationTarget
from smartfactory.cultivation.services import close_expired, latest_end, submit_report
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.evaluation import services
from smartfactory.evaluation.models import Evaluation, EvaluationState
from smartfactory.evaluation.workflow import Act, transition
from smartfactory.organisations.enums import AuthorityLevel, Role
from smartfactory.organisations.models import TierAward
from smartfactory.publicsite.queries import ListFilters, published_awards
from tests import factories as f
from tests.applications.test_excellent_book import setup  # noqa: F401
from tests.evaluation.conftest import national  # noqa: F401
from tests.evaluation.test_national import _pass, _to_site_passed, user_of  # noqa: F401
from tests.recommendations.test_batches import batch  # noqa: F401

pytestmark = pytest.mark.django_db
ACCEPTANCE_SCORES = {"targets": 88, "leadership": 85, "ai": 86, "spillover": 80}
BJ = timezone.get_default_timezone()


@pytest.fixture
def leading(national, user_of):  # noqa: F811
    """A Sichuan factory selected as a 领航级 cultivation object today, with two measurable targets."""
    n = national
    e = n["evaluations"][0]
    TierApplication.objects.filter(pk=e.application_id).update(tier="leading")
    Evaluation.objects.filter(pk=e.pk).update(tier="leading")
    e.refresh_from_db()
    e = _to_site_passed(n, _pass(n, e))
    publicity = services.open_publicity(e.campaign, "leading", actor=n["staff"], evaluations=[e])
    publicity = services.finalise_publicity(publicity, actor=n["staff"], now=publicity.ends_at)
    for ministry in n["ministries"]:
        services.record_concurrence(publicity, actor=n["staff"], authority=ministry, document="会签函")
    services.decide(publicity, actor=n["staff"], decision_number="工信部联通装〔2042〕2号")
    cultivation = CultivationObject.objects.get(application_id=e.application_id)
    CultivationTarget.objects.bulk_create([
        CultivationTarget(cultivation=cultivation, number=1, indicator="生产效率提升", target_value="30", unit="%"),
        CultivationTarget(cultivation=cultivation, number=2, indicator="运营成本降低", target_value="20", unit="%"),
    ])
    return {**n, "cultivation": cultivation, "enterprise_user": user_of(e), "selection": e}


def _results(value="32"):
    return {"1": {"value": value, "evidence": "第三方检测报告（2044年）"}, "2": {"value": "21", "evidence": "财务审计报告"}}


SUMMARY = "两年来建成数字孪生工厂，全部培育目标均已达成，详见各项佐证材料。"


def _submitted(x):
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=_results())
    return flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])


def _forwarded(x):
    return flow.transition(_submitted(x), flow.Act.APPROVE, actor=x["leader"], reason="材料齐全，同意报送")


def test_submission_needs_a_value_and_evidence_for_every_target(leading):
    x = leading
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY,
                        results={"1": {"value": "32", "evidence": ""}})
    with pytest.raises(InvalidInput) as exc:
        flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    assert exc.value.field == "results.1.evidence"  # no description and no file yet
    flow.attach_evidence(a, actor=x["enterprise_user"], target_number=1,
                         upload=SimpleUploadedFile("检测报告.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"))
    with pytest.raises(InvalidInput) as exc:
        flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    assert exc.value.field == "results.2.value"
    with pytest.raises(InvalidInput):  # evidence is sniffed by content, not by name
        flow.attach_evidence(a, actor=x["enterprise_user"], target_number=2, upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00"))
    with pytest.raises(NotPermitted):
        flow.save_draft(x["cultivation"], actor=x["leader"], summary=SUMMARY, results=_results())
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY,
                        results={"1": {"value": "32", "evidence": ""}, "2": {"value": "21", "evidence": "审计报告"}})
    a = flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    assert a.state == "submitted" and a.submitted_by == x["enterprise_user"]
    with pytest.raises(TransitionNotAllowed):  # submitted: no more edits
        flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=_results())


def test_an_overdue_progress_report_must_be_filed_first(leading):
    x = leading
    first = x["cultivation"].reports.get(sequence=1)
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=_results())
    with time_machine.travel(datetime.combine(first.due_on + timedelta(days=1), time(9), tzinfo=BJ), tick=False):
        with pytest.raises(NotEligible) as exc:
            flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
        assert "第1期" in exc.value.message
        submit_report(first, actor=x["enterprise_user"], summary="本期完成数字孪生平台一期建设。", values={"1": "12", "2": "8"})
        assert flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"]).state == "submitted"


def test_the_first_submission_closes_with_the_period(leading):
    """Boundary: the period's last day is the last day to apply (Beijing time)."""
    x = leading
    c = x["cultivation"]
    for r in c.reports.all():
        r.submitted_at = timezone.now()
        r.save()
    a = flow.save_draft(c, actor=x["enterprise_user"], summary=SUMMARY, results=_results())
    end = datetime.combine(c.ends_on + timedelta(days=1), time(0), tzinfo=BJ)
    with time_machine.travel(end, tick=False), pytest.raises(NotEligible):
        flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    with time_machine.travel(end + timedelta(seconds=1), tick=False), pytest.raises(NotEligible):
        flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"])
    with time_machine.travel(end - timedelta(seconds=1), tick=False):
        assert flow.transition(a, flow.Act.SUBMIT, actor=x["enterprise_user"]).state == "submitted"


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
    a = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=_results("33"))
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


def test_rejected_by_the_recommender(leading):
    x = leading
    a = flow.transition(_submitted(x), flow.Act.REJECT, actor=x["leader"], reason="目标未达成")
    assert a.state == "rejected" and not Evaluation.objects.filter(acceptance=a).exists()
    x["cultivation"].refresh_from_db()
    assert x["cultivation"].status == "cultivating"  # it may apply again within the period
    again = flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=_results())
    assert again.pk != a.pk and again.state == "draft"


def _accepted_through_the_evaluation(x):
    n = x
    a = _forwarded(x)
    e = services.formal_check(Evaluation.objects.get(acceptance=a), actor=n["staff"], passed=True)
    first = services.assign_expert(e, n["experts"][0], actor=n["staff"])
    second = services.assign_expert(e, n["experts"][1], actor=n["staff"])
    with pytest.raises(InvalidInput):  # the selection's criteria are not the acceptance's
        services.submit_scores(first, actor=n["experts"][0].user, scores=dict.fromkeys(
            ["foundation", "scenarios", "intelligence", "results", "demonstration"], 80))
    services.submit_scores(first, actor=n["experts"][0].user, scores=ACCEPTANCE_SCORES)
    services.submit_scores(second, actor=n["experts"][1].user, scores=ACCEPTANCE_SCORES)
    e = transition(e, Act.TO_SITE_VISIT, actor=n["staff"])
    visit = services.plan_site_visit(e, actor=n["staff"], team=[n["experts"][2]],
                                     scheduled_for=timezone.localdate() + timedelta(days=5))
    assert [i["key"] for i in visit.checklist] == ["g:basic", "g:reports", "t:1", "t:2"]
    assert "企业自报达成值 32" in visit.checklist[2]["label"]
    services.agree_site_visit(visit, actor=n["enterprise_user"])
    for item in visit.checklist:
        services.record_finding(visit, actor=n["experts"][2].user, item=item["key"], result="met")
    services.record_site_outcome(visit, actor=n["experts"][2].user, outcome="pass")
    return a, Evaluation.objects.get(pk=e.pk)


def test_expert_acceptance_publicity_and_decision_make_it_leading_on_the_public_list(leading):
    x = leading
    a, e = _accepted_through_the_evaluation(x)
    assert services.panel(e.campaign, "leading", "acceptance")[0]["evaluation"].pk == e.pk
    assert e.pk not in [r["evaluation"].pk for r in services.panel(e.campaign, "leading")]  # rounds kept apart
    with pytest.raises(InvalidInput):  # an acceptance cannot be put on a selection list
        services.open_publicity(e.campaign, "leading", actor=x["staff"], evaluations=[e])
    publicity = services.open_publicity(e.campaign, "leading", actor=x["staff"], evaluations=[e], kind="acceptance")
    assert "验收" in publicity.title and publicity.kind == "acceptance"
    publicity = services.finalise_publicity(publicity, actor=x["staff"], now=publicity.ends_at)
    for ministry in x["ministries"]:
        services.record_concurrence(publicity, actor=x["staff"], authority=ministry, document="会签函")
    services.decide(publicity, actor=x["staff"], decision_number="工信部联通装〔2044〕9号")
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


def test_not_approved_acceptance_closes_the_object(leading):
    x = leading
    a = _forwarded(x)
    e = services.formal_check(Evaluation.objects.get(acceptance=a), actor=x["staff"], passed=True)
    transition(e, Act.REJECT, actor=x["staff"], reason="目标2未达成")
    a.refresh_from_db()
    x["cultivation"].refresh_from_db()
    assert a.state == "not_accepted" and a.outcome_reason == "目标2未达成"
    assert x["cultivation"].status == "not_accepted"
    assert not TierAward.objects.filter(tier="leading").exists()
    with pytest.raises(TransitionNotAllowed):
        flow.save_draft(x["cultivation"], actor=x["enterprise_user"], summary=SUMMARY, results=_results())


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
    again = flow.save_draft(c, actor=x["enterprise_user"], summary=SUMMARY, results=_results())
    assert again.pk != a.pk  # a new acceptance application within the extended period


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
