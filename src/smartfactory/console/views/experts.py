"""MIIT's expert pool: each expert's profile with labelled fields and pickers — province, industries
by their GB/T 4754 names, scenarios by the framework's names — and a search by name, organisation
and expertise."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartfactory.errors import InvalidInput, ProgrammeError
from smartfactory.evaluation import expert_profiles
from smartfactory.evaluation.models import Assignment
from smartfactory.frameworks.models import FrameworkVersion
from smartfactory.frameworks.services import spec_for
from smartfactory.organisations.models import Membership
from smartfactory.organisations.rules import is_miit_staff
from smartfactory.regions.models import Division, DivisionLevel, Industry


def _codes(request, key: str) -> list[str]:
    """A picker's values (repeated fields), or the older comma-separated form of the same field."""
    return [c.strip() for v in request.POST.getlist(key) for c in v.replace("，", ",").split(",") if c.strip()]


def _choices() -> dict:
    version = FrameworkVersion.objects.order_by("-version").values_list("version", flat=True).first()
    scenarios = spec_for(version).scenarios if version else {}
    return {
        "provinces": list(Division.objects.filter(level=DivisionLevel.PROVINCE).order_by("code").values_list("code", "name")),
        "industries": list(Industry.objects.filter(level=Industry.Level.DIVISION, is_industrial=True, valid_to__isnull=True)
                           .order_by("code").values_list("code", "name")),
        "scenarios": [(n, s.name) for n, s in sorted(scenarios.items())],
    }


@login_required
@require_http_methods(["GET", "POST"])
def expert_pool(request):
    """MIIT keeps the pool: profiles, caps, whether in the pool; accounts come from 新建专家账号."""
    if not is_miit_staff(request.user):
        raise Http404
    if request.method == "POST":
        user = get_object_or_404(get_user_model(), pk=request.POST.get("user"))
        try:
            expert_profiles.save_expert_profile(
                user, actor=request.user, name=request.POST.get("name", ""), organisation=request.POST.get("organisation", ""),
                organisation_uscc=request.POST.get("organisation_uscc", ""), province_code=request.POST.get("province_code", ""),
                industries=_codes(request, "industries"),
                scenarios=[int(s) for s in _codes(request, "scenarios") if s.isdigit()],
                max_load=int(request.POST.get("max_load") or 0) or None, active=request.POST.get("active") == "1",
            )
        except ValueError:
            messages.error(request, InvalidInput(_("每轮评审上限应为整数。"), field="max_load").message)
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已保存：%(n)s。") % {"n": request.POST.get("name", "")})
        return redirect("console:expert_pool")
    accounts = Membership.objects.filter(role="expert", status="active").select_related("user", "user__expert_profile")
    q = request.GET.get("q", "").strip()  # name, organisation or expertise (an industry's or a scenario's name)
    choices = _choices()
    names = {"province": dict(choices["provinces"]), "industry": dict(choices["industries"]),
             "scenario": dict(choices["scenarios"])}
    loads = dict(Assignment.objects.values_list("expert_id").annotate(n=Count("pk")).values_list("expert_id", "n"))
    rows = []
    for m in accounts.order_by("user__username"):
        p = getattr(m.user, "expert_profile", None)
        industries = [names["industry"].get(c, c) for c in (p.industries if p else [])]
        scenarios = [f"{n} {names['scenario'].get(n, '')}".strip() for n in (p.scenarios if p else [])]
        expertise = " ".join([*industries, *scenarios])
        if q and q.lower() not in " ".join([m.user.username, p.name if p else "", p.organisation if p else "",
                                            expertise]).lower():
            continue
        rows.append({"m": m, "p": p, "province": names["province"].get(p.province_code, "") if p else "",
                     "industries": industries, "scenarios": scenarios, "load": loads.get(p.pk, 0) if p else 0})
    return render(request, "console/expert_pool.html", {"rows": rows, "q": q, **choices})
