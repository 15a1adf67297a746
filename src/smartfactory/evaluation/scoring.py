"""Scoring: the experts' weighted scores, the third expert when two diverge, normalisation across
experts and the panel the ministry reads (and downloads). Every change is audited."""

from __future__ import annotations

import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.applications.queries import names_at_issue, with_current
from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import Tier

from . import assign as assigner
from . import guards
from .assigning import claimed_scenarios, notify_experts, scoring_due
from .conflicts import ConflictIndex, applicant_of, conflict_reasons
from .models import (
    Assignment,
    Evaluation,
    ExpertProfile,
)
from .models import EvaluationState as S
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
