"""Pages outside the desks: the public 公示 with its objection form (no login), and the enterprise's
confirmation of an on-site verification date."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.errors import ProgrammeError
from smartfactory.organisations.rules import is_enterprise_user_of

from . import notices, site_visits
from .models import Publicity, SiteVisit
from .queries import public_entries


def publicity_index(request):
    """Every notice that has been published, newest first (anyone may read them)."""
    return render(request, "evaluation/publicity_index.html", {
        "notices": Publicity.objects.select_related("campaign").order_by("-starts_at"), "now": timezone.now()})


def publicity_public(request, publicity_id):
    """The published proposed list and, while the period runs, the objection form. The objector's
    contact is required and stored encrypted; nothing about other objections is shown."""
    publicity = get_object_or_404(Publicity.objects.select_related("campaign"), pk=publicity_id)
    now = timezone.now()
    is_open = publicity.status == Publicity.Status.OPEN and publicity.starts_at <= now < publicity.ends_at
    values = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("evaluation", "name", "contact", "content")}
        try:
            notices.submit_objection(publicity, evaluation_id=values["evaluation"] or None, name=values["name"],
                                      contact=values["contact"], content=values["content"])
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("异议已收到。我们将核实处理，并按您留下的联系方式联系您。"))
            return redirect("publicity_public", publicity_id=publicity.pk)
    return render(request, "evaluation/publicity_public.html", {
        "p": publicity, "entries": public_entries(publicity), "is_open": is_open, "values": values})


@login_required
def site_visit(request, visit_id):
    """The enterprise sees the proposed date and confirms it (or asks the ministry to change it)."""
    visit = get_object_or_404(SiteVisit.objects.select_related("evaluation__application__factory__enterprise"), pk=visit_id)
    if not is_enterprise_user_of(request.user, visit.evaluation.application.factory.enterprise):
        raise Http404
    if request.method == "POST":
        try:
            site_visits.agree_site_visit(visit, actor=request.user)
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已确认现场核查日期。"))
        return redirect("site_visit", visit_id=visit.pk)
    return render(request, "evaluation/site_visit.html", {"visit": visit})
