"""Reference data: divisions (NBS 2023) and industries (GB/T 4754-2017) loaded from regions/data."""

from __future__ import annotations

import csv
import shutil
import time
from io import StringIO

import pytest
from django.core.management import call_command

from smartfactory.regions.models import Division, Industry
from smartfactory.regions.services import (
    DIVISIONS_FILE,
    INDUSTRIES_FILE,
    load_divisions,
    load_industries,
    meta_path_for,
    read_meta,
)

pytestmark = pytest.mark.django_db

SEPARATELY_PLANNED = {
    "210200": "大连市",
    "370200": "青岛市",
    "330200": "宁波市",
    "350200": "厦门市",
    "440300": "深圳市",
}


def _empty_reference_tables():
    """The session loads reference data once (tests/conftest.py); tests of a first load start from
    empty tables inside their own transaction, which is rolled back afterwards."""
    _delete_divisions()
    Industry.objects.all().delete()


def _delete_divisions():
    for level in ("county", "city", "province"):  # children first: parent is a protected key
        Division.objects.filter(level=level).delete()


@pytest.fixture
def divisions():
    _delete_divisions()
    return load_divisions()


@pytest.fixture
def industries():
    Industry.objects.all().delete()
    return load_industries()


def _db_counts(qs):
    return {level: qs.filter(level=level).count() for level in ("province", "city", "county")}


# ------------------------------------------------------------------------------------------ counts


def test_division_counts_match_meta(divisions):
    ours = read_meta(DIVISIONS_FILE)["counts"]["ours"]
    expected = {level: ours[level] for level in ("province", "city", "county")}
    assert _db_counts(Division.objects.all()) == expected
    assert divisions["total_by_level"] == expected
    assert divisions["created"] == ours["total"] == Division.objects.count()
    assert divisions["updated"] == divisions["closed"] == 0


def test_industry_counts_match_meta(industries):
    counts = read_meta(INDUSTRIES_FILE)["counts"]
    assert counts["section"] == 20
    assert counts["division_by_section"] == {"B": 7, "C": 31, "D": 3}
    assert Industry.objects.filter(level="section").count() == counts["section"]
    assert Industry.objects.filter(level="division").count() == counts["division"] == 41
    for section, n in counts["division_by_section"].items():
        assert Industry.objects.filter(level="division", section=section).count() == n
    assert industries["total_by_level"] == {"section": 20, "division": 41}
    assert Industry.objects.count() == counts["total"]


def test_industry_names_and_flags(industries):
    assert list(Industry.objects.filter(level="section").values_list("code", flat=True)) == list(
        "ABCDEFGHIJKLMNOPQRST"
    )
    names = dict(Industry.objects.values_list("code", "name"))
    assert names["11"] == "开采专业及辅助性活动"
    assert names["36"] == "汽车制造业"
    assert names["37"] == "铁路、船舶、航空航天和其他运输设备制造业"
    assert names["43"] == "金属制品、机械和设备修理业"
    assert names["C"] == "制造业"
    industrial = set(Industry.objects.filter(is_industrial=True).values_list("section", flat=True))
    assert industrial == {"B", "C", "D"}
    assert Industry.objects.filter(section__in="BCD", is_industrial=False).count() == 0
    assert set(Industry.objects.values_list("source_version", flat=True)) == {"GB/T 4754-2017+XG1-2019"}


# ------------------------------------------------------------------------------------------ idempotence


def test_loading_twice_changes_nothing(divisions, industries):
    again = load_divisions()
    assert again["created"] == again["updated"] == again["closed"] == 0
    assert again["total_by_level"] == divisions["total_by_level"]
    again = load_industries()
    assert again["created"] == again["updated"] == again["closed"] == 0
    assert again["total_by_level"] == industries["total_by_level"]


def test_changed_name_is_updated(divisions):
    Division.objects.filter(code="510107").update(name="旧名", is_xpcc=True)
    result = load_divisions()
    assert (result["created"], result["updated"], result["closed"]) == (0, 1, 0)
    d = Division.objects.get(code="510107")
    assert (d.name, d.is_xpcc) == ("武侯区", False)


def test_load_is_fast(db):
    start = time.perf_counter()
    load_divisions()
    assert time.perf_counter() - start < 2.0


# ------------------------------------------------------------------------------------------ closing


def _copy_without(tmp_path, source, drop: set[str]):
    target = tmp_path / source.name
    with (
        source.open(encoding="utf-8", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in reader if r["code"] not in drop)
    shutil.copy(meta_path_for(source), meta_path_for(target))
    return target


def test_code_missing_from_file_is_closed_not_deleted(divisions, tmp_path):
    modified = _copy_without(tmp_path, DIVISIONS_FILE, {"510107"})
    converted = read_meta(DIVISIONS_FILE)["converted"]

    result = load_divisions(modified)
    assert (result["created"], result["updated"], result["closed"]) == (0, 0, 1)
    closed = Division.objects.get(code="510107")
    assert closed.valid_to == converted
    assert closed.parent_id == "510100"
    assert Division.objects.count() == read_meta(DIVISIONS_FILE)["counts"]["ours"]["total"]
    assert result["total_by_level"]["county"] == divisions["total_by_level"]["county"] - 1

    # Loading the modified file again changes nothing; loading the full file reopens the code.
    assert load_divisions(modified)["closed"] == 0
    reopened = load_divisions()
    assert (reopened["created"], reopened["updated"], reopened["closed"]) == (0, 1, 0)
    assert Division.objects.get(code="510107").valid_to is None


# ------------------------------------------------------------------------------------------ flags


def test_separately_planned_cities(divisions):
    flagged = dict(Division.objects.filter(is_separately_planned=True).values_list("code", "name"))
    assert flagged == SEPARATELY_PLANNED
    assert set(Division.objects.filter(code__in=SEPARATELY_PLANNED).values_list("level", flat=True)) == {
        "city"
    }


def test_xpcc(divisions):
    xpcc = Division.objects.get(code="660000")
    assert (xpcc.level, xpcc.is_xpcc, xpcc.parent_id, xpcc.name) == (
        "province",
        True,
        None,
        "新疆生产建设兵团",
    )
    assert (xpcc.province_code, xpcc.city_code) == ("660000", "")
    shz = Division.objects.get(code="659001")
    assert (shz.name, shz.is_xpcc, shz.level) == ("石河子市", True, "county")
    assert shz.parent_id == "659000"
    assert shz.parent.parent_id == "650000"
    assert (shz.province_code, shz.city_code) == ("650000", "659000")
    assert set(Division.objects.filter(is_xpcc=True, level="county").values_list("code", flat=True)) == {
        f"6590{n:02d}" for n in range(1, 13)
    }


def test_development_zones(divisions):
    zones = Division.objects.filter(is_development_zone=True)
    assert zones.exists()
    assert all(z.level == "county" and 71 <= int(z.code[4:]) <= 79 for z in zones)
    assert not Division.objects.get(code="320583").is_development_zone  # 昆山市, a 县级市
    assert Division.objects.get(code="320576").is_development_zone  # 苏州工业园区


def test_valid_from_and_source_version(divisions):
    meta = read_meta(DIVISIONS_FILE)
    assert set(Division.objects.values_list("valid_from", flat=True)) == {meta["upstream"]["cutoff_date"]}
    assert set(Division.objects.values_list("source_version", flat=True)) == {meta["source_version"]}
    assert not Division.objects.filter(valid_to__isnull=False).exists()


# ------------------------------------------------------------------------------------------ hierarchy


def test_hierarchy_and_derived_codes(divisions):
    rows = {d.code: d for d in Division.objects.all()}
    for code, d in rows.items():
        if d.level == "province":
            assert d.parent_id is None
            assert (d.province_code, d.city_code) == (code, "")
        elif d.level == "city":
            assert rows[d.parent_id].level == "province", code
            assert d.province_code == code[:2] + "0000" == d.parent_id
            assert d.city_code == code
        else:
            assert rows[d.parent_id].level == "city", code
            assert d.city_code == code[:4] + "00" == d.parent_id
            assert d.province_code == code[:2] + "0000" == rows[d.parent_id].parent_id


def test_known_places(divisions):
    chengdu = Division.objects.get(code="510100")
    assert chengdu.name == "成都市"
    kids = dict(chengdu.children.values_list("code", "name"))
    assert {kids["510107"], kids["510104"], kids["510108"]} == {"武侯区", "锦江区", "成华区"}
    assert Division.objects.get(code="510700").name == "绵阳市"
    zhejiang = dict(Division.objects.get(code="330000").children.values_list("code", "name"))
    assert zhejiang["330200"] == "宁波市"
    assert zhejiang["330100"] == "杭州市"
    assert Division.objects.get(code="510107").full_name == "四川省成都市武侯区"


# ------------------------------------------------------------------------------------------ commands


def test_commands():
    _empty_reference_tables()
    out = StringIO()
    call_command("load_reference", stdout=out)
    text = out.getvalue()
    assert f"divisions: created {read_meta(DIVISIONS_FILE)['counts']['ours']['total']}," in text
    assert f"industries: created {read_meta(INDUSTRIES_FILE)['counts']['total']}," in text
    out = StringIO()
    call_command("load_regions", stdout=out)
    assert "created 0, updated 0, closed 0" in out.getvalue()
    out = StringIO()
    call_command("load_industries", stdout=out)
    assert "created 0, updated 0, closed 0; section 20, division 41" in out.getvalue()


# ------------------------------------------------------------------------------------------ admin


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [("division", "?q=成都&level=city", "510100"), ("industry", "?q=汽车&level=division", "汽车制造业")],
)
def test_admin_changelist_is_read_only(
    admin_client, settings, tmp_path, divisions, industries, model, query, expected
):
    # WhiteNoise warns (an error here) when STATIC_ROOT (var/static) does not exist, as in a fresh clone.
    settings.STATIC_ROOT = tmp_path
    response = admin_client.get(f"/admin/regions/{model}/{query}")
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert admin_client.get(f"/admin/regions/{model}/add/").status_code == 403


def test_industry_missing_from_file_is_closed_not_deleted(industries, tmp_path):
    import shutil

    from smartfactory.regions import services
    from smartfactory.regions.models import Industry

    source = services.INDUSTRIES_FILE
    copy = tmp_path / source.name
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    copy.write_text("".join(line for line in lines if not line.startswith("43,")), encoding="utf-8")
    shutil.copy(services.meta_path_for(source), services.meta_path_for(copy))
    result = services.load_industries(copy)
    assert result["closed"] == 1
    closed = Industry.objects.get(code="43")
    assert closed.valid_to is not None
    assert not Industry.objects.filter(valid_to__isnull=True, code="43").exists()
