"""Cultivation status pages, one for every role in scope: the enterprise reports progress, guiding
experts and MIIT write guidance, the province and the ministry follow; overdue items are flagged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.applications.workflow import is_miit_staff
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import is_enterprise_user_of

from . import services
from .models import CultivationObject, ProgressReport
from .queries import cultivations_for_user


@login_required
def cultivation_list(request):
    objects = list(cultivations_for_user(request.user).prefetch_related("reports").order_by("-published_on", "factory__name"))
    if not objects and not is_miit_staff(request.user):
        raise Http404
    today = timezone.localdate()
    rows = [{"c": c, "overdue": [r for r in c.reports.all() if services.is_overdue(r, today)],
             "next": next((r for r in c.reports.all() if r.submitted_at is None), None)} for c in objects]
    return render(request, "cultivation/list.html", {"rows": rows})


@login_required
def cultivation_detail(request, cultivation_id):
    cultivation = get_in_scope(cultivations_for_user(request.user), pk=cultivation_id)
    own = is_enterprise_user_of(request.user, cultivation.factory.enterprise)
    if request.method == "POST":
        error = None
        try:
            if request.POST.get("action") == "report":
                report = get_object_or_404(ProgressReport, pk=request.POST.get("report"), cultivation=cultivation)
                values = {str(t.number): request.POST.get(f"value-{t.number}", "") for t in cultivation.targets.all()}
                services.submit_report(report, actor=request.user, summary=request.POST.get("summary", ""), values=values)
            elif request.POST.get("action") == "guidance":
                services.add_guidance(cultivation, actor=request.user, text=request.POST.get("text", ""))
            else:
                raise Http404
        except ProgrammeError as caught:
            error = caught
        if error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已提交。"))
        return redirect("cultivation_detail", cultivation_id=cultivation.pk)
    today = timezone.localdate()
    reports = [{"r": r, "overdue": services.is_overdue(r, today)} for r in cultivation.reports.all()]
    can_guide = is_miit_staff(request.user) or cultivation.guides.filter(user=request.user).exists()
    return render(request, "cultivation/detail.html", {
        "c": cultivation, "targets": cultivation.targets.all(), "milestones": cultivation.milestones.all(),
        "reports": reports, "guidance": cultivation.guidance.all(), "own": own and cultivation.status == CultivationObject.Status.CULTIVATING,
        "next": next((r for r in cultivation.reports.all() if r.submitted_at is None), None), "can_guide": can_guide,
        "today": today,
    })
