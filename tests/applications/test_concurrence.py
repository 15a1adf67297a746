"""Co-department concurrence with certifying a 先进级 application (R3): given by the co-department's
own account or recorded by the lead with the co-department's letter number, per version, with who
and when; the certify guard accepts either and nothing else. Pages and API call the same services."""

from __future__ import annotations

import pytest
import time_machine

from smartfactory.applications.concurrence import give_concurrence, record_concurrence_letter
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import Concurrence, Review
from smartfactory.applications.workflow import transition
from smartfactory.audit.models import AuditEvent
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import AuthorityLevel, Department, Role
from tests import factories as f
from tests.factories.applications import (
    BEFORE_ALL,
)

pytestmark = pytest.mark.django_db


def _at_province(world):
    u = world["users"]
    app = transition(world["app"], Action.SUBMIT, actor=u["enterprise"])
    app = transition(app, Action.APPROVE, actor=u["district"])
    return transition(app, Action.APPROVE, actor=u["city"])


@pytest.mark.rule("R3", "P65")
def test_certification_needs_each_co_department_by_account_or_letter(world):
    u = world["users"]
    ndrc, finance = world["co"]
    ndrc_staff = f.user("ndrc-staff", role=Role.AUTHORITY_REVIEWER, authority=ndrc)
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = _at_province(world)
        with pytest.raises(NotEligible) as exc:
            transition(app, Action.CERTIFY, actor=u["province"], concurrence=[str(ndrc.id), str(finance.id)])
        assert exc.value.field == "concurrence" and "四川省发展和改革委员会" in exc.value.message  # ticking is not enough
        own = give_concurrence(app, actor=ndrc_staff, opinion="同意认定")
        letter = record_concurrence_letter(app, actor=u["province"], authority=finance, letter_number="川财函〔2041〕7号")
        app = transition(app, Action.CERTIFY, actor=u["province"], reason="予以认定")
    assert app.state == State.AWARDED
    assert (own.authority, own.given_by, own.letter_number, own.version) == (ndrc, ndrc_staff, "", app.version)
    assert (letter.authority, letter.given_by, letter.letter_number) == (finance, u["province"], "川财函〔2041〕7号")
    assert own.given_at is not None and letter.given_at is not None
    assert sorted(Review.objects.get(application=app, decision="certify").concurrence) == sorted(
        [str(ndrc.id), str(finance.id)])
    events = AuditEvent.objects.filter(action="application.concurrence", object_id=str(app.id)).order_by("seq")
    assert [(e.after["name"], e.after["letter_number"]) for e in events] == [
        ("四川省发展和改革委员会", ""), ("四川省财政厅", "川财函〔2041〕7号")]


def test_who_may_concur_and_the_letter_number_is_required(world):
    u = world["users"]
    ndrc, finance = world["co"]
    other_province_ndrc = f.authority("330000", level=AuthorityLevel.PROVINCE, department=Department.DEVELOPMENT_REFORM,
                                      is_lead=False)
    stranger = f.user(role=Role.AUTHORITY_LEADER, authority=other_province_ndrc)
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = transition(world["app"], Action.SUBMIT, actor=u["enterprise"])
        ndrc_staff = f.user(role=Role.AUTHORITY_REVIEWER, authority=ndrc)
        with pytest.raises(TransitionNotAllowed):  # not yet at the province
            give_concurrence(app, actor=ndrc_staff)
        app = transition(transition(app, Action.APPROVE, actor=u["district"]), Action.APPROVE, actor=u["city"])
        for outsider in (stranger, u["province_reviewer"], u["city"]):
            with pytest.raises(NotPermitted):
                give_concurrence(app, actor=outsider)
        with pytest.raises(NotPermitted):  # only the lead's leader records a letter
            record_concurrence_letter(app, actor=u["province_reviewer"], authority=finance, letter_number="文号")
        with pytest.raises(InvalidInput) as exc:
            record_concurrence_letter(app, actor=u["province"], authority=finance, letter_number="  ")
        assert exc.value.field == "letter_number"
        with pytest.raises(InvalidInput):
            record_concurrence_letter(app, actor=u["province"], authority=other_province_ndrc, letter_number="文号")
        give_concurrence(app, actor=ndrc_staff)
        with pytest.raises(Conflict):
            record_concurrence_letter(app, actor=u["province"], authority=ndrc, letter_number="文号")
    assert Concurrence.objects.filter(application=app).count() == 1


@pytest.mark.rule("R3", "P65")
def test_a_resubmitted_version_needs_concurrence_again(world):
    from smartfactory.applications import services

    u = world["users"]
    ndrc, finance = world["co"]
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = _at_province(world)
        for co in (ndrc, finance):
            record_concurrence_letter(app, actor=u["province"], authority=co, letter_number=f"{co.name}函")
        app = transition(app, Action.RETURN, actor=u["province"], reason="补充材料")
        services.update_content(app, actor=u["enterprise"], data={"investment": "1500"})
        app = transition(app, Action.RESUBMIT, actor=u["enterprise"])
        assert app.current_authority == world["sichuan"]
        with pytest.raises(NotEligible):
            transition(app, Action.CERTIFY, actor=u["province"])


def test_pages_show_who_concurred_and_outsiders_get_404(world, client_for):
    u = world["users"]
    ndrc, finance = world["co"]
    ndrc_staff = f.user("ndrc-page", role=Role.AUTHORITY_REVIEWER, authority=ndrc)
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = _at_province(world)
        co_client = client_for(ndrc_staff)
        page = co_client.get(f"/console/applications/{app.id}/").content.decode()
        assert "同意并会签" in page and "登记会签" not in page
        co_client.post(f"/console/applications/{app.id}/concurrence/", {"action": "give", "opinion": "同意"})
        province = client_for(u["province"])
        province.post(f"/console/applications/{app.id}/concurrence/",
                      {"action": "letter", "authority": str(finance.id), "letter_number": "川财函〔2041〕8号"})
        page = province.get(f"/console/applications/{app.id}/").content.decode()
        assert "川财函〔2041〕8号" in page and "本单位账号会签" in page and "ndrc-page" in page
        zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE)
        outsider = client_for(f.user(role=Role.AUTHORITY_LEADER, authority=zhejiang))
        response = outsider.post(f"/console/applications/{app.id}/concurrence/", {"action": "give"})
        assert response.status_code == 404
    assert Concurrence.objects.filter(application=app).count() == 2


def test_api_gives_and_lists_concurrence(world, client_for):
    u = world["users"]
    ndrc, finance = world["co"]
    ndrc_staff = f.user("ndrc-api", role=Role.AUTHORITY_LEADER, authority=ndrc)
    with time_machine.travel(BEFORE_ALL, tick=False):
        app = _at_province(world)
        url = f"/api/v1/applications/{app.id}/concurrences"
        listed = client_for(u["province"]).get(url).json()
        assert [r["name"] for r in listed["required"]] == ["四川省发展和改革委员会", "四川省财政厅"] and listed["given"] == []
        response = client_for(ndrc_staff).post(url, {"opinion": "同意"}, content_type="application/json")
        assert response.status_code == 201 and response.json()["given"][0]["given_by"] == "ndrc-api"
        refused = client_for(u["province"]).post(url, {"authority": str(finance.id)}, content_type="application/json")
        assert refused.status_code == 422 and refused.json()["field"] == "letter_number"
        done = client_for(u["province"]).post(url, {"authority": str(finance.id), "letter_number": "川财函〔2041〕9号"},
                                              content_type="application/json")
        assert [g["letter_number"] for g in done.json()["given"]] == ["", "川财函〔2041〕9号"]
        certified = client_for(u["province"]).post(f"/api/v1/applications/{app.id}/reviews", {"decision": "certify"},
                                                   content_type="application/json")
        assert certified.status_code == 200 and certified.json()["state"] == "awarded"
