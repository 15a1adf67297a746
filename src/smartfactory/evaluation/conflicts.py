"""Conflicts of interest between experts and applicants, by the campaign's rules (data): the same
organisation (USCC), the same central-SOE group, the same province (configurable), a declared
conflict, a previous advisory relationship. ``ConflictIndex`` answers many pairs at once (automatic
assignment); ``conflict_reasons`` answers one (guards and reads)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .models import DeclaredConflict, ExpertProfile
from .rules import EvaluationRules


@dataclass(frozen=True)
class Applicant:
    """What conflicts are judged on, for one application."""

    key: str  # the evaluation's id
    enterprise_id: int
    uscc: str
    soe_group_id: str | None
    province_code: str


def applicant_of(evaluation) -> Applicant:
    app = evaluation.application
    enterprise = app.factory.enterprise
    return Applicant(key=str(evaluation.pk), enterprise_id=enterprise.pk, uscc=enterprise.uscc,
                     soe_group_id=str(enterprise.soe_group_id) if enterprise.soe_group_id else None,
                     province_code=app.factory.county.province_code)


class ConflictIndex:
    def __init__(self, experts: list[ExpertProfile], rules: EvaluationRules):
        self.rules = rules
        self.experts = {e.pk: e for e in experts}
        self.declared: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        for expert_id, enterprise_id, kind in DeclaredConflict.objects.filter(expert__in=experts).values_list(
                "expert_id", "enterprise_id", "kind"):
            self.declared[expert_id][enterprise_id].add(kind)

    def reasons(self, expert: ExpertProfile, applicant: Applicant) -> list[str]:
        rules, out = self.rules, []
        if rules.enabled("same_organisation") and expert.organisation_uscc and expert.organisation_uscc == applicant.uscc:
            out.append("same_organisation")
        if rules.enabled("same_soe_group") and expert.soe_group_id and str(expert.soe_group_id) == applicant.soe_group_id:
            out.append("same_soe_group")
        if rules.enabled("same_province") and expert.province_code and expert.province_code == applicant.province_code:
            out.append("same_province")
        kinds = self.declared.get(expert.pk, {}).get(applicant.enterprise_id, set())
        for kind in ("declared", "advised"):
            if kind in kinds and rules.enabled(kind):
                out.append(kind)
        return out

    def labels(self, reasons: list[str]) -> list[str]:
        return [self.rules.conflicts[r]["label"] for r in reasons]


def conflict_reasons(expert: ExpertProfile, evaluation, rules: EvaluationRules) -> list[str]:
    return ConflictIndex([expert], rules).reasons(expert, applicant_of(evaluation))
