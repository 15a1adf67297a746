"""R4: the certified 先进级 list reported to MIIT (central SOEs also to SASAC). A certifying
authority's leader reports it here; MIIT and SASAC see what each reported and when."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.services import current_campaign
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import active_memberships
from smartfactory.recommendations import advanced_lists


def _campaign(request):
    year = request.GET.get("year", "")
    campaign = get_object_or_404(Campaign, year=int(year)) if year.isdigit() else current_campaign()
    if campaign is None:
        raise Http404
    return campaign


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    if not any(m.authority_id for m in active_memberships(request.user)):
        raise Http404
    campaign = _campaign(request)
    reporter = advanced_lists.reporting_authority(request.user)
    if request.method == "POST":
        if reporter is None:
            raise Http404
        try:
            report = advanced_lists.report_advanced_list(campaign, authority=reporter, actor=request.user)
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已报送%(n)d家先进级智能工厂名单。") % {"n": len(report.rows)})
        return redirect(f"{reverse('console:advanced_lists')}?year={campaign.year}")
    reports = advanced_lists.reports_for_user(request.user).filter(campaign=campaign)
    return render(request, "console/advanced_lists.html", {
        "campaign": campaign, "reports": reports, "reporter": reporter,
        "pending": advanced_lists.list_rows(campaign, reporter) if reporter else [],
        "recipient_labels": advanced_lists.RECIPIENT_LABELS,
    })


@login_required
def report_detail(request, report_id):
    report = get_in_scope(advanced_lists.reports_for_user(request.user), id=report_id)
    return render(request, "console/advanced_list_report.html", {
        "report": report, "recipient_labels": advanced_lists.RECIPIENT_LABELS})
