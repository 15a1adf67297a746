"""The authority side of tier applications: the queue at my level, the detail with the actions the
transition table allows me, what changed since a return, and the certified list for MIIT."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartfactory.applications import content as content_rules
from smartfactory.applications import services
from smartfactory.applications.enums import Action, State
from smartfactory.applications.feedback import after_action
from smartfactory.applications.queries import (
    applications_for_user,
    names_at_issue,
    review_queue_for_user,
    with_current,
)
from smartfactory.applications.recommender import location_notice
from smartfactory.applications.workflow import BOOK_TIERS, available, transition
from smartfactory.campaigns.enums import QUOTA_STATES
from smartfactory.console.views.concurrence import concurrence_panel
from smartfactory.console.views.enterprises import _require_authority
from smartfactory.documents.pdf import render_pdf
from smartfactory.documents.responses import pdf_response, xlsx_response
from smartfactory.documents.xlsx import write_table
from smartfactory.errors import ProgrammeError
from smartfactory.organisations.changes import changes_since
from smartfactory.organisations.queries import get_in_scope

REVIEWER_ACTIONS = {Action.APPROVE, Action.RETURN, Action.REJECT, Action.CERTIFY, Action.RECOMMEND}


@login_required
def application_list(request):
    _require_authority(request)
    state = request.GET.get("state", "")
    qs = applications_for_user(request.user).order_by("-submitted_at", "pk")
    if state in State.values:
        qs = qs.filter(state=state)
    queue = review_queue_for_user(request.user).order_by("submitted_at", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    from smartfactory.campaigns.services import current_campaign
    from smartfactory.recommendations.services import level_authority

    return render(request, "console/application_list.html", {
        "queue": queue, "page": page, "states": State.choices, "state": state, "campaign": current_campaign(),
        "is_level": level_authority(request.user) is not None,
    })


@login_required
def application_detail(request, application_id):
    _require_authority(request)
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    actions = [a for a in available(app, request.user) if a.action in REVIEWER_ACTIONS]
    fields = [(label, app.content.get(key, "")) for key, label, _kind, _req in content_rules.fields_for(app.tier)]
    book_sections = []
    latest = app.versions.order_by("-number").first()
    if app.tier in BOOK_TIERS and latest is not None:
        from smartfactory.applications import book as book_rules
        from smartfactory.applications.exports import _book_rows

        version = app.campaign.framework_version
        book_sections = _book_rows(version, app.tier, latest.snapshot.get("book", {}), book_rules.document_of(version))
    return render(request, "console/application_detail.html", {
        "book_sections": book_sections, "latest": latest, "attachments": app.attachments.all(),
        "location_notice": location_notice(app),
        "app": app, "fields": fields, "actions": actions,
        "changes": services.changes_since_return(app) if app.version > 1 else [],
        "reviews": app.reviews.select_related("authority", "reviewer"),
        "concurrence": concurrence_panel(app, request.user),
        "meter": _quota_meter(app) if any(a.action == Action.RECOMMEND for a in actions) else None,
        "profile_changes": changes_since(app.factory.enterprise_id, app.created_at),
    })


def _quota_meter(app) -> dict | None:
    from smartfactory.applications.recommender import quota_of

    quota = quota_of(app)
    if quota is None:
        return None
    used = quota.applications.filter(state__in=QUOTA_STATES).count()
    return {"quota": quota, "used": used}


@login_required
@require_POST
def application_action(request, application_id, action):
    _require_authority(request)
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    if action not in REVIEWER_ACTIONS:
        return redirect("console:application", application_id=app.id)
    try:
        app = transition(app, action, actor=request.user, reason=request.POST.get("reason", ""))
    except ProgrammeError as error:
        messages.error(request, error.as_html())
    else:
        messages.success(request, after_action(app, action))
    return redirect("console:application", application_id=app.id)


CERTIFIED_COLUMNS = [
    ("no", "序号"), ("enterprise", "企业名称"), ("uscc", "统一社会信用代码"), ("factory", "智能工厂名称"),
    ("region", "所在地区"), ("industry", "所属行业"), ("certificate", "证书编号"), ("authority", "认定单位"),
    ("date", "认定日期"),
]


def _certified(request, year: int):
    return applications_for_user(request.user).filter(
        state=State.AWARDED, tier="advanced", campaign__year=year
    ).select_related("factory__enterprise__industry", "factory__enterprise__county__parent__parent",  # the full region
                     "current_authority").order_by("decided_at", "pk")


@login_required
def certified_list(request):
    """The certified 先进级 list reported to MIIT (and SASAC for central SOEs), as XLSX or PDF."""
    _require_authority(request)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    apps = list(_certified(request, year))
    names = names_at_issue(apps)
    rows = [
        {
            "no": i, "enterprise": with_current(names[a.pk]), "uscc": a.factory.enterprise.uscc, "factory": a.factory.name,
            "region": a.factory.enterprise.county.full_name, "industry": a.factory.enterprise.industry.name,
            "certificate": a.certificate_no, "authority": a.current_authority.name,
            "date": timezone.localtime(a.decided_at).date(),
        }
        for i, a in enumerate(apps, start=1)
    ]
    title = _("%(y)s年度先进级智能工厂名单") % {"y": year}
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        content = write_table(title=title, columns=CERTIFIED_COLUMNS, rows=rows, sheet_name="先进级",
                              notes=[_("报送：工业和信息化部（装备工业一司）；有关中央企业同步报送国务院国资委（科技创新局）")])
        return xlsx_response(content, f"{year}年度先进级智能工厂名单.xlsx")
    if fmt == "pdf":
        content = render_pdf("console/certified_pdf.html", {
            "title": title, "rows": rows, "columns": CERTIFIED_COLUMNS,
            "footer_text": f"{title} · {timezone.localtime():%Y-%m-%d %H:%M}",
        })
        return pdf_response(content, f"{year}年度先进级智能工厂名单.pdf")
    return render(request, "console/certified_list.html", {"rows": rows, "year": year, "title": title})


@login_required
def bulk_approve(request):
    """Approve several applications of my queue at once: first a preview of what will change (and
    what will be refused, with the reason), then the confirmation applies it."""
    _require_authority(request)
    ids = request.POST.getlist("application") if request.method == "POST" else request.GET.getlist("application")
    apps = list(review_queue_for_user(request.user).filter(pk__in=ids))
    if request.method == "POST" and request.POST.get("confirm") == "1":
        done, refused = services.bulk_transition(apps, Action.APPROVE, request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已批量审核通过%(n)d件。") % {"n": done})
        for line in refused:
            messages.error(request, line)
        return redirect("console:applications")
    return render(request, "console/bulk_preview.html", {
        "preview": services.bulk_preview(apps, Action.APPROVE, request.user), "count": len(apps),
    })
