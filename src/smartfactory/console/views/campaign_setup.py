"""Setting the programme up on the platform (R24): the ministry opens and changes a year's campaign
and extends a deadline for one province; a province's leader sets the province's channel rule and
review chains (its deadlines for its cities are on the campaign page). Every write goes through
``campaigns.services`` / ``campaigns.setup``; out of scope is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartfactory.campaigns.models import (
    Campaign,
    ChannelRule,
    DeadlineExtension,
    DeadlineOverride,
    ReviewChain,
)
from smartfactory.campaigns.services import create_campaign
from smartfactory.campaigns.setup import (
    extend_deadline_for_province,
    province_authorities,
    provinces_led_by,
    set_channel_rule,
    set_review_chain,
    update_campaign,
)
from smartfactory.campaigns.validators import CHAIN_LEVEL_LABELS, CHAIN_TIERS
from smartfactory.console.forms import CampaignForm, ChannelRuleForm, ExtensionForm, ReviewChainForm
from smartfactory.console.views.enterprises import _require_authority
from smartfactory.errors import ProgrammeError
from smartfactory.frameworks.models import FrameworkVersion
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import is_ministry_staff, is_platform_admin_user
from smartfactory.portal.views.common import add_service_error


def _require_ministry(request) -> None:
    if not (is_ministry_staff(request.user) or is_platform_admin_user(request.user)):
        raise Http404


def _campaign_form(data=None, **kwargs) -> CampaignForm:
    form = CampaignForm(data, **kwargs)
    form.fields["framework_version"].choices = [(v.version, str(v)) for v in FrameworkVersion.objects.all()]
    return form


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    """MIIT opens a campaign for a year (framework version, tiers open); deadlines follow on its page."""
    _require_ministry(request)
    form = _campaign_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = create_campaign(actor=request.user, **form.cleaned_data)
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("年度行动已设立，请设定各环节截止时间。"))
            return redirect("console:campaign", year=campaign.year)
    return render(request, "console/campaign_form.html", {"form": form, "campaign": None})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, year: int):
    _require_ministry(request)
    campaign = get_object_or_404(Campaign, year=year)
    initial = {"year": campaign.year, "name": campaign.name, "notice_number": campaign.notice_number,
               "framework_version": campaign.framework_version, "tiers_open": campaign.tiers_open,
               "status": campaign.status}
    form = _campaign_form(request.POST or None, initial=initial)
    form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "year"}
        try:
            update_campaign(campaign, actor=request.user, **data)
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("年度行动已更新。"))
            return redirect("console:campaign", year=year)
    return render(request, "console/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_extensions(request, year: int):
    """The ministry's extensions for single provinces (an extension for everyone moves the national
    deadline on the campaign page)."""
    _require_ministry(request)
    campaign = get_object_or_404(Campaign, year=year)
    provinces = province_authorities().select_related("division")
    form = ExtensionForm(request.POST or None)
    form.fields["authority"].choices = [(str(a.pk), a.division.name) for a in provinces]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        authority = get_in_scope(provinces, pk=data.pop("authority"))
        try:
            extend_deadline_for_province(campaign, authority=authority, actor=request.user, **data)
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已为%(p)s延长截止时间。") % {"p": authority.division.name})
            return redirect("console:campaign_extensions", year=year)
    extensions = DeadlineExtension.objects.filter(campaign=campaign).select_related(
        "authority", "authority__division", "set_by")
    return render(request, "console/campaign_extensions.html", {
        "campaign": campaign, "form": form, "deadlines": campaign.deadlines.all(),
        "extensions": extensions.order_by("authority__division_id", "stage", "tier"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def province_settings(request, year: int):
    """A province's own settings for the year: channel rule and review chains. Only the leaders of a
    province's lead industry department see it; anyone else gets 404."""
    _require_authority(request)
    campaign = get_object_or_404(Campaign, year=year)
    provinces = provinces_led_by(request.user)
    chosen = request.GET.get("authority") or request.POST.get("authority")
    authority = get_in_scope(provinces, pk=chosen) if chosen else provinces.first()
    if authority is None:
        raise Http404
    code = authority.division_id
    rule = ChannelRule.objects.filter(campaign=campaign, province_code=code).first()
    chains = {c.tier: c.levels for c in ReviewChain.objects.filter(campaign=campaign, province_code=code)}
    action = request.POST.get("action", "")
    channel_form = ChannelRuleForm(request.POST if action == "channel" else None, prefix="channel", initial={
        "registered_in_province_only": bool(rule and rule.registered_in_province_only), "basis": rule.basis if rule else "",
    })
    chain_forms = []
    for tier in CHAIN_TIERS:
        posted = request.POST if action == f"chain-{tier}" else None
        chain_forms.append((tier, ReviewChainForm(posted, prefix=f"chain-{tier}",
                                                  initial={"levels": chains.get(tier, list(CHAIN_LEVEL_LABELS))})))
    if request.method == "POST":
        try:
            if action == "channel" and channel_form.is_valid():
                set_channel_rule(campaign, authority=authority, actor=request.user, **channel_form.cleaned_data)
                messages.success(request, _("推荐渠道规则已保存。"))
                return redirect(f"{request.path}?authority={authority.pk}")
            for tier, form in chain_forms:
                if action == f"chain-{tier}" and form.is_valid():
                    set_review_chain(campaign, authority=authority, tier=tier, levels=form.cleaned_data["levels"],
                                     actor=request.user)
                    messages.success(request, _("%(t)s审核链已保存。") % {"t": tier.label})
                    return redirect(f"{request.path}?authority={authority.pk}")
        except ProgrammeError as error:
            target = channel_form if action == "channel" else next(f for t, f in chain_forms if action == f"chain-{t}")
            add_service_error(target, error)
    overrides = DeadlineOverride.objects.filter(campaign=campaign, authority=authority).order_by("stage")
    extensions = DeadlineExtension.objects.filter(campaign=campaign, authority=authority).order_by("stage")
    return render(request, "console/province_settings.html", {
        "campaign": campaign, "authority": authority, "provinces": provinces, "channel_form": channel_form,
        "chain_forms": [(tier, form, tier in chains) for tier, form in chain_forms], "overrides": overrides,
        "extensions": extensions, "editable": campaign.status != "closed",
    })
