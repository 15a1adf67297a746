"""Issue 5 review actions: the reviews API, bulk approve with a preview, and jurisdiction between
cities (a Chengdu district never sees a Mianyang application)."""

from __future__ import annotations

import pytest
import time_machine

from smartfactory.applications import services
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import TierApplication
from smartfactory.applications.workflow import transition
from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f
from tests.factories.applications import (
    BEFORE,
    BEFORE_ALL,
    CONTENT,
    attach,
    fill_book,
    text_pdf,
)

pytestmark = pytest.mark.django_db


def _second_application(world, county="510107", name="ent2"):
    enterprise = f.enterprise(county)
    factory = f.factory(enterprise)
    f.award(factory, "basic", year=2040)
    user = f.user(name, role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    f.self_assessment(factory, world["campaign"], "advanced")
    app = services.create_application(factory, world["campaign"], tier="advanced", actor=user)
    services.update_content(app, actor=user, data=CONTENT)
    with time_machine.travel(BEFORE_ALL, tick=False):
        return transition(app, Action.SUBMIT, actor=user)


@pytest.mark.rule("P4")
def test_reviews_api(world, client_for):
    with time_machine.travel(BEFORE_ALL, tick=False):
        transition(world["app"], Action.SUBMIT, actor=world["users"]["enterprise"])
        client = client_for(world["users"]["district"])
        bad = client.post(f"/api/v1/applications/{world['app'].id}/reviews", {"decision": "return"},
                          content_type="application/json")
        assert bad.status_code == 422 and bad.json()["field"] == "reason"
        ok = client.post(f"/api/v1/applications/{world['app'].id}/reviews", {"decision": "approve", "reason": "同意"},
                         content_type="application/json")
    assert ok.status_code == 200 and ok.json()["current_authority"] == world["chengdu"].name


def test_bulk_approve_previews_then_applies(world, client_for):
    with time_machine.travel(BEFORE_ALL, tick=False):
        transition(world["app"], Action.SUBMIT, actor=world["users"]["enterprise"])
        second = _second_application(world)
        client = client_for(world["users"]["district"])
        ids = [str(world["app"].id), str(second.id)]
        preview = client.post("/console/applications/bulk-approve/", {"application": ids})
        body = preview.content.decode()
        assert preview.status_code == 200 and body.count("将上报至") == 2
        assert TierApplication.objects.filter(current_authority=world["wuhou"]).count() == 2  # nothing changed yet
        client.post("/console/applications/bulk-approve/", {"application": ids, "confirm": "1", "reason": "同意"})
    assert TierApplication.objects.filter(current_authority=world["chengdu"], state=State.IN_REVIEW).count() == 2


def test_chengdu_district_never_sees_a_mianyang_application(world, client_for):
    mianyang = f.authority("510700", level=AuthorityLevel.CITY, parent=world["sichuan"])
    f.authority("510703", level=AuthorityLevel.COUNTY, parent=mianyang)
    app = _second_application(world, county="510703", name="my-ent")
    client = client_for(world["users"]["district"])
    assert client.get(f"/console/applications/{app.id}/").status_code == 404
    assert client.get(f"/api/v1/applications/{app.id}").status_code == 404
    assert client.post(f"/api/v1/applications/{app.id}/reviews", {"decision": "approve"},
                       content_type="application/json").status_code == 404
    assert str(app.id) not in client.get("/console/applications/").content.decode()
    assert all(a["id"] != str(app.id) for a in client.get("/api/v1/applications").json())


def test_intermediate_level_downloads_its_own_summary_table(setup, client_for):
    """The city's own table lists what it forwarded, in order (its local paper requirement)."""
    import io

    from openpyxl import load_workbook

    from smartfactory.applications.models import Attachment
    from smartfactory.organisations.models import Authority

    chengdu = Authority.objects.get(division_id="510100", department="industry")
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY, parent=chengdu)
    district = f.user("wh-rev", role=Role.AUTHORITY_REVIEWER, authority=wuhou)
    city = f.user("cd-rev", role=Role.AUTHORITY_REVIEWER, authority=chengdu)
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    fill_book(app, setup["user"])
    for kind in (Attachment.Kind.CMMM_REPORT, Attachment.Kind.TIER_PROOF, Attachment.Kind.COMMITMENT):
        attach(app, setup["user"], kind, f"{kind}.pdf", text_pdf(f"正常 {kind}"))
    with time_machine.travel(BEFORE, tick=False):
        app = transition(app, Action.SUBMIT, actor=setup["user"], cooperation=True)
        app = transition(app, Action.APPROVE, actor=district, reason="同意")
        transition(app, Action.APPROVE, actor=city, reason="同意")
    response = client_for(city).get("/console/recommendations/level/2042/excellent.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[2][0] == 1 and rows[2][2] == setup["enterprise"].name and "成都市" in rows[0][0]
    assert client_for(city).get("/console/recommendations/level/2042/excellent.pdf").content.startswith(b"%PDF")
