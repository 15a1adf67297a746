"""The national evaluation over the API: the whole flow from the formal check to the decision, and
who may see and do what (out of scope is 404, in scope but not permitted is 403)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from smartfactory.applications.models import TierApplication
from smartfactory.crypto import decrypt
from smartfactory.evaluation.models import Assignment, Evaluation, Objection, Publicity, SiteVisit
from smartfactory.notifications.models import Notification
from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f
from tests.factories.evaluation import expert, on_visit_day

# the national evaluation's fixtures (a submitted Sichuan batch, MIIT staff, experts, six ministries)

pytestmark = pytest.mark.django_db
ALL = {"foundation": 80, "scenarios": 80, "intelligence": 80, "results": 80, "demonstration": 80}
PHONE = "13800138000"


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def ok(response, status: int = 200) -> dict | list:
    assert response.status_code == status, response.content.decode()
    return response.json() if response.content else {}


def enterprise_user(e: Evaluation):
    return f.user(role=Role.ENTERPRISE_ADMIN, enterprise=e.application.factory.enterprise)


def _checked_and_assigned(n, client_for) -> tuple[Client, dict]:
    """Every evaluation passes the formal check; the automatic assignment is previewed and committed."""
    staff = client_for(n["staff"])
    listed = ok(staff.get("/api/v1/evaluations", {"year": 2042, "tier": "excellent"}))
    assert listed["count"] == 3 and {i["state"] for i in listed["items"]} == {"awaiting_check"}
    for item in listed["items"]:
        body = ok(post(staff, f"/api/v1/evaluations/{item['id']}/formal-check", {"passed": True, "reason": "已核实"}))
        assert body["state"] == "expert_review" and body["formal_verdict"] == "pass"
    preview = ok(post(staff, "/api/v1/evaluations/assignments/preview", {"year": 2042, "tier": "excellent"}))
    assert len(preview["rows"]) == 3 and not preview["short"]
    assert all(len(r["experts"]) == 2 and r["experts"][0]["name"] for r in preview["rows"])
    assert Assignment.objects.count() == 0  # a preview writes nothing
    created = ok(post(staff, "/api/v1/evaluations/assignments/commit",
                      {"year": 2042, "tier": "excellent", "plan": preview["plan"]}), 201)
    assert len(created) == 6
    return staff, preview


def test_full_flow_from_formal_check_to_the_award(national, client_for):
    n = national
    staff, _preview = _checked_and_assigned(n, client_for)
    e = n["evaluations"][0]
    detail = ok(staff.get(f"/api/v1/evaluations/{e.pk}"))
    assert len(detail["assignments"]) == 2 and detail["actions"] == ["reject"]
    # scoring is not complete: the site visit is offered but blocked, with the guard's reason (P9)
    assert [(b["action"], b["label"]) for b in detail["blocked"]] == [("to_site_visit", "转入现场核查")]
    assert "专家评分尚未完成" in detail["blocked"][0]["reason"]
    by_user = {x.user_id: x for x in n["experts"]}
    scorers = [(by_user[Assignment.objects.get(pk=a["id"]).expert.user_id], a["id"]) for a in detail["assignments"]]

    # each expert finds the task in their queue, with the criteria, and scores it
    for number, (x, assignment_id) in enumerate(scorers):
        client = client_for(x.user)
        queue = ok(client.get("/api/v1/experts/me/assignments", {"pending": "true"}))
        mine = next(q for q in queue if q["id"] == assignment_id)
        assert mine["open"] and mine["due_at"] and mine["evaluation"]["id"] == str(e.pk)
        assert [c["key"] for c in mine["criteria"]] == list(ALL)
        scored = ok(post(client, f"/api/v1/assignments/{assignment_id}/scores",
                         {"scores": dict.fromkeys(ALL, 80 + number), "comments": {"foundation": "基础扎实"}}))
        assert scored["total"] == 80 + number and scored["submitted_at"]
        again = post(client, f"/api/v1/assignments/{assignment_id}/scores", {"scores": ALL})
        assert again.status_code == 409 and again.json()["code"] == "conflict"

    panel = ok(staff.get("/api/v1/evaluations/panel", {"year": 2042, "tier": "excellent"}))
    top = next(r for r in panel if r["evaluation"]["id"] == str(e.pk))
    assert top["rank"] == 1 and top["mean"] == 80.5 and top["spread"] == 1.0
    assert {s["total"] for s in top["scores"]} == {80.0, 81.0} and all("z" in s for s in top["scores"])
    assert {s["assignment"] for s in top["scores"]} == {a for _x, a in scorers}

    ok(post(staff, f"/api/v1/evaluations/{e.pk}/actions", {"action": "to_site_visit"}))
    site_expert = next(x for x in n["experts"] if x not in {s for s, _a in scorers})
    day = timezone.localdate() + timedelta(days=7)
    visit = ok(post(staff, f"/api/v1/evaluations/{e.pk}/site-visit",
                    {"team": [site_expert.pk], "scheduled_for": day.isoformat()}))
    assert visit["team"] == [site_expert.name] and not visit["agreed"] and visit["checklist"]

    # another enterprise cannot reach the visit; the applicant's own user agrees to the date
    stranger = client_for(f.user(role=Role.ENTERPRISE_ADMIN, enterprise=f.enterprise("510107")))
    assert post(stranger, f"/api/v1/site-visits/{visit['id']}/agree").status_code == 404
    agreed = ok(post(client_for(enterprise_user(e)), f"/api/v1/site-visits/{visit['id']}/agree"))
    assert agreed["scheduled_for"] == day.isoformat() and agreed["agreed_at"]
    # the team member records findings and the outcome
    team = client_for(site_expert.user)
    bad = post(team, f"/api/v1/site-visits/{visit['id']}/findings", {"item": "nope", "result": "met"})
    assert bad.status_code == 422 and bad.json()["field"] == "item"
    for item in visit["checklist"]:
        ok(post(team, f"/api/v1/site-visits/{visit['id']}/findings", {"item": item["key"], "result": "met", "note": "现场核实"}))
    early = post(team, f"/api/v1/site-visits/{visit['id']}/outcome", {"outcome": "pass"})
    assert early.status_code == 409 and early.json()["code"] == "not_eligible"  # not before the visit's date
    with time_machine.travel(on_visit_day(SiteVisit.objects.get(pk=visit["id"])), tick=False):
        done = ok(post(client_for(site_expert.user), f"/api/v1/site-visits/{visit['id']}/outcome", {"outcome": "pass"}))
    assert done["outcome"] == "pass" and done["team"] is None  # names for ministry staff only

    # 公示 and a public objection, without logging in
    publicity = ok(post(staff, "/api/v1/publicities", {"year": 2042, "tier": "excellent", "evaluations": [str(e.pk)]}), 201)
    assert [i["state"] for i in publicity["evaluations"]] == ["proposed"] and publicity["status"] == "open"
    anonymous = Client()
    objection = anonymous.post(f"/api/v1/publicities/{publicity['id']}/objections",
                               json.dumps({"evaluation": str(e.pk), "name": "张三", "contact": PHONE,
                                           "content": "该企业申报的产值数据与年报不符，请核实。"}),
                               content_type="application/json")
    assert objection.status_code == 201, objection.content
    assert set(objection.json()) == {"id"} and PHONE not in objection.content.decode()
    stored = Objection.objects.get(pk=objection.json()["id"])
    assert PHONE not in stored.contact_encrypted and decrypt(stored.contact_encrypted) == PHONE
    assert anonymous.get(f"/api/v1/publicities/{publicity['id']}").status_code == 401
    assert client_for(n["leader"]).get(f"/api/v1/publicities/{publicity['id']}").status_code == 404
    seen = ok(staff.get(f"/api/v1/publicities/{publicity['id']}"))
    assert seen["objections"][0]["contact"] == PHONE and seen["objections"][0]["status"] == "open"

    early = post(staff, f"/api/v1/publicities/{publicity['id']}/finalise")
    assert early.status_code == 409 and early.json()["code"] == "not_eligible"
    handled = ok(post(staff, f"/api/v1/objections/{stored.pk}/handle", {"upheld": False, "handling": "经核实，数据口径不同。"}))
    assert handled["status"] == "dismissed"
    ends_at = Publicity.objects.get(pk=publicity["id"]).ends_at
    with time_machine.travel(ends_at + timedelta(seconds=1), tick=False):
        final = ok(post(client_for(n["staff"]), f"/api/v1/publicities/{publicity['id']}/finalise"))
    assert final["status"] == "final"

    early = post(staff, f"/api/v1/publicities/{publicity['id']}/decide", {"decision_number": "工信部联通装〔2042〕1号"})
    assert early.status_code == 409 and early.json()["field"] == "concurrence"
    for ministry in n["ministries"]:
        ok(post(staff, f"/api/v1/publicities/{publicity['id']}/concurrences",
                {"authority": str(ministry.pk), "document": f"{ministry.name}会签函"}))
    twice = post(staff, f"/api/v1/publicities/{publicity['id']}/concurrences",
                 {"authority": str(n["miit"].pk), "document": "重复"})
    assert twice.status_code == 409
    decided = ok(post(staff, f"/api/v1/publicities/{publicity['id']}/decide", {"decision_number": "工信部联通装〔2042〕1号"}))
    assert decided["status"] == "decided" and all(m["concurred"] for m in decided["ministries"])
    app = TierApplication.objects.get(pk=e.application_id)
    assert app.state == "awarded" and app.certificate_no == "卓越智能工厂〔2042〕001号"
    final_detail = ok(staff.get(f"/api/v1/evaluations/{e.pk}"))
    assert final_detail["state"] == "approved" and final_detail["certificate_no"] == app.certificate_no
    # the recommender sees the outcome, but neither the experts nor their scores
    theirs = client_for(n["leader"]).get(f"/api/v1/evaluations/{e.pk}")
    assert theirs.status_code == 200 and theirs.json()["assignments"] == []
    assert theirs.json()["site_visit"]["team"] is None
    assert not any(x.name in theirs.content.decode() for x in n["experts"])


def test_each_expert_sees_only_their_own_assignment(national, client_for):
    n = national
    _checked_and_assigned(n, client_for)
    e = n["evaluations"][0]
    mine = Assignment.objects.filter(evaluation=e).select_related("expert").first()
    detail = ok(client_for(mine.expert.user).get(f"/api/v1/evaluations/{e.pk}"))
    assert [a["id"] for a in detail["assignments"]] == [str(mine.pk)] and detail["actions"] == []
    other = Assignment.objects.filter(evaluation=e).exclude(pk=mine.pk).get()
    assert other.expert.name not in json.dumps(detail, ensure_ascii=False)
    # somebody else's assignment does not exist for this expert
    response = post(client_for(mine.expert.user), f"/api/v1/assignments/{other.pk}/scores", {"scores": ALL})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    # a listed evaluation is one the expert is assigned to
    listed = ok(client_for(mine.expert.user).get("/api/v1/evaluations"))
    assert str(e.pk) in {i["id"] for i in listed["items"]}
    assert listed["count"] == Assignment.objects.filter(expert=mine.expert).count()


def test_bad_scores_are_422_naming_the_field(national, client_for):
    n = national
    _checked_and_assigned(n, client_for)
    a = Assignment.objects.select_related("expert").first()
    client = client_for(a.expert.user)
    url = f"/api/v1/assignments/{a.pk}/scores"
    response = post(client, url, {"scores": {**ALL, "results": 101}})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input" and body["field"] == "scores.results" and "0–100" in body["message"]
    missing = post(client, url, {"scores": {k: v for k, v in ALL.items() if k != "results"}})
    assert missing.status_code == 422 and missing.json()["field"] == "scores.results"
    text = post(client, url, {"scores": {**ALL, "foundation": "很好"}})
    assert text.status_code == 422 and text.json()["field"] == "scores.foundation"
    unknown = post(client, url, {"scores": {**ALL, "extra": 50}})
    assert unknown.status_code == 422 and unknown.json()["field"] == "scores"
    shape = post(client, url, {"scores": [80]})
    assert shape.status_code == 422 and shape.json()["field"] == "scores"
    a.refresh_from_db()
    assert a.submitted_at is None


def test_conflicted_expert_and_other_province_get_404(national, client_for):
    n = national
    staff = client_for(n["staff"])
    e = n["evaluations"][0]
    ok(post(staff, f"/api/v1/evaluations/{e.pk}/formal-check", {"passed": True, "reason": "已核实"}))
    enterprise = e.application.factory.enterprise
    conflicted = expert("同单位", actor=n["staff"], organisation=enterprise.name, uscc=enterprise.uscc)
    refused = post(staff, f"/api/v1/evaluations/{e.pk}/assignments", {"expert": conflicted.pk})
    assert refused.status_code == 409 and refused.json()["field"] == "expert" and "回避" in refused.json()["message"]
    # even with an assignment on record, the conflicted expert cannot reach the application
    a = Assignment.objects.create(evaluation=e, expert=conflicted, due_at=timezone.now() + timedelta(days=3))
    client = client_for(conflicted.user)
    assert client.get(f"/api/v1/evaluations/{e.pk}").status_code == 404
    assert post(client, f"/api/v1/assignments/{a.pk}/scores", {"scores": ALL}).status_code == 404
    assert ok(client.get("/api/v1/evaluations"))["count"] == 0
    assert ok(client.get("/api/v1/experts/me/assignments")) == []

    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE)
    outsider = client_for(f.user("zj-lead", role=Role.AUTHORITY_LEADER, authority=zhejiang))
    assert outsider.get(f"/api/v1/evaluations/{e.pk}").status_code == 404
    assert post(outsider, f"/api/v1/evaluations/{e.pk}/actions", {"action": "resubmit"}).status_code == 404
    assert ok(outsider.get("/api/v1/evaluations"))["count"] == 0
    own = ok(client_for(n["leader"]).get("/api/v1/evaluations"))
    assert own["count"] == 3


@pytest.mark.rule("P4")
def test_return_and_resubmit_by_the_recommender(national, client_for):
    n = national
    staff, leader = client_for(n["staff"]), client_for(n["leader"])
    e = n["evaluations"][1]
    url = f"/api/v1/evaluations/{e.pk}"
    no_reason = post(staff, f"{url}/formal-check", {"passed": False})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    forbidden = post(leader, f"{url}/formal-check", {"passed": True, "reason": "x"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "not_permitted"
    returned = ok(post(staff, f"{url}/formal-check", {"passed": False, "reason": "承诺书未盖章"}))
    assert returned["state"] == "returned"
    seen = ok(leader.get(url))
    assert seen["formal_reasons"] == "承诺书未盖章" and seen["actions"] == ["resubmit"]
    assert post(staff, f"{url}/actions", {"action": "resubmit"}).status_code == 403
    assert ok(post(leader, f"{url}/actions", {"action": "resubmit"}))["state"] == "awaiting_check"
    unknown = post(staff, f"{url}/actions", {"action": "approve"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "action"
    too_early = post(staff, f"{url}/actions", {"action": "to_site_visit"})
    assert too_early.status_code == 409 and too_early.json()["code"] == "transition_not_allowed"
    assert ok(post(staff, f"{url}/actions", {"action": "reject", "reason": "材料不实"}))["state"] == "not_approved"


def test_ministry_only_endpoints(national, client_for):
    n = national
    _checked_and_assigned(n, client_for)
    e = n["evaluations"][0]
    leader = client_for(n["leader"])
    x = n["experts"][0]
    expert_client = client_for(x.user)
    round_ = {"year": 2042, "tier": "excellent"}
    for client in (leader, expert_client):
        assert client.get("/api/v1/evaluations/panel", round_).status_code == 403
        assert post(client, "/api/v1/evaluations/assignments/preview", round_).status_code == 403
        assert post(client, "/api/v1/evaluations/assignments/commit", {**round_, "plan": {}}).status_code == 403
        assert post(client, "/api/v1/publicities", {**round_, "evaluations": [str(e.pk)]}).status_code == 403
    assert post(leader, f"/api/v1/evaluations/{e.pk}/assignments", {"expert": x.pk}).status_code == 403
    assert post(leader, f"/api/v1/evaluations/{e.pk}/site-visit",
                {"team": [x.pk], "scheduled_for": "2099-01-01"}).status_code == 403
    # an expert may not withdraw their own assignment; somebody else's is not found
    mine = Assignment.objects.filter(expert=x).first()
    assert expert_client.delete(f"/api/v1/assignments/{mine.pk}", json.dumps({"reason": "x"}),
                                content_type="application/json").status_code == 403
    theirs = Assignment.objects.exclude(expert=x).first()
    assert post(expert_client, f"/api/v1/assignments/{theirs.pk}/withdraw", {"reason": "x"}).status_code == 404
    # a bad plan names the field; an unknown evaluation is 404
    staff = client_for(n["staff"])
    bad = post(staff, "/api/v1/evaluations/assignments/commit", {**round_, "plan": {str(e.pk): [999_999]}})
    assert bad.status_code == 422 and bad.json()["field"] == "plan"
    missing = post(staff, "/api/v1/evaluations/assignments/commit",
                   {**round_, "plan": {"00000000-0000-0000-0000-000000000000": [x.pk]}})
    assert missing.status_code == 404
    assert staff.get("/api/v1/evaluations/panel", {"year": 1999, "tier": "excellent"}).status_code == 404
    assert staff.get("/api/v1/evaluations/panel", {"year": 2042, "tier": "basic"}).status_code == 422
    # MIIT withdraws an unscored assignment with a reason
    assert staff.delete(f"/api/v1/assignments/{mine.pk}", json.dumps({"reason": ""}),
                        content_type="application/json").status_code == 422
    assert staff.delete(f"/api/v1/assignments/{mine.pk}", json.dumps({"reason": "专家出差"}),
                        content_type="application/json").status_code == 204
    assert not Assignment.objects.filter(pk=mine.pk).exists()
    told = Notification.objects.get(user=mine.expert.user, kind="evaluation.unassigned")  # the expert is told
    assert "专家出差" in told.body and told.link == "/console/expert/"
    # manual assignment of another expert
    spare = expert("备选", actor=n["staff"])
    added = ok(post(staff, f"/api/v1/evaluations/{mine.evaluation_id}/assignments", {"expert": spare.pk}), 201)
    assert added["expert"] == {"id": spare.pk, "name": "备选"}
    again = post(staff, f"/api/v1/evaluations/{mine.evaluation_id}/assignments", {"expert": spare.pk})
    assert again.status_code == 409


def test_objections_are_public_but_validated_and_only_during_the_period(national, client_for):
    n = national
    e = n["evaluations"][0]
    # put one evaluation straight onto a 公示 (the flow test covers the steps before)
    Evaluation.objects.filter(pk=e.pk).update(state="proposed")
    now = timezone.now()
    publicity = Publicity.objects.create(campaign=e.campaign, tier="excellent", title="公示", starts_at=now,
                                         ends_at=now + timedelta(days=5), created_by=n["staff"])
    Evaluation.objects.filter(pk=e.pk).update(publicity=publicity)
    url = f"/api/v1/publicities/{publicity.pk}/objections"
    anonymous = Client(enforce_csrf_checks=True)  # a public form: no session, no CSRF token needed
    body = {"evaluation": str(e.pk), "name": "李四", "contact": "", "content": "该工厂去年发生过较大安全事故。"}
    response = post(anonymous, url, body)
    assert response.status_code == 422 and response.json()["field"] == "contact"
    other = n["evaluations"][1]
    response = post(anonymous, url, {**body, "contact": "li@example.com", "evaluation": str(other.pk)})
    assert response.status_code == 422 and response.json()["field"] == "evaluation"
    assert post(anonymous, "/api/v1/publicities/00000000-0000-0000-0000-000000000000/objections",
                {**body, "contact": PHONE}).status_code == 404
    with time_machine.travel(publicity.ends_at, tick=False):
        late = post(anonymous, url, {**body, "contact": PHONE})
    assert late.status_code == 409 and late.json()["code"] == "transition_not_allowed"
    created = ok(post(anonymous, url, {**body, "contact": "li@example.com"}), 201)
    # other ministries' staff see the list and objections, but only MIIT staff the contact
    ndrc = next(m for m in n["ministries"] if m != n["miit"])
    ndrc_client = client_for(f.user(role=Role.MINISTRY_STAFF, authority=ndrc))
    seen = ok(ndrc_client.get(f"/api/v1/publicities/{publicity.pk}"))
    assert seen["objections"][0]["contact"] is None and "li@example.com" not in json.dumps(seen)
    assert post(ndrc_client, f"/api/v1/objections/{created['id']}/handle",
                {"upheld": True, "handling": "x"}).status_code == 403
    # the recommender and experts do not reach 公示 management at all
    assert post(client_for(n["leader"]), f"/api/v1/objections/{created['id']}/handle",
                {"upheld": True, "handling": "x"}).status_code == 404
    assert post(client_for(n["experts"][0].user), f"/api/v1/publicities/{publicity.pk}/finalise").status_code == 404
    staff = client_for(n["staff"])
    assert ok(staff.get(f"/api/v1/publicities/{publicity.pk}"))["objections"][0]["contact"] == "li@example.com"
    upheld = ok(post(staff, f"/api/v1/objections/{created['id']}/handle", {"upheld": True, "handling": "经核实，事故属实。"}))
    assert upheld["status"] == "upheld"
    e.refresh_from_db()
    assert e.state == "not_approved"


def test_list_query_count_does_not_grow_with_rows(national, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(national["staff"])

    def count(limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert len(ok(client.get("/api/v1/evaluations", {"limit": limit}))["items"]) == limit
        return len(ctx.captured_queries)

    assert count(1) == count(3)
