"""What a decision changes elsewhere: a revoked award drops off the current public list (page, API,
open data) but stays in the factory's tier history with the reason; a revoked 先进级 is no longer a
prerequisite for 卓越级 (eligibility and submission refuse)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.test import Client

from smartfactory.applications import services as applications
from smartfactory.applications.eligibility import reasons_not_eligible
from smartfactory.applications.enums import Action as AppAction
from smartfactory.applications.workflow import transition as transition_application
from smartfactory.errors import NotEligible
from smartfactory.organisations.enums import Role
from smartfactory.supervision import workflow
from smartfactory.supervision.enums import Action
from tests import factories as f

from .conftest import DEADLINE, OPENED, at, open_case

pytestmark = pytest.mark.django_db
REASON = "该工厂发生重大质量事故，经六部门研究，撤销其卓越级智能工厂认定。"


def _certificates_on_public_side(client: Client) -> dict[str, set[str]]:
    page = {r["certificate_no"] for r in client.get("/public/awards/").context["rows"]}
    api = {i["certificate_no"] for i in client.get("/api/v1/public/awards").json()["items"]}
    body = b"".join(client.get("/public/open-data/awards.csv").streaming_content).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(body))
    column = header.index("证书编号")
    csv_certs = {r[column] for r in rows}
    json_certs = {r["certificate_no"] for r in json.loads(b"".join(client.get("/public/open-data/awards.json").streaming_content))}
    return {"page": page, "api": api, "csv": csv_certs, "json": json_certs}


def test_a_revoked_excellent_award_leaves_the_public_list_and_stays_in_history(world, client_for):
    certificate = world["excellent"].certificate_no
    with at(OPENED):
        before = _certificates_on_public_side(Client())
        assert all(certificate in certs for certs in before.values()), before
        case = open_case(world, "excellent", actor_key="staff", kind="quality_incident")
        assert all(certificate in certs for certs in _certificates_on_public_side(Client()).values())  # not decided yet
    with at(DEADLINE + timedelta(hours=9)):
        workflow.transition(case, Action.REVOKE, actor=world["staff"], reason=REASON)
        after = _certificates_on_public_side(Client())
        assert all(certificate not in certs for certs in after.values()), after

        portal = client_for(world["admin"]).get(f"/portal/factories/{world['second'].pk}/")
        html = portal.content.decode()
        assert portal.status_code == 200 and certificate in html and "撤销" in html and REASON in html
        assert "2042-08-17" in html  # when the status changed
        console = client_for(world["sc_reviewer"]).get(f"/console/enterprises/{world['enterprise'].uscc}/")
        assert console.status_code == 200 and REASON in console.content.decode()
        # the active awards show no reason
        assert portal.content.decode().count('data-testid="status-reason"') == 1


@pytest.mark.rule("R3")
def test_a_revoked_advanced_award_is_no_prerequisite_for_excellent(setup, django_capture_on_commit_callbacks):  # noqa: F811
    factory, campaign, applicant = setup["factory"], setup["campaign"], setup["user"]
    app = applications.create_application(factory, campaign, tier="excellent", actor=applicant)  # eligible today
    advanced = factory.tier_awards.get(tier="advanced")
    leader = f.user(role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    case = workflow.open_case(advanced, actor=leader, kind="violation", occurred_on=date(2025, 3, 1),
                              description="企业在申报材料中提供虚假数据，经核查属实，违反申报纪律。", measure="revoke")
    case = workflow.transition(case, Action.RESPOND, actor=applicant, response="对核查结论无异议，已对相关责任人员作出处理。")
    workflow.transition(case, Action.REVOKE, actor=leader, reason="提供虚假材料，撤销先进级认定。")

    reasons = reasons_not_eligible(factory, campaign, "excellent")
    assert any("申报卓越级须已获评先进级" in r for r in reasons)
    with pytest.raises(NotEligible, match="须已获评先进级"):
        applications.create_application(factory, campaign, tier="excellent", actor=applicant)
    with pytest.raises(NotEligible, match="须已获评先进级"):
        transition_application(app, AppAction.SUBMIT, actor=applicant)
    app.refresh_from_db()
    assert app.state == "draft"
