"""The case library: a case from a published award's book, redaction with the scan, the enterprise's
consent, publication by the ministry, and what the public can (and cannot) see."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from smartfactory.applications.enums import State
from smartfactory.applications.models import ApplicationVersion, TierApplication
from smartfactory.audit.models import AuditEvent
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.notifications.models import Notification
from smartfactory.organisations.enums import AwardStatus, Role, Tier
from smartfactory.publicsite import services
from smartfactory.publicsite.enums import CaseAction, CaseStatus
from smartfactory.publicsite.models import Case
from smartfactory.publicsite.workflow import allowed_actions, transition_case
from tests import factories as f
from tests.factories.publicsite import campaign, published

pytestmark = pytest.mark.django_db

BOOK_ROW = {"content": "建设在线视觉检测系统，覆盖三条总装线。", "technologies": "深度学习缺陷识别",
            "equipment": "工业相机 40 台", "ai": True, "effects": "漏检率下降 60%，联系人张工 13912345678。"}
CLEAN_TEXT = "建设在线视觉检测系统，覆盖总装线；应用深度学习识别缺陷，漏检率明显下降。"


@pytest.fixture
def world():
    enterprise = f.enterprise("510107", name="蜀都装备有限公司")
    factory = f.factory(enterprise, name="蜀都总装工厂")
    award = published(factory, Tier.EXCELLENT, 2025)
    app = TierApplication.objects.create(factory=factory, campaign=campaign(2025), tier=Tier.EXCELLENT,
                                         state=State.AWARDED, province_code="510000")
    ApplicationVersion.objects.create(application=app, number=1, content={},
                                      snapshot={"book": {"scenario.24": BOOK_ROW, "cover.project_name": "总装工厂"}})
    other = f.enterprise("330106", name="西湖化工有限公司")
    return {
        "enterprise": enterprise, "award": award,
        "ministry": f.user("miit-staff", role=Role.MINISTRY_STAFF, authority=f.ministry()),
        "admin": f.user("ent-admin", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise),
        "member": f.user("ent-member", role=Role.ENTERPRISE_MEMBER, enterprise=enterprise),
        "other_admin": f.user("other-admin", role=Role.ENTERPRISE_ADMIN, enterprise=other),
    }


def new_case(world, text: str = CLEAN_TEXT) -> Case:
    case = services.create_case(world["award"], scenario_number=24, actor=world["ministry"])
    return services.edit_case(case, title=case.title, redacted_text=text, version=case.version, actor=world["ministry"])


def consented(world, text: str = CLEAN_TEXT) -> Case:
    case = transition_case(new_case(world, text), CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    return transition_case(case, CaseAction.CONSENT, actor=world["admin"])


def actions_of(case: Case) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="publicsite.case", object_id=str(case.id))
                .order_by("seq").values_list("action", flat=True))


def test_case_prefills_the_book_scenario_and_scans_it(world):
    case = services.create_case(world["award"], scenario_number=24, actor=world["ministry"])
    assert case.status == CaseStatus.DRAFT
    assert case.scenario_name and case.link and case.link_name
    assert case.title == f"蜀都总装工厂：{case.scenario_name}"
    assert "建设内容：建设在线视觉检测系统" in case.original_text
    assert "应用人工智能：是" in case.original_text
    assert case.source == "2025年卓越级申报书 第1版 · 场景24"
    assert case.redacted_text == case.original_text
    assert [f["term"] for f in case.findings] == ["13912345678"]  # the contact's mobile number
    assert actions_of(case) == ["case.created"]


def test_scenario_without_book_text_starts_empty(world):
    case = services.create_case(world["award"], scenario_number=3, actor=world["ministry"])
    assert case.original_text == "" and case.source == ""


def test_only_ministry_creates_and_only_from_public_excellent_or_leading_awards(world):
    with pytest.raises(NotPermitted):
        services.create_case(world["award"], scenario_number=24, actor=world["admin"])
    advanced = published(f.factory(world["enterprise"], name="二号工厂"), Tier.ADVANCED, 2025)
    revoked = published(f.factory(world["enterprise"], name="三号工厂"), Tier.EXCELLENT, 2025,
                        status=AwardStatus.REVOKED)
    for award in (advanced, revoked):
        with pytest.raises(NotEligible):
            services.create_case(award, scenario_number=24, actor=world["ministry"])
    with pytest.raises(InvalidInput) as error:
        services.create_case(world["award"], scenario_number=41, actor=world["ministry"])
    assert error.value.field == "scenario_number"
    services.create_case(world["award"], scenario_number=24, actor=world["ministry"])
    with pytest.raises(TransitionNotAllowed):
        services.create_case(world["award"], scenario_number=24, actor=world["ministry"])
    assert Case.objects.count() == 1


def test_edit_only_in_draft_and_not_over_a_newer_version(world):
    case = new_case(world)
    with pytest.raises(Conflict):
        services.edit_case(case, title="旧标题", redacted_text="旧", version=case.version - 1, actor=world["ministry"])
    case = transition_case(case, CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    with pytest.raises(TransitionNotAllowed):
        services.edit_case(case, title="改", redacted_text="改", version=case.version, actor=world["ministry"])
    case.refresh_from_db()
    assert case.redacted_text == CLEAN_TEXT


def test_cannot_publish_without_consent(world):
    case = new_case(world)
    with pytest.raises(TransitionNotAllowed):
        transition_case(case, CaseAction.PUBLISH, actor=world["ministry"])
    case = transition_case(case, CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    with pytest.raises(TransitionNotAllowed):
        transition_case(case, CaseAction.PUBLISH, actor=world["ministry"])
    case = transition_case(case, CaseAction.DECLINE, actor=world["admin"], reason="涉及在研工艺")
    with pytest.raises(TransitionNotAllowed):
        transition_case(case, CaseAction.PUBLISH, actor=world["ministry"])
    case.refresh_from_db()
    assert case.status == CaseStatus.DECLINED and case.consent_reason == "涉及在研工艺"
    assert case.published_at is None


def test_full_journey_is_audited_and_published_text_is_the_redacted_one(world):
    case = consented(world)
    assert case.consent_by == world["admin"] and case.consent_at is not None
    case = transition_case(case, CaseAction.PUBLISH, actor=world["ministry"])
    assert case.status == CaseStatus.PUBLISHED and case.published_by == world["ministry"]
    assert actions_of(case) == ["case.created", "case.edited", "case.request_consent", "case.consent", "case.publish"]
    publish = AuditEvent.objects.get(object_id=str(case.id), action="case.publish")
    assert publish.before == {"status": "consented"} and publish.after["status"] == "published"
    assert publish.actor_name == "miit-staff"
    page = Client().get(f"/public/cases/{case.id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert CLEAN_TEXT in html
    assert "13912345678" not in html and "三条总装线" not in html  # nothing of the original text
    listed = Client().get("/public/cases/").context["rows"]
    assert [r["id"] for r in listed] == [str(case.id)]
    api = Client().get("/api/v1/public/cases").json()
    assert [i["text"] for i in api["items"]] == [CLEAN_TEXT]
    assert Client().get(f"/api/v1/public/cases/{case.id}").json()["title"] == case.title


def test_consent_request_notifies_the_enterprise_admins(world, django_capture_on_commit_callbacks):
    case = new_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        transition_case(case, CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    notes = Notification.objects.filter(kind="case_consent_requested")
    assert [n.user for n in notes] == [world["admin"]]
    assert notes[0].link == f"/public/consent/{case.id}/"


@pytest.mark.rule("R9")
def test_finding_in_redacted_text_blocks_publication(world):
    case = consented(world, text="本系统涉及内部工艺参数，详情见机密附件。")
    assert {f["term"] for f in case.findings} == {"内部", "机密"}
    with pytest.raises(NotEligible) as error:
        transition_case(case, CaseAction.PUBLISH, actor=world["ministry"])
    assert error.value.field == "redacted_text"
    case.refresh_from_db()
    assert case.status == CaseStatus.CONSENTED and case.published_at is None
    assert "case.publish" not in actions_of(case)
    assert Client().get(f"/public/cases/{case.id}/").status_code == 404
    # back to draft (the consent is cleared), cut the finding, ask again
    case = transition_case(case, CaseAction.REVISE, actor=world["ministry"], reason="删去涉密表述")
    assert case.consent_at is None and case.consent_by is None
    case = services.edit_case(case, title=case.title, redacted_text=CLEAN_TEXT, version=case.version,
                              actor=world["ministry"])
    assert case.findings == []
    case = transition_case(case, CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    case = transition_case(case, CaseAction.CONSENT, actor=world["admin"])
    assert transition_case(case, CaseAction.PUBLISH, actor=world["ministry"]).status == CaseStatus.PUBLISHED


@pytest.mark.rule("R9")
def test_the_manage_page_shows_publish_disabled_with_the_scan_finding(world, client_for):
    case = consented(world, text="本系统涉及内部工艺参数，详情见机密附件。")
    page = client_for(world["ministry"]).get(f"/public/manage/cases/{case.id}/").content.decode()
    assert re.search(r'data-testid="action-publish" disabled', page)
    assert re.search(r'data-testid="why-publish">公开文本中仍有疑似涉密或联系方式内容[^<]*“内部”', page)
    assert re.search(r'data-testid="action-revise">', page)  # a reason is asked when taken, not on the page
    case.refresh_from_db()
    assert case.status == CaseStatus.CONSENTED  # showing the page wrote nothing


@pytest.mark.rule("R9")
def test_contact_details_count_as_findings(world):
    case = consented(world, text="如需参观请致电 028-85551234 或发邮件至 zhang@shudu.example.cn。")
    assert {f["term"] for f in case.findings} == {"028-85551234", "zhang@shudu.example.cn"}
    with pytest.raises(NotEligible):
        transition_case(case, CaseAction.PUBLISH, actor=world["ministry"])


@pytest.mark.rule("P4")
def test_only_an_admin_of_that_enterprise_consents(world):
    case = transition_case(new_case(world), CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    for user in (world["member"], world["other_admin"], world["ministry"]):
        with pytest.raises(NotPermitted):
            transition_case(case, CaseAction.CONSENT, actor=user)
    with pytest.raises(InvalidInput) as error:
        transition_case(case, CaseAction.DECLINE, actor=world["admin"], reason="  ")
    assert error.value.field == "reason"
    assert allowed_actions(case, world["admin"]) == [CaseAction.CONSENT, CaseAction.DECLINE]
    assert allowed_actions(case, world["member"]) == []
    assert allowed_actions(case, world["ministry"]) == [CaseAction.REVISE, CaseAction.WITHDRAW]
    case.refresh_from_db()
    assert case.status == CaseStatus.CONSENT_REQUESTED


def test_consent_page_is_404_for_other_enterprises_and_before_the_request(world, client_for):
    case = new_case(world)
    url = f"/public/consent/{case.id}/"
    assert client_for(world["admin"]).get(url).status_code == 404  # a draft is not shown to the enterprise
    transition_case(case, CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    assert client_for(world["other_admin"]).get(url).status_code == 404
    assert client_for(world["other_admin"]).post(url, {"action": "consent"}).status_code == 404
    assert client_for(world["ministry"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # login first
    assert client_for(world["other_admin"]).get("/public/consent/").context["cases"].count() == 0
    page = client_for(world["admin"]).get(url)
    assert page.status_code == 200
    assert 'data-action="consent"' in page.content.decode()
    assert 'data-action="consent"' not in client_for(world["member"]).get(url).content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CONSENT_REQUESTED


@pytest.mark.rule("P4")
def test_enterprise_consents_through_the_page(world, client_for):
    case = transition_case(new_case(world), CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    client = client_for(world["admin"])
    url = f"/public/consent/{case.id}/"
    refused = client.post(url, {"action": "decline", "reason": ""})
    assert refused.status_code == 200 and "请填写理由" in refused.content.decode()
    assert client.post(url, {"action": "publish"}).status_code == 404  # the enterprise has only two buttons
    assert client.post(url, {"action": "consent", "reason": "同意"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CONSENTED and case.consent_reason == "同意"
    assert [c.id for c in client.get("/public/consent/").context["cases"]] == [case.id]


def test_manage_pages_are_404_for_everyone_but_ministry(world, client_for):
    case = new_case(world)
    urls = ["/public/manage/cases/", "/public/manage/cases/awards/", f"/public/manage/cases/new/{world['award'].pk}/",
            f"/public/manage/cases/{case.id}/"]
    for user in (world["admin"], world["other_admin"], f.platform_admin()):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    for url in urls:
        assert Client().get(url).status_code == 302
    ministry = client_for(world["ministry"])
    for url in urls:
        assert ministry.get(url).status_code == 200, url


@pytest.mark.rule("P4")
def test_ministry_runs_the_case_through_the_pages(world, client_for):
    client = client_for(world["ministry"])
    award = world["award"]
    assert award.certificate_no in client.get("/public/manage/cases/awards/").content.decode()
    response = client.post(f"/public/manage/cases/new/{award.pk}/", {"scenario_number": "24", "title": ""})
    assert response.status_code == 302
    case = Case.objects.get()
    url = f"/public/manage/cases/{case.id}/"
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert 'data-testid="findings"' in page and "13912345678" in page
    stale = client.post(url, {"title": "标题", "redacted_text": CLEAN_TEXT, "version": case.version + 5})
    assert "已被他人修改" in stale.content.decode()
    assert client.post(url, {"title": "视觉检测案例", "redacted_text": CLEAN_TEXT, "version": case.version}).status_code == 302
    assert 'data-testid="no-findings"' in client.get(url).content.decode()
    assert client.post(url, {"action": "publish"}).status_code == 200  # not offered, refused with a message
    assert client.post(url, {"action": "request_consent"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CONSENT_REQUESTED and case.title == "视觉检测案例"
    transition_case(case, CaseAction.CONSENT, actor=world["admin"])
    assert client.post(url, {"action": "publish"}).status_code == 302
    assert Client().get(f"/public/cases/{case.id}/").status_code == 200
    withdrawn = client.post(url, {"action": "withdraw", "reason": ""})
    assert "请填写理由" in withdrawn.content.decode()
    assert client.post(url, {"action": "withdraw", "reason": "企业申请撤下"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.withdrawn_reason == "企业申请撤下"
    assert Client().get(f"/public/cases/{case.id}/").status_code == 404
    assert [e.action for e in client.get(url).context["history"]] == [
        "case.created", "case.edited", "case.request_consent", "case.consent", "case.publish", "case.withdraw"]


@pytest.mark.parametrize("stage", ["draft", "consent_requested", "consented", "withdrawn"])
def test_public_case_page_is_404_unless_published(world, stage):
    case = new_case(world)
    if stage != "draft":
        case = transition_case(case, CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    if stage in ("consented", "withdrawn"):
        case = transition_case(case, CaseAction.CONSENT, actor=world["admin"])
    if stage == "withdrawn":
        case = transition_case(case, CaseAction.PUBLISH, actor=world["ministry"])
        case = transition_case(case, CaseAction.WITHDRAW, actor=world["ministry"], reason="撤下")
    assert Client().get(f"/public/cases/{case.id}/").status_code == 404
    assert Client().get(f"/api/v1/public/cases/{case.id}").status_code == 404
    assert Client().get("/public/cases/").context["rows"] == []


def test_published_case_disappears_when_its_award_is_revoked(world):
    case = transition_case(consented(world), CaseAction.PUBLISH, actor=world["ministry"])
    assert Client().get(f"/public/cases/{case.id}/").status_code == 200
    award = world["award"]
    award.status = AwardStatus.REVOKED
    award.save(update_fields=["status"])
    assert Client().get(f"/public/cases/{case.id}/").status_code == 404
    assert Client().get("/api/v1/public/cases").json()["count"] == 0


def test_public_case_filters(world):
    case = transition_case(consented(world), CaseAction.PUBLISH, actor=world["ministry"])
    ids = lambda q: [r["id"] for r in Client().get(f"/public/cases/?{q}").context["rows"]]  # noqa: E731  (short local helper)
    assert ids("scenario=24") == [str(case.id)]
    assert ids("scenario=3") == []
    assert ids(f"link={case.link}") == [str(case.id)]
    assert ids("link=L9") == []
    assert ids("industry=34") == [str(case.id)]
    assert ids("industry=26") == []
    assert Client().get("/public/cases/?scenario=abc").status_code == 400
    assert Client().get("/public/cases/?link=<script>").status_code == 400


def test_redacted_text_is_shown_escaped(world):
    case = transition_case(consented(world, text='<script>alert(1)</script>视觉检测<img src=x onerror=alert(2)>'),
                           CaseAction.PUBLISH, actor=world["ministry"])
    html = Client().get(f"/public/cases/{case.id}/").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _count(url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/public/cases/", "/api/v1/public/cases"])
def test_case_list_query_count_does_not_grow(world, url):
    transition_case(consented(world), CaseAction.PUBLISH, actor=world["ministry"])
    one = _count(url)
    for n, county in enumerate(("330106", "110108")):
        enterprise = f.enterprise(county, industry="26")
        admin = f.user(f"admin-{n}", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
        award = published(f.factory(enterprise), Tier.LEADING, 2025)
        case = services.create_case(award, scenario_number=24, actor=world["ministry"])
        case = services.edit_case(case, title=case.title, redacted_text=CLEAN_TEXT, version=case.version,
                                  actor=world["ministry"])
        case = transition_case(case, CaseAction.REQUEST_CONSENT, actor=world["ministry"])
        transition_case(transition_case(case, CaseAction.CONSENT, actor=admin), CaseAction.PUBLISH,
                        actor=world["ministry"])
    assert Client().get("/api/v1/public/cases").json()["count"] == 3
    assert one == _count(url)


@pytest.mark.rule("P17")
def test_consent_is_asked_only_with_a_text_and_for_a_public_award(world):
    from smartfactory.organisations.models import TierAward

    case = new_case(world)
    Case.objects.filter(pk=case.pk).update(redacted_text="  ")
    with pytest.raises(InvalidInput) as exc:
        transition_case(case, CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    assert exc.value.field == "redacted_text"
    Case.objects.filter(pk=case.pk).update(redacted_text=CLEAN_TEXT)
    TierAward.objects.filter(pk=world["award"].pk).update(status="suspended")
    with pytest.raises(NotEligible) as exc:
        transition_case(case, CaseAction.REQUEST_CONSENT, actor=world["ministry"])
    assert "已不在公开名单上" in exc.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
