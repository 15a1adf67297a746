"""National evaluation services: evaluations opened when a batch reaches MIIT, the expert pool and
its conflicts, automatic and manual assignment, scoring with normalisation and the third-expert
trigger, on-site verification, 公示 with objections, and the six ministries' joint decision.
Every change is audited in the same transaction; state moves go through ``workflow.transition``."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.applications.enums import Action as AppAction
from smartfactory.applications.queries import names_at_issue, with_current
from smartfactory.applications.workflow import is_miit_staff
from smartfactory.applications.workflow import transition as app_transition
from smartfactory.audit.services import record_event
from smartfactory.campaigns.quotas import follow_published_awards
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.enums import AuthorityKind, MembershipStatus, Role, Tier
from smartfactory.organisations.models import Authority, Enterprise, Membership
from smartfactory.uploads import IMAGES, MB, check_upload

from . import assign as assigner
from . import guards
from .conflicts import ConflictIndex, applicant_of, conflict_reasons
from .guards import concurrence_by_own_staff_or_miit, visit_date_reached
from .models import (
    Assignment,
    DeclaredConflict,
    Evaluation,
    ExpertProfile,
    Objection,
    Publicity,
    SiteVisit,
    SiteVisitPhoto,
)
from .models import EvaluationState as S
from .rules import rules_for
from .workflow import Act, transition


def _require_ministry(actor) -> None:
    if not is_miit_staff(actor):
        raise NotPermitted()


# ------------------------------------------------------------------ opening and the formal check
def auto_checks(app) -> list[dict]:
    """The automatic completeness and eligibility checks the formal check shows the ministry."""
    from smartfactory.applications import book as book_rules
    from smartfactory.applications.eligibility import reasons_not_eligible
    from smartfactory.applications.models import Attachment
    from smartfactory.applications.services import entries_of

    version = app.versions.order_by("-number").first()
    book = version.snapshot.get("book", {}) if version else entries_of(app)
    missing = book_rules.missing(app.campaign.framework_version, app.tier, book)
    have = set(app.attachments.values_list("kind", flat=True))
    required = book_rules.required_attachments(app.campaign.framework_version, app.tier)
    missing_files = [str(Attachment.Kind(k).label) for k in required if k not in have]
    reasons = reasons_not_eligible(app.factory, app.campaign, app.tier)
    findings = (app.confidentiality or {}).get("findings", [])
    return [
        {"key": "book", "label": _("申报书完整"), "ok": not missing, "detail": "、".join(missing)},
        {"key": "attachments", "label": _("必备附件齐全"), "ok": not missing_files, "detail": "、".join(missing_files)},
        {"key": "eligibility", "label": _("申报资格（前置层级、基本要求等）"), "ok": not reasons, "detail": "；".join(reasons)},
        {"key": "version", "label": _("已生成带校验码的提交版本"), "ok": version is not None,
         "detail": version.verification_code if version else ""},
        {"key": "confidentiality", "label": _("保密审查无未说明的疑似涉密内容"),
         "ok": not findings or bool(app.confidentiality_justification.strip()), "detail": str(len(findings))},
        {"key": "commitment", "label": _("真实性承诺书及法定代表人"), "ok": bool(app.legal_representative) and "commitment" in have,
         "detail": app.legal_representative},
    ]


def checks_for(evaluation: Evaluation) -> list[dict]:
    """The automatic checks of an evaluation: the application's for a selection, the acceptance
    application's for an acceptance."""
    if evaluation.kind == "acceptance":
        from smartfactory.cultivation.acceptance import acceptance_checks

        return acceptance_checks(evaluation.acceptance)
    return auto_checks(evaluation.application)


def open_evaluations(batch, *, actor) -> list[Evaluation]:
    """When a batch reaches MIIT, each recommended application waits for the formal check.
    Idempotent (a reopened and resubmitted batch keeps its evaluations)."""
    from smartfactory.applications.enums import State

    created = []
    for app in batch.quota.applications.filter(state=State.RECOMMENDED).select_related("factory", "campaign"):
        evaluation, new = Evaluation.objects.get_or_create(
            application=app, kind="selection", defaults={"campaign": app.campaign, "tier": app.tier, "auto_checks": auto_checks(app)})
        if new:
            record_event("evaluation.open", actor=actor, obj=evaluation, after={"application": str(app.pk)})
            created.append(evaluation)
    return created


def formal_check(evaluation: Evaluation, *, actor, passed: bool, reason: str = "") -> Evaluation:
    return transition(evaluation, Act.FORMAL_PASS if passed else Act.FORMAL_FAIL, actor=actor, reason=reason)


# ------------------------------------------------------------------ the expert pool
def _soe_group_of(uscc: str) -> Authority | None:
    if not uscc:
        return None
    group = Authority.objects.filter(kind=AuthorityKind.CENTRAL_SOE, uscc=uscc).first()
    if group is not None:
        return group
    member = Enterprise.objects.filter(uscc=uscc).select_related("soe_group").first()
    return member.soe_group if member else None


@transaction.atomic
def save_expert_profile(user, *, actor, name: str, organisation: str, organisation_uscc: str = "", province_code: str = "",
                        industries: list[str] | None = None, scenarios: list[int] | None = None,
                        max_load: int | None = None, active: bool = True) -> ExpertProfile:
    """Ministry staff keep the pool; an expert edits their own profile (not the cap or status).
    The central-SOE group follows from the organisation's USCC. Side effects: audit event."""
    from django.core.exceptions import ValidationError

    from smartfactory.organisations.validators import clean_uscc

    own = actor.pk == user.pk
    if not (is_miit_staff(actor) or own):
        raise NotPermitted()
    if not Membership.objects.filter(user=user, role=Role.EXPERT, status=MembershipStatus.ACTIVE).exists():
        raise InvalidInput(_("该账号不是专家账号。"), field="user")
    if not name.strip() or not organisation.strip():
        raise InvalidInput(_("请填写姓名和工作单位。"), field="organisation")
    organisation_uscc = (organisation_uscc or "").strip().upper()
    if organisation_uscc:
        try:
            organisation_uscc = clean_uscc(organisation_uscc, field_label=str(_("工作单位统一社会信用代码")))
        except ValidationError as error:
            raise InvalidInput(error.messages[0], field="organisation_uscc") from None
    profile = ExpertProfile.objects.filter(user=user).first()
    before = _profile_dict(profile) if profile else None
    profile = profile or ExpertProfile(user=user, max_load=rules_for_current().default_max_load)
    profile.name, profile.organisation, profile.organisation_uscc = name.strip(), organisation.strip(), organisation_uscc
    profile.soe_group = _soe_group_of(organisation_uscc)
    profile.province_code = province_code or ""
    profile.industries = sorted({str(i) for i in (industries or [])})
    profile.scenarios = sorted({int(s) for s in (scenarios or [])})
    if not own or is_miit_staff(actor):
        if max_load is not None:
            if not 1 <= int(max_load) <= 100:
                raise InvalidInput(_("每轮评审上限应在1–100之间。"), field="max_load")
            profile.max_load = int(max_load)
        profile.active = bool(active)
    profile.save()
    record_event("expert.profile", actor=actor, obj=profile, before=before, after=_profile_dict(profile))
    return profile


def rules_for_current():
    from smartfactory.campaigns.models import Campaign

    campaign = Campaign.objects.order_by("-year").first()
    if campaign is None:
        raise InvalidInput(_("尚无年度行动。"))
    return rules_for(campaign)


def _profile_dict(p: ExpertProfile) -> dict:
    return {"name": p.name, "organisation": p.organisation, "organisation_uscc": p.organisation_uscc,
            "soe_group": str(p.soe_group_id or ""), "province_code": p.province_code, "industries": p.industries,
            "scenarios": p.scenarios, "max_load": p.max_load, "active": p.active}


@transaction.atomic
def declare_conflict(expert: ExpertProfile, *, actor, uscc: str, kind: str = DeclaredConflict.Kind.DECLARED,
                     note: str = "") -> DeclaredConflict:
    """The expert (or ministry staff) records a conflict with an enterprise by its USCC. Existing
    assignments to that enterprise's applications are withdrawn at once (unscored ones) and the
    expert can no longer open them. Side effects: audit events."""
    if not (is_miit_staff(actor) or actor.pk == expert.user_id):
        raise NotPermitted()
    if kind not in DeclaredConflict.Kind.values:
        raise InvalidInput(_("未知的回避类别。"), field="kind")
    enterprise = Enterprise.objects.filter(uscc=(uscc or "").strip().upper()).first()
    if enterprise is None:
        raise InvalidInput(_("平台上没有该统一社会信用代码的企业。"), field="uscc")
    conflict, _created = DeclaredConflict.objects.get_or_create(expert=expert, enterprise=enterprise, kind=kind,
                                                                defaults={"note": note[:255]})
    record_event("expert.conflict_declared", actor=actor, obj=expert, after={"enterprise": enterprise.uscc, "kind": kind})
    for assignment in Assignment.objects.filter(expert=expert, evaluation__application__factory__enterprise=enterprise,
                                                submitted_at__isnull=True):
        record_event("evaluation.unassigned", actor=actor, obj=assignment.evaluation,
                     after={"expert": expert.name}, reason=str(_("专家申报回避")))
        assignment.delete()
    return conflict


# ------------------------------------------------------------------ assignment
def _due(campaign) -> datetime:
    return timezone.now() + timedelta(days=rules_for(campaign).scoring_days)


def _in_expert_review(campaign, tier: str, kind: str) -> list[Evaluation]:
    return list(Evaluation.objects.filter(campaign=campaign, tier=tier, kind=kind, state=S.EXPERT_REVIEW).select_related(
        "application__factory__enterprise", "application__factory__county").annotate(
        panel=Count("assignments", filter=Q(assignments__role=Assignment.Role.PANEL))))


def _claimed_scenarios_of(evaluations) -> dict:
    """The scenarios each application claims (its self-assessment's built scenarios), in one query."""
    from smartfactory.assessments.models import SelfAssessment

    apps = [e.application for e in evaluations]
    facts = {(f, c): x or {} for f, c, x in SelfAssessment.objects.filter(
        factory_id__in=[a.factory_id for a in apps]).values_list("factory_id", "campaign_id", "facts")}
    out = {}
    for evaluation in evaluations:
        app = evaluation.application
        numbers = [s.get("number") for s in facts.get((app.factory_id, app.campaign_id), {}).get("scenarios", [])]
        out[evaluation.pk] = frozenset(int(n) for n in numbers if n is not None)
    return out


def _claimed_scenarios(evaluation) -> frozenset:
    return _claimed_scenarios_of([evaluation])[evaluation.pk]


def preview_assignment(campaign, tier: str, *, actor, kind: str = "selection") -> dict:
    """The automatic assignment, computed but not written: for each evaluation in expert review
    that lacks experts, who would be assigned, and what cannot be covered."""
    _require_ministry(actor)
    rules = rules_for(campaign)
    experts = list(ExpertProfile.objects.filter(active=True, user__is_active=True))
    index = ConflictIndex(experts, rules)
    evaluations = _in_expert_review(campaign, tier, kind)
    existing: dict[str, set[int]] = {}
    for evaluation_id, expert_id in Assignment.objects.filter(evaluation__in=evaluations).values_list("evaluation_id", "expert_id"):
        existing.setdefault(str(evaluation_id), set()).add(expert_id)
    loads = dict(Assignment.objects.filter(evaluation__campaign=campaign, expert__in=experts).values_list(
        "expert_id").annotate(n=Count("id")).values_list("expert_id", "n"))
    slots = [assigner.ExpertSlot(id=e.pk, cap=e.max_load, load=loads.get(e.pk, 0), industries=frozenset(e.industries),
                                 scenarios=frozenset(e.scenarios)) for e in experts]
    needs, claimed = [], _claimed_scenarios_of(evaluations)
    for evaluation in evaluations:
        count = rules.experts_per_application - evaluation.panel
        if count <= 0:
            continue
        applicant = applicant_of(evaluation)
        excluded = {e.pk for e in experts if index.reasons(e, applicant)} | existing.get(str(evaluation.pk), set())
        needs.append(assigner.Need(key=str(evaluation.pk), count=count,
                                   industry=evaluation.application.factory.enterprise.industry_id or "",
                                   scenarios=claimed[evaluation.pk], excluded=frozenset(excluded)))
    result = assigner.plan(needs, slots)
    names = {e.pk: e.name for e in experts}
    by_id = {str(e.pk): e for e in evaluations}
    return {
        "rows": [{"evaluation": by_id[k], "experts": [(i, names[i]) for i in ids]} for k, ids in result.assignments.items()],
        "short": [{"evaluation": by_id[k], "missing": n} for k, n in result.short.items()],
        "plan": dict(result.assignments),
    }


@transaction.atomic
def commit_assignment(campaign, tier: str, *, actor, plan: dict[str, list[int]], kind: str = "selection") -> list[Assignment]:
    """Writes a previewed plan after re-checking every pair (state, pool, conflict, cap, duplicate)
    over rows read once, with the plan's experts locked, before anything is written — so a stale or
    edited plan can never break a rule, and a refused plan writes nothing. Side effects: the
    assignments; an audit event per assignment; a notification to each expert."""
    import uuid
    from collections import Counter

    _require_ministry(actor)
    rules = rules_for(campaign)
    try:
        keys = {str(uuid.UUID(str(k))) for k in plan}
        expert_ids = sorted({int(i) for ids in plan.values() for i in ids})
    except (TypeError, ValueError):
        raise InvalidInput(_("分配方案格式有误。"), field="plan") from None
    experts = {e.pk: e for e in ExpertProfile.objects.select_for_update().filter(pk__in=expert_ids).order_by("pk")}
    evaluations = {str(e.pk): e for e in Evaluation.objects.filter(pk__in=keys, campaign=campaign, tier=tier, kind=kind)
                   .select_related("campaign", "application__factory__enterprise", "application__factory__county")}
    unknown = (keys - set(evaluations)) or (set(expert_ids) - set(experts))
    if unknown:
        raise InvalidInput(_("分配方案中有不属于本轮的申报或专家：%(u)s") % {"u": "、".join(map(str, sorted(unknown)))},
                           field="plan")
    loads = Counter(dict(Assignment.objects.filter(evaluation__campaign=campaign, expert_id__in=expert_ids)
                         .values_list("expert_id").annotate(n=Count("id")).values_list("expert_id", "n")))
    existing = set(Assignment.objects.filter(evaluation_id__in=list(evaluations), expert_id__in=expert_ids)
                   .values_list("evaluation_id", "expert_id"))
    index = ConflictIndex(list(experts.values()), rules)
    due, pending = _due(campaign), []
    for key, ids in plan.items():
        evaluation = evaluations[str(uuid.UUID(str(key)))]
        applicant = applicant_of(evaluation)
        for expert_id in ids:
            expert = experts[int(expert_id)]
            _check_pair(evaluation, expert, rules=rules, reasons=index.reasons(expert, applicant), load=loads[expert.pk],
                        already=(evaluation.pk, expert.pk) in existing)
            loads[expert.pk] += 1
            existing.add((evaluation.pk, expert.pk))
            pending.append(Assignment(evaluation=evaluation, expert=expert, role=Assignment.Role.PANEL, due_at=due,
                                      assigned_by=actor))
    created = Assignment.objects.bulk_create(pending)
    for a in created:
        record_event("evaluation.assigned", actor=actor, obj=a.evaluation,
                     after={"expert": a.expert.name, "expert_id": a.expert.pk, "role": a.role})
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk([e.user_id for e in experts.values()])
    for e in experts.values():
        e.user = users[e.user_id]
    _notify_experts(created)
    return created


def assign_expert(evaluation: Evaluation, expert: ExpertProfile, *, actor, role: str = Assignment.Role.PANEL) -> Assignment:
    """A manual assignment (or change): the same checks as the automatic one."""
    _require_ministry(actor)
    with transaction.atomic():
        expert = ExpertProfile.objects.select_for_update().get(pk=expert.pk)  # serialises the cap check per expert
        evaluation = Evaluation.objects.select_related("application__factory__enterprise", "application__factory__county",
                                                       "campaign").get(pk=evaluation.pk)
        rules = rules_for(evaluation.campaign)
        _check_pair(evaluation, expert, rules=rules, reasons=conflict_reasons(expert, evaluation, rules),
                    load=Assignment.objects.filter(expert=expert, evaluation__campaign=evaluation.campaign).count(),
                    already=Assignment.objects.filter(evaluation=evaluation, expert=expert).exists())
        assignment = Assignment.objects.create(evaluation=evaluation, expert=expert, role=role,
                                               due_at=_due(evaluation.campaign), assigned_by=actor)
        record_event("evaluation.assigned", actor=actor, obj=evaluation,
                     after={"expert": expert.name, "expert_id": expert.pk, "role": role})
    _notify_experts([assignment])
    return assignment


@guard("P21")
def _check_pair(evaluation: Evaluation, expert: ExpertProfile, *, rules, reasons: list[str], load: int,
                already: bool) -> None:
    """The rules of every assignment, automatic or manual."""
    if evaluation.state != S.EXPERT_REVIEW:
        raise TransitionNotAllowed(_("只有专家评审阶段的申报可以分配专家。"))
    if not expert.active:
        raise NotEligible(_("该专家不在库。"))
    if reasons:
        raise NotEligible(_("专家须回避：%(r)s") % {"r": "、".join(rules.conflicts[r]["label"] for r in reasons)},
                          field="expert")
    if load >= expert.max_load:
        raise NotEligible(_("%(n)s本轮已分配%(l)d件，达到上限。") % {"n": expert.name, "l": load}, field="expert")
    if already:
        raise Conflict(_("该专家已分配到此申报。"))


@transaction.atomic
def unassign(assignment: Assignment, *, actor, reason: str) -> None:
    _require_ministry(actor)
    assignment = Assignment.objects.select_for_update().select_related("evaluation", "expert").get(pk=assignment.pk)
    if assignment.submitted_at:
        raise TransitionNotAllowed(_("专家已提交评分，不能撤回分配。"))
    if assignment.evaluation.state != S.EXPERT_REVIEW:
        raise TransitionNotAllowed(_("该申报已不在专家评审阶段。"))
    if not reason.strip():
        raise InvalidInput(_("请填写理由。"), field="reason")
    record_event("evaluation.unassigned", actor=actor, obj=assignment.evaluation,
                 after={"expert": assignment.expert.name}, reason=reason)
    assignment.delete()


def _notify_experts(assignments: list[Assignment]) -> None:
    from smartfactory.notifications.services import notify

    for a in assignments:
        notify([a.expert.user], kind="evaluation.assigned", title=_("新的评审任务"),
               body=_("请于%(d)s前完成评分。") % {"d": timezone.localtime(a.due_at).strftime("%Y-%m-%d %H:%M")},
               link=f"/console/evaluation/{a.evaluation_id}/", dedupe_key=f"assigned:{a.pk}")


# ------------------------------------------------------------------ scoring
def weighted_total(campaign, scores: dict, kind: str = "selection") -> Decimal:
    """Checks each criterion's score (0–100, every criterion present) and returns the weighted total."""
    criteria = rules_for(campaign).criteria_for(kind)
    total = Decimal(0)
    for c in criteria:
        raw = scores.get(c.key)
        try:
            value = Decimal(str(raw))
        except Exception:  # noqa: BLE001 - anything not a number
            raise InvalidInput(_("请为“%(c)s”打分（0–100）。") % {"c": c.label}, field=f"scores.{c.key}") from None
        if raw is None or isinstance(raw, bool) or not value.is_finite() or not 0 <= value <= 100:
            raise InvalidInput(_("“%(c)s”的分数应在0–100之间。") % {"c": c.label}, field=f"scores.{c.key}")
        total += value * Decimal(str(c.weight))
    unknown = set(scores) - {c.key for c in criteria}
    if unknown:
        raise InvalidInput(_("未知的评分项：%(k)s") % {"k": "、".join(sorted(unknown))}, field="scores")
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def submit_scores(assignment: Assignment, *, actor, scores: dict, comments: dict | None = None) -> Assignment:
    """The assigned expert scores each criterion before the due time. When two experts' totals then
    differ by more than the threshold, a third expert is requested. Side effects: the scores; audit
    event evaluation.scored; possibly evaluation.third_expert(_needed)."""
    assignment = Assignment.objects.select_for_update().select_related("expert", "evaluation__campaign").get(pk=assignment.pk)
    if assignment.expert.user_id != actor.pk:
        raise NotPermitted()
    evaluation = assignment.evaluation
    if evaluation.state != S.EXPERT_REVIEW:
        raise TransitionNotAllowed(_("该申报已不在专家评审阶段。"))
    if conflict_reasons(assignment.expert, evaluation, rules_for(evaluation.campaign)):
        raise NotPermitted()
    if assignment.submitted_at:
        raise Conflict(_("评分已提交，不能修改。"))
    guards.scoring_open(assignment)
    comments = {k: str(v)[:2000] for k, v in (comments or {}).items() if str(v).strip()}
    assignment.total = weighted_total(evaluation.campaign, scores, evaluation.kind)
    assignment.scores = {k: float(v) for k, v in scores.items()}
    assignment.comments, assignment.submitted_at = comments, timezone.now()
    assignment.save()
    record_event("evaluation.scored", actor=actor, obj=evaluation,
                 after={"expert": assignment.expert.name, "total": str(assignment.total), "scores": assignment.scores})
    _check_divergence(evaluation, actor)
    return assignment


def divergence(evaluation: Evaluation) -> Decimal | None:
    totals = [a.total for a in evaluation.assignments.filter(role=Assignment.Role.PANEL, submitted_at__isnull=False)]
    return (max(totals) - min(totals)) if len(totals) >= 2 else None


def _check_divergence(evaluation: Evaluation, actor) -> None:
    rules = rules_for(evaluation.campaign)
    spread = divergence(evaluation)
    if spread is None or spread <= Decimal(str(rules.divergence_threshold)):
        return
    if evaluation.assignments.filter(role=Assignment.Role.THIRD).exists():
        return
    experts = list(ExpertProfile.objects.filter(active=True, user__is_active=True).exclude(
        pk__in=evaluation.assignments.values("expert_id")))
    index = ConflictIndex(experts, rules)
    applicant = applicant_of(evaluation)
    loads = dict(Assignment.objects.filter(evaluation__campaign=evaluation.campaign).values_list("expert_id").annotate(
        n=Count("id")).values_list("expert_id", "n"))
    slots = [assigner.ExpertSlot(id=e.pk, cap=e.max_load, load=loads.get(e.pk, 0), industries=frozenset(e.industries),
                                 scenarios=frozenset(e.scenarios)) for e in experts if not index.reasons(e, applicant)]
    need = assigner.Need(key=str(evaluation.pk), count=1, industry=evaluation.application.factory.enterprise.industry_id or "",
                         scenarios=_claimed_scenarios(evaluation))
    chosen = assigner.plan([need], slots).assignments.get(str(evaluation.pk))
    if chosen:
        third = Assignment.objects.create(evaluation=evaluation, expert_id=chosen[0], role=Assignment.Role.THIRD,
                                          due_at=_due(evaluation.campaign), assigned_by=None)
        record_event("evaluation.third_expert", actor=None, obj=evaluation,
                     after={"expert": third.expert.name, "spread": str(spread), "threshold": rules.divergence_threshold})
        transaction.on_commit(lambda: _notify_experts([third]))
    else:
        record_event("evaluation.third_expert_needed", actor=None, obj=evaluation,
                     after={"spread": str(spread), "threshold": rules.divergence_threshold})


def normalised_scores(campaign, tier: str, kind: str = "selection") -> dict[str, float | None]:
    """Each submitted score as a z-score within its expert (over that expert's totals this round):
    keyed by assignment id; None when the expert has fewer than two scores or no spread."""
    rows = list(Assignment.objects.filter(evaluation__campaign=campaign, evaluation__tier=tier, evaluation__kind=kind,
                                          submitted_at__isnull=False).values_list("pk", "expert_id", "total"))
    by_expert: dict[int, list[float]] = {}
    for _pk, expert_id, total in rows:
        by_expert.setdefault(expert_id, []).append(float(total))
    out = {}
    for pk, expert_id, total in rows:
        values = by_expert[expert_id]
        if len(values) < 2 or statistics.pstdev(values) == 0:
            out[str(pk)] = None
        else:
            out[str(pk)] = round((float(total) - statistics.fmean(values)) / statistics.pstdev(values), 2)
    return out


def panel(campaign, tier: str, kind: str = "selection") -> list[dict]:
    """The ranked panel: each evaluation with its experts' raw and normalised scores, the mean raw
    total (the ranking key), the mean z-score and the spread; highest mean first. (A read for MIIT
    only: the pages and API check ``is_miit_staff`` before calling.)"""
    z = normalised_scores(campaign, tier, kind)
    rows = []
    evaluations = Evaluation.objects.filter(campaign=campaign, tier=tier, kind=kind).exclude(
        state__in=[S.AWAITING_CHECK, S.RETURNED]).select_related("application__factory__enterprise").prefetch_related(
        "assignments__expert")
    for e in evaluations:
        scored = [a for a in e.assignments.all() if a.submitted_at]
        zs = [z[str(a.pk)] for a in scored if z.get(str(a.pk)) is not None]
        totals = [float(a.total) for a in scored]
        rows.append({
            "evaluation": e, "scores": [{"expert": a.expert.name, "role": a.get_role_display(), "total": float(a.total),
                                         "z": z.get(str(a.pk))} for a in scored],
            "pending": sum(1 for a in e.assignments.all() if not a.submitted_at),
            "mean": round(statistics.fmean(totals), 2) if totals else None,
            "mean_z": round(statistics.fmean(zs), 2) if zs else None,
            "spread": round(max(totals) - min(totals), 2) if len(totals) >= 2 else None,
        })
    names = names_at_issue([r["evaluation"].application for r in rows])
    for row in rows:
        row["enterprise"] = with_current(names[row["evaluation"].application_id])
    rows.sort(key=lambda r: (r["mean"] is None, -(r["mean"] or 0), str(r["evaluation"].pk)))
    for n, row in enumerate(rows, start=1):
        row["rank"] = n
    return rows


def panel_xlsx(campaign, tier: str, kind: str = "selection") -> bytes:
    from smartfactory.documents.xlsx import write_table
    from smartfactory.organisations.enums import Tier

    rows = []
    for r in panel(campaign, tier, kind):
        app = r["evaluation"].application
        rows.append({
            "rank": r["rank"], "enterprise": r["enterprise"], "factory": app.factory.name,
            "state": r["evaluation"].state_label(), "mean": r["mean"], "mean_z": r["mean_z"], "spread": r["spread"],
            "scores": "；".join(f"{s['expert']} {s['total']:.2f}（z={s['z'] if s['z'] is not None else '—'}）" for s in r["scores"]),
            "pending": r["pending"],
        })
    columns = [("rank", "排名"), ("enterprise", "企业名称"), ("factory", "工厂名称"), ("state", "状态"), ("mean", "平均分（原始）"),
               ("mean_z", "平均标准分（z）"), ("spread", "分差"), ("scores", "各专家评分"), ("pending", "待评份数")]
    title = (f"{campaign.year}年度{Tier(tier).label}智能工厂专家评审排名" if kind == "selection"
             else f"{campaign.year}年度领航级智能工厂培育对象验收评审排名")
    return write_table(title=title, columns=columns, rows=rows,
                       sheet_name="评审排名")


# ------------------------------------------------------------------ on-site verification
def site_checklist(evaluation: Evaluation) -> list[dict]:
    """General items plus one per scenario the application claims (from the framework data)."""
    from smartfactory.campaigns.services import framework_spec_for

    rules = rules_for(evaluation.campaign)
    if evaluation.kind == "acceptance":
        return _acceptance_checklist(evaluation, rules)
    spec = framework_spec_for(evaluation.campaign)
    items = [dict(item) for item in rules.site_checklist.get("general", [])]
    for number in sorted(_claimed_scenarios(evaluation)):
        scenario = spec.scenarios.get(number)
        if scenario is not None:
            items.append({"key": f"s:{number}", "label": rules.site_checklist["per_scenario"].format(
                number=number, name=scenario.name)})
    return items


def _acceptance_checklist(evaluation: Evaluation, rules) -> list[dict]:
    """General items plus one per cultivation target, with the value the enterprise reports."""
    config = rules.acceptance_checklist or {}
    items = [dict(item) for item in config.get("general", [])]
    acceptance = evaluation.acceptance
    for target in acceptance.cultivation.targets.all():
        result = acceptance.results.get(str(target.number), {})
        items.append({"key": f"t:{target.number}", "label": config["per_target"].format(
            number=target.number, indicator=target.indicator, target=f"{target.target_value}{target.unit}",
            value=result.get("value", "—"))})
    return items


@transaction.atomic
def plan_site_visit(evaluation: Evaluation, *, actor, team: list[ExpertProfile], scheduled_for) -> SiteVisit:
    """The ministry forms a conflict-checked team and proposes a date. Side effects: the visit and
    its checklist; audit event; the enterprise is asked to confirm the date."""
    _require_ministry(actor)
    evaluation = Evaluation.objects.select_related("application__factory__enterprise", "application__factory__county",
                                                   "campaign").get(pk=evaluation.pk)
    if evaluation.state != S.SITE_VISIT:
        raise TransitionNotAllowed(_("只有现场核查阶段的申报可以安排核查。"))
    if not team:
        raise InvalidInput(_("请选择核查组成员。"), field="team")
    rules = rules_for(evaluation.campaign)
    for expert in team:
        reasons = conflict_reasons(expert, evaluation, rules)
        if reasons:
            raise NotEligible(_("%(n)s须回避：%(r)s") % {"n": expert.name, "r": "、".join(rules.conflicts[r]["label"] for r in reasons)},
                              field="team")
    if scheduled_for <= timezone.localdate():
        raise InvalidInput(_("核查日期应晚于今天。"), field="scheduled_for")
    visit = SiteVisit.objects.filter(evaluation=evaluation).first()
    if visit is not None and visit.outcome:
        raise TransitionNotAllowed(_("现场核查已有结论。"))
    visit = visit or SiteVisit(evaluation=evaluation)
    visit.scheduled_for, visit.agreed_at, visit.agreed_by = scheduled_for, None, None
    visit.checklist = visit.checklist or site_checklist(evaluation)
    visit.save()
    visit.team.set(team)
    record_event("evaluation.site_visit_planned", actor=actor, obj=evaluation,
                 after={"date": scheduled_for.isoformat(), "team": [e.name for e in team]})
    from smartfactory.notifications.services import enterprise_users, notify

    notify(enterprise_users(evaluation.application.factory.enterprise), kind="evaluation.site_visit",
           title=_("现场核查日期待确认"), body=_("拟于%(d)s开展现场核查，请登录确认。") % {"d": scheduled_for.isoformat()},
           link=f"/site-visits/{visit.pk}/", dedupe_key=f"site:{visit.pk}:{scheduled_for.isoformat()}")
    return visit


def _team_member(user, visit: SiteVisit) -> bool:
    return visit.team.filter(user=user).exists()


def _locked_open_visit(visit: SiteVisit) -> SiteVisit:
    """The visit, locked, while its evaluation is still at the site-visit stage and it has no outcome."""
    visit = SiteVisit.objects.select_for_update().select_related("evaluation").get(pk=visit.pk)
    if visit.evaluation.state != S.SITE_VISIT or visit.outcome:
        raise TransitionNotAllowed(_("现场核查已结束。"))
    return visit


@transaction.atomic
def agree_site_visit(visit: SiteVisit, *, actor) -> SiteVisit:
    from smartfactory.organisations.rules import is_enterprise_user_of

    if not is_enterprise_user_of(actor, visit.evaluation.application.factory.enterprise):
        raise NotPermitted()
    visit = _locked_open_visit(visit)
    visit.agreed_at, visit.agreed_by = timezone.now(), actor
    visit.save(update_fields=["agreed_at", "agreed_by"])
    record_event("evaluation.site_visit_agreed", actor=actor, obj=visit.evaluation,
                 after={"date": visit.scheduled_for.isoformat()})
    return visit


FINDING_RESULTS = {"met": _("符合"), "partly": _("基本符合"), "not_met": _("不符合")}


@transaction.atomic
def record_finding(visit: SiteVisit, *, actor, item: str, result: str, note: str = "") -> SiteVisit:
    if not (_team_member(actor, visit) or is_miit_staff(actor)):
        raise NotPermitted()
    visit = _locked_open_visit(visit)
    if item not in {i["key"] for i in visit.checklist}:
        raise InvalidInput(_("核查清单中没有该项。"), field="item")
    if result not in FINDING_RESULTS:
        raise InvalidInput(_("请选择核查结果。"), field="result")
    visit.findings = {**visit.findings, item: {"result": result, "note": note[:2000]}}
    visit.save(update_fields=["findings"])
    record_event("evaluation.site_finding", actor=actor, obj=visit.evaluation, after={"item": item, "result": result})
    return visit


@transaction.atomic
def attach_site_photo(visit: SiteVisit, *, actor, item: str, upload) -> SiteVisitPhoto:
    if not (_team_member(actor, visit) or is_miit_staff(actor)):
        raise NotPermitted()
    visit = _locked_open_visit(visit)
    if item not in {i["key"] for i in visit.checklist}:
        raise InvalidInput(_("核查清单中没有该项。"), field="item")
    checked = check_upload(upload, types=IMAGES, max_bytes=20 * MB,
                           type_message=_("照片只能是 JPG 或 PNG（按文件内容识别）。"))
    photo = SiteVisitPhoto(visit=visit, item=item, original_name=upload.name[:255], sha256=checked.sha256, uploaded_by=actor)
    photo.file.save(f"{photo.id.hex}.{checked.extension}", upload, save=False)
    photo.save()
    record_event("evaluation.site_photo", actor=actor, obj=visit.evaluation, after={"item": item, "sha256": photo.sha256})
    return photo


@transaction.atomic
def record_site_outcome(visit: SiteVisit, *, actor, outcome: str, note: str = "") -> SiteVisit:
    """The team's conclusion, once the enterprise agreed the date and every item has a finding. A
    failed visit is reported to the ministry, which then rejects (the outcome feeds its decision)."""
    if not (_team_member(actor, visit) or is_miit_staff(actor)):
        raise NotPermitted()
    visit = _locked_open_visit(visit)
    if visit.agreed_at is None:
        raise NotEligible(_("企业尚未确认核查日期。"))
    visit_date_reached(visit)
    missing = [i["label"] for i in visit.checklist if i["key"] not in visit.findings]
    if missing:
        raise NotEligible(_("以下核查项尚无结果：%(m)s") % {"m": "；".join(missing)})
    if outcome not in SiteVisit.Outcome.values:
        raise InvalidInput(_("请选择核查结论。"), field="outcome")
    if outcome == SiteVisit.Outcome.FAIL and not note.strip():
        raise InvalidInput(_("核查未通过须写明理由。"), field="note")
    visit.outcome, visit.outcome_note, visit.recorded_by, visit.recorded_at = outcome, note, actor, timezone.now()
    visit.save()
    record_event("evaluation.site_outcome", actor=actor, obj=visit.evaluation, after={"outcome": outcome}, reason=note)
    return visit


# ------------------------------------------------------------------ 公示, objections, decision
@transaction.atomic
def open_publicity(campaign, tier: str, *, actor, evaluations: list[Evaluation], starts_at: datetime | None = None,
                   days: int | None = None, title: str = "", kind: str = "selection") -> Publicity:
    """Publishes the proposed list for objections for the configured period: the selection of a
    campaign's tier, or the 领航级 objects proposed as accepted (kind ``acceptance``). Every
    evaluation on it must have passed its site visit. Side effects: the publicity; each evaluation
    proposed."""
    _require_ministry(actor)
    if tier not in (Tier.EXCELLENT, Tier.LEADING):
        raise InvalidInput(_("只有卓越级和领航级经国家评审。"), field="tier")
    if not evaluations:
        raise InvalidInput(_("请选择拟入选的申报。"), field="evaluations")
    if kind not in ("selection", "acceptance") or (kind == "acceptance" and tier != Tier.LEADING):
        raise InvalidInput(_("只有领航级培育对象经验收。"), field="kind")
    rules = rules_for(campaign)
    starts_at = starts_at or timezone.now()
    days = days or rules.publicity_days
    if not 1 <= days <= 30:
        raise InvalidInput(_("公示期应为1–30天。"), field="days")
    default_title = (f"{campaign.year}年度{Tier(tier).label}智能工厂{'培育对象' if tier == 'leading' else ''}拟入选名单公示"
                     if kind == "selection" else f"{campaign.year}年度领航级智能工厂培育对象拟通过验收名单公示")
    publicity = Publicity.objects.create(
        campaign=campaign, tier=tier, kind=kind, starts_at=starts_at, ends_at=starts_at + timedelta(days=days),
        created_by=actor, title=title or default_title,
    )
    for evaluation in evaluations:
        if evaluation.campaign_id != campaign.pk or evaluation.tier != tier or evaluation.kind != kind:
            raise InvalidInput(_("所选申报不属于本年度本层级。"), field="evaluations")
        Evaluation.objects.filter(pk=evaluation.pk).update(publicity=publicity)
        evaluation.refresh_from_db()
        transition(evaluation, Act.PROPOSE, actor=actor)
    record_event("publicity.open", actor=actor, obj=publicity,
                 after={"title": publicity.title, "ends_at": publicity.ends_at.isoformat(), "count": len(evaluations)})
    return publicity


def validate_contact(contact: str) -> str:
    import re

    contact = (contact or "").strip()
    if not (re.fullmatch(r"1\d{10}", contact) or re.fullmatch(r"0\d{2,3}-?\d{7,8}", contact)
            or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact)):
        raise InvalidInput(_("请填写有效的手机号、固定电话或电子邮箱，以便核实异议。"), field="contact")
    return contact


@transaction.atomic
def submit_objection(publicity: Publicity, *, evaluation_id, name: str, contact: str, content: str) -> Objection:
    """Anyone may object during the period; name and contact are required, the contact is stored
    encrypted (SM4) and never logged. Side effects: the objection; audit event (no contact)."""
    from smartfactory.crypto import encrypt

    now = timezone.now()
    guards.objection_period_open(publicity, now)
    evaluation = publicity.evaluations.filter(pk=evaluation_id).first()
    if evaluation is None:
        raise InvalidInput(_("请选择异议针对的项目。"), field="evaluation")
    if not name.strip():
        raise InvalidInput(_("请填写异议人姓名或单位名称。"), field="name")
    if len(content.strip()) < 10:
        raise InvalidInput(_("请具体说明异议内容（至少10个字）。"), field="content")
    objection = Objection.objects.create(publicity=publicity, evaluation=evaluation, submitter_name=name.strip()[:64],
                                         contact_encrypted=encrypt(validate_contact(contact)), content=content.strip()[:5000])
    record_event("publicity.objection", actor=None, obj=publicity, after={"objection": str(objection.pk),
                                                                        "evaluation": str(evaluation.pk)})
    return objection


@transaction.atomic
def handle_objection(objection: Objection, *, actor, upheld: bool, handling: str) -> Objection:
    """The ministry records how the objection was handled; an upheld objection takes the
    application off the list. Side effects: audit event; possibly evaluation.withdraw."""
    _require_ministry(actor)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.OPEN:
        raise TransitionNotAllowed(_("该异议已处理。"))
    if not handling.strip():
        raise InvalidInput(_("请填写处理情况。"), field="handling")
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.handling, objection.handled_by, objection.handled_at = handling.strip(), actor, timezone.now()
    objection.save()
    record_event("publicity.objection_handled", actor=actor, obj=objection.publicity,
                 after={"objection": str(objection.pk), "status": objection.status}, reason=handling)
    if upheld and objection.evaluation.state == S.PROPOSED:
        transition(objection.evaluation, Act.WITHDRAW, actor=actor, reason=str(_("公示异议成立：")) + handling)
    return objection


@transaction.atomic
def finalise_publicity(publicity: Publicity, *, actor, now: datetime | None = None) -> Publicity:
    """Closes the notice once its period is over and every objection is handled."""
    _require_ministry(actor)
    publicity = Publicity.objects.select_for_update().get(pk=publicity.pk)
    now = now or timezone.now()
    if publicity.status != Publicity.Status.OPEN:
        raise TransitionNotAllowed(_("公示已结束。"))
    guards.publicity_period_over(publicity, now)
    guards.objections_handled(publicity)
    publicity.status, publicity.finalised_at = Publicity.Status.FINAL, now
    publicity.save(update_fields=["status", "finalised_at"])
    record_event("publicity.finalised", actor=actor, obj=publicity, after={"status": publicity.status})
    return publicity


def decision_ministries(campaign) -> list[Authority]:
    departments = rules_for(campaign).decision_departments
    ministries = {a.department: a for a in Authority.objects.filter(kind=AuthorityKind.MINISTRY, department__in=departments)}
    return [ministries[d] for d in departments if d in ministries]


@transaction.atomic
def record_concurrence(publicity: Publicity, *, actor, authority: Authority, document: str = "") -> Publicity:
    """One ministry's concurrence with the final list: recorded by its own staff, or by MIIT staff
    registering that ministry's letter (its document number required)."""
    publicity = Publicity.objects.select_for_update().get(pk=publicity.pk)
    if publicity.status != Publicity.Status.FINAL:
        raise TransitionNotAllowed(_("公示定稿后方可会签。"))
    ministries = decision_ministries(publicity.campaign)
    if authority not in ministries:
        raise InvalidInput(_("该单位不是联合审定的部门。"), field="authority")
    concurrence_by_own_staff_or_miit(publicity, actor=actor, authority=authority, document=document, ministries=ministries)
    if any(c["authority"] == str(authority.pk) for c in publicity.concurrences):
        raise Conflict(_("%(n)s已会签。") % {"n": authority.name})
    entry = {"authority": str(authority.pk), "name": authority.name, "by": actor.get_username(),
             "at": timezone.now().isoformat(), "document": document.strip()}
    publicity.concurrences = [*publicity.concurrences, entry]
    publicity.save(update_fields=["concurrences"])
    record_event("publicity.concurrence", actor=actor, obj=publicity, after=entry)
    return publicity


@transaction.atomic
def decide(publicity: Publicity, *, actor, decision_number: str) -> Publicity:
    """The six ministries' joint decision on a final list: every proposed application is approved —
    卓越级 into the tier history with a certificate number and published, 领航级 as a cultivation
    object — and every enterprise is notified. Side effects: evaluations, applications, awards or
    cultivation objects, notifications; audit events."""
    from smartfactory.notifications.services import enterprise_users, notify

    _require_ministry(actor)
    publicity = Publicity.objects.select_for_update().select_related("campaign").get(pk=publicity.pk)
    if publicity.status != Publicity.Status.FINAL:
        raise TransitionNotAllowed(_("公示定稿后方可审定。"))
    needed = {str(a.pk): a.name for a in decision_ministries(publicity.campaign)}
    missing = [name for pk, name in needed.items() if pk not in {c["authority"] for c in publicity.concurrences}]
    if missing:
        raise NotEligible(_("尚缺以下部门会签：%(m)s") % {"m": "、".join(missing)}, field="concurrence")
    if not decision_number.strip():
        raise InvalidInput(_("请填写审定文件文号。"), field="decision_number")
    if publicity.kind == "acceptance":
        return _decide_acceptance(publicity, actor=actor, decision_number=decision_number.strip())
    rules = rules_for(publicity.campaign)
    from smartfactory.campaigns.models import Campaign

    Campaign.objects.select_for_update().get(pk=publicity.campaign_id)  # serialises certificate numbering
    publicity.status, publicity.decided_at, publicity.decision_number = (Publicity.Status.DECIDED, timezone.now(),
                                                                         decision_number.strip())
    publicity.save(update_fields=["status", "decided_at", "decision_number"])
    serial = Evaluation.objects.filter(campaign=publicity.campaign, tier=publicity.tier, kind="selection",
                                       state=S.APPROVED).count()
    proposed = list(publicity.evaluations.filter(state=S.PROPOSED).select_related("application").order_by("created_at"))
    for evaluation in proposed:
        serial += 1
        Evaluation.objects.filter(pk=evaluation.pk).update(
            certificate_no=rules.certificate_format[publicity.tier].format(year=publicity.campaign.year, n=serial))
        evaluation = transition(evaluation, Act.APPROVE, actor=actor)
        action = AppAction.NATIONAL_AWARD if publicity.tier == "excellent" else AppAction.NATIONAL_CULTIVATE
        app_transition(evaluation.application, action, actor=actor, reason=publicity.decision_number)
        notify(enterprise_users(evaluation.application.factory.enterprise), kind="evaluation.decided",
               title=_("%(f)s已列入%(t)s") % {"f": evaluation.application.factory.name, "t": publicity.title.replace("拟入选名单公示", "名单")},
               body=_("审定文件：%(n)s；编号：%(c)s") % {"n": publicity.decision_number, "c": evaluation.certificate_no},
               link=f"/portal/applications/{evaluation.application_id}/", dedupe_key=f"decided:{evaluation.pk}")
    for evaluation in publicity.evaluations.filter(state=S.NOT_APPROVED).select_related("application"):
        if evaluation.application.state == "recommended":
            app_transition(evaluation.application, AppAction.NATIONAL_DECLINE, actor=actor, reason=evaluation.outcome_reason)
    follow_published_awards(publicity.campaign.year, tier=publicity.tier, actor=actor, source=publicity.decision_number)
    record_event("publicity.decided", actor=actor, obj=publicity,
                 after={"decision_number": publicity.decision_number, "approved": len(proposed)})
    return publicity


def _decide_acceptance(publicity: Publicity, *, actor, decision_number: str) -> Publicity:
    """The joint decision on a list of 领航级 objects proposed as accepted: each becomes a 领航级
    factory — certificate number of the decision year, the tier history line, published — and its
    cultivation object and acceptance application are closed as accepted; the enterprise is notified."""
    from smartfactory.cultivation import acceptance as acceptance_flow
    from smartfactory.notifications.services import enterprise_users, notify

    rules = rules_for(publicity.campaign)
    Authority.objects.select_for_update().get(kind=AuthorityKind.MINISTRY, is_lead=True)  # serialises numbering
    now = timezone.now()
    year = timezone.localdate(now).year
    publicity.status, publicity.decided_at, publicity.decision_number = Publicity.Status.DECIDED, now, decision_number
    publicity.save(update_fields=["status", "decided_at", "decision_number"])
    number_format = rules.certificate_format["leading_accepted"]
    prefix = number_format.split("{n")[0].format(year=year)
    serial = Evaluation.objects.filter(kind="acceptance", state=S.APPROVED, certificate_no__startswith=prefix).count()
    proposed = list(publicity.evaluations.filter(state=S.PROPOSED).select_related("application", "acceptance")
                    .order_by("created_at"))
    for evaluation in proposed:
        serial += 1
        Evaluation.objects.filter(pk=evaluation.pk).update(
            certificate_no=rules.certificate_format["leading_accepted"].format(year=year, n=serial))
        evaluation = transition(evaluation, Act.APPROVE, actor=actor)
        app_transition(evaluation.application, AppAction.NATIONAL_ACCEPT, actor=actor, reason=decision_number)
        acceptance_flow.transition(evaluation.acceptance, acceptance_flow.Act.ACCEPT, actor=actor, reason=decision_number)
        notify(enterprise_users(evaluation.application.factory.enterprise), kind="cultivation.accepted",
               title=_("%(f)s通过领航级智能工厂验收") % {"f": evaluation.application.factory.name},
               body=_("审定文件：%(n)s；编号：%(c)s") % {"n": decision_number, "c": evaluation.certificate_no},
               link=f"/cultivation/{evaluation.acceptance.cultivation_id}/", dedupe_key=f"accepted:{evaluation.pk}")
    record_event("publicity.decided", actor=actor, obj=publicity,
                 after={"decision_number": decision_number, "approved": len(proposed), "kind": "acceptance"})
    return publicity


def close_not_approved(campaign, tier: str, *, actor) -> int:
    """Applications the evaluation turned down outside a 公示 (formal check, review, site visit) get
    their final state when the campaign's tier is decided."""
    n = 0
    for evaluation in Evaluation.objects.filter(campaign=campaign, tier=tier, kind="selection", state=S.NOT_APPROVED,
                                                application__state="recommended").select_related("application"):
        app_transition(evaluation.application, AppAction.NATIONAL_DECLINE, actor=actor, reason=evaluation.outcome_reason)
        n += 1
    return n
