"""The recommender's batch: quota meter, priority order, finalising, documents, stamped scans,
submission to MIIT; the ministry sees every batch and alone may reopen one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartfactory.campaigns.enums import QUOTA_STATES
from smartfactory.campaigns.models import Quota
from smartfactory.documents.responses import content_disposition, pdf_response, xlsx_response
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import (
    is_ministry_staff,
    is_platform_admin_user,
    works_on_recommendations,
)
from smartfactory.recommendations import concurrence, exports, services
from smartfactory.recommendations.models import StampedScan
from smartfactory.regions.models import Division


def _quotas(user):
    if is_ministry_staff(user) or is_platform_admin_user(user):
        return Quota.objects.select_related("campaign", "soe_group")
    return services.quotas_for_user(user)


def _quota(request, quota_id):
    return get_in_scope(_quotas(request.user), pk=quota_id)


@login_required
def batch_list(request):
    from django.db.models import Count, Q

    quotas = list(_quotas(request.user).filter(campaign__status__in=["open", "closed"]).annotate(
        used=Count("applications", filter=Q(applications__state__in=QUOTA_STATES))
    ).order_by("-campaign__year", "tier", "recommender", "province_code"))
    if not quotas and not works_on_recommendations(request.user):  # their page, even while empty
        raise Http404
    used = {q.pk: q.used for q in quotas}  # one query for every row, not one per quota
    batches = {b.quota_id: b for b in services.Batch.objects.filter(quota__in=quotas)}
    rows = [(q, used[q.pk], batches.get(q.pk)) for q in quotas if used[q.pk] or q.pk in batches or not is_ministry_staff(request.user)]
    return render(request, "console/recommendation_list.html", {"rows": rows})


def _concurrence_panel(batch, user) -> dict | None:
    """Each co-department with its concurrence on the current order (who, when, letter number), the
    ones given on an earlier order, and the forms this user may use. None without co-departments."""
    required = services.co_departments(batch.quota)
    if not required:
        return None
    given = {c.authority_id: c for c in concurrence.concurrences_for(batch)}
    return {
        "rows": [(a, given.get(a.pk)) for a in required],
        "stale": [c for c in concurrence.stale_concurrences(batch) if c.authority_id not in given],
        "can_give": concurrence.can_give(user, batch), "can_record": concurrence.can_record_letter(user, batch),
        "open": concurrence.awaiting_concurrence(batch),
    }


@login_required
def batch_page(request, quota_id):
    quota = _quota(request, quota_id)
    batch = services.batch_for(quota)
    apps = list(services.recommended(quota))
    return render(request, "console/recommendation_batch.html", {
        "quota": quota, "batch": batch, "apps": apps, "used": len(apps),
        "deadline_passed": services.deadline_passed(batch) and batch.status != batch.Status.SUBMITTED,
        "concurrence": _concurrence_panel(batch, request.user), "scans": batch.scans.all(),
        "scan_kinds": StampedScan.Kind.choices, "can_act": services.acts_for_recommender(request.user, quota),
        "can_reopen": is_ministry_staff(request.user) or is_platform_admin_user(request.user),
        "subquotas": quota.city_subquotas.all(),
        "cities": Division.objects.filter(level="city", province_code=quota.province_code).order_by("code")
        if quota.recommender == "province" else [],
    })


@login_required
@require_POST
def batch_action(request, quota_id, action):
    quota = _quota(request, quota_id)
    batch = services.batch_for(quota)
    try:
        if action == "order":  # the drag-and-drop form posts the whole new order
            services.reorder(batch, ordered_ids=request.POST.getlist("order"), actor=request.user)
        elif action == "move":
            ids = [str(a.id) for a in services.recommended(quota)]
            moving, direction = request.POST.get("application", ""), request.POST.get("direction")
            if moving in ids:
                i = ids.index(moving)
                j = i - 1 if direction == "up" else i + 1
                if 0 <= j < len(ids):
                    ids[i], ids[j] = ids[j], ids[i]
            services.reorder(batch, ordered_ids=ids, actor=request.user)
        elif action == "concur":
            concurrence.give(batch, actor=request.user, opinion=request.POST.get("opinion", ""))
        elif action == "concurrence-letter":
            chosen = request.POST.get("authority", "")
            authority = next((a for a in services.co_departments(quota) if str(a.pk) == chosen), None)
            if authority is None:
                raise Http404
            concurrence.record_letter(batch, actor=request.user, authority=authority,
                                      letter_number=request.POST.get("letter_number", ""),
                                      opinion=request.POST.get("opinion", ""))
        elif action == "finalise":
            services.finalise(batch, actor=request.user)
        elif action == "submit":
            services.submit_to_ministry(batch, actor=request.user)
        elif action == "subquota":
            from smartfactory.campaigns.quotas import set_city_subquota

            try:
                limit = int(request.POST.get("limit", ""))
            except ValueError:
                limit = -1
            set_city_subquota(quota, city_code=request.POST.get("city_code", ""), limit=limit, actor=request.user,
                              reason=request.POST.get("reason", ""))
        elif action == "reopen":
            services.reopen(batch, actor=request.user, reason=request.POST.get("reason", ""))
        elif action == "scan":
            upload = request.FILES.get("file")
            if upload is None:
                raise ProgrammeError(_("请选择要上传的文件。"))
            services.attach_scan(batch, kind=request.POST.get("kind", ""), upload=upload, actor=request.user)
        else:
            raise Http404
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect("console:recommendation", quota_id=quota.pk)


@login_required
def batch_document(request, quota_id, name):
    quota = _quota(request, quota_id)
    batch = services.batch_for(quota)
    stem = f"{quota.campaign.year}-{quota.name}-{quota.get_tier_display()}"
    if name == "summary-table.xlsx":
        return xlsx_response(exports.summary_xlsx(batch), f"推荐汇总表-{stem}.xlsx")
    if name == "summary-table.pdf":
        return pdf_response(exports.summary_pdf(batch), f"推荐汇总表-{stem}.pdf")
    if name == "letter.docx":
        response = HttpResponse(exports.letter_docx(batch),
                                content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        response["Content-Disposition"] = content_disposition(f"推荐函-{stem}.docx")
        return response
    raise Http404


def _level(request, year: int, tier: str):
    """The caller's own intermediate level (district or city) and the campaign; 404 for anyone else."""
    from django.shortcuts import get_object_or_404

    from smartfactory.campaigns.models import Campaign

    authority = services.level_authority(request.user)
    if authority is None or tier not in ("excellent", "leading"):
        raise Http404
    campaign = get_object_or_404(Campaign, year=year)
    return authority, campaign, services.dossier_for(authority, campaign, tier)


@login_required
def level_page(request, year: int, tier: str):
    """An intermediate level's dossier for the level above: what it forwarded, its summary table and
    letter to download, and the stamped scans of both."""
    from smartfactory.organisations.enums import Tier
    from smartfactory.recommendations.paper import applies, requirements

    authority, campaign, dossier = _level(request, year, tier)
    if request.method == "POST":
        try:
            upload = request.FILES.get("file")
            if upload is None:
                raise ProgrammeError(_("请选择要上传的文件。"))
            services.attach_level_scan(dossier, kind=request.POST.get("kind", ""), upload=upload, actor=request.user)
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已上传。"))
        return redirect("console:level_page", year=year, tier=tier)
    return render(request, "console/level_dossier.html", {
        "authority": authority, "campaign": campaign, "tier": tier, "tier_label": Tier(tier).label,
        "rows": services.level_rows(authority, campaign, tier), "scans": dossier.scans.order_by("uploaded_at"),
        "scan_kinds": StampedScan.Kind.choices,
        "paper": [r for r in requirements(campaign, authority.parent, tier) if applies(r, authority.kind)]
        if authority.parent_id else [],
    })


@login_required
def level_letter(request, year: int, tier: str):
    authority, campaign, _dossier = _level(request, year, tier)
    response = HttpResponse(exports.level_letter_docx(authority, campaign, tier),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = content_disposition(f"报送函-{year}-{authority.name}.docx")
    return response


@login_required
def level_document(request, year: int, tier: str, fmt: str):
    """My level's own summary table of the applications it forwarded (XLSX or PDF)."""
    from django.shortcuts import get_object_or_404

    from smartfactory.campaigns.models import Campaign
    from smartfactory.organisations.enums import Role
    from smartfactory.organisations.rules import active_memberships

    campaign = get_object_or_404(Campaign, year=year)
    authority = next((m.authority for m in active_memberships(request.user)
                      if m.authority_id and m.role in (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER)), None)
    if authority is None or tier not in ("excellent", "leading") or fmt not in ("xlsx", "pdf"):
        raise Http404
    content = exports.level_summary(authority, campaign, tier, fmt)
    name = f"报送汇总表-{year}-{authority.name}.{fmt}"
    return xlsx_response(content, name) if fmt == "xlsx" else pdf_response(content, name)
