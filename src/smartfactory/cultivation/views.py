"""Cultivation status pages, one for every role in scope: the enterprise reports progress, guiding
experts and MIIT write guidance, the province and the ministry follow; overdue items are flagged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.errors import ProgrammeError
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import is_enterprise_user_of, is_miit_staff, works_on_cultivation

from . import services
from .models import AcceptanceApplication, CultivationObject, ProgressReport
from .queries import cultivations_for_user


@login_required
def cultivation_list(request):
    objects = list(cultivations_for_user(request.user).prefetch_related("reports").order_by("-published_on", "factory__name"))
    if not objects and not works_on_cultivation(request.user):  # every official's page, even while empty
        raise Http404
    today = timezone.localdate()
    rows = [{"c": c, "overdue": [r for r in c.reports.all() if services.is_overdue(r, today)],
             "next": next((r for r in c.reports.all() if r.submitted_at is None), None)} for c in objects]
    return render(request, "cultivation/list.html", {"rows": rows})


@login_required
def cultivation_detail(request, cultivation_id):
    cultivation = get_in_scope(cultivations_for_user(request.user), pk=cultivation_id)
    own = is_enterprise_user_of(request.user, cultivation.factory.enterprise)
    if request.method == "POST":
        error = None
        try:
            if request.POST.get("action") == "report":
                report = get_object_or_404(ProgressReport, pk=request.POST.get("report"), cultivation=cultivation)
                values = {str(t.number): request.POST.get(f"value-{t.number}", "") for t in cultivation.targets.all()}
                services.submit_report(report, actor=request.user, summary=request.POST.get("summary", ""), values=values)
            elif request.POST.get("action") == "guidance":
                services.add_guidance(cultivation, actor=request.user, text=request.POST.get("text", ""))
            else:
                raise Http404
        except ProgrammeError as caught:
            error = caught
        if error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已提交。"))
        return redirect("cultivation_detail", cultivation_id=cultivation.pk)
    today = timezone.localdate()
    reports = [{"r": r, "overdue": services.is_overdue(r, today)} for r in cultivation.reports.all()]
    can_guide = is_miit_staff(request.user) or cultivation.guides.filter(user=request.user).exists()
    return render(request, "cultivation/detail.html", {
        "c": cultivation, "targets": cultivation.targets.all(), "milestones": cultivation.milestones.all(),
        "reports": reports, "guidance": cultivation.guidance.all(), "own": own and cultivation.status == CultivationObject.Status.CULTIVATING,
        "next": next((r for r in cultivation.reports.all() if r.submitted_at is None), None), "can_guide": can_guide,
        "today": today, "acceptance": cultivation.acceptances.order_by("-created_at").first(),
    })


@login_required
def acceptance_page(request, cultivation_id):
    """The acceptance application of a cultivation object: the enterprise writes it (results and
    evidence per target) and submits it; the recommender reviews it (approve / return / reject);
    the ministry follows it into the national acceptance. Everyone in the object's scope reads it.
    The buttons come from the workflow's ``available``: an action a guard refuses is shown disabled
    with the reason."""
    from . import acceptance as flow

    cultivation = get_in_scope(cultivations_for_user(request.user), pk=cultivation_id)
    current = flow.current_acceptance(cultivation)
    own = is_enterprise_user_of(request.user, cultivation.factory.enterprise)
    targets = list(cultivation.targets.all())
    if request.method == "POST":
        action, post, error = request.POST.get("action", ""), request.POST, None
        try:
            if action in ("save", "submit"):
                results = {str(t.number): {"value": post.get(f"value-{t.number}", ""), "evidence": post.get(f"evidence-{t.number}", "")}
                           for t in targets}
                current = flow.save_draft(cultivation, actor=request.user, summary=post.get("summary", ""), results=results)
                if action == "submit":
                    flow.transition(current, flow.Act.RESUBMIT if current.state == "returned" else flow.Act.SUBMIT,
                                    actor=request.user)
            elif action == "evidence":
                if current is None:
                    raise Http404
                flow.attach_evidence(current, actor=request.user, target_number=post.get("target"),
                                     upload=request.FILES.get("file"))
            elif action in flow.REVIEW_ACTIONS and current is not None:
                flow.transition(current, action, actor=request.user, reason=post.get("reason", ""))
            else:
                raise Http404
        except ProgrammeError as caught:
            error = caught
        if error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已提交。") if action != "save" else _("已保存。"))
        return redirect("acceptance_page", cultivation_id=cultivation.pk)
    files = list(current.evidence.all()) if current else []
    rows = [{"t": t, "r": (current.results.get(str(t.number), {}) if current else {}),
             "files": [f for f in files if f.target_number == t.number]} for t in targets]
    editable = own and cultivation.status == CultivationObject.Status.CULTIVATING and (
        current is None or current.state in ("draft", "returned", "rejected", "extended"))
    if editable and current is not None and current.state in ("rejected", "extended"):
        rows = [{"t": t, "r": {}, "files": []} for t in targets]  # a new application starts empty
    submit = None
    if editable:  # the submit button, disabled with the guard's reason (a late report, the period over)
        draft = current if current is not None and current.state in ("draft", "returned") else AcceptanceApplication(
            cultivation=cultivation)
        submit = next((a for a in flow.available(draft, request.user) if a.action in (flow.Act.SUBMIT, flow.Act.RESUBMIT)),
                      None)
    return render(request, "cultivation/acceptance.html", {
        "c": cultivation, "a": current, "rows": rows, "editable": editable,
        "can_upload": editable and current is not None and current.state in ("draft", "returned"),
        "submit": submit,
        "review_actions": [a for a in flow.available(current, request.user) if a.action in flow.REVIEW_ACTIONS]
        if current else [],
        "evaluation": getattr(current, "evaluation", None) if current else None,
        "ministry": is_miit_staff(request.user),
        "history": cultivation.acceptances.exclude(pk=current.pk) if current else [],
    })


@login_required
def acceptance_evidence(request, acceptance_id, evidence_id):
    """An evidence file, for whoever may read the acceptance (the object's scope, assigned experts)."""
    from django.http import FileResponse

    from .queries import acceptances_for_user

    acceptance = get_in_scope(acceptances_for_user(request.user), pk=acceptance_id)
    item = get_in_scope(acceptance.evidence.all(), pk=evidence_id)
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.mime)
    response["X-Content-Type-Options"] = "nosniff"
    return response
