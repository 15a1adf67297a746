"""The application book of the excellent and leading tiers: autosaved entries, attachments, the
commitment, the confidentiality scan, and the documents (book PDF, receipt)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartfactory.applications import book as book_rules
from smartfactory.applications import book_entries, exports, materials, services
from smartfactory.applications.deadlines import return_notice
from smartfactory.applications.eligibility import expert_judged, reasons_not_eligible
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import ApplicationVersion, Attachment
from smartfactory.applications.queries import applications_for_user
from smartfactory.applications.workflow import available
from smartfactory.assessments.models import SelfAssessment
from smartfactory.documents.responses import pdf_response
from smartfactory.errors import Conflict, ProgrammeError
from smartfactory.organisations.changes import changes_since
from smartfactory.organisations.queries import get_in_scope

APPLICANT_ACTIONS = {Action.SUBMIT, Action.RESUBMIT, Action.WITHDRAW}


def _row_context(app, document, entries, versions, added=()):
    built = list(added)
    assessment = SelfAssessment.objects.filter(factory=app.factory, campaign=app.campaign).first()
    if assessment and assessment.facts:
        built += [s["number"] for s in assessment.facts.get("scenarios", [])]
    numbers = sorted({*built, *(int(k.split(".")[1]) for k in entries if k.startswith("scenario."))})
    names = {s["number"]: s for s in document["scenarios"]}
    rows = {
        "scenarios": [(f"scenario.{n}", f"{n}. {names[n]['name']}", entries.get(f"scenario.{n}") or {},
                       versions.get(f"scenario.{n}", 0), "scenario") for n in numbers],
        "kpis": [(f"kpi.{k['id']}", f"{k['name']}（{k['unit']}）", entries.get(f"kpi.{k['id']}") or {},
                  versions.get(f"kpi.{k['id']}", 0), "kpi") for k in document.get("kpis", [])],
        "targets": [(f"target.{i}", _("指标%(i)d") % {"i": i}, entries.get(f"target.{i}") or {},
                     versions.get(f"target.{i}", 0), "target") for i in range(1, book_rules.ROWS["targets"] + 1)],
        "milestones": [(f"milestone.{i}", _("里程碑%(i)d") % {"i": i}, entries.get(f"milestone.{i}") or {},
                        versions.get(f"milestone.{i}", 0), "milestone") for i in range(1, book_rules.ROWS["milestones"] + 1)],
    }
    return rows


def book_page(request, app):
    version = app.campaign.framework_version
    document = book_rules.document_of(version)
    entries, versions = book_entries.entries_of(app), book_entries.entry_versions(app)
    editable = app.state in services.EDITABLE_STATES
    names = {s["number"] for s in document["scenarios"]}
    added = [int(n) for n in request.GET.getlist("add") if n.isdigit() and int(n) in names]
    rows = _row_context(app, document, entries, versions, added)
    shown = {int(key.split(".")[1]) for key, *_rest in rows["scenarios"]}
    sections = []
    for section in book_rules.sections(version, app.tier):
        fields = []
        for f in section["fields"]:
            fields.append({"field": f, "value": entries.get(f.entry_key), "version": versions.get(f.entry_key, 0),
                           "rows": rows.get(f.kind, [])})
        sections.append({"section": section, "fields": fields})
    required = book_rules.required_attachments(version, app.tier)
    latest = app.versions.order_by("-number").first()
    return render(request, "portal/application_book.html", {
        "app": app, "sections": sections, "editable": editable,
        "addable": [s for s in document["scenarios"] if s["number"] not in shown],
        "completeness": book_rules.completeness(version, app.tier, entries),
        "reasons": reasons_not_eligible(app.factory, app.campaign, app.tier) if editable else [],
        "expert_judged": expert_judged(app.factory, app.campaign, app.tier),
        "attachments": app.attachments.all(), "kinds": Attachment.Kind.choices, "required_kinds": required,
        "levels": document["kpi_benchmark_levels"], "findings": book_entries.scan(app) if editable else
        app.confidentiality.get("findings", []),
        "actions": [a for a in available(app, request.user) if a.action in APPLICANT_ACTIONS],
        "latest": latest, "reviews": app.reviews.select_related("authority"),
        "return_notice": return_notice(app),
        "milestone_limit": services.latest_milestone_date(app),
        "cooperation_text": materials.cooperation_text(app),
        "profile_changes": changes_since(app.factory.enterprise_id, app.created_at),
    })


@login_required
@require_POST
def save_entry(request, application_id, key):
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    document = book_rules.document_of(app.campaign.framework_version)
    fields = book_rules.fields_by_key(app.campaign.framework_version, app.tier)
    if key not in fields and not book_rules.valid_row_key(key, document):
        raise Http404
    try:
        expected = int(request.POST.get("version", "0"))
    except ValueError:
        expected = -1
    kind = book_rules.row_kind(key)
    raw = {name: request.POST.get(name) for name, _l, _t in book_rules.ROW_FIELDS[kind]} if kind else request.POST.get("value")
    context = {"app": app, "key": key, "field": fields.get(key), "kind": kind,
               "levels": document["kpi_benchmark_levels"], "label": request.POST.get("label", "")}
    try:
        entry = services.save_entry(app, key, raw, expected_version=expected, actor=request.user)
    except Conflict as error:
        context.update(value=json.loads(error.details["current_value"]), version=int(error.details["current_version"]),
                       error=error.message)
        return render(request, "portal/_book_entry.html", context, status=409)
    except ProgrammeError as error:
        context.update(value=raw, version=expected, error=error.message)
        return render(request, "portal/_book_entry.html", context, status=error.status)
    context.update(value=entry.value, version=entry.version, saved=True)
    return render(request, "portal/_book_entry.html", context)


def _app_for_post(request, application_id):
    return get_in_scope(applications_for_user(request.user), id=application_id)


@login_required
@require_POST
def upload(request, application_id):
    app = _app_for_post(request, application_id)
    upload_file = request.FILES.get("file")
    try:
        if upload_file is None:
            raise ProgrammeError(_("请选择要上传的文件。"))
        services.attach_file(app, kind=request.POST.get("kind", ""), upload=upload_file, actor=request.user)
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("文件已上传。"))
    return redirect("portal:application", application_id=app.id)


@login_required
@require_POST
def remove(request, application_id, attachment_id):
    app = _app_for_post(request, application_id)
    attachment = get_in_scope(app.attachments.all(), id=attachment_id)
    try:
        services.remove_attachment(attachment, actor=request.user)
    except ProgrammeError as error:
        messages.error(request, error.message)
    return redirect("portal:application", application_id=app.id)


@login_required
def download(request, application_id, attachment_id):
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    attachment = get_in_scope(app.attachments.all(), id=attachment_id)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def legal_representative(request, application_id):
    app = _app_for_post(request, application_id)
    try:
        services.set_legal_representative(app, actor=request.user, name=request.POST.get("name", ""))
    except ProgrammeError as error:
        messages.error(request, error.message)
    return redirect("portal:application", application_id=app.id)


@login_required
@require_POST
def justification(request, application_id):
    app = _app_for_post(request, application_id)
    try:
        services.set_confidentiality_justification(app, actor=request.user, text=request.POST.get("text", ""))
    except ProgrammeError as error:
        messages.error(request, error.message)
    return redirect("portal:application", application_id=app.id)


@login_required
def commitment(request, application_id, fmt):
    """The commitment form for printing; its hash is recorded so it cannot come back as the scan."""
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    if fmt not in materials.FORMATS:
        raise Http404
    name = f"真实性承诺书-{app.factory.enterprise.name}"
    if fmt == "docx":
        from django.http import HttpResponse

        from smartfactory.documents.responses import content_disposition

        response = HttpResponse(
            exports.issue_commitment(app, "docx", actor=request.user),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = content_disposition(f"{name}.docx")
        return response
    return pdf_response(exports.issue_commitment(app, "pdf", actor=request.user), f"{name}.pdf")


@login_required
def book_pdf(request, application_id):
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    number = request.GET.get("version")
    version = get_in_scope(app.versions.all(), number=int(number)) if number and number.isdigit() else (
        app.versions.order_by("-number").first() if app.state != State.DRAFT else None
    )
    return pdf_response(exports.book_pdf(app, version), f"申报书-{app.factory.name}-第{version.number if version else 0}版.pdf")


@login_required
def receipt(request, application_id, number):
    app = get_in_scope(applications_for_user(request.user), id=application_id)
    version: ApplicationVersion = get_in_scope(app.versions.all(), number=number)
    return pdf_response(exports.receipt_pdf(app, version), f"提交回执-{app.factory.name}-第{number}版.pdf")
