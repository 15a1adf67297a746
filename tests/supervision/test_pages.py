"""The console and portal pages: opening a case from an award found in scope, the decision form,
the enterprise's notice and response; out of scope is 404 (another province's authority, another
enterprise, the wrong side of the site); the case list's query count does not grow with rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartfactory.notifications.models import Notification
from smartfactory.organisations.enums import AwardStatus
from smartfactory.organisations.models import TierAward
from smartfactory.supervision.enums import CaseState
from smartfactory.supervision.models import SupervisionCase
from tests import factories as f

from .conftest import DEADLINE, OPENED, at, open_case

pytestmark = pytest.mark.django_db
FACTS = "2042年7月20日该工厂发生重大环境污染事件，经生态环境部门认定违法排放。"


@pytest.mark.rule("P13")
def test_authority_opens_a_case_from_the_award_search(world, client_for, django_capture_on_commit_callbacks):
    with at(OPENED):
        client = client_for(world["sc_reviewer"])
        found = client.get("/console/supervision/new/", {"q": "川经信先进〔2041〕0001号"})
        assert [a.pk for a in found.context["results"]] == [world["advanced"].pk]
        by_name = client.get("/console/supervision/new/", {"q": "蜀都"}).context["results"]
        assert {a.pk for a in by_name} == {world["basic"].pk, world["advanced"].pk, world["excellent"].pk}
        assert client.get("/console/supervision/new/", {"q": "西湖"}).context["results"] == []  # Zhejiang's
        form = client.get("/console/supervision/new/", {"award": world["advanced"].pk})
        assert form.status_code == 200 and 'data-testid="case-form"' in form.content.decode()
        bad = client.post("/console/supervision/new/", {"award": world["advanced"].pk, "kind": "environmental_incident",
                                                        "occurred_on": "2042-07-20", "description": "排污", "measure": "suspend"})
        assert bad.status_code == 422 and bad.context["error"].field == "description"
        assert bad.context["values"]["kind"] == "environmental_incident"  # what was typed is kept
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/console/supervision/new/", {
                "award": world["advanced"].pk, "kind": "environmental_incident", "occurred_on": "2042-07-20",
                "description": FACTS, "measure": "suspend"})
    case = SupervisionCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/supervision/{case.pk}/"
    assert case.kind == "environmental_incident" and case.measure == "suspend" and case.description == FACTS
    assert Notification.objects.filter(kind="supervision.notice", user=world["admin"]).exists()
    with at(OPENED):
        page = client_for(world["sc_leader"]).get(f"/console/supervision/{case.pk}/")
        listed = client.get("/console/supervision/")
    html = page.content.decode()
    assert 'data-testid="not-heard"' in html and 'data-testid="action-suspend"' in html
    assert 'data-testid="action-revoke"' not in html  # the notice said suspend
    assert [c.pk for c in listed.context["page"]] == [case.pk]


@pytest.mark.rule("P4", "P16")
def test_enterprise_reads_the_notice_and_responds_then_authority_decides(world, client_for):
    with at(OPENED):
        case = open_case(world, measure="suspend")
    with at(OPENED + timedelta(days=3)):
        admin = client_for(world["admin"])
        home = admin.get("/portal/supervision/")
        assert [c.pk for c in home.context["cases"]] == [case.pk]
        page = admin.get(f"/portal/supervision/cases/{case.pk}/")
        html = page.content.decode()
        assert "2042-08-16（含当日，北京时间）" in html and "较大生产安全事故" in html and 'data-testid="respond-form"' in html
        member_page = client_for(world["member"]).get(f"/portal/supervision/cases/{case.pk}/")
        assert member_page.status_code == 200 and 'data-testid="respond-form"' not in member_page.content.decode()
        short = admin.post(f"/portal/supervision/cases/{case.pk}/", {"response": "不同意"})
        assert short.status_code == 422 and short.context["response_text"] == "不同意"
        done = admin.post(f"/portal/supervision/cases/{case.pk}/", {"response": "事故原因另有其他，企业已全面整改，请求不予暂停。"})
        assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.RESPONDED
    with at(OPENED + timedelta(days=4)):
        leader = client_for(world["sc_leader"])
        no_reason = leader.post(f"/console/supervision/{case.pk}/suspend/", {"reason": ""})
        assert no_reason.status_code == 302
        case.refresh_from_db()
        assert case.state == CaseState.RESPONDED
        leader.post(f"/console/supervision/{case.pk}/suspend/", {"reason": "整改期间暂停先进级认定。"})
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED_SUSPEND
    assert TierAward.objects.get(pk=world["advanced"].pk).status == AwardStatus.SUSPENDED
    with at(OPENED + timedelta(days=4)):
        html = client_for(world["admin"]).get(f"/portal/supervision/cases/{case.pk}/").content.decode()
    assert 'data-testid="decision"' in html and "整改期间暂停先进级认定。" in html
    with at(OPENED + timedelta(days=5)):  # the lift button now, and only for the decider
        assert 'data-testid="action-lift"' in client_for(world["sc_leader"]).get(f"/console/supervision/{case.pk}/").content.decode()
        city = client_for(world["cd_leader"]).get(f"/console/supervision/{case.pk}/")  # in scope, not the certifier
        assert city.status_code == 200 and 'data-testid="action-lift"' not in city.content.decode()


@pytest.mark.rule("P16")
def test_respond_form_closes_at_the_deadline(world, client_for):
    with at(OPENED):
        case = open_case(world)
    with at(DEADLINE):
        page = client_for(world["admin"]).get(f"/portal/supervision/cases/{case.pk}/")
        html = page.content.decode()
        assert 'data-testid="respond-form"' not in html and 'data-testid="response-closed"' in html
        refused = client_for(world["admin"]).post(f"/portal/supervision/cases/{case.pk}/", {"response": "x" * 30})
        assert refused.status_code == 422
    case.refresh_from_db()
    assert case.state == CaseState.NOTIFIED


@pytest.mark.parametrize(("who", "url"), [
    ("zj_reviewer", "/console/supervision/{case}/"),  # another province
    ("admin", "/console/supervision/{case}/"),  # an enterprise on the console
    ("admin", "/console/supervision/"),
    ("other_admin", "/portal/supervision/cases/{case}/"),  # another enterprise
    ("sc_reviewer", "/portal/supervision/cases/{case}/"),  # the portal is the enterprise's
    ("zj_reviewer", "/console/supervision/new/?award={award}"),
    ("wh_reviewer", "/console/supervision/new/?award={other}"),
    ("sc_reviewer", "/console/supervision/new/?award=abc"),
    ("sc_reviewer", "/console/supervision/new/?item=not-a-uuid"),
])
def test_out_of_scope_is_404(world, client_for, who, url):
    with at(OPENED):
        case = open_case(world)
        response = client_for(world[who]).get(url.format(case=case.pk, award=world["advanced"].pk,
                                                         other=world["other_award"].pk))
    assert response.status_code == 404


def test_out_of_scope_posts_are_404_and_change_nothing(world, client_for):
    with at(OPENED):
        case = open_case(world)
    with at(DEADLINE):
        assert client_for(world["zj_reviewer"]).post(f"/console/supervision/{case.pk}/revoke/",
                                                     {"reason": "越权撤销"}).status_code == 404
        assert client_for(world["other_admin"]).post(f"/portal/supervision/cases/{case.pk}/",
                                                     {"response": "x" * 30}).status_code == 404
        assert client_for(world["zj_reviewer"]).post("/console/supervision/new/", {
            "award": world["advanced"].pk, "kind": "violation", "occurred_on": "2042-07-20", "description": FACTS,
            "measure": "revoke"}).status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.NOTIFIED and SupervisionCase.objects.count() == 1
    with at(DEADLINE):
        assert list(client_for(world["zj_reviewer"]).get("/console/supervision/").context["page"]) == []


def test_case_list_query_count_does_not_grow(world, client_for):
    with at(OPENED):
        client = client_for(world["sc_reviewer"])
        open_case(world)
        client.get("/console/supervision/")  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as one:
            assert len(client.get("/console/supervision/").context["page"]) == 1
        for n in range(2):
            extra = f.factory(world["enterprise"], name=f"蜀都{n + 3}号工厂")
            award = f.award(extra, "advanced", year=2041, by=world["sichuan"])
            world[f"extra{n}"] = award
            open_case(world, f"extra{n}")
        with CaptureQueriesContext(connection) as three:
            assert len(client.get("/console/supervision/").context["page"]) == 3
    assert len(three) == len(one)
