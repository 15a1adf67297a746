"""Paper copies: requirements from data, receipts logged by the receiving level, shortfalls, and
the verification code proving the paper equals the submitted version."""

from __future__ import annotations

import pytest
import time_machine

from smartfactory.applications import services
from smartfactory.applications.enums import Action
from smartfactory.applications.workflow import transition
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import PaperRequirement
from smartfactory.errors import NotPermitted
from smartfactory.organisations.enums import Role
from smartfactory.recommendations import paper
from tests import factories as f
from tests.applications.test_excellent_book import BEFORE, _render, attach, fill_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(setup):
    from smartfactory.organisations.models import Authority

    chengdu = Authority.objects.get(division_id="510100", department="industry")  # made by the setup fixture
    for item, copies in (("application", 3), ("commitment", 1), ("summary_table", 6)):
        PaperRequirement.objects.create(campaign=setup["campaign"], authority=chengdu, item=item, copies=copies)
    app = services.create_application(setup["factory"], setup["campaign"], tier="excellent", actor=setup["user"])
    fill_book(app, setup["user"])
    for kind in ("cmmm_report", "tier_proof", "commitment"):
        attach(app, setup["user"], kind, f"{kind}.pdf", _render(f"正常 {kind}"))
    with time_machine.travel(BEFORE, tick=False):
        app = transition(app, Action.SUBMIT, actor=setup["user"], cooperation=True)
    app.chain, app.current_step = [{"level": "city", "authority": str(chengdu.id)}], 0
    app.current_authority = chengdu
    app.save(update_fields=["chain", "current_step", "current_authority"])
    clerk = f.user("cd-clerk", role=Role.AUTHORITY_REVIEWER, authority=chengdu)
    return {"app": app, "chengdu": chengdu, "clerk": clerk}


def test_shortfall_until_all_copies_arrive_and_code_matches(setup, submitted):
    s = submitted
    code = s["app"].versions.get().verification_code
    rows = paper.status(s["chengdu"], setup["campaign"])
    assert rows[0]["short"] and rows[0]["items"][0]["required"] == 3
    _receipt, message = paper.log_receipt(s["chengdu"], actor=s["clerk"], item="application", copies=2,
                                          sender=setup["enterprise"].name, application=s["app"], verification_code=code)
    assert "一致" in message
    rows = paper.status(s["chengdu"], setup["campaign"])
    assert rows[0]["items"][0]["short"] == 1 and rows[0]["matches_online"] is True
    paper.log_receipt(s["chengdu"], actor=s["clerk"], item="application", copies=1, sender="x", application=s["app"])
    paper.log_receipt(s["chengdu"], actor=s["clerk"], item="commitment", copies=1, sender="x", application=s["app"])
    assert not paper.status(s["chengdu"], setup["campaign"])[0]["short"]
    assert AuditEvent.objects.filter(action="paper.received").count() == 3


def test_wrong_or_superseded_code_is_flagged(setup, submitted):
    s = submitted
    _r, message = paper.log_receipt(s["chengdu"], actor=s["clerk"], item="application", copies=3, sender="x",
                                    application=s["app"], verification_code="ZZZZZZZZZZ")
    assert "不一致" in message
    assert paper.status(s["chengdu"], setup["campaign"])[0]["matches_online"] is False


def test_only_the_receiving_level_logs(setup, submitted):
    other = f.user("other", role=Role.AUTHORITY_REVIEWER, authority=setup["sichuan"])
    with pytest.raises(NotPermitted):
        paper.log_receipt(submitted["chengdu"], actor=other, item="application", copies=1, sender="x",
                          application=submitted["app"])


def test_paper_page(setup, submitted, client_for):
    from smartfactory.campaigns.models import Campaign

    Campaign.objects.exclude(pk=setup["campaign"].pk).update(status="closed")
    client = client_for(submitted["clerk"])
    page = client.get("/console/paper/").content.decode()
    assert setup["enterprise"].name in page and "缺3份" in page
    code = submitted["app"].versions.get().verification_code
    client.post("/console/paper/", {"item": "application", "copies": "3", "sender": "企业",
                                    "application": str(submitted["app"].id), "code": code})
    page = client.get("/console/paper/").content.decode()
    assert "3/3" in page and "一致" in page
