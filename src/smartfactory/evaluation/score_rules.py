"""The weighted total of an expert's scores and the third expert when two panel totals diverge by
more than the campaign's threshold (used by the assignment's machine when a score is submitted)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import InvalidInput

from . import assign as assigner
from .assigning import claimed_scenarios, notify_experts, scoring_due
from .conflicts import ConflictIndex, applicant_of
from .models import Assignment, Evaluation, ExpertProfile
from .rules import rules_for


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


def divergence(evaluation: Evaluation) -> Decimal | None:
    totals = [a.total for a in evaluation.assignments.filter(role=Assignment.Role.PANEL, submitted_at__isnull=False)]
    return (max(totals) - min(totals)) if len(totals) >= 2 else None


def check_divergence(evaluation: Evaluation, actor) -> None:
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
                         scenarios=claimed_scenarios(evaluation))
    chosen = assigner.plan([need], slots).assignments.get(str(evaluation.pk))
    if chosen:
        third = Assignment.objects.create(evaluation=evaluation, expert_id=chosen[0], role=Assignment.Role.THIRD,
                                          due_at=scoring_due(evaluation.campaign), assigned_by=None)
        record_event("evaluation.third_expert", actor=None, obj=evaluation,
                     after={"expert": third.expert.name, "spread": str(spread), "threshold": rules.divergence_threshold})
        transaction.on_commit(lambda: notify_experts([third]))
    else:
        record_event("evaluation.third_expert_needed", actor=None, obj=evaluation,
                     after={"spread": str(spread), "threshold": rules.divergence_threshold})
