from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from smartfactory.regions.models import Division


@require_GET
def division_options(request):
    """<option>s for the child divisions of ``parent`` (htmx cascade on forms). Public reference data."""
    parent = request.GET.get("province") or request.GET.get("city") or request.GET.get("parent") or ""
    level = "city" if request.GET.get("province") else "county"
    children = Division.objects.filter(parent_id=parent, valid_to__isnull=True).order_by("code") if parent else []
    if level == "city" and children and all(c.level == "county" for c in children):
        level = "county"
    return render(request, "portal/_division_options.html", {"children": children, "level": level})
