"""The yearly re-check of the basic requirements: MIIT opens a round for a campaign (one item per
awarded factory, the requirements of its highest tier from the framework data), enterprises
confirm before the end of the due day, authorities see the results in their scope, and a "not
met" becomes a case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.services import framework_spec_for
from smartfactory.errors import Conflict, DeadlinePassed, InvalidInput, NotPermitted, TransitionNotAllowed
from smartfactory.notifications.models import Notification
from smartfactory.supervision import services
from smartfactory.supervision.enums import ItemResult, RoundState
from smartfactory.supervision.models import RecheckItem, RecheckRound, SupervisionCase

from .conftest import BJ, OPENED, at, open_case

pytestmark = pytest.mark.django_db
ROUND_DEADLINE = OPENED.replace(month=9, day=1, hour=0, tzinfo=BJ)  # due 2042-08-31 (30 days), inclusive
NOTE = "2042年6月发生一起较大环保事故，已被生态环境部门处罚。"


@pytest.fixture
def campaign():
    return Campaign.objects.create(year=2042, name="2042年度智能工厂梯度培育行动", framework_version="2025",
                                   tiers_open=["basic", "advanced"], status=CampaignStatus.OPEN)


@pytest.fixture
def round_(world, campaign):
    with at(OPENED):
        return services.open_recheck_round(campaign, actor=world["staff"])


def answers(item: RecheckItem, **no) -> dict:
    return {r["id"]: r["id"] not in no for r in item.requirements}


def test_miit_opens_a_round(world, campaign, django_capture_on_commit_callbacks):
    with at(OPENED):
        with pytest.raises(NotPermitted):
            services.open_recheck_round(campaign, actor=world["sc_leader"])
        with django_capture_on_commit_callbacks(execute=True):
            round_ = services.open_recheck_round(campaign, actor=world["staff"])
        with pytest.raises(Conflict):
            services.open_recheck_round(campaign, actor=world["staff"])
    assert round_.due_on == date(2042, 8, 31) and round_.deadline == ROUND_DEADLINE and round_.state == RoundState.OPEN
    items = {i.award_id: i for i in round_.items.all()}
    # one per factory, its highest active award (the basic award of the first factory is covered by its 先进级)
    assert set(items) == {world["advanced"].pk, world["excellent"].pk, world["other_award"].pk}
    spec = framework_spec_for(campaign)
    assert [r["id"] for r in items[world["advanced"].pk].requirements] == [b.id for b in spec.requirements_for("advanced")]
    assert [r["id"] for r in items[world["excellent"].pk].requirements] == [
        b.id for b in spec.requirements_for("excellent")]
    assert "BR1b" in {r["id"] for r in items[world["excellent"].pk].requirements}
    assert "BR1b" not in {r["id"] for r in items[world["advanced"].pk].requirements}
    event = AuditEvent.objects.get(action="supervision.recheck_open")
    assert event.after["items"] == 3 and event.after["due_on"] == "2042-08-31"
    notified = set(Notification.objects.filter(kind="supervision.recheck").values_list("user__username", flat=True))
    assert notified == {"sd-admin", "sd-member", "xh-admin"}


def test_round_opened_from_the_console(world, campaign, client_for):
    with at(OPENED):
        assert client_for(world["sc_leader"]).post("/console/supervision/recheck/", {"year": 2042}).status_code == 302
        assert not RecheckRound.objects.exists()
        response = client_for(world["staff"]).post("/console/supervision/recheck/", {"year": 2042, "due_on": "2042-09-15"})
    round_ = RecheckRound.objects.get()
    assert response["Location"] == f"/console/supervision/recheck/{round_.pk}/" and round_.due_on == date(2042, 9, 15)


@pytest.mark.rule("P74")
def test_not_met_becomes_a_case(world, round_, client_for, django_capture_on_commit_callbacks):
    item = round_.items.get(award=world["advanced"])
    with at(OPENED + timedelta(days=1)):
        admin = client_for(world["admin"])
        assert {i.pk for i in admin.get("/portal/supervision/").context["items"]} == {
            item.pk, round_.items.get(award=world["excellent"]).pk}
        assert 'data-testid="recheck-form"' in admin.get(f"/portal/supervision/recheck/{item.pk}/").content.decode()
        form = {f"br-{r['id']}": "yes" for r in item.requirements}
        form["br-BR2c"] = "no"
        missing_note = admin.post(f"/portal/supervision/recheck/{item.pk}/", form)
        assert missing_note.status_code == 422 and missing_note.context["error"].field == "note"
        with django_capture_on_commit_callbacks(execute=True):
            done = admin.post(f"/portal/supervision/recheck/{item.pk}/", {**form, "note": NOTE})
        assert done.status_code == 302
    item.refresh_from_db()
    assert item.result == ItemResult.NOT_OK and item.note == NOTE and item.confirmed_by == world["admin"]
    assert [r["id"] for r in item.unmet()] == ["BR2c"]
    assert AuditEvent.objects.get(action="supervision.recheck_confirm").after["unmet"] == ["BR2c"]
    alert = Notification.objects.get(kind="supervision.recheck_not_ok", user=world["sc_reviewer"])
    assert "不再符合基本要求" in alert.title and NOTE in alert.body
    with at(OPENED + timedelta(days=1)), pytest.raises(Conflict):  # once only
        services.confirm_recheck_item(item, actor=world["admin"], answers=answers(item))

    with at(OPENED + timedelta(days=2)):
        reviewer = client_for(world["sc_reviewer"])
        page = reviewer.get(f"/console/supervision/recheck/{round_.pk}/")
        assert page.context["counts"] == {"total": 2, "ok": 0, "not_ok": 1, "pending": 1}  # Zhejiang's not in scope
        assert f"/console/supervision/new/?item={item.pk}" in page.content.decode()
        prefilled = reviewer.get("/console/supervision/new/", {"item": item.pk})
        assert prefilled.context["award"] == world["advanced"]
        assert "近三年未发生较大及以上安全、环保事故" in prefilled.context["values"]["description"]
        opened = reviewer.post("/console/supervision/new/", {
            "item": item.pk, "award": world["advanced"].pk, "kind": "environmental_incident", "occurred_on": "2042-06-15",
            "description": prefilled.context["values"]["description"], "measure": "suspend"})
        assert opened.status_code == 302
        case = SupervisionCase.objects.get()
        assert case.recheck_item == item and case.award == world["advanced"] and case.state == "notified"
        assert f"/console/supervision/{case.pk}/" in reviewer.get(f"/console/supervision/recheck/{round_.pk}/").content.decode()


@pytest.mark.rule("P15")
def test_only_a_not_met_item_opens_a_case(world, round_, client_for):
    ok_item = round_.items.get(award=world["excellent"])
    with at(OPENED + timedelta(days=1)):
        services.confirm_recheck_item(ok_item, actor=world["admin"], answers=answers(ok_item))
        assert client_for(world["staff"]).get("/console/supervision/new/", {"item": ok_item.pk}).status_code == 404
        with pytest.raises(TransitionNotAllowed):
            open_case(world, "excellent", actor_key="staff", recheck_item=ok_item)
        other = round_.items.get(award=world["advanced"])
        services.confirm_recheck_item(other, actor=world["admin"], answers=answers(other, BR3=False), note=NOTE)
        with pytest.raises(TransitionNotAllowed):  # the item is about another award
            open_case(world, "excellent", actor_key="staff", recheck_item=other)
    assert not SupervisionCase.objects.exists()


@pytest.mark.rule("P74")
@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, False), (1, False)])
def test_confirmation_deadline_boundary(world, round_, offset, accepted):
    item = round_.items.get(award=world["advanced"])
    with at(ROUND_DEADLINE + timedelta(seconds=offset)):
        if accepted:
            assert services.confirm_recheck_item(item, actor=world["admin"], answers=answers(item)).result == "ok"
        else:
            with pytest.raises(DeadlinePassed):
                services.confirm_recheck_item(item, actor=world["admin"], answers=answers(item))


@pytest.mark.rule("P74")
def test_confirmation_checks_who_and_what(world, round_, client_for):
    item = round_.items.get(award=world["advanced"])
    with at(OPENED + timedelta(days=1)):
        for who in ("member", "other_admin", "sc_reviewer"):
            with pytest.raises(NotPermitted):
                services.confirm_recheck_item(item, actor=world[who], answers=answers(item))
        incomplete = answers(item)
        incomplete.pop("BR3")
        with pytest.raises(InvalidInput) as exc:
            services.confirm_recheck_item(item, actor=world["admin"], answers=incomplete)
        assert exc.value.field == "answers.BR3"
        with pytest.raises(InvalidInput) as exc:
            services.confirm_recheck_item(item, actor=world["admin"], answers={**answers(item), "BR9": True})
        assert exc.value.field == "answers.BR9"
        assert client_for(world["other_admin"]).get(f"/portal/supervision/recheck/{item.pk}/").status_code == 404
        assert client_for(world["sc_reviewer"]).get(f"/portal/supervision/recheck/{item.pk}/").status_code == 404
        assert client_for(world["other_admin"]).get(f"/console/supervision/recheck/{round_.pk}/").status_code == 404
        services.close_recheck_round(round_, actor=world["staff"])
        with pytest.raises(TransitionNotAllowed):
            services.confirm_recheck_item(item, actor=world["admin"], answers=answers(item))
        with pytest.raises(NotPermitted):
            services.close_recheck_round(round_, actor=world["sc_leader"])
    assert AuditEvent.objects.get(action="supervision.recheck_close").after == {
        "state": "closed", "total": 3, "ok": 0, "not_ok": 0, "pending": 3}


def test_round_page_query_count_does_not_grow(world, round_, client_for):
    items = {i.award_id: i for i in round_.items.all()}
    with at(OPENED + timedelta(days=1)):
        staff = client_for(world["staff"])
        services.confirm_recheck_item(items[world["advanced"].pk], actor=world["admin"],
                                      answers=answers(items[world["advanced"].pk]))
        url = f"/console/supervision/recheck/{round_.pk}/?result=ok"
        staff.get(url)
        with CaptureQueriesContext(connection) as one:
            assert len(staff.get(url).context["page"]) == 1
        services.confirm_recheck_item(items[world["excellent"].pk], actor=world["admin"],
                                      answers=answers(items[world["excellent"].pk]))
        services.confirm_recheck_item(items[world["other_award"].pk], actor=world["other_admin"],
                                      answers=answers(items[world["other_award"].pk]))
        with CaptureQueriesContext(connection) as three:
            assert len(staff.get(url).context["page"]) == 3
    assert len(three) == len(one)


def test_round_pages_for_each_role(world, round_, campaign, client_for):
    Campaign.objects.create(year=2043, name="2043年度智能工厂梯度培育行动", framework_version="2025", tiers_open=["basic"])
    item = round_.items.get(award=world["advanced"])
    with at(OPENED + timedelta(days=1)):
        services.confirm_recheck_item(item, actor=world["admin"], answers=answers(item, BR4b=False), note=NOTE)
        staff = client_for(world["staff"]).get("/console/supervision/recheck/")
        assert [r["counts"]["total"] for r in staff.context["rows"]] == [3]
        assert [c.year for c in staff.context["campaigns"]] == [2043]  # 2042 has its round
        assert 'data-testid="open-round"' in staff.content.decode()
        reviewer = client_for(world["zj_reviewer"]).get("/console/supervision/recheck/")
        assert [r["counts"]["total"] for r in reviewer.context["rows"]] == [1] and not reviewer.context["campaigns"]
        assert 'data-testid="open-round"' not in reviewer.content.decode()
        page = client_for(world["admin"]).get(f"/portal/supervision/recheck/{item.pk}/")
        html = page.content.decode()
        assert 'data-testid="answers"' in html and "具备智能制造专业人才队伍" in html and NOTE in html
        assert 'data-testid="recheck-form"' not in html
        assert client_for(world["admin"]).get("/console/supervision/recheck/").status_code == 404
    with at(ROUND_DEADLINE):
        late = client_for(world["admin"]).get(f"/portal/supervision/recheck/{round_.items.get(award=world['excellent']).pk}/")
        assert 'data-testid="closed"' in late.content.decode()
        detail = client_for(world["staff"]).get(f"/console/supervision/recheck/{round_.pk}/")
        assert detail.context["overdue"] and "逾期未确认" in detail.content.decode()
        assert 'data-testid="close-round"' in detail.content.decode()
