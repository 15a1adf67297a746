"""Pages drive the same transition function: the enterprise submits, reviewers act from their
queue, the returned-and-resubmitted diff is shown, the certified list exports."""

from __future__ import annotations

import io

import pytest
import time_machine
from openpyxl import load_workbook

from smartfactory.applications.enums import State
from smartfactory.applications.models import TierApplication
from tests.factories.applications import (
    BEFORE_ALL,
    CONTENT,
)

pytestmark = pytest.mark.django_db


def test_journey_through_the_pages(world, client_for):
    u, app = world["users"], world["app"]
    with time_machine.travel(BEFORE_ALL, tick=False):
        # log in at the travelled time: a session from "today" is past its idle timeout in 2041
        ent, district, city, province = (client_for(u[k]) for k in ("enterprise", "district", "city", "province"))
        assert ent.post(f"/portal/applications/{app.id}/submit/").status_code == 302
        app.refresh_from_db()
        assert app.state == State.IN_REVIEW
        queue = district.get("/console/applications/").content.decode()
        assert world["factory"].name in queue
        assert world["factory"].name not in client_for(u["other_district"]).get("/console/applications/").content.decode()
        district.post(f"/console/applications/{app.id}/approve/", {"reason": "同意"})
        city.post(f"/console/applications/{app.id}/return/", {"reason": "请补充投入明细"})
        app.refresh_from_db()
        assert app.state == State.RETURNED
        ent.post(f"/portal/applications/{app.id}/", {**CONTENT, "investment": "1500"})
        ent.post(f"/portal/applications/{app.id}/resubmit/")
        detail = city.get(f"/console/applications/{app.id}/").content.decode()
        assert "退回后修改的内容" in detail and "<del>1200</del>" in detail and "<ins>1500</ins>" in detail
        city.post(f"/console/applications/{app.id}/approve/")
        page = province.get(f"/console/applications/{app.id}/").content.decode()
        assert "联合部门会签" in page and "四川省财政厅" in page
        for co in world["co"]:
            province.post(f"/console/applications/{app.id}/concurrence/",
                          {"action": "letter", "authority": str(co.id), "letter_number": f"{co.name}函〔2041〕1号"})
        province.post(f"/console/applications/{app.id}/certify/")
    app.refresh_from_db()
    assert app.state == State.AWARDED
    province = client_for(u["province"])
    export = province.get("/console/applications/certified/", {"year": "2041", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[2][1] == world["factory"].enterprise.name and rows[2][6] == app.certificate_no
    pdf = province.get("/console/applications/certified/", {"year": "2041", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_outsiders_get_404_and_draft_is_private(world, client_for):
    app = world["app"]
    assert client_for(world["users"]["district"]).get(f"/console/applications/{app.id}/").status_code == 404  # draft
    from tests import factories as f

    stranger = f.user("stranger", role="enterprise_admin", enterprise=f.enterprise("510104"))
    assert client_for(stranger).get(f"/portal/applications/{app.id}/").status_code == 404
    assert client_for(stranger).post(f"/portal/applications/{app.id}/submit/").status_code == 404
    assert TierApplication.objects.get(pk=app.pk).state == State.DRAFT
