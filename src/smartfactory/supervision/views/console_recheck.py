"""The yearly re-check of the basic requirements for authorities and MIIT: MIIT opens a round for a
campaign and closes it; every authority sees the confirmations in its scope (counts, who has not
confirmed, who reports a requirement no longer met) and opens a case from a "not met"."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartfactory.campaigns.models import Campaign
from smartfactory.errors import InvalidInput, ProgrammeError
from smartfactory.organisations.queries import get_in_scope

from ..enums import ItemResult
from ..queries import recheck_counts, recheck_items_for_user, recheck_rounds_for_user
from ..rules import can_run_recheck
from ..services import close_recheck_round, open_recheck_round
from .console_cases import PAGE_SIZE, require_government

RESULT_FILTERS = {"ok": Q(result=ItemResult.OK), "not_ok": Q(result=ItemResult.NOT_OK), "pending": Q(result="")}


@login_required
def round_list(request):
    require_government(request)
    miit = can_run_recheck(request.user)
    if request.method == "POST":
        if not miit:
            return redirect("supervision_console:rechecks")
        try:
            campaign = get_object_or_404(Campaign, year=int(request.POST.get("year") or 0))
            due_text = (request.POST.get("due_on") or "").strip()
            try:
                due_on = date.fromisoformat(due_text) if due_text else None
            except ValueError:
                raise InvalidInput(_("请按 2025-12-31 的格式填写截止日期。"), field="due_on") from None
            round_ = open_recheck_round(campaign, actor=request.user, due_on=due_on)
        except (ProgrammeError, ValueError) as error:
            messages.error(request, getattr(error, "message", _("请选择年度行动。")))
        else:
            messages.success(request, _("已发起年度复核，共%(n)d家工厂需确认。") % {"n": round_.items.count()})
            return redirect("supervision_console:recheck", round_id=round_.pk)
        return redirect("supervision_console:rechecks")
    rounds = list(recheck_rounds_for_user(request.user).order_by("-opened_at"))
    counts = {
        row["round"]: row for row in recheck_items_for_user(request.user).order_by().values("round").annotate(
            total=Count("pk"), ok=Count("pk", filter=Q(result=ItemResult.OK)),
            not_ok=Count("pk", filter=Q(result=ItemResult.NOT_OK)))
    }
    rows = [{"round": r, "counts": counts.get(r.pk, {"total": 0, "ok": 0, "not_ok": 0})} for r in rounds]
    campaigns = Campaign.objects.filter(recheck_rounds__isnull=True).order_by("-year") if miit else []
    return render(request, "supervision/console_recheck_list.html", {
        "rows": rows, "campaigns": campaigns, "miit": miit, "today": timezone.localdate(),
    })


@login_required
def round_detail(request, round_id):
    require_government(request)
    round_ = get_in_scope(recheck_rounds_for_user(request.user), pk=round_id)
    items = recheck_items_for_user(request.user).filter(round=round_)
    counts = recheck_counts(items)
    result = request.GET.get("result", "")
    shown = items.filter(RESULT_FILTERS[result]) if result in RESULT_FILTERS else items
    page = Paginator(shown.prefetch_related("cases").order_by("award__factory__enterprise__name", "award__factory__name",
                                                             "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/console_recheck_detail.html", {
        "round": round_, "page": page, "counts": counts, "result": result, "miit": can_run_recheck(request.user),
        "overdue": timezone.now() >= round_.deadline,
    })


@login_required
@require_POST
def round_close(request, round_id):
    require_government(request)
    round_ = get_in_scope(recheck_rounds_for_user(request.user), pk=round_id)
    try:
        close_recheck_round(round_, actor=request.user)
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("本轮年度复核已结束。"))
    return redirect("supervision_console:recheck", round_id=round_.pk)
