"""The evaluation desks and the public notice, through the pages: the ministry's inbox, formal
check, assignment preview and commit, the expert's scoring form, the site visit, the 公示 with an
anonymous objection, the joint decision; scope (404) for everyone else."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from smartfactory.applications.models import TierApplication
from smartfactory.evaluation.models import Assignment, Evaluation, Objection, Publicity
from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f
from tests.factories.evaluation import ALL, on_visit_day

pytestmark = pytest.mark.django_db


def _ok(response):
    assert response.status_code in (200, 302), response.status_code
    return response


def test_the_whole_desk_flow_through_pages(national, client_for):
    n = national
    staff = client_for(n["staff"])
    e = n["evaluations"][0]
    inbox = staff.get("/console/evaluation/").content.decode()
    assert e.application.factory.enterprise.name in inbox and "已报送的推荐批次" in inbox
    assert "✓" in staff.get(f"/console/evaluation/{e.pk}/").content.decode()  # automatic checks shown
    _ok(staff.post(f"/console/evaluation/{e.pk}/formal_pass/", {"reason": ""}))
    e.refresh_from_db()
    assert e.state == "expert_review"
    for other in n["evaluations"][1:]:
        _ok(staff.post(f"/console/evaluation/{other.pk}/formal_fail/", {"reason": "材料不全"}))
    preview = staff.get("/console/evaluation/assign/2042/excellent/").content.decode()
    assert preview.count('name="pair"') == 2
    pairs = [f"{e.pk}:{x.pk}" for x in n["experts"][:2]]
    _ok(staff.post("/console/evaluation/assign/2042/excellent/", {"pair": pairs}))
    assert Assignment.objects.filter(evaluation=e).count() == 2
    # before the scores are in, the site visit is shown disabled with the guard's reason (P9)
    waiting = staff.get(f"/console/evaluation/{e.pk}/").content.decode()
    assert re.search(r'data-testid="action-to_site_visit"[^>]* disabled', waiting)
    assert re.search(r'data-testid="why-to_site_visit">转入现场核查：专家评分尚未完成', waiting)
    assert re.search(r'data-testid="action-reject"(?![^>]*disabled)[^>]*>', waiting)  # the reject stays enabled
    for x in n["experts"][:2]:
        expert = client_for(x.user)
        desk = expert.get("/console/expert/").content.decode()
        assert e.application.factory.enterprise.name in desk and "待评分" in desk
        page = expert.get(f"/console/evaluation/{e.pk}/").content.decode()
        assert 'data-testid="score-form"' in page and "评审专家与评分" not in page  # no other experts' scores
        a = Assignment.objects.get(evaluation=e, expert=x)
        form = {"assignment": str(a.pk), **{f"score-{k}": str(v) for k, v in ALL.items()}, "comment-results": "成效显著"}
        _ok(expert.post(f"/console/evaluation/{e.pk}/score/", form))
        # after submitting, the expert still reads each score and comment (no form any more)
        read = expert.get(f"/console/evaluation/{e.pk}/").content.decode()
        assert 'data-testid="my-submitted-scores"' in read and 'data-testid="score-form"' not in read
        assert "<td>成效显著</td>" in read
    assert Assignment.objects.filter(evaluation=e, submitted_at__isnull=False).count() == 2
    assert "80.00" in staff.get("/console/evaluation/panel/2042/excellent/").content.decode()
    xlsx = staff.get("/console/evaluation/panel/2042/excellent/?format=xlsx")
    assert xlsx.content[:2] == b"PK"
    _ok(staff.post(f"/console/evaluation/{e.pk}/to_site_visit/", {"reason": ""}))
    team = n["experts"][2]
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    _ok(staff.post(f"/console/evaluation/{e.pk}/plan-visit/", {"team": [str(team.pk)], "scheduled_for": day}))
    visit = Evaluation.objects.get(pk=e.pk).site_visit
    owner = f.user(role=Role.ENTERPRISE_ADMIN, enterprise=e.application.factory.enterprise)
    assert day[:4] in client_for(owner).get(f"/site-visits/{visit.pk}/").content.decode()
    portal = client_for(owner).get(f"/portal/applications/{e.application_id}/").content.decode()
    assert "国家评审" in portal and f"/site-visits/{visit.pk}/" in portal  # the enterprise finds its visit
    _ok(client_for(owner).post(f"/site-visits/{visit.pk}/"))
    member = client_for(team.user)
    for item in visit.checklist:
        _ok(member.post(f"/console/evaluation/{e.pk}/finding/", {"item": item["key"], "result": "met", "note": "已核实"}))
    with time_machine.travel(on_visit_day(visit), tick=False):  # on the day (a fresh session)
        _ok(client_for(team.user).post(f"/console/evaluation/{e.pk}/outcome/", {"outcome": "pass"}))
    assert "核查通过" in staff.get(f"/console/evaluation/{e.pk}/").content.decode()
    response = staff.post("/console/evaluation/panel/2042/excellent/publicity/", {"evaluation": [str(e.pk)], "days": "5"})
    publicity = Publicity.objects.get()
    assert response.url == f"/console/publicity/{publicity.pk}/"

    anonymous = client_for(None)
    notice = anonymous.get(f"/publicity/{publicity.pk}/").content.decode()
    assert e.application.factory.enterprise.name in notice and 'data-testid="objection-form"' in notice
    _ok(anonymous.post(f"/publicity/{publicity.pk}/", {"evaluation": str(e.pk), "name": "赵六", "contact": "13900139000",
                                                         "content": "公示名单中该工厂的产能数据可能有误。"}))
    assert Objection.objects.count() == 1
    page = staff.get(f"/console/publicity/{publicity.pk}/").content.decode()
    assert "13900139000" in page  # decrypted for the ministry only
    assert "13900139000" not in anonymous.get(f"/publicity/{publicity.pk}/").content.decode()
    with time_machine.travel(publicity.ends_at + timedelta(seconds=1), tick=False):
        staff = client_for(n["staff"])  # a fresh session: the old one would have timed out by now
        staff.post(f"/console/publicity/{publicity.pk}/", {"action": "finalise"})
        assert Publicity.objects.get().status == "open"  # the objection is not handled yet
        _ok(staff.post(f"/console/publicity/{publicity.pk}/", {"action": "handle", "objection": str(Objection.objects.get().pk),
                                                                "upheld": "0", "handling": "经核实数据无误"}))
        _ok(staff.post(f"/console/publicity/{publicity.pk}/", {"action": "finalise"}))
    assert Publicity.objects.get().status == "final"
    for ministry in n["ministries"]:
        _ok(staff.post(f"/console/publicity/{publicity.pk}/", {"action": "concur", "authority": str(ministry.pk),
                                                                "document": f"{ministry.name}函"}))
    _ok(staff.post(f"/console/publicity/{publicity.pk}/", {"action": "decide", "decision_number": "工信部联通装〔2042〕9号"}))
    assert TierApplication.objects.get(pk=e.application_id).state == "awarded"


def test_scope_of_the_desks(national, client_for):
    n = national
    e = n["evaluations"][0]
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE)
    outsider = f.user("zj-leader", role=Role.AUTHORITY_LEADER, authority=zhejiang)
    assert client_for(outsider).get(f"/console/evaluation/{e.pk}/").status_code == 404
    # another province's recommender: its own (empty) desk, with nothing of Sichuan's on it
    inbox = client_for(outsider).get("/console/evaluation/")
    assert inbox.status_code == 200
    assert e.application.factory.enterprise.name not in inbox.content.decode()
    assert client_for(n["experts"][3].user).get("/console/evaluation/").status_code == 302  # an expert: their desk
    district = f.user("wh-reviewer", role=Role.AUTHORITY_REVIEWER,
                      authority=f.authority("510107", level=AuthorityLevel.COUNTY))
    assert client_for(district).get("/console/evaluation/").status_code == 404  # not a recommender: no desk
    assert client_for(n["leader"]).get(f"/console/evaluation/{e.pk}/").status_code == 200  # its own recommendation
    assert client_for(n["leader"]).get("/console/evaluation/assign/2042/excellent/").status_code == 404
    assert client_for(n["leader"]).get("/console/experts/").status_code == 404
    unassigned = n["experts"][3]
    assert client_for(unassigned.user).get(f"/console/evaluation/{e.pk}/").status_code == 404
    stranger = f.user(role=Role.ENTERPRISE_ADMIN, enterprise=f.enterprise("510107"))
    assert client_for(stranger).get(f"/console/evaluation/{e.pk}/").status_code == 404
    attachment = e.application.attachments.first()
    assert client_for(unassigned.user).get(f"/console/evaluation/{e.pk}/attachments/{attachment.pk}/").status_code == 404
    download = client_for(n["staff"]).get(f"/console/evaluation/{e.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:4] == b"%PDF"
    download.close()


def test_the_ministry_sees_a_factory_outside_the_recommending_province(national, client_for):
    from smartfactory.organisations.models import Factory

    e = national["evaluations"][0]
    Factory.objects.filter(pk=e.application.factory_id).update(county_id="330106")  # the factory is in 杭州
    page = client_for(national["staff"]).get(f"/console/evaluation/{e.pk}/").content.decode()
    assert "申报工厂位于浙江省" in page and "本申报由四川省审核推荐并占用其名额" in page
    other = national["evaluations"][1]
    assert "申报工厂位于" not in client_for(national["staff"]).get(f"/console/evaluation/{other.pk}/").content.decode()


def test_panel_page_and_xlsx_print_the_name_as_submitted(national, client_for):
    """A rename confirmed after the batch reached MIIT: the panel ranks the factory under the name it
    applied with, the current one beside it."""
    import io

    from openpyxl import load_workbook

    from smartfactory.organisations.models import Enterprise

    n = national
    staff = client_for(n["staff"])
    e = n["evaluations"][0]
    _ok(staff.post(f"/console/evaluation/{e.pk}/formal_pass/", {"reason": ""}))
    enterprise = e.application.factory.enterprise
    submitted = enterprise.name
    Enterprise.objects.filter(pk=enterprise.pk).update(name="更名后智能科技有限公司")
    expected = f"{submitted}（现名称：更名后智能科技有限公司）"
    assert expected in staff.get("/console/evaluation/panel/2042/excellent/").content.decode()
    sheet = load_workbook(io.BytesIO(staff.get("/console/evaluation/panel/2042/excellent/?format=xlsx").content)).active
    assert expected in [c for row in sheet.iter_rows(values_only=True) for c in row]
