"""Basic-tier declarations in the authority's scope: list with filters, and the same rows as XLSX."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.assessments.queries import declarations_for_user
from smartfactory.campaigns.models import Campaign
from smartfactory.console.views.enterprises import _require_authority
from smartfactory.documents.responses import xlsx_response
from smartfactory.documents.xlsx import write_table
from smartfactory.regions.models import Division

COLUMNS = [
    ("year", "年度"), ("enterprise", "企业名称"), ("uscc", "统一社会信用代码"), ("factory", "工厂名称"),
    ("county", "注册地"), ("industry", "所属行业"), ("attained", "自评达到层级"), ("declared_at", "声明时间"),
    ("hash", "快照SM3"),
]


def _filtered(request):
    qs = declarations_for_user(request.user).order_by("-declared_at", "pk")
    year, city, county = request.GET.get("year"), request.GET.get("city"), request.GET.get("county")
    if year and year.isdigit():
        qs = qs.filter(campaign__year=int(year))
    if city:
        qs = qs.filter(city_code=city)
    if county:
        qs = qs.filter(factory__enterprise__county_id=county)
    return qs


def _row(d) -> dict:
    e = d.factory.enterprise
    verdict = d.snapshot.get("verdict") or {}
    return {
        "year": d.campaign.year, "enterprise": e.name, "uscc": e.uscc, "factory": d.factory.name,
        "county": e.county.name, "industry": e.industry.name,
        "attained": {"basic": "基础级", "advanced": "先进级", "excellent": "卓越级", "leading": "领航级"}.get(
            verdict.get("attained_tier"), ""),
        "declared_at": timezone.localtime(d.declared_at).replace(tzinfo=None), "hash": d.snapshot_hash,
    }


@login_required
def declaration_list(request):
    _require_authority(request)
    qs = _filtered(request)
    if request.GET.get("format") == "xlsx":
        content = write_table(
            title=_("基础级智能工厂声明名单"), columns=COLUMNS, rows=(_row(d) for d in qs.iterator(chunk_size=2000)),
            sheet_name="基础级", notes=[_("导出时间：%(t)s") % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}],
        )
        return xlsx_response(content, f"基础级声明名单-{timezone.localdate():%Y%m%d}.xlsx")
    cities = Division.objects.filter(
        code__in=declarations_for_user(request.user).order_by().values_list("city_code", flat=True).distinct()
    ).order_by("code")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "console/declarations.html", {
        "page": page, "rows": [_row(d) for d in page], "campaigns": Campaign.objects.all(), "cities": cities,
        "query": request.GET.urlencode(),
    })
