"""MIIT's quota page for a campaign: the 2024 value-added ranking behind the excellent quotas, every
recommender's quota with its use, and the four writes — correct a rank, override a quota, restore the
computed value, recompute — each a form calling the same service as the API (all audited)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from smartfactory.campaigns import quotas
from smartfactory.campaigns.enums import QUOTA_STATES
from smartfactory.campaigns.models import Campaign, ProvinceRanking, Quota
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.enums import Tier
from smartfactory.portal.views.common import add_service_error


class RankingForm(forms.Form):
    province_code = forms.ChoiceField(label=gettext_lazy("省份"))
    rank = forms.IntegerField(label=gettext_lazy("2024年工业增加值排名"), min_value=1, max_value=40)
    basis = forms.CharField(label=gettext_lazy("排名依据（统计公报或文件）"), max_length=255)


class OverrideForm(forms.Form):
    quota = forms.ChoiceField(label=gettext_lazy("推荐单位与层级"))
    value = forms.IntegerField(label=gettext_lazy("调整后名额"), min_value=0, max_value=100)
    reason = forms.CharField(label=gettext_lazy("调整理由"), max_length=200)


class RestoreForm(forms.Form):
    quota = forms.ChoiceField(label=gettext_lazy("人工调整的名额"))
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=200)


class RecomputeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("重新计算的原因"), max_length=200)


def _label(q: Quota) -> str:
    return f"{Tier(q.tier).label} · {q.name}（{q.quota}）"


@login_required
@require_http_methods(["GET", "POST"])
def quota_page(request, year: int):
    if not quotas.can_manage_quotas(request.user):
        raise Http404
    campaign = get_object_or_404(Campaign, year=year)
    rows = list(Quota.objects.filter(campaign=campaign).annotate(
        used=Count("applications", filter=Q(applications__state__in=QUOTA_STATES))
    ).order_by("tier", "recommender", "province_code", "name"))
    rankings = list(ProvinceRanking.objects.filter(campaign=campaign).order_by("rank", "province_code"))
    action = request.POST.get("action")
    forms_ = {
        "ranking": RankingForm(request.POST if action == "ranking" else None, prefix="ranking"),
        "override": OverrideForm(request.POST if action == "override" else None, prefix="override"),
        "restore": RestoreForm(request.POST if action == "restore" else None, prefix="restore"),
        "recompute": RecomputeForm(request.POST if action == "recompute" else None, prefix="recompute"),
    }
    forms_["ranking"].fields["province_code"].choices = [(r.province_code, f"{r.province_name}（第{r.rank}位）") for r in rankings]
    forms_["override"].fields["quota"].choices = [(str(q.pk), _label(q)) for q in rows]
    forms_["restore"].fields["quota"].choices = [(str(q.pk), _label(q)) for q in rows if q.overridden]
    form = forms_.get(action)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        by_pk = {str(q.pk): q for q in rows}
        try:
            if action == "ranking":
                quotas.set_ranking(campaign, province_code=data["province_code"], rank=data["rank"], actor=request.user,
                                   basis=data["basis"])
                done = _("排名已修正，推荐名额已重新计算。")
            elif action == "override":
                quotas.override_quota(by_pk[data["quota"]], value=data["value"], actor=request.user, reason=data["reason"])
                done = _("名额已调整。")
            elif action == "restore":
                quotas.restore_computed_quota(by_pk[data["quota"]], actor=request.user, reason=data["reason"])
                done = _("已恢复按规则计算的名额。")
            else:
                quotas.recompute_quotas(campaign, actor=request.user, reason=data["reason"])
                done = _("推荐名额已重新计算。")
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("console:quotas", year=year)
    return render(request, "console/quotas.html", {
        "campaign": campaign, "rankings": rankings, "forms": forms_,
        "tiers": [(Tier(t).label, [q for q in rows if q.tier == t]) for t in (Tier.EXCELLENT, Tier.LEADING)],
    })
