"""Public pages without login: the index with counts per year and tier, the published list of
awards, the 领航级 cultivation objects, and the open data (page, CSV, JSON). A bad filter value is
shown as a message with status 400, never a server error."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from smartfactory.documents.responses import content_disposition
from smartfactory.errors import InvalidInput
from smartfactory.organisations.enums import Tier
from smartfactory.organisations.rules import active_memberships
from smartfactory.regions.models import Division, DivisionLevel, Industry

from .. import exporters, queries
from ..rules import can_manage_cases

PER_PAGE = 50
AWARD_FILTERS = ("year", "tier", "province", "industry")
CULTIVATION_FILTERS = ("year", "province", "industry")


def filter_options() -> dict:
    return {
        "years": queries.available_years(),
        "tiers": Tier.choices,
        "provinces": Division.objects.filter(level=DivisionLevel.PROVINCE).order_by("code"),
        "industries": Industry.objects.filter(level=Industry.Level.DIVISION, is_industrial=True).order_by("code"),
    }


def _filters(request, allowed) -> tuple[queries.ListFilters | None, InvalidInput | None]:
    try:
        return queries.parse_filters(request.GET, allowed), None
    except InvalidInput as error:
        return None, error


@require_GET
def index(request):
    order = list(reversed(Tier.choices))  # 领航级 first, as the lists are published
    rows = [{"year": row["year"], "cultivation": row["cultivation"],
             "cells": [{"tier": value, "n": row["tiers"][value]} for value, _label in order]}
            for row in queries.award_counts()]
    return render(request, "publicsite/index.html", {
        "rows": rows, "tiers": order, "can_manage": can_manage_cases(request.user),
        "asked_for_consent": any(m.enterprise_id for m in active_memberships(request.user)),
        "notices": queries.current_notices(),
    })


@require_GET
def award_list(request):
    filters, error = _filters(request, AWARD_FILTERS)
    context = {**filter_options(), "error": error, "page": None, "rows": [], "query": "", "tier_labels": dict(Tier.choices)}
    if error is None:
        provinces = queries.province_names()
        page = Paginator(queries.published_awards(filters), PER_PAGE).get_page(request.GET.get("page"))
        context.update(page=page, rows=[queries.award_row(a, provinces) for a in page], filters=filters,
                       query=urlencode(filters.as_query()))
    return render(request, "publicsite/awards.html", context, status=400 if error else 200)


@require_GET
def cultivation_list(request):
    filters, error = _filters(request, CULTIVATION_FILTERS)
    context = {**filter_options(), "error": error, "page": None, "rows": []}
    if error is None:
        provinces = queries.province_names()
        page = Paginator(queries.cultivation_list(filters), PER_PAGE).get_page(request.GET.get("page"))
        context.update(page=page, rows=[queries.cultivation_row(c, provinces) for c in page], filters=filters)
    return render(request, "publicsite/cultivation.html", context, status=400 if error else 200)


@require_GET
def open_data(request):
    return render(request, "publicsite/open_data.html", {"fields": exporters.AWARD_FIELDS})


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


@require_GET
def awards_csv(request):
    filters, error = _filters(request, AWARD_FILTERS)
    if error is not None:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(exporters.csv_lines(exporters.award_rows(filters)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"智能工厂公开名单-{_stamp()}.csv")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def awards_json(request):
    filters, error = _filters(request, AWARD_FILTERS)
    if error is not None:
        return JsonResponse(error.as_dict(), status=400, json_dumps_params={"ensure_ascii": False})
    response = StreamingHttpResponse(exporters.json_chunks(exporters.award_rows(filters)),
                                     content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"smart-factory-awards-{_stamp()}.json", inline=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
