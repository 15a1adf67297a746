"""The national evaluation desks: MIIT's inbox of submitted batches and evaluations, the formal
check, assignment (preview then commit), the ranked panel, site visits, 公示 with objections and the
joint decision; the expert's queue, scoring form and profile; the recommender's returned items.
Reads go through ``evaluation.queries``; every change through ``evaluation.services``/``workflow``."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartfactory import decisions
from smartfactory.applications.recommender import location_notice
from smartfactory.campaigns.models import Campaign
from smartfactory.crypto import decrypt
from smartfactory.documents.responses import xlsx_response
from smartfactory.errors import InvalidInput, ProgrammeError
from smartfactory.evaluation import (
    assigning,
    assignment_workflow,
    expert_profiles,
    notices,
    objection_workflow,
    opening,
    scoring,
    site_visits,
)
from smartfactory.evaluation.models import (
    Assignment,
    EvaluationKind,
    EvaluationState,
    ExpertProfile,
    Objection,
    Publicity,
)
from smartfactory.evaluation.queries import evaluations_for_user, expert_of
from smartfactory.evaluation.rules import rules_for
from smartfactory.evaluation.workflow import Act, transition
from smartfactory.evaluation.workflow import available as workflow_available
from smartfactory.organisations.changes import changes_since
from smartfactory.organisations.enums import Tier
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import is_miit_staff, works_on_evaluations
from smartfactory.recommendations.models import Batch


def _ministry(request) -> None:
    if not is_miit_staff(request.user):
        raise Http404


def _tier(tier: str) -> str:
    if tier not in (Tier.EXCELLENT, Tier.LEADING):
        raise Http404
    return tier


def _kind(request) -> str:
    """The evaluations a desk works on: the selection (default) or the 领航级 acceptances."""
    kind = request.GET.get("kind") or request.POST.get("kind") or EvaluationKind.SELECTION
    if kind not in EvaluationKind.values:
        raise Http404
    return kind


def _done(request, error: ProgrammeError | None, ok: str) -> None:
    if error is None:
        messages.success(request, ok)
    else:
        messages.error(request, error.message)


@login_required
def inbox(request):
    """MIIT: submitted batches by recommender and tier; evaluations by state with filters. Experts
    go to their queue; recommenders see their own recommendations' evaluations."""
    if expert_of(request.user) and not is_miit_staff(request.user):
        return redirect("console:expert_desk")
    evaluations = evaluations_for_user(request.user)
    ministry = is_miit_staff(request.user)
    if not ministry and not works_on_evaluations(request.user):  # a recommender's page, even while empty
        raise Http404
    year, tier, state = request.GET.get("year", ""), request.GET.get("tier", ""), request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    if kind in EvaluationKind.values:
        evaluations = evaluations.filter(kind=kind)
    if year.isdigit():
        evaluations = evaluations.filter(campaign__year=int(year))
    if tier in Tier.values:
        evaluations = evaluations.filter(tier=tier)
    if state in EvaluationState.values:
        evaluations = evaluations.filter(state=state)
    counts = dict(evaluations_for_user(request.user).values_list("state").annotate(n=Count("pk")).order_by())
    batches = (Batch.objects.filter(status=Batch.Status.SUBMITTED).select_related("quota", "quota__campaign")
               .annotate(n=Count("quota__applications__evaluations",
                                 filter=Q(quota__applications__evaluations__kind=EvaluationKind.SELECTION))).order_by("-quota__campaign__year", "quota__tier",
                                                                                "quota__recommender", "quota__name")
               if ministry else [])
    years = Campaign.objects.order_by("-year").values_list("year", flat=True)
    return render(request, "console/evaluation_inbox.html", {
        "evaluations": evaluations.order_by("campaign__year", "tier", "state", "created_at")[:500],
        "counts": [(s.value, s.label, counts.get(s.value, 0)) for s in EvaluationState], "batches": batches,
        "ministry": ministry, "years": years, "year": year, "tier": tier, "state": state, "kind": kind,
        "kinds": EvaluationKind.choices,
        "acceptance_years": sorted(set(evaluations_for_user(request.user).filter(kind=EvaluationKind.ACCEPTANCE)
                                       .values_list("campaign__year", flat=True)), reverse=True) if ministry else [],
        "tiers": [(Tier.EXCELLENT, Tier.EXCELLENT.label), (Tier.LEADING, Tier.LEADING.label)],
        "publicities": Publicity.objects.select_related("campaign")[:20] if ministry else [],
    })


@login_required
def detail(request, evaluation_id):
    evaluation = get_in_scope(evaluations_for_user(request.user), pk=evaluation_id)
    app = evaluation.application
    ministry = is_miit_staff(request.user)
    expert = expert_of(request.user)
    mine = evaluation.assignments.filter(expert=expert).first() if expert else None
    latest = app.versions.order_by("-number").first()
    from smartfactory.applications import book as book_rules
    from smartfactory.applications.exports import _book_rows

    version = app.campaign.framework_version
    book = _book_rows(version, app.tier, latest.snapshot.get("book", {}), book_rules.document_of(version)) if latest else []
    visit = getattr(evaluation, "site_visit", None)
    rules = rules_for(evaluation.campaign)
    z = scoring.normalised_scores(evaluation.campaign, evaluation.tier, evaluation.kind) if ministry else {}
    assignments = [{"a": a, "z": z.get(str(a.pk))} for a in evaluation.assignments.select_related("expert")] if ministry else []
    on_team = visit is not None and expert is not None and visit.team.filter(pk=expert.pk).exists()
    checklist = []
    if visit is not None:
        photos = list(visit.photos.all())
        for item in visit.checklist:
            finding = visit.findings.get(item["key"], {})
            checklist.append({**item, "result": site_visits.FINDING_RESULTS.get(finding.get("result"), ""),
                              "note": finding.get("note", ""), "photos": [p for p in photos if p.item == item["key"]]})
    return render(request, "console/evaluation_detail.html", {
        "e": evaluation, "app": app, "latest": latest, "book_sections": book, "attachments": app.attachments.all(),
        "ministry": ministry, "mine": mine, "criteria": rules.criteria_for(evaluation.kind), "assignments": assignments,
        "my_rows": [{"c": c, "score": (mine.scores or {}).get(c.key), "comment": (mine.comments or {}).get(c.key, "")}
                    for c in rules.criteria_for(evaluation.kind)] if mine and mine.submitted_at else [],
        "acceptance": _acceptance_context(evaluation, ministry),
        "profile_changes": changes_since(app.factory.enterprise_id, app.created_at),
        "location_notice": location_notice(app),
        "actions": workflow_available(evaluation, request.user),
        "experts": ExpertProfile.objects.filter(active=True).order_by("name") if ministry else [],
        "visit": visit, "on_team": on_team, "can_record": visit is not None and (ministry or on_team),
        "results": site_visits.FINDING_RESULTS.items(), "outcomes": [("pass", _("核查通过")), ("fail", _("核查未通过"))],
        "checklist": checklist, "spread": scoring.divergence(evaluation),
        "threshold": rules.divergence_threshold,
        "objections": evaluation.objections.all() if ministry else [],
    })


def _acceptance_context(evaluation, ministry: bool) -> dict | None:
    """For an acceptance evaluation: the enterprise's results per target with their evidence, the
    period, and whether the ministry may still defer it."""
    if evaluation.kind != EvaluationKind.ACCEPTANCE:
        return None
    from smartfactory.cultivation.services import latest_end

    acceptance = evaluation.acceptance
    cultivation = acceptance.cultivation
    files = list(acceptance.evidence.all())
    rows = [{"t": t, "r": acceptance.results.get(str(t.number), {}), "files": [f for f in files if f.target_number == t.number]}
            for t in cultivation.targets.all()]
    return {"a": acceptance, "c": cultivation, "rows": rows, "reviews": acceptance.reviews.select_related("authority"),
            "can_defer": ministry and evaluation.state in (EvaluationState.AWAITING_CHECK, EvaluationState.EXPERT_REVIEW,
                                                          EvaluationState.SITE_VISIT),
            "latest_end": latest_end(cultivation.published_on)}


@login_required
def attachment(request, evaluation_id, attachment_id):
    """Experts, MIIT and the recommender read the application's files through the evaluation's scope."""
    evaluation = get_in_scope(evaluations_for_user(request.user), pk=evaluation_id)
    item = get_in_scope(evaluation.application.attachments.all(), id=attachment_id)
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                            content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def act(request, evaluation_id, action):
    """Every form on the detail page posts here: the workflow's actions, the formal check, scores,
    manual assignment, the site visit's plan, findings, photos and outcome."""
    evaluation = get_in_scope(evaluations_for_user(request.user), pk=evaluation_id)
    post, error = request.POST, None
    try:
        if action in (Act.FORMAL_PASS, Act.FORMAL_FAIL):
            opening.formal_check(evaluation, actor=request.user, passed=action == Act.FORMAL_PASS,
                                  reason=post.get("reason", ""))
        elif action in (Act.RESUBMIT, Act.TO_SITE_VISIT, Act.REJECT):
            transition(evaluation, action, actor=request.user, reason=post.get("reason", ""))
        elif action == "score":
            assignment = get_in_scope(Assignment.objects.filter(evaluation=evaluation, expert__user=request.user),
                                      pk=post.get("assignment"))
            criteria = rules_for(evaluation.campaign).criteria_for(evaluation.kind)
            scores = {c.key: post.get(f"score-{c.key}", "").strip() for c in criteria}
            for key, value in scores.items():
                try:
                    scores[key] = float(value)
                except ValueError:
                    raise InvalidInput(_("请为每一项填写0–100的分数。"), field=f"scores.{key}") from None
            scoring.submit_scores(assignment, actor=request.user, scores=scores,
                                   comments={c.key: post.get(f"comment-{c.key}", "") for c in criteria})
        elif action == "defer":
            if evaluation.kind != EvaluationKind.ACCEPTANCE:
                raise Http404
            from smartfactory.cultivation.acceptance import defer

            try:
                ends_on = date.fromisoformat(post.get("ends_on", ""))
            except ValueError:
                raise InvalidInput(_("请填写延期后的培育期截止日期。"), field="ends_on") from None
            defer(evaluation.acceptance, actor=request.user, ends_on=ends_on, reason=post.get("reason", ""))
        elif action == "assign":
            expert = get_object_or_404(ExpertProfile, pk=post.get("expert") or 0)
            assigning.assign_expert(evaluation, expert, actor=request.user)
        elif action == "unassign":
            assignment_workflow.withdraw(get_object_or_404(Assignment, pk=post.get("assignment"), evaluation=evaluation),
                              actor=request.user, reason=post.get("reason", ""))
        elif action == "plan-visit":
            try:
                when = date.fromisoformat(post.get("scheduled_for", ""))
            except ValueError:
                raise InvalidInput(_("请填写核查日期。"), field="scheduled_for") from None
            team = list(ExpertProfile.objects.filter(pk__in=[i for i in post.getlist("team") if i.isdigit()]))
            site_visits.plan_site_visit(evaluation, actor=request.user, team=team, scheduled_for=when)
        elif action in ("finding", "photo", "outcome"):
            visit = getattr(evaluation, "site_visit", None)
            if visit is None:
                raise Http404
            if action == "finding":
                site_visits.record_finding(visit, actor=request.user, item=post.get("item", ""), result=post.get("result", ""),
                                        note=post.get("note", ""))
            elif action == "photo":
                upload = request.FILES.get("file")
                if upload is None:
                    raise InvalidInput(_("请选择要上传的文件。"), field="file")
                site_visits.attach_site_photo(visit, actor=request.user, item=post.get("item", ""), upload=upload)
            else:
                site_visits.record_site_outcome(visit, actor=request.user, outcome=post.get("outcome", ""),
                                             note=post.get("note", ""))
        else:
            raise Http404
    except ProgrammeError as caught:
        error = caught
    _done(request, error, _("已处理。"))
    return redirect("console:evaluation", evaluation_id=evaluation.pk)


@login_required
def assign_page(request, year: int, tier: str):
    """Automatic assignment: GET shows the preview; POST commits the previewed plan (re-checked)."""
    _ministry(request)
    campaign = get_object_or_404(Campaign, year=year)
    tier, kind = _tier(tier), _kind(request)
    if request.method == "POST":
        plan: dict[str, list[int]] = {}
        for pair in request.POST.getlist("pair"):
            evaluation_id, _sep, expert_id = pair.partition(":")
            if expert_id.isdigit():
                plan.setdefault(evaluation_id, []).append(int(expert_id))
        try:
            created = assigning.commit_assignment(campaign, tier, actor=request.user, plan=plan, kind=kind)
        except ProgrammeError as error:
            messages.error(request, error.message)
            return _desk_redirect("console:evaluation_assign", year, tier, kind)
        messages.success(request, _("已分配%(n)d人次。") % {"n": len(created)})
        return _desk_redirect("console:evaluation_panel", year, tier, kind)
    preview = assigning.preview_assignment(campaign, tier, actor=request.user, kind=kind)
    return render(request, "console/evaluation_assign.html", {
        "campaign": campaign, "tier": tier, "tier_label": _desk_label(tier, kind), "preview": preview, "kind": kind,
        "per": rules_for(campaign).experts_per_application,
    })


def _desk_redirect(name: str, year: int, tier: str, kind: str):
    from django.urls import reverse

    url = reverse(name, kwargs={"year": year, "tier": tier})
    return redirect(url + ("?kind=acceptance" if kind == EvaluationKind.ACCEPTANCE else ""))


def _desk_label(tier: str, kind: str) -> str:
    return str(_("领航级验收")) if kind == EvaluationKind.ACCEPTANCE else str(Tier(tier).label)


@login_required
def panel_page(request, year: int, tier: str):
    _ministry(request)
    campaign = get_object_or_404(Campaign, year=year)
    tier, kind = _tier(tier), _kind(request)
    rows = scoring.panel(campaign, tier, kind)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(scoring.panel_xlsx(campaign, tier, kind), f"专家评审排名-{year}-{_desk_label(tier, kind)}.xlsx")
    ready = [r for r in rows if r["evaluation"].state == EvaluationState.SITE_VISIT
             and getattr(r["evaluation"], "site_visit", None) is not None and r["evaluation"].site_visit.outcome == "pass"]
    return render(request, "console/evaluation_panel.html", {
        "campaign": campaign, "tier": tier, "tier_label": _desk_label(tier, kind), "rows": rows, "ready": ready, "kind": kind,
        "days": rules_for(campaign).publicity_days, "threshold": rules_for(campaign).divergence_threshold,
    })


@login_required
@require_POST
def publicity_open(request, year: int, tier: str):
    _ministry(request)
    campaign = get_object_or_404(Campaign, year=year)
    tier, kind = _tier(tier), _kind(request)
    from smartfactory.evaluation.models import Evaluation

    chosen = list(Evaluation.objects.filter(campaign=campaign, tier=tier, kind=kind, pk__in=request.POST.getlist("evaluation")))
    try:
        days = int(request.POST.get("days") or 0) or None
        publicity = notices.open_publicity(campaign, tier, actor=request.user, evaluations=chosen, days=days, kind=kind)
    except ValueError:
        messages.error(request, _("公示天数应为整数。"))
        return _desk_redirect("console:evaluation_panel", year, tier, kind)
    except ProgrammeError as error:
        messages.error(request, error.message)
        return _desk_redirect("console:evaluation_panel", year, tier, kind)
    messages.success(request, _("已发布公示。"))
    return redirect("console:publicity", publicity_id=publicity.pk)


@login_required
def publicity_page(request, publicity_id):
    _ministry(request)
    publicity = get_object_or_404(Publicity.objects.select_related("campaign"), pk=publicity_id)
    if request.method == "POST":
        action, post, error = request.POST.get("action", ""), request.POST, None
        try:
            if action == "handle":
                objection = get_object_or_404(Objection, pk=post.get("objection"), publicity=publicity)
                notices.handle_objection(objection, actor=request.user, upheld=post.get("upheld") == "1",
                                          handling=post.get("handling", ""))
            elif action == "finalise":
                notices.finalise_publicity(publicity, actor=request.user)
            elif action == "concur":
                from smartfactory.organisations.models import Authority

                authority = get_object_or_404(Authority, pk=post.get("authority"))
                notices.record_concurrence(publicity, actor=request.user, authority=authority,
                                            document=post.get("document", ""))
            elif action == "decide":
                decisions.decide(publicity, actor=request.user, decision_number=post.get("decision_number", ""))
            else:
                raise Http404
        except ProgrammeError as caught:
            error = caught
        _done(request, error, _("已处理。"))
        return redirect("console:publicity", publicity_id=publicity.pk)
    objections = [{"o": o, "contact": decrypt(o.contact_encrypted),
                   "actions": objection_workflow.available(o, request.user) if o.status == Objection.Status.OPEN else []}
                  for o in publicity.objections.select_related("evaluation__application__factory__enterprise")]
    concurred = {c["authority"] for c in publicity.concurrences}
    actions = {a.action: a for a in decisions.available(publicity, request.user)}  # finalise, decide
    return render(request, "console/publicity.html", {
        "p": publicity, "evaluations": publicity.evaluations.select_related("application__factory__enterprise"),
        "objections": objections, "ministries": [(m, str(m.pk) in concurred) for m in notices.decision_ministries(publicity.campaign)],
        "finalise": actions.get("finalise"), "decide": actions.get("decide"),
    })


# ------------------------------------------------------------------ experts
@login_required
def expert_desk(request):
    """The expert's queue (deadlines), site visits, own profile and declared conflicts."""
    expert = expert_of(request.user)
    if expert is None:
        raise Http404
    visible = set(evaluations_for_user(request.user).values_list("pk", flat=True))
    if request.method == "POST":
        error = None
        try:
            if request.POST.get("action") == "conflict":
                expert_profiles.declare_conflict(expert, actor=request.user, uscc=request.POST.get("uscc", ""),
                                          kind=request.POST.get("kind", "declared"), note=request.POST.get("note", ""))
            else:
                expert_profiles.save_expert_profile(
                    request.user, actor=request.user, name=request.POST.get("name", ""),
                    organisation=request.POST.get("organisation", ""), organisation_uscc=request.POST.get("organisation_uscc", ""),
                    province_code=request.POST.get("province_code", ""),
                    industries=[i.strip() for i in request.POST.get("industries", "").replace("，", ",").split(",") if i.strip()],
                    scenarios=[int(s) for s in request.POST.get("scenarios", "").replace("，", ",").split(",") if s.strip().isdigit()],
                )
        except ProgrammeError as caught:
            error = caught
        _done(request, error, _("已保存。"))
        return redirect("console:expert_desk")
    queue = [a for a in expert.assignments.select_related("evaluation__application__factory__enterprise",
                                                          "evaluation__campaign").order_by("submitted_at", "due_at")
             if a.evaluation_id in visible]
    return render(request, "console/expert_desk.html", {
        "expert": expert, "queue": queue, "pending": sum(1 for a in queue if not a.submitted_at),
        "visits": [v for v in expert.site_visits.select_related("evaluation__application__factory__enterprise")
                   if v.evaluation_id in visible],
        "conflicts": expert.conflicts.select_related("enterprise"),
    })
