"""Assigning experts to evaluations: the automatic plan (previewed, then committed after every pair
is checked again), manual assignment and withdrawal. Every change is audited in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.campaigns.services import end_of_day, format_deadline
from smartfactory.errors import Conflict, InvalidInput, NotEligible, TransitionNotAllowed
from smartfactory.guards import guard

from . import assign as assigner
from .conflicts import ConflictIndex, applicant_of, conflict_reasons
from .guards import require_ministry
from .models import (
    Assignment,
    Evaluation,
    ExpertProfile,
)
from .models import EvaluationState as S
from .rules import rules_for


def scoring_due(campaign) -> datetime:
    """The end of the day (Beijing time) the rules allow for scoring, counted from today."""
    return end_of_day(timezone.localdate() + timedelta(days=rules_for(campaign).scoring_days))


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


def claimed_scenarios(evaluation) -> frozenset:
    return _claimed_scenarios_of([evaluation])[evaluation.pk]


def preview_assignment(campaign, tier: str, *, actor, kind: str = "selection") -> dict:
    """The automatic assignment, computed but not written: for each evaluation in expert review
    that lacks experts, who would be assigned, and what cannot be covered."""
    require_ministry(actor)
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

    require_ministry(actor)
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
    due, pending = scoring_due(campaign), []
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
    notify_experts(created)
    return created


def assign_expert(evaluation: Evaluation, expert: ExpertProfile, *, actor, role: str = Assignment.Role.PANEL) -> Assignment:
    """A manual assignment (or change): the same checks as the automatic one."""
    require_ministry(actor)
    with transaction.atomic():
        expert = ExpertProfile.objects.select_for_update().get(pk=expert.pk)  # serialises the cap check per expert
        evaluation = Evaluation.objects.select_related("application__factory__enterprise", "application__factory__county",
                                                       "campaign").get(pk=evaluation.pk)
        rules = rules_for(evaluation.campaign)
        _check_pair(evaluation, expert, rules=rules, reasons=conflict_reasons(expert, evaluation, rules),
                    load=Assignment.objects.filter(expert=expert, evaluation__campaign=evaluation.campaign).count(),
                    already=Assignment.objects.filter(evaluation=evaluation, expert=expert).exists())
        assignment = Assignment.objects.create(evaluation=evaluation, expert=expert, role=role,
                                               due_at=scoring_due(evaluation.campaign), assigned_by=actor)
        record_event("evaluation.assigned", actor=actor, obj=evaluation,
                     after={"expert": expert.name, "expert_id": expert.pk, "role": role})
    notify_experts([assignment])
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
def notify_experts(assignments: list[Assignment]) -> None:
    from smartfactory.notifications.services import notify

    for a in assignments:
        notify([a.expert.user], kind="evaluation.assigned", title=_("新的评审任务"),
               body=_("请于%(d)s前完成评分。") % {"d": format_deadline(a.due_at)},
               link=f"/console/evaluation/{a.evaluation_id}/", dedupe_key=f"assigned:{a.pk}")
