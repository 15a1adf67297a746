"""The tier engine: a pure function from a factory's facts to a verdict.

Attained tier = the highest tier whose element conditions are all met (lineage — holding the tier
below — is checked by eligibility, not here). Rules that experts judge are listed per tier and do not
decide the attained tier. Same facts and same spec ⇒ same verdict (no clock, no database).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smartfactory.errors import InvalidInput

from .spec import FrameworkSpec, Rule


@dataclass(frozen=True)
class BuiltScenario:
    number: int
    ai: bool


@dataclass(frozen=True)
class Facts:
    basic_requirements: dict[str, bool]
    cmmm_level: int
    scenarios: tuple[BuiltScenario, ...]
    kpi_benchmark_level: str


def validate_facts(spec: FrameworkSpec, raw: Any) -> Facts:
    """Check raw facts (a dict from JSON) against this version; the first problem is raised as
    InvalidInput naming the field, e.g. ``scenarios[2].number`` or ``basic_requirements.BR3``."""
    if not isinstance(raw, dict):
        raise InvalidInput("事实数据应为 JSON 对象。", field="facts")
    for key in ("basic_requirements", "cmmm_level", "scenarios", "kpi_benchmark_level"):
        if key not in raw:
            raise InvalidInput(f"缺少字段：{key}", field=key)
    unknown = set(raw) - {"basic_requirements", "cmmm_level", "scenarios", "kpi_benchmark_level"}
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(f"未知字段：{field}", field=field)
    reqs = raw["basic_requirements"]
    if not isinstance(reqs, dict):
        raise InvalidInput("basic_requirements 应为对象，键为基本要求编号。", field="basic_requirements")
    known = {b.id for b in spec.basic_requirements}
    for key, value in reqs.items():
        if key not in known:
            raise InvalidInput(f"未知的基本要求编号：{key}", field=f"basic_requirements.{key}")
        if not isinstance(value, bool):
            raise InvalidInput(f"基本要求 {key} 应为 true 或 false。", field=f"basic_requirements.{key}")
    for key in sorted(known - set(reqs)):
        raise InvalidInput(f"缺少基本要求：{key}", field=f"basic_requirements.{key}")
    level = raw["cmmm_level"]
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
        raise InvalidInput("智能制造能力成熟度等级应为 1 至 5 的整数。", field="cmmm_level")
    if raw["kpi_benchmark_level"] not in spec.kpi_levels:
        raise InvalidInput(
            f"kpi_benchmark_level 应为以下之一：{', '.join(spec.kpi_levels)}", field="kpi_benchmark_level"
        )
    if not isinstance(raw["scenarios"], list):
        raise InvalidInput("scenarios 应为数组。", field="scenarios")
    built: dict[int, BuiltScenario] = {}
    for i, item in enumerate(raw["scenarios"]):
        where = f"scenarios[{i}]"
        if not isinstance(item, dict) or set(item) - {"number", "ai"} or "number" not in item:
            raise InvalidInput("每个场景应为 {\"number\": 编号, \"ai\": true|false}。", field=where)
        number = item["number"]
        if isinstance(number, bool) or not isinstance(number, int) or number not in spec.scenarios:
            raise InvalidInput(f"未知的典型场景编号：{number}（本版本为 1–{max(spec.scenarios)}）", field=f"{where}.number")
        ai = item.get("ai", False)
        if not isinstance(ai, bool):
            raise InvalidInput("ai 应为 true 或 false。", field=f"{where}.ai")
        if number in built:
            raise InvalidInput(f"典型场景 {number} 重复填写。", field=f"{where}.number")
        built[number] = BuiltScenario(number, ai)
    return Facts(
        basic_requirements=dict(reqs), cmmm_level=level,
        scenarios=tuple(built[n] for n in sorted(built)), kpi_benchmark_level=raw["kpi_benchmark_level"],
    )


def _metrics(spec: FrameworkSpec, facts: Facts) -> dict:
    built = len(facts.scenarios)
    ai = sum(1 for s in facts.scenarios if s.ai)
    covered = sorted({spec.scenarios[s.number].dimension for s in facts.scenarios})
    return {
        "built_scenarios": built, "ai_scenarios": ai, "ai_share": round(ai / built, 4) if built else 0.0,
        "covered_dimensions": covered,
    }


def _check(spec: FrameworkSpec, rule: Rule, tier: str, facts: Facts, metrics: dict) -> str | None:
    """None when met, else the message with what was found."""
    threshold = rule.threshold_for(tier)
    if rule.kind == "cmmm_level":
        return None if facts.cmmm_level >= threshold else f"{rule.message}（当前{facts.cmmm_level}级）"
    if rule.kind == "dimension_coverage":
        missing = [d for d in threshold if d not in metrics["covered_dimensions"]]
        names = "、".join(spec.dimensions[d] for d in missing)
        return None if not missing else f"{rule.message}（尚未覆盖：{names}）"
    if rule.kind == "ai_share":
        share = metrics["ai_share"]
        return None if share >= threshold else f"{rule.message}（当前{share:.1%}）"
    if rule.kind == "kpi_benchmark":
        have = spec.kpi_levels.index(facts.kpi_benchmark_level)
        return None if have >= spec.kpi_levels.index(threshold) else (
            f"{rule.message}（当前：{spec.kpi_level_names[facts.kpi_benchmark_level]}）"
        )
    if rule.kind == "scenario_count":
        if threshold is None:
            return None  # not set for this campaign: not enforced
        built = metrics["built_scenarios"]
        return None if built >= threshold else f"{rule.message}（要求{threshold}个，当前{built}个）"
    raise ValueError(rule.kind)


def evaluate(spec: FrameworkSpec, facts: Facts) -> dict:
    metrics = _metrics(spec, facts)
    tiers: dict[str, dict] = {}
    for tier in spec.tier_ids:
        unmet = [
            {"rule": b.id, "message": f"基本要求未满足：{b.name}"}
            for b in spec.requirements_for(tier) if not facts.basic_requirements.get(b.id, False)
        ]
        judged = []
        for rule in spec.rules_for(tier):
            if rule.kind == "expert_judgement":
                judged.append({"rule": rule.id, "message": rule.message})
                continue
            problem = _check(spec, rule, tier, facts, metrics)
            if problem:
                unmet.append({"rule": rule.id, "message": problem})
        tiers[tier] = {"met": not unmet, "unmet": unmet, "expert_judged": judged}
    met = [t for t in spec.tier_ids if tiers[t]["met"]]
    attained = met[-1] if met else None
    order = list(spec.tier_ids)
    next_tier = order[0] if attained is None else (order[order.index(attained) + 1] if attained != order[-1] else None)
    gaps = [dict(g, tier=next_tier) for g in tiers[next_tier]["unmet"]] if next_tier else []
    return {
        "framework_version": spec.version,
        "attained_tier": attained,
        "tiers": tiers,
        "next_tier": next_tier,
        "gaps": gaps,
        "suggested_scenarios": suggest_scenarios(spec, facts, next_tier, gaps, metrics),
        "metrics": metrics,
    }


def suggest_scenarios(spec: FrameworkSpec, facts: Facts, tier: str | None, gaps: list[dict], metrics: dict) -> list[int]:
    """Unbuilt scenarios in the dimensions the next tier needs and the factory lacks; AI-capable ones
    first when the AI share is among the gaps (then also AI-capable ones anywhere)."""
    if tier is None:
        return []
    built = {s.number for s in facts.scenarios}
    gap_rules = {g["rule"] for g in gaps}
    missing_dims: set[str] = set()
    ai_gap = False
    for rule in spec.rules_for(tier):
        if rule.id not in gap_rules:
            continue
        if rule.kind == "dimension_coverage":
            missing_dims |= {d for d in rule.threshold_for(tier) if d not in metrics["covered_dimensions"]}
        elif rule.kind == "ai_share":
            ai_gap = True
    candidates = [n for n, s in sorted(spec.scenarios.items()) if n not in built and s.dimension in missing_dims]
    if ai_gap:
        extra = [n for n, s in sorted(spec.scenarios.items()) if n not in built and s.ai_capable and n not in candidates]
        candidates = sorted(candidates + extra, key=lambda n: (not spec.scenarios[n].ai_capable, n))
    return candidates
