"""Scoring: the experts' weighted scores, the third expert when two diverge, normalisation across
experts and the panel the ministry reads (and downloads). Every change is audited."""

from __future__ import annotations

import statistics

from django.db import transaction

from smartfactory.applications.queries import names_at_issue, with_current
from smartfactory.organisations.enums import Tier

from .models import (
    Assignment,
    Evaluation,
)
from .models import EvaluationState as S
from .score_rules import check_divergence, divergence, weighted_total  # noqa: F401 (the scoring API)


@transaction.atomic
def submit_scores(assignment: Assignment, *, actor, scores: dict, comments: dict | None = None) -> Assignment:
    """The assigned expert scores each criterion before the due time (``assignment_workflow``). When
    two experts' totals then differ by more than the threshold, a third expert is requested. Side
    effects: the scores; audit event evaluation.scored; possibly evaluation.third_expert(_needed)."""
    from . import assignment_workflow as flow

    return flow.take(assignment, flow.Act.SCORE, actor=actor, scores=scores, comments=comments)


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
