"""The national evaluation, service by service: opening at submission, the formal check, conflicts,
assignment, scoring with the third-expert trigger and normalisation, site visits, 公示 with
objections, and the six ministries' decision into the tier history."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from smartfactory import decisions
from smartfactory.applications.models import TierApplication
from smartfactory.audit.models import AuditEvent
from smartfactory.crypto import decrypt
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.evaluation import assigning, expert_profiles, notices, opening, scoring, site_visits
from smartfactory.evaluation.models import Assignment, Evaluation, EvaluationState, Objection
from smartfactory.evaluation.queries import evaluations_for_user
from smartfactory.evaluation.rules import rules_for
from smartfactory.evaluation.workflow import Act, transition
from smartfactory.organisations.models import TierAward
from tests import factories as f
from tests.factories.evaluation import ALL, expert, formal_pass, scores_for, to_site_passed

pytestmark = pytest.mark.django_db


def test_submitted_batch_opens_evaluations_with_automatic_checks(national):
    assert len(national["evaluations"]) == 3
    e = national["evaluations"][0]
    assert e.state == EvaluationState.AWAITING_CHECK
    assert {c["key"] for c in e.auto_checks} >= {"book", "attachments", "eligibility", "version"}
    assert all(c["ok"] for c in e.auto_checks if c["key"] in ("book", "attachments", "version"))
    assert AuditEvent.objects.filter(action="evaluation.open").count() == 3


@pytest.mark.rule("P4")
def test_formal_check_fail_returns_to_the_recommender_who_resubmits(national):
    n = national
    e = n["evaluations"][0]
    with pytest.raises(InvalidInput):
        opening.formal_check(e, actor=n["staff"], passed=False)  # reasons required
    with pytest.raises(NotPermitted):
        opening.formal_check(e, actor=n["leader"], passed=True)
    e = opening.formal_check(e, actor=n["staff"], passed=False, reason="承诺书未盖章")
    assert e.state == EvaluationState.RETURNED and e.formal_reasons == "承诺书未盖章"
    assert e in evaluations_for_user(n["leader"])  # the recommender sees it with the reasons
    e = transition(e, Act.RESUBMIT, actor=n["leader"])
    assert e.state == EvaluationState.AWAITING_CHECK
    assert formal_pass(n, e).state == EvaluationState.EXPERT_REVIEW


@pytest.mark.rule("P8")
def test_failed_automatic_check_needs_a_reason_to_pass(national):
    n = national
    e = n["evaluations"][0]
    Evaluation.objects.filter(pk=e.pk).update(auto_checks=[{"key": "book", "label": "申报书完整", "ok": False}])
    e.refresh_from_db()
    with pytest.raises(InvalidInput):
        opening.formal_check(e, actor=n["staff"], passed=True)
    assert opening.formal_check(e, actor=n["staff"], passed=True, reason="缺项已电话核实补正").state == "expert_review"


@pytest.mark.rule("P21")
def test_conflicted_expert_is_never_assigned_and_gets_404(national, client_for):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    enterprise = e.application.factory.enterprise
    same_org = expert("同单位", actor=n["staff"], organisation=enterprise.name, uscc=enterprise.uscc)
    group = f.soe_group("中国某某集团有限公司")
    from smartfactory.demo.identifiers import make_uscc

    group.uscc = make_uscc("110000", 77_000_001)
    enterprise.soe_group = group
    enterprise.save()
    group.save()
    same_group = expert("同集团", actor=n["staff"], organisation="集团研究院", uscc=group.uscc)
    assert same_group.soe_group == group
    for x in (same_org, same_group):
        with pytest.raises(NotEligible):
            assigning.assign_expert(e, x, actor=n["staff"])
    preview = assigning.preview_assignment(e.campaign, "excellent", actor=n["staff"])
    chosen = {i for row in preview["rows"] for i, _name in row["experts"]}
    assert same_org.pk not in chosen and same_group.pk not in chosen
    # even if an assignment existed, the conflicted expert cannot open the application
    Assignment.objects.create(evaluation=e, expert=same_org, due_at=timezone.now() + timedelta(days=3))
    assert e not in evaluations_for_user(same_org.user)
    assert client_for(same_org.user).get(f"/console/evaluation/{e.pk}/").status_code == 404
    assert client_for(same_org.user).get(f"/api/v1/evaluations/{e.pk}").status_code == 404


def test_expert_profile_names_a_bad_uscc(national):
    with pytest.raises(InvalidInput) as exc:
        expert("错码", actor=national["staff"], uscc="91110000100000000X")
    assert exc.value.field == "organisation_uscc" and "校验位" in exc.value.message


def test_same_province_rule_is_configurable(national):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    local = expert("本省", actor=n["staff"], province="510000")
    rules = rules_for(e.campaign)
    from smartfactory.evaluation.conflicts import conflict_reasons

    assert conflict_reasons(local, e, rules) == ["same_province"]
    relaxed = type(rules)(**{**rules.__dict__, "conflicts": {**rules.conflicts, "same_province": {"enabled": False,
                                                                                                   "label": "x"}}})
    assert conflict_reasons(local, e, relaxed) == []


def test_declared_conflict_withdraws_the_unscored_assignment(national):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    x = n["experts"][0]
    assigning.assign_expert(e, x, actor=n["staff"])
    assert e in evaluations_for_user(x.user)
    expert_profiles.declare_conflict(x, actor=x.user, uscc=e.application.factory.enterprise.uscc, note="曾任该企业顾问",
                              kind="advised")
    assert not Assignment.objects.filter(evaluation=e, expert=x).exists()
    assert e not in evaluations_for_user(x.user)


@pytest.mark.rule("P21")
def test_commit_rechecks_caps(national):
    n = national
    evaluations = [formal_pass(n, e) for e in n["evaluations"]]
    capped = n["experts"][0]
    capped.max_load = 1
    capped.save()
    preview = assigning.preview_assignment(evaluations[0].campaign, "excellent", actor=n["staff"])
    assert not preview["short"] and len(preview["rows"]) == 3
    loads = {}
    for ids in preview["plan"].values():
        assert len(ids) == 2
        for i in ids:
            loads[i] = loads.get(i, 0) + 1
    assert loads.get(capped.pk, 0) <= 1
    tampered = {k: [capped.pk] for k in preview["plan"]}  # would put the capped expert on three
    with pytest.raises(NotEligible):
        assigning.commit_assignment(evaluations[0].campaign, "excellent", actor=n["staff"], plan=tampered)
    assert not Assignment.objects.exists()  # all or nothing
    assigning.commit_assignment(evaluations[0].campaign, "excellent", actor=n["staff"], plan=preview["plan"])
    assert Assignment.objects.count() == 6


def _two_scored(n, first: float, second: float):
    e = formal_pass(n, n["evaluations"][0])
    a = assigning.assign_expert(e, n["experts"][0], actor=n["staff"])
    b = assigning.assign_expert(e, n["experts"][1], actor=n["staff"])
    scoring.submit_scores(a, actor=n["experts"][0].user, scores=scores_for(first))
    scoring.submit_scores(b, actor=n["experts"][1].user, scores=scores_for(second))
    return e


@pytest.mark.parametrize(("second", "third"), [(65, False), (64.99, True), (64, True)])
def test_third_expert_fires_exactly_above_the_threshold(national, second, third):
    assert rules_for(national["evaluations"][0].campaign).divergence_threshold == 15
    e = _two_scored(national, 80, second)  # spreads 15, 15.01, 16
    assert Assignment.objects.filter(evaluation=e, role="third").exists() is third
    assert AuditEvent.objects.filter(action="evaluation.third_expert").exists() is third


def test_scores_are_validated_weighted_and_normalised(national):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    a = assigning.assign_expert(e, n["experts"][0], actor=n["staff"])
    with pytest.raises(InvalidInput) as exc:
        scoring.submit_scores(a, actor=n["experts"][0].user, scores={**ALL, "results": 101})
    assert exc.value.field == "scores.results"
    with pytest.raises(InvalidInput):
        scoring.submit_scores(a, actor=n["experts"][0].user, scores={k: v for k, v in ALL.items() if k != "results"})
    with pytest.raises(NotPermitted):
        scoring.submit_scores(a, actor=n["experts"][1].user, scores=ALL)
    scores = {"foundation": 90, "scenarios": 70, "intelligence": 80, "results": 60, "demonstration": 100}
    a = scoring.submit_scores(a, actor=n["experts"][0].user, scores=scores)
    assert a.total == Decimal("77.00")  # 18 + 21 + 16 + 12 + 10
    e2 = formal_pass(n, n["evaluations"][1])
    a2 = assigning.assign_expert(e2, n["experts"][0], actor=n["staff"])
    scoring.submit_scores(a2, actor=n["experts"][0].user, scores=scores_for(87))
    z = scoring.normalised_scores(e.campaign, "excellent")
    assert z[str(a.pk)] == -1.0 and z[str(a2.pk)] == 1.0


@pytest.mark.rule("P22")
def test_scoring_closes_at_the_due_time(national):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    a = assigning.assign_expert(e, n["experts"][0], actor=n["staff"])
    from smartfactory.errors import DeadlinePassed

    with time_machine.travel(a.due_at, tick=False), pytest.raises(DeadlinePassed):
        scoring.submit_scores(a, actor=n["experts"][0].user, scores=ALL)
    with time_machine.travel(a.due_at - timedelta(seconds=1), tick=False):
        scoring.submit_scores(a, actor=n["experts"][0].user, scores=ALL)


def test_site_visit_team_is_conflict_checked_and_checklist_follows_scenarios(national, user_of):
    n = national
    e = formal_pass(n, n["evaluations"][0])
    local = expert("本省核查", actor=n["staff"], province="510000")
    e = Evaluation.objects.get(pk=e.pk)
    Evaluation.objects.filter(pk=e.pk).update(state="site_visit")
    e.refresh_from_db()
    with pytest.raises(NotEligible):
        site_visits.plan_site_visit(e, actor=n["staff"], team=[local], scheduled_for=date.today() + timedelta(days=3))
    visit = site_visits.plan_site_visit(e, actor=n["staff"], team=[n["experts"][2]], scheduled_for=date.today() + timedelta(days=3))
    keys = [i["key"] for i in visit.checklist]
    assert keys[:2] == ["g:basic", "g:data"] and any(k.startswith("s:") for k in keys)


@pytest.mark.rule("P9", "P10", "P24")
def test_publicity_objection_blocks_finalising_until_handled_then_decision_awards(national, user_of):
    n = national
    e = to_site_passed(n, formal_pass(n, n["evaluations"][0]))
    start = timezone.now()
    publicity = notices.open_publicity(e.campaign, "excellent", actor=n["staff"], evaluations=[e], starts_at=start)
    e.refresh_from_db()
    assert e.state == EvaluationState.PROPOSED
    with pytest.raises(InvalidInput):
        notices.submit_objection(publicity, evaluation_id=e.pk, name="张三", contact="", content="该企业数据有误，请核实。")
    objection = notices.submit_objection(publicity, evaluation_id=e.pk, name="张三", contact="13800138000",
                                          content="该企业申报的产值数据与年报不符，请核实。")
    assert "13800138000" not in objection.contact_encrypted and decrypt(objection.contact_encrypted) == "13800138000"
    assert "13800138000" not in str(list(AuditEvent.objects.values_list("after", flat=True)))
    after = publicity.ends_at + timedelta(seconds=1)
    with pytest.raises(NotEligible):
        notices.finalise_publicity(publicity, actor=n["staff"], now=publicity.ends_at - timedelta(seconds=1))
    with pytest.raises(NotEligible) as exc:
        notices.finalise_publicity(publicity, actor=n["staff"], now=after)
    assert "异议未处理" in exc.value.message
    notices.handle_objection(objection, actor=n["staff"], upheld=False, handling="经核实，数据口径不同，异议不成立。")
    publicity = notices.finalise_publicity(publicity, actor=n["staff"], now=after)
    with pytest.raises(NotEligible):
        decisions.decide(publicity, actor=n["staff"], decision_number="工信部联通装〔2042〕1号")
    for ministry in n["ministries"]:
        notices.record_concurrence(publicity, actor=n["staff"], authority=ministry, document=f"{ministry.name}会签函")
    publicity = decisions.decide(publicity, actor=n["staff"], decision_number="工信部联通装〔2042〕1号")
    app = TierApplication.objects.get(pk=e.application_id)
    assert app.state == "awarded" and app.certificate_no == "卓越智能工厂〔2042〕001号"
    award = TierAward.objects.get(factory=app.factory, tier="excellent")
    assert award.published_on == timezone.localdate() and award.certificate_no == app.certificate_no
    from smartfactory.notifications.models import Notification

    assert Notification.objects.filter(kind="evaluation.decided").exists()


@pytest.mark.rule("P9")
def test_upheld_objection_takes_the_application_off_the_list(national, user_of):
    n = national
    e = to_site_passed(n, formal_pass(n, n["evaluations"][0]))
    publicity = notices.open_publicity(e.campaign, "excellent", actor=n["staff"], evaluations=[e])
    objection = notices.submit_objection(publicity, evaluation_id=e.pk, name="李四", contact="li@example.com",
                                          content="该工厂去年发生过较大安全事故，不符合基本要求。")
    notices.handle_objection(objection, actor=n["staff"], upheld=True, handling="经核实，事故属实。")
    e.refresh_from_db()
    assert e.state == EvaluationState.NOT_APPROVED
    assert Objection.objects.get().status == "upheld"


@pytest.mark.rule("P9", "P23")
def test_objection_outside_the_period_is_refused(national, user_of):
    n = national
    e = to_site_passed(n, formal_pass(n, n["evaluations"][0]))
    publicity = notices.open_publicity(e.campaign, "excellent", actor=n["staff"], evaluations=[e])
    with time_machine.travel(publicity.ends_at, tick=False), pytest.raises(TransitionNotAllowed):
        notices.submit_objection(publicity, evaluation_id=e.pk, name="王五", contact="13800138000",
                                  content="公示结束后才提交的异议内容。")


@pytest.mark.rule("P9")
def test_leading_tier_ends_in_the_cultivation_list(national, user_of):
    """领航级 follows the same path; the decision makes a cultivation object for at most two years."""
    from smartfactory.cultivation.models import CultivationObject
    from smartfactory.cultivation.services import latest_end

    n = national
    e = n["evaluations"][0]
    TierApplication.objects.filter(pk=e.application_id).update(tier="leading")  # same path, other tier
    Evaluation.objects.filter(pk=e.pk).update(tier="leading")
    e.refresh_from_db()
    e = to_site_passed(n, formal_pass(n, e))
    publicity = notices.open_publicity(e.campaign, "leading", actor=n["staff"], evaluations=[e])
    assert "培育对象" in publicity.title
    publicity = notices.finalise_publicity(publicity, actor=n["staff"], now=publicity.ends_at)
    for ministry in n["ministries"]:
        notices.record_concurrence(publicity, actor=n["staff"], authority=ministry, document="会签函")
    decisions.decide(publicity, actor=n["staff"], decision_number="工信部联通装〔2042〕2号")
    app = TierApplication.objects.get(pk=e.application_id)
    assert app.state == "cultivating" and app.certificate_no == "领航智能工厂培育〔2042〕001号"
    obj = CultivationObject.objects.get(application=app)
    assert obj.published_on == timezone.localdate() and obj.ends_on == latest_end(obj.published_on)
    assert not TierAward.objects.filter(factory=app.factory, tier="leading").exists()  # awarded only on acceptance


@pytest.mark.rule("R20")
def test_cultivation_period_is_bounded_to_two_years():
    from smartfactory.cultivation.services import add_years, validate_period

    start = date(2024, 2, 29)
    assert add_years(start, 2) == date(2026, 2, 28)
    validate_period(start, date(2026, 2, 28))
    with pytest.raises(InvalidInput):
        validate_period(start, date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        validate_period(start, start)
