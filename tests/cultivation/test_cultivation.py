"""领航级 cultivation: the plan bounded to two years, the half-yearly report schedule, reminders at
the configured offsets (time-machine), overdue flags, reports, guidance notes, closing an expired
period, and who may see what."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from smartfactory.applications import services as applications
from smartfactory.audit.models import AuditEvent
from smartfactory.cultivation import services
from smartfactory.cultivation.models import CultivationObject
from smartfactory.cultivation.queries import cultivations_for_user
from smartfactory.errors import Conflict, InvalidInput, NotPermitted
from smartfactory.notifications.models import Notification
from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
PUBLISHED = date(2042, 11, 27)
TARGETS = [{"number": 1, "indicator": "生产效率提升", "value": "30", "unit": "%"},
           {"number": 2, "indicator": "产品研制周期缩短", "value": "25", "unit": "%"}]


def _milestones(last: date) -> list[dict]:
    return [{"number": 1, "date": date(2043, 6, 30), "content": "建成数字孪生平台"},
            {"number": 2, "date": last, "content": "完成全部目标"}]


@pytest.fixture
def cultivation(setup):  # noqa: F811
    app = applications.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])  # the service reads the plan given
    return services.create_cultivation(app, published_on=PUBLISHED, actor=None, list_number="领航培育〔2042〕001号",
                                       targets=TARGETS, milestones=_milestones(date(2044, 11, 27)))


def at(day: date, hour: int = 9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=BJ), tick=False)


@pytest.mark.rule("R20")
def test_a_plan_longer_than_two_years_is_refused(setup):  # noqa: F811
    app = applications.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])  # the service reads the plan given
    with pytest.raises(InvalidInput) as exc:
        services.create_cultivation(app, published_on=PUBLISHED, actor=None, targets=TARGETS,
                                    milestones=_milestones(date(2044, 11, 28)))  # one day past two years
    assert exc.value.field == "milestones" and "2044-11-27" in exc.value.message
    with pytest.raises(InvalidInput):
        services.create_cultivation(app, published_on=PUBLISHED, actor=None, ends_on=date(2044, 11, 28), targets=TARGETS,
                                    milestones=[])
    assert not CultivationObject.objects.exists()


def test_period_plan_and_half_yearly_schedule(cultivation):
    assert cultivation.ends_on == date(2044, 11, 27)
    assert [t.indicator for t in cultivation.targets.all()] == ["生产效率提升", "产品研制周期缩短"]
    assert [r.due_on for r in cultivation.reports.all()] == [date(2043, 5, 27), date(2043, 11, 27), date(2044, 5, 27),
                                                               date(2044, 11, 27)]
    assert AuditEvent.objects.filter(action="cultivation.create").count() == 1


def test_reminders_go_out_at_the_configured_offsets_once(cultivation, setup):  # noqa: F811
    first = cultivation.reports.get(sequence=1)  # due 2043-05-27; offsets -30, -7, +1, +7 days
    kinds = []

    def run(day):
        with at(day):
            services.send_reminders()
        kinds.append(sorted(Notification.objects.filter(kind="cultivation.report_due").values_list("dedupe_key", flat=True)))

    run(date(2043, 4, 26))  # 31 days before: nothing
    assert kinds[-1] == []
    run(date(2043, 4, 27))  # 30 days before
    assert kinds[-1] == [f"report:{first.pk}:-30"]
    run(date(2043, 4, 28))  # the next day: nothing new
    assert len(kinds[-1]) == 1
    run(date(2043, 5, 20))
    assert f"report:{first.pk}:-7" in kinds[-1]
    run(date(2043, 5, 27))  # due today: not overdue yet
    assert not services.is_overdue(first, date(2043, 5, 27)) and len(kinds[-1]) == 2
    run(date(2043, 5, 28))
    assert f"report:{first.pk}:1" in kinds[-1] and services.is_overdue(first, date(2043, 5, 28))
    overdue = Notification.objects.get(dedupe_key=f"report:{first.pk}:1")
    assert "已逾期" in overdue.title and overdue.user == setup["user"]


def test_a_missed_run_sends_only_the_latest_reminder(cultivation):
    first = cultivation.reports.get(sequence=1)
    with at(date(2043, 6, 10)):
        services.send_reminders()
    assert list(Notification.objects.filter(kind="cultivation.report_due").values_list("dedupe_key", flat=True)) == [
        f"report:{first.pk}:7"]


def test_report_submission_and_guidance(cultivation, setup, client_for):  # noqa: F811
    first = cultivation.reports.get(sequence=1)
    with pytest.raises(InvalidInput) as exc:
        services.submit_report(first, actor=setup["user"], summary="进展顺利，按计划推进各项建设工作内容。", values={"1": "12"})
    assert exc.value.field == "values.2"
    with pytest.raises(InvalidInput) as exc:
        services.submit_report(first, actor=setup["user"], summary="顺利", values={"1": "12", "2": "8"})
    assert exc.value.field == "summary"
    report = services.submit_report(first, actor=setup["user"], summary="进展顺利，按计划推进各项建设工作内容。",
                                    values={"1": "12", "2": "8"})
    assert report.values == {"1": "12", "2": "8"} and not services.is_overdue(report, date(2050, 1, 1))
    with pytest.raises(Conflict):
        services.submit_report(first, actor=setup["user"], summary="x" * 30, values={"1": "1", "2": "2"})
    miit = f.ministry()
    staff = f.user(role=Role.MINISTRY_STAFF, authority=miit)
    outsider = f.user(role=Role.EXPERT)
    with pytest.raises(NotPermitted):
        services.add_guidance(cultivation, actor=outsider, text="建议加强数据治理")
    services.add_guidance(cultivation, actor=staff, text="建议加强数据治理，明确指标口径。")
    assert Notification.objects.filter(kind="cultivation.guidance", user=setup["user"]).exists()


def test_an_expired_period_is_flagged_and_closed(cultivation):
    out = __import__("io").StringIO()
    with at(date(2044, 11, 27)):
        call_command("cultivation_reminders", stdout=out)
    cultivation.refresh_from_db()
    assert cultivation.status == "cultivating" and "closed=0" in out.getvalue()
    with at(date(2044, 11, 28)):
        call_command("cultivation_reminders", stdout=out)
    cultivation.refresh_from_db()
    assert cultivation.status == "closed" and "未通过验收" in cultivation.closed_reason
    assert AuditEvent.objects.filter(action="cultivation.closed").count() == 1


def test_scope(cultivation, setup):  # noqa: F811
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE)
    assert cultivation in cultivations_for_user(setup["user"])
    assert cultivation in cultivations_for_user(f.user(role=Role.AUTHORITY_REVIEWER, authority=setup["sichuan"]))
    assert cultivation not in cultivations_for_user(f.user(role=Role.AUTHORITY_REVIEWER, authority=zhejiang))
    assert cultivation not in cultivations_for_user(f.user(role=Role.EXPERT))
    other = f.user(role=Role.ENTERPRISE_ADMIN, enterprise=f.enterprise("510107"))
    assert cultivation not in cultivations_for_user(other)


def test_pages_and_api(cultivation, setup, client_for):  # noqa: F811
    owner = client_for(setup["user"])
    page = owner.get(f"/cultivation/{cultivation.pk}/").content.decode()
    assert "生产效率提升" in page and 'data-testid="report-form"' in page
    with at(date(2043, 6, 1)):
        listing = client_for(setup["user"]).get("/cultivation/").content.decode()
        assert "期报告逾期" in listing
        got = client_for(setup["user"]).get("/api/v1/cultivations").json()
    assert got[0]["start"] == "2042-11-27" and got[0]["end"] == "2044-11-27"
    assert got[0]["reports"][0]["overdue"] is True and got[0]["targets"][1]["indicator"] == "产品研制周期缩短"
    first = cultivation.reports.get(sequence=1)
    done = owner.post(f"/api/v1/cultivations/{cultivation.pk}/reports/{first.pk}",
                      {"summary": "数字孪生平台已上线试运行。", "values": {"1": "10", "2": "6"}}, content_type="application/json")
    assert done.status_code == 200 and done.json()["reports"][0]["submitted_at"]
    bad = owner.post(f"/api/v1/cultivations/{cultivation.pk}/reports/{cultivation.reports.get(sequence=2).pk}",
                     {"summary": "进展", "values": {}}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "summary"
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE)
    outsider = client_for(f.user(role=Role.AUTHORITY_REVIEWER, authority=zhejiang))
    assert outsider.get(f"/cultivation/{cultivation.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/cultivations/{cultivation.pk}").status_code == 404
    assert outsider.get("/api/v1/cultivations").json() == []
