"""A receiving desk's paper (a city, a province, MIIT, SASAC): its requirements per tier (set here by
the desk's leader or ministry staff), per-application and per-sender status with shortfalls, late
deliveries and superseded copies, and logging what arrived (with the verification code check)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartfactory.applications.queries import applications_for_user
from smartfactory.campaigns.models import Campaign, PaperRequirement
from smartfactory.campaigns.services import current_campaign
from smartfactory.errors import InvalidInput, NotPermitted, ProgrammeError
from smartfactory.organisations.enums import AuthorityKind, Tier
from smartfactory.organisations.queries import get_in_scope
from smartfactory.recommendations import paper


def _desk(request):
    desks = paper.desks_for_user(request.user)
    wanted = request.GET.get("desk") or request.POST.get("desk")
    desk = next((d for d in desks if str(d.id) == wanted), None) if wanted else (desks[0] if desks else None)
    year = request.GET.get("year", "")
    campaign = get_object_or_404(Campaign, year=int(year)) if year.isdigit() else current_campaign()
    if desk is None or campaign is None:
        raise Http404
    return desks, desk, campaign


def _arrived_at(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("送达时间格式不正确。"), field="arrived_at") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _int(text: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return -1


def _post(request, desk, campaign) -> str:
    if request.POST.get("action") == "requirement":
        paper.set_requirement(
            campaign, desk, actor=request.user, tier=request.POST.get("tier", ""), item=request.POST.get("item", ""),
            copies=_int(request.POST.get("copies")), scan_required=bool(request.POST.get("scan_required")),
            sender_kinds=request.POST.getlist("sender_kinds"), basis=request.POST.get("basis", ""))
        return _("已保存本级纸质材料要求。")
    application = None
    if request.POST.get("application"):
        application = get_in_scope(applications_for_user(request.user), id=request.POST["application"])
    senders = {str(r.sender.id): r.sender for r in paper.incoming(desk, campaign) if r.sender}
    _receipt, message = paper.log_receipt(
        desk, actor=request.user, campaign=campaign, item=request.POST.get("item", ""),
        copies=_int(request.POST.get("copies")), tier=request.POST.get("tier", ""), application=application,
        sender_authority=senders.get(request.POST.get("sender_authority", "")),
        verification_code=request.POST.get("code", ""), arrived_at=_arrived_at(request.POST.get("arrived_at", "")),
        scan=request.FILES.get("scan"))
    return message or _("已登记。")


@login_required
@require_http_methods(["GET", "POST"])
def paper_page(request):
    desks, desk, campaign = _desk(request)
    if request.method == "POST":
        try:
            messages.success(request, _post(request, desk, campaign))
        except ProgrammeError as error:
            messages.error(request, error.message)
        return redirect(f"{reverse('console:paper')}?desk={desk.id}&year={campaign.year}")
    try:
        paper.ensure_may_set_requirements(request.user, desk)
        may_set = True
    except NotPermitted:
        may_set = False
    state = paper.status(desk, campaign)
    return render(request, "console/paper.html", {
        "desks": desks, "authority": desk, "campaign": campaign, "rows": state["applications"],
        "senders": state["senders"], "requirements": paper.requirements(campaign, desk), "may_set": may_set,
        "items": PaperRequirement.Item.choices, "tiers": [(t.value, t.label) for t in paper.PAPER_TIERS],
        "sender_kinds": AuthorityKind.choices, "applications": [r["application"] for r in state["applications"]],
        "sending": {str(s["sender"].id): s["sender"] for s in state["senders"]}.values(),
        "tier_labels": dict(Tier.choices),
    })
