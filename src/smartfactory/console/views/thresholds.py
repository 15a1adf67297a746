"""The ministry's page for a campaign's rule thresholds: the framework's rules with their default and
campaign values, a form that sets one threshold and re-scores the campaign's self-assessments in the
background, and the re-scoring jobs with their progress (polled by htmx while a job is active)."""

from __future__ import annotations

import json
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.services import set_rule_threshold
from smartfactory.errors import ProgrammeError
from smartfactory.frameworks.services import spec_for
from smartfactory.portal.views.common import add_service_error
from smartfactory.rescoring.models import RescoreJob
from smartfactory.rescoring.services import can_rescore, request_rescore

JOBS_SHOWN = 10
KIND_LABELS = {
    "cmmm_level": gettext_lazy("智能制造能力成熟度等级"),
    "dimension_coverage": gettext_lazy("场景维度覆盖"),
    "ai_share": gettext_lazy("人工智能场景占比"),
    "kpi_benchmark": gettext_lazy("技术经济指标水平"),
    "scenario_count": gettext_lazy("已建场景数量"),
    "expert_judgement": gettext_lazy("专家评审判断"),
}


CONFIDENCE_LABELS = {"high": gettext_lazy("高"), "medium-high": gettext_lazy("中高"), "medium": gettext_lazy("中"),
                     "low-medium": gettext_lazy("中低"), "low": gettext_lazy("低"), "not_found": gettext_lazy("未找到出处")}


def confidence_label(confidence: str) -> str:
    """The reference data's confidence, as a level in Chinese: its leading word ("medium (threshold) /
    low (formula)" reads 中; the notes stay in the reference data)."""
    word = re.split(r"[\s(,/;]", (confidence or "").strip(), maxsplit=1)[0]
    return str(CONFIDENCE_LABELS.get(word, "—"))


class ThresholdForm(forms.Form):
    rule_id = forms.ChoiceField(label=gettext_lazy("规则"))
    threshold = forms.CharField(
        label=gettext_lazy("新阈值（JSON）"), max_length=500,
        help_text=gettext_lazy('例如 0.1、3、"national_leading"、["D3", "D4"] 或 {"advanced": 8}'),
    )
    reason = forms.CharField(label=gettext_lazy("依据（文号或说明）"), max_length=255)

    def clean_threshold(self):
        try:
            return json.loads(self.cleaned_data["threshold"])
        except ValueError:
            raise forms.ValidationError(_("阈值应为 JSON 值，例如 0.1 或 [\"D3\", \"D4\"]。")) from None


class RescoreForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=255)


def _require_ministry(request) -> None:
    if not can_rescore(request.user):
        raise Http404


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _rules(campaign: Campaign, spec) -> list[dict]:
    own = {t.rule_id: t for t in campaign.rule_thresholds.select_related("set_by")}
    rows = []
    for rule in spec.rules:
        t = own.get(rule.id)
        rows.append({
            "id": rule.id, "kind": rule.kind, "kind_label": KIND_LABELS.get(rule.kind, rule.kind), "message": rule.message,
            "tiers": [spec.tier_name(tier) for tier in rule.tiers],
            "judged": rule.kind == "expert_judgement",
            "default": _json(rule.threshold), "campaign": _json(t.threshold) if t else "",
            "reason": t.reason if t else "", "set_at": t.set_at if t else None,
            "source": ", ".join(rule.source), "confidence": rule.confidence,
            "confidence_label": confidence_label(rule.confidence),
        })
    return rows


def _jobs_context(campaign: Campaign) -> dict:
    jobs = list(RescoreJob.objects.filter(campaign=campaign).select_related("requested_by")[:JOBS_SHOWN])
    return {"campaign": campaign, "jobs": jobs, "polling": any(j.is_active for j in jobs)}


@login_required
@require_http_methods(["GET", "POST"])
def threshold_page(request, year: int):
    _require_ministry(request)
    campaign = get_object_or_404(Campaign, year=year)
    spec = spec_for(campaign.framework_version)  # the framework document's own (default) thresholds
    action = request.POST.get("action")
    form = ThresholdForm(request.POST if action == "threshold" else None)
    form.fields["rule_id"].choices = [(r.id, f"{r.message}（{', '.join(spec.tier_name(t) for t in r.tiers)}）")
                                      for r in spec.rules if r.kind != "expert_judgement"]
    rescore_form = RescoreForm(request.POST if action == "rescore" else None, prefix="rescore")
    if action == "threshold" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # the threshold and its re-scoring job commit together
                set_rule_threshold(campaign, rule_id=data["rule_id"], threshold=data["threshold"],
                                   actor=request.user, reason=data["reason"])
                request_rescore(campaign, actor=request.user,
                                reason=_("%(rule)s 阈值调整：%(reason)s") % {"rule": data["rule_id"], "reason": data["reason"]})
        except ProgrammeError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("阈值已设定，本年度的自评估正在重新评估。"))
            return redirect("console:thresholds", year=year)
    if action == "rescore" and rescore_form.is_valid():
        try:
            request_rescore(campaign, actor=request.user, reason=rescore_form.cleaned_data["reason"])
        except ProgrammeError as error:
            add_service_error(rescore_form, error)
        else:
            messages.success(request, _("已开始重新评估本年度的自评估。"))
            return redirect("console:thresholds", year=year)
    return render(request, "console/thresholds.html", {
        **_jobs_context(campaign), "rules": _rules(campaign, spec), "form": form, "rescore_form": rescore_form,
        "spec": spec,
    })


@login_required
@require_GET
def job_list(request, year: int):
    """The job list alone, for htmx polling; it stops polling itself once no job is active."""
    _require_ministry(request)
    campaign = get_object_or_404(Campaign, year=year)
    return render(request, "console/_rescore_jobs.html", _jobs_context(campaign))
