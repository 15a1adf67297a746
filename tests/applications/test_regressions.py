"""Defects found in use (issue 12, point 10), each with the test that failed before its fix: the
先进级 application PDF answered HTTP 500 for a returned and for an awarded application; two factories
held the same 先进级 certificate number, because the numbering counted only this campaign's awarded
applications and not the tier history (imported awards included)."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction
from pypdf import PdfReader

from smartfactory.applications.concurrence import record_concurrence_letter
from smartfactory.applications.enums import Action, State
from smartfactory.audit.models import AuditEvent
from smartfactory.errors import Conflict
from smartfactory.organisations.models import TierAward
from smartfactory.organisations.services import record_tier_award
from tests import factories as f
from tests.factories.applications import (
    BEFORE_ALL,
    run,
)

pytestmark = pytest.mark.django_db


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf" and response.content[:5] == b"%PDF-"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.mark.rule("R14")
def test_advanced_application_pdf_for_a_returned_and_an_awarded_application(world, client_for):
    url = f"/portal/applications/{world['app'].id}/book.pdf"
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        run(world, Action.APPROVE, "district")
        app = run(world, Action.RETURN, "city", reason="请补充投入明细")
        assert app.state == State.RETURNED
        text = _pdf_text(client_for(world["users"]["enterprise"]).get(url))
        assert "建设了MES和APS" in text and "第1版" in text
        app = run(world, Action.RESUBMIT, "enterprise")
        run(world, Action.APPROVE, "city")
        for n, co in enumerate(world["co"], start=1):
            record_concurrence_letter(app, actor=world["users"]["province"], authority=co, letter_number=f"会签函〔2041〕{n}号")
        app = run(world, Action.CERTIFY, "province")
        assert app.state == State.AWARDED
        text = _pdf_text(client_for(world["users"]["enterprise"]).get(url))
        assert "建设了MES和APS" in text and "第2版" in text
        # the certifying province reads the same PDF of the version it certified
        text = _pdf_text(client_for(world["users"]["province"]).get(url + "?version=2"))
        assert "1200" in text


def _other_factory(world, name: str):
    return f.factory(f.enterprise("510104"), name=name)


@pytest.mark.rule("P83")
def test_advanced_number_follows_the_tier_history_including_imported_awards(world):
    imported = record_tier_award(_other_factory(world, "导入工厂"), actor=None, year=2041, tier="advanced",
                                 authority=world["sichuan"], certificate_no="四川先进〔2041〕0001号")
    with time_machine.travel(BEFORE_ALL, tick=False):
        run(world, Action.SUBMIT, "enterprise")
        run(world, Action.APPROVE, "district")
        app = run(world, Action.APPROVE, "city")
        for n, co in enumerate(world["co"], start=1):
            record_concurrence_letter(app, actor=world["users"]["province"], authority=co, letter_number=f"会签函〔2041〕{n}号")
        app = run(world, Action.CERTIFY, "province")
    assert app.certificate_no == "四川先进〔2041〕0002号"
    numbers = list(TierAward.objects.filter(year=2041, tier="advanced").order_by("certificate_no")
                   .values_list("factory_id", "certificate_no"))
    assert numbers == [(imported.factory_id, "四川先进〔2041〕0001号"), (world["factory"].pk, "四川先进〔2041〕0002号")]


@pytest.mark.rule("P83")
def test_a_taken_certificate_number_is_refused_and_the_database_keeps_it_unique(world):
    first = _other_factory(world, "甲工厂")
    record_tier_award(first, actor=None, year=2041, tier="advanced", authority=world["sichuan"],
                      certificate_no="川先进〔2025〕0001号")
    second = _other_factory(world, "乙工厂")
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as exc:
        record_tier_award(second, actor=None, year=2041, tier="advanced", authority=world["sichuan"],
                          certificate_no="川先进〔2025〕0001号")
    assert exc.value.field == "certificate_no" and "川先进〔2025〕0001号" in exc.value.message
    assert not second.tier_awards.exists() and AuditEvent.objects.count() == events
    # below the service, the constraint (SQLite and PostgreSQL alike); empty numbers may repeat
    with pytest.raises(IntegrityError), transaction.atomic():
        TierAward.objects.create(factory=second, year=2041, tier="advanced", authority=world["sichuan"],
                                 certificate_no="川先进〔2025〕0001号", awarded_on=date(2041, 6, 30))
    for factory in (first, second):
        TierAward.objects.create(factory=factory, year=2040, tier="basic", certificate_no="", awarded_on=date(2040, 6, 30))
    assert TierAward.objects.filter(certificate_no="", year=2040, factory__in=[first, second]).count() == 2
