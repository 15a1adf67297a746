"""Defects found in use (issue 12, point 10), each with the test that failed before its fix: the
public 公示 still listing a factory withdrawn after an upheld objection, another ministry's staff
recording a concurrence in a ministry's name not theirs, and a site-visit outcome recorded before the
visit's date."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from smartfactory import decisions
from smartfactory.errors import NotEligible, NotPermitted
from smartfactory.evaluation import assigning, notices, scoring, site_visits
from smartfactory.evaluation.models import Evaluation, Publicity
from smartfactory.evaluation.workflow import Act, transition
from smartfactory.organisations.enums import Role
from smartfactory.organisations.models import Authority
from tests import factories as f
from tests.factories.evaluation import ALL, formal_pass, scores_for

pytestmark = pytest.mark.django_db
BJ = timezone.get_default_timezone()


def _at_site_visit(n, e) -> Evaluation:
    a = assigning.assign_expert(e, n["experts"][0], actor=n["staff"])
    b = assigning.assign_expert(e, n["experts"][1], actor=n["staff"])
    scoring.submit_scores(a, actor=n["experts"][0].user, scores=ALL)
    scoring.submit_scores(b, actor=n["experts"][1].user, scores=scores_for(85))
    return transition(e, Act.TO_SITE_VISIT, actor=n["staff"])


def _visited(n, e, *, days: int = 3):
    """The visit planned ``days`` ahead, agreed, with a finding for every item."""
    visit = site_visits.plan_site_visit(e, actor=n["staff"], team=[n["experts"][2]],
                                     scheduled_for=timezone.localdate() + timedelta(days=days))
    site_visits.agree_site_visit(visit, actor=n["user_of"](e))
    for item in visit.checklist:
        site_visits.record_finding(visit, actor=n["experts"][2].user, item=item["key"], result="met", note="现场查看")
    return visit


def _on_the_day(visit, *, minus_seconds: int = 0):
    """Beijing midnight starting the visit's date (less some seconds)."""
    start = datetime.combine(visit.scheduled_for, time.min, tzinfo=BJ)
    return time_machine.travel(start - timedelta(seconds=minus_seconds), tick=False)


# ------------------------------------------------------------------ 4. site-visit outcome and its date
@pytest.mark.rule("R19")
def test_site_outcome_is_refused_before_the_visit_date_and_allowed_on_it(national, user_of):  # noqa: F811
    n = national
    e = _at_site_visit(n, formal_pass(n, n["evaluations"][0]))
    visit = _visited(n, e)
    with pytest.raises(NotEligible) as exc:  # today, three days early
        site_visits.record_site_outcome(visit, actor=n["experts"][2].user, outcome="pass")
    assert visit.scheduled_for.isoformat() in exc.value.message
    with _on_the_day(visit, minus_seconds=1), pytest.raises(NotEligible):  # 23:59:59 the day before
        site_visits.record_site_outcome(visit, actor=n["experts"][2].user, outcome="pass")
    visit.refresh_from_db()
    assert visit.outcome == ""
    with _on_the_day(visit):  # 00:00:00 on the day, Beijing time
        visit = site_visits.record_site_outcome(visit, actor=n["experts"][2].user, outcome="pass")
    assert visit.outcome == "pass"


@pytest.mark.rule("R19")
def test_site_outcome_before_the_date_is_refused_on_the_page_and_the_api(national, user_of, client_for):  # noqa: F811
    n = national
    e = _at_site_visit(n, formal_pass(n, n["evaluations"][0]))
    visit = _visited(n, e, days=1)
    member = client_for(n["experts"][2].user)
    api = member.post(f"/api/v1/site-visits/{visit.pk}/outcome", json.dumps({"outcome": "pass"}),
                      content_type="application/json")
    assert api.status_code == 409 and api.json()["code"] == "not_eligible"
    member.post(f"/console/evaluation/{e.pk}/outcome/", {"outcome": "pass"})
    visit.refresh_from_db()
    assert visit.outcome == ""
    with _on_the_day(visit):
        member = client_for(n["experts"][2].user)  # a fresh session on that day
        done = member.post(f"/api/v1/site-visits/{visit.pk}/outcome", json.dumps({"outcome": "pass"}),
                           content_type="application/json")
    assert done.status_code == 200 and done.json()["outcome"] == "pass"


# ------------------------------------------------------------------ 2. concurrence by another ministry's staff
def _final_publicity(n) -> tuple[Publicity, Evaluation]:
    e = _at_site_visit(n, formal_pass(n, n["evaluations"][0]))
    visit = _visited(n, e, days=1)
    with _on_the_day(visit):
        site_visits.record_site_outcome(visit, actor=n["experts"][2].user, outcome="pass")
    publicity = notices.open_publicity(e.campaign, "excellent", actor=n["staff"], evaluations=[e])
    return notices.finalise_publicity(publicity, actor=n["staff"], now=publicity.ends_at), e


@pytest.mark.rule("P82")
def test_another_ministrys_staff_cannot_concur_for_a_ministry_not_theirs(national, user_of, client_for):  # noqa: F811
    n = national
    publicity, _e = _final_publicity(n)
    ndrc, finance = n["ministries"][1], n["ministries"][2]
    # the NDRC leads programmes of its own, so its authority carries the 牵头部门 flag as MIIT's does:
    # that flag must not make its staff MIIT's
    Authority.objects.filter(pk=ndrc.pk).update(is_lead=True)
    ndrc.refresh_from_db()
    ndrc_staff = f.user("ndrc-staff", role=Role.MINISTRY_STAFF, authority=ndrc)
    client = client_for(ndrc_staff)
    url = f"/api/v1/publicities/{publicity.pk}/concurrences"
    for authority in (finance, n["miit"]):
        response = client.post(url, json.dumps({"authority": str(authority.pk), "document": "财办函〔2042〕1号"}),
                               content_type="application/json")
        assert response.status_code == 403, response.content.decode()
    client.post(f"/console/publicity/{publicity.pk}/", {"action": "concur", "authority": str(finance.pk),
                                                        "document": "财办函〔2042〕1号"})
    with pytest.raises(NotPermitted):
        notices.record_concurrence(publicity, actor=ndrc_staff, authority=finance, document="财办函〔2042〕1号")
    publicity.refresh_from_db()
    assert publicity.concurrences == []
    # its own ministry it may record, on the API and on the page
    ok = client.post(url, json.dumps({"authority": str(ndrc.pk)}), content_type="application/json")
    assert ok.status_code == 200, ok.content.decode()
    publicity.refresh_from_db()
    assert [c["authority"] for c in publicity.concurrences] == [str(ndrc.pk)]
    # MIIT staff may register another ministry's letter
    notices.record_concurrence(publicity, actor=n["staff"], authority=finance, document="财办函〔2042〕1号")
    publicity.refresh_from_db()
    assert [c["authority"] for c in publicity.concurrences] == [str(ndrc.pk), str(finance.pk)]


# ------------------------------------------------------------------ 1. upheld objection and the public 公示
@pytest.mark.rule("P81")
def test_upheld_objection_takes_the_factory_off_the_public_notice_also_once_decided(national, user_of, client_for):  # noqa: F811
    n = national
    first = _at_site_visit(n, formal_pass(n, n["evaluations"][0]))
    second = _at_site_visit(n, formal_pass(n, n["evaluations"][1]))
    for e in (first, second):
        visit = _visited(n, e, days=1)
        with _on_the_day(visit):
            site_visits.record_site_outcome(visit, actor=n["experts"][2].user, outcome="pass")
    publicity = notices.open_publicity(first.campaign, "excellent", actor=n["staff"], evaluations=[first, second])
    withdrawn, kept = (e.application.factory for e in (first, second))
    anonymous = client_for(None)
    page = anonymous.get(f"/publicity/{publicity.pk}/").content.decode()
    assert withdrawn.name in page and kept.name in page
    objection = notices.submit_objection(publicity, evaluation_id=first.pk, name="李四", contact="li@example.com",
                                          content="该工厂去年发生过较大安全事故，不符合基本要求。")
    notices.handle_objection(objection, actor=n["staff"], upheld=True, handling="经核实，事故属实。")
    page = anonymous.get(f"/publicity/{publicity.pk}/").content.decode()
    assert withdrawn.name not in page and kept.name in page
    publicity = notices.finalise_publicity(publicity, actor=n["staff"], now=publicity.ends_at)
    for ministry in n["ministries"]:
        notices.record_concurrence(publicity, actor=n["staff"], authority=ministry, document="会签函")
    decisions.decide(publicity, actor=n["staff"], decision_number="工信部联通装〔2042〕1号")
    page = anonymous.get(f"/publicity/{publicity.pk}/").content.decode()
    assert "已审定" in page and kept.name in page and withdrawn.name not in page
    # the ministry's own page still shows the withdrawn entry with its objection
    assert withdrawn.name in client_for(n["staff"]).get(f"/console/publicity/{publicity.pk}/").content.decode()
