"""The public case library: published cases only (their redacted text), filtered by scenario,
环节 and industry. Anything else — a draft, a case awaiting consent, a withdrawn one — is 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from smartfactory.errors import InvalidInput
from smartfactory.frameworks.models import FrameworkVersion
from smartfactory.frameworks.services import spec_for
from smartfactory.organisations.queries import get_in_scope
from smartfactory.regions.models import Industry

from .. import queries

PER_PAGE = 50
CASE_FILTERS = ("scenario", "link", "industry")


def scenario_options() -> dict:
    """The scenarios and 环节 of the newest framework version, for the filter form."""
    version = FrameworkVersion.objects.order_by("-version").values_list("version", flat=True).first()
    if version is None:
        return {"scenarios": [], "links": []}
    spec = spec_for(version)
    return {
        "scenarios": [spec.scenarios[n] for n in sorted(spec.scenarios)],
        "links": [{"id": k, "name": v["name"]} for k, v in spec.links.items()],
    }


@require_GET
def case_list(request):
    context = {**scenario_options(), "error": None, "page": None, "rows": [],
               "industries": Industry.objects.filter(level=Industry.Level.DIVISION, is_industrial=True).order_by("code")}
    try:
        filters = queries.parse_filters(request.GET, CASE_FILTERS)
    except InvalidInput as error:
        context["error"] = error
        return render(request, "publicsite/cases.html", context, status=400)
    page = Paginator(queries.published_cases(filters), PER_PAGE).get_page(request.GET.get("page"))
    context.update(page=page, rows=[queries.case_row(c) for c in page], filters=filters,
                   query=urlencode(filters.as_query()))
    return render(request, "publicsite/cases.html", context)


@require_GET
def case_detail(request, case_id):
    case = get_in_scope(queries.published_cases(), id=case_id)
    return render(request, "publicsite/case_detail.html", {"case": queries.case_row(case)})
