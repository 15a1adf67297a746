"""Paper copies received by my level: requirements, per-application status with shortfalls, and
logging what arrived (with the verification code check)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from smartfactory.applications.queries import applications_for_user
from smartfactory.campaigns.models import PaperRequirement
from smartfactory.campaigns.services import current_campaign
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.enums import Role
from smartfactory.organisations.queries import active_memberships, get_in_scope
from smartfactory.recommendations import paper


@login_required
@require_http_methods(["GET", "POST"])
def paper_page(request):
    memberships = [m for m in active_memberships(request.user)
                   if m.authority_id and m.role in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)]
    campaign = current_campaign()
    if not memberships or campaign is None:
        raise Http404
    authority = memberships[0].authority
    if request.method == "POST":
        application = None
        if request.POST.get("application"):
            application = get_in_scope(applications_for_user(request.user), id=request.POST["application"])
        try:
            copies = int(request.POST.get("copies", "0"))
        except ValueError:
            copies = 0
        try:
            _receipt, message = paper.log_receipt(
                authority, actor=request.user, item=request.POST.get("item", ""), copies=copies,
                sender=request.POST.get("sender", ""), application=application,
                verification_code=request.POST.get("code", ""),
            )
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message or "已登记。")
        return redirect("console:paper")
    return render(request, "console/paper.html", {
        "authority": authority, "campaign": campaign, "rows": paper.status(authority, campaign),
        "requirements": paper.requirements(campaign, authority).values(), "items": PaperRequirement.Item.choices,
    })
