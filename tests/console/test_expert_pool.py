"""MIIT's expert pool in plain Chinese: labelled fields, pickers for province, industry (GB/T 4754
names) and scenario (the framework's names), a search by name, organisation and expertise."""

from __future__ import annotations

import pytest

from smartfactory.evaluation.models import ExpertProfile
from tests.factories.evaluation import expert

pytestmark = pytest.mark.django_db


def test_the_pool_reads_names_and_saves_through_pickers(national, client_for):
    n = national
    staff = client_for(n["staff"])
    x = expert("王工", actor=n["staff"], organisation="某大学智能制造研究院", province="510000")
    ExpertProfile.objects.filter(pk=x.pk).update(industries=["34"], scenarios=[24])
    page = staff.get("/console/experts/").content.decode()
    assert "四川省" in page and "通用设备制造业" in page  # names, not codes
    assert '<select name="province_code">' in page and '<select name="industries" multiple' in page
    assert '<option value="24" selected>24 ' in page  # the scenario by number and name
    response = staff.post("/console/experts/", {
        "user": x.user_id, "name": "王工", "organisation": "某大学智能制造研究院", "province_code": "330000",
        "industries": ["34", "35"], "scenarios": ["24", "25"], "max_load": "8", "active": "1"}, follow=True)
    assert "已保存：王工。" in response.content.decode()
    x.refresh_from_db()
    assert (x.province_code, x.industries, x.scenarios, x.max_load) == ("330000", ["34", "35"], [24, 25], 8)


def test_the_pool_is_searched_by_name_organisation_and_expertise(national, client_for):
    n = national
    staff = client_for(n["staff"])
    x = expert("李工", actor=n["staff"], organisation="某理工大学", province="110000")
    ExpertProfile.objects.filter(pk=x.pk).update(industries=["26"])
    for q in ("李工", "理工大学", "化学原料"):
        rows = staff.get("/console/experts/", {"q": q}).content.decode().count('data-testid="expert"')
        assert rows == 1, q
    assert staff.get("/console/experts/", {"q": "没有这个人"}).content.decode().count('data-testid="expert"') == 0
