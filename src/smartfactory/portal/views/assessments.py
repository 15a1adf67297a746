"""The self-assessment questionnaire (autosaved per answer), its result, evidence and the basic
declaration. Every view reads through ``assessments_for_user`` / ``factories_for_user``."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartfactory.assessments import questionnaire, services
from smartfactory.assessments.models import BasicDeclaration
from smartfactory.assessments.queries import assessments_for_user
from smartfactory.campaigns.services import framework_spec_for, require_open_campaign
from smartfactory.errors import Conflict, ProgrammeError
from smartfactory.organisations.queries import factories_for_user, get_in_scope


@login_required
@require_POST
def start(request, factory_id):
    factory = get_in_scope(factories_for_user(request.user), id=factory_id)
    try:
        assessment = services.start_assessment(factory, require_open_campaign(), actor=request.user)
    except ProgrammeError as error:
        messages.error(request, error.message)
        return redirect("portal:factory", factory_id=factory.id)
    return redirect("portal:assessment", assessment_id=assessment.id)


def _context(assessment):
    spec = framework_spec_for(assessment.campaign)
    items = questionnaire.items_for(spec)
    answers = services.answers_of(assessment)
    versions = services.versions_of(assessment)
    sections = []
    for key, label in questionnaire.SECTIONS:
        groups: dict[str, list] = {}
        for item in items:
            if item.section == key:
                groups.setdefault(item.group, []).append(
                    {"item": item, "value": answers.get(item.key), "version": versions.get(item.key, 0)}
                )
        sections.append({"key": key, "label": label, "groups": list(groups.items())})
    evidence = {}
    for e in assessment.evidence.order_by("uploaded_at"):
        evidence.setdefault(e.key, []).append(e)
    return {
        "assessment": assessment, "sections": sections, "progress": questionnaire.progress(items, answers),
        "evidence": evidence, "declared": BasicDeclaration.objects.filter(assessment=assessment).first(),
    }


@login_required
def questionnaire_page(request, assessment_id):
    assessment = get_in_scope(assessments_for_user(request.user), id=assessment_id)
    return render(request, "portal/assessment.html", _context(assessment))


@login_required
@require_POST
def save(request, assessment_id, key):
    """htmx autosave of one answer: 200 with the re-rendered item, 409 with the current value."""
    assessment = get_in_scope(assessments_for_user(request.user), id=assessment_id)
    spec = framework_spec_for(assessment.campaign)
    item = questionnaire.item_map(spec).get(key)
    if item is None:
        raise Http404
    try:
        expected = int(request.POST.get("version", "0"))
    except ValueError:
        expected = -1
    context = {"assessment": assessment, "item": item}
    try:
        saved = services.save_answer(assessment, key, request.POST.get("value"), expected_version=expected,
                                     actor=request.user)
    except Conflict as error:
        context.update(value=json.loads(error.details["current_value"]), version=int(error.details["current_version"]),
                       error=error.message)
        return render(request, "portal/_answer.html", context, status=409)
    except ProgrammeError as error:
        context.update(value=request.POST.get("value"), version=expected, error=error.message)
        return render(request, "portal/_answer.html", context, status=error.status)
    context.update(value=saved.value, version=saved.version, saved=True)
    response = render(request, "portal/_answer.html", context)
    response["HX-Trigger"] = "answer-saved"
    return response


@login_required
def progress_fragment(request, assessment_id):
    assessment = get_in_scope(assessments_for_user(request.user), id=assessment_id)
    spec = framework_spec_for(assessment.campaign)
    progress = questionnaire.progress(questionnaire.items_for(spec), services.answers_of(assessment))
    return render(request, "portal/_progress.html", {"progress": progress, "assessment": assessment})


@login_required
def result(request, assessment_id):
    assessment = get_in_scope(assessments_for_user(request.user), id=assessment_id)
    spec = framework_spec_for(assessment.campaign)
    verdict = services.score(assessment, spec=spec)
    items = questionnaire.item_map(spec)
    return render(request, "portal/assessment_result.html", {
        "assessment": assessment, "verdict": verdict, "spec": spec,
        "tiers": [(t, spec.tier_name(t), verdict["tiers"][t]) for t in spec.tier_ids],
        "suggested": [spec.scenarios[n] for n in verdict["suggested_scenarios"]],
        "missing": [items[k] for k in verdict["missing"] if k in items],
        "next_tier_name": spec.tier_name(verdict["next_tier"]) if verdict["next_tier"] else "",
        "attained_name": spec.tier_name(verdict["attained_tier"]) if verdict["attained_tier"] else "",
        "declared": BasicDeclaration.objects.filter(assessment=assessment).first(),
    })


@login_required
@require_POST
def declare(request, assessment_id):
    assessment = get_in_scope(assessments_for_user(request.user), id=assessment_id)
    try:
        services.declare_basic(assessment, actor=request.user)
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已声明为基础级智能工厂，并记入工厂层级认定记录。"))
    return redirect("portal:assessment_result", assessment_id=assessment.id)


@login_required
@require_http_methods(["POST"])
def upload_evidence(request, assessment_id, key):
    assessment = get_in_scope(assessments_for_user(request.user), id=assessment_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            services.attach_evidence(assessment, key, upload, actor=request.user)
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("文件已上传。"))
    return redirect(f"{request.build_absolute_uri(assessment_url(assessment))}#{key}")


def assessment_url(assessment) -> str:
    from django.urls import reverse

    return reverse("portal:assessment", args=[assessment.id])


@login_required
def download_evidence(request, assessment_id, evidence_id):
    assessment = get_in_scope(assessments_for_user(request.user), id=assessment_id)
    evidence = get_in_scope(assessment.evidence.all(), id=evidence_id)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def report_pdf(request, assessment_id):
    """The result as a PDF (Chinese fonts embedded) with the answers' hash on every page."""
    from smartfactory.audit.chain import sm3_hex
    from smartfactory.documents.pdf import render_pdf
    from smartfactory.documents.responses import pdf_response

    assessment = get_in_scope(assessments_for_user(request.user), id=assessment_id)
    spec = framework_spec_for(assessment.campaign)
    verdict = services.score(assessment, spec=spec)
    answers = services.answers_of(assessment)
    built = [
        {"scenario": s, "link": spec.links[s.link]["name"], "ai": answers.get(f"scn:{n}:ai") is True,
         "desc": answers.get(f"scn:{n}:desc") or ""}
        for n, s in sorted(spec.scenarios.items()) if answers.get(f"scn:{n}:built") is True
    ]
    digest = sm3_hex(json.dumps(answers, ensure_ascii=False, sort_keys=True).encode())
    content = render_pdf("assessments/report_pdf.html", {
        "assessment": assessment, "spec": spec, "verdict": verdict, "built": built,
        "tiers": [(t, spec.tier_name(t), verdict["tiers"][t]) for t in spec.tier_ids],
        "attained_name": spec.tier_name(verdict["attained_tier"]) if verdict["attained_tier"] else "",
        "next_tier_name": spec.tier_name(verdict["next_tier"]) if verdict["next_tier"] else "",
        "suggested": [spec.scenarios[n] for n in verdict["suggested_scenarios"]],
        "footer_text": f"{assessment.factory.name} · 答题 SM3 {digest[:16]}",
    })
    return pdf_response(content, f"自评估报告-{assessment.factory.name}-{assessment.campaign.year}.pdf")
