"""The tier engine at every boundary, determinism, and the facts validator."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from smartfactory.errors import InvalidInput
from smartfactory.frameworks.engine import evaluate, validate_facts
from smartfactory.frameworks.services import DATA_DIR
from smartfactory.frameworks.spec import parse

DOCUMENT = json.loads(json.dumps(yaml.safe_load((DATA_DIR / "framework-2025.yaml").read_text()), default=str))
SPEC = parse(DOCUMENT)
ALL_REQS = {b.id: True for b in SPEC.basic_requirements}
# one built scenario per dimension: 1 (D1), 4 (D2), 24 (D3), 12 (D4), 30 (D5)
FIVE_DIMENSIONS = [1, 4, 24, 12, 30]


def facts(*, reqs=None, cmmm=3, scenarios=None, ai=(), kpi="national_leading"):
    numbers = FIVE_DIMENSIONS if scenarios is None else scenarios
    return {
        "basic_requirements": {**ALL_REQS, **(reqs or {})},
        "cmmm_level": cmmm,
        "scenarios": [{"number": n, "ai": n in ai} for n in numbers],
        "kpi_benchmark_level": kpi,
    }


def verdict(raw, spec=SPEC):
    return evaluate(spec, validate_facts(spec, raw))


def unmet_rules(v, tier):
    return {u["rule"] for u in v["tiers"][tier]["unmet"]}


def test_data_file_has_the_catalogue():
    assert len(SPEC.scenarios) == 40
    assert list(SPEC.links) == ["L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8"]
    counts = {}
    for s in SPEC.scenarios.values():
        counts[s.link] = counts.get(s.link, 0) + 1
    assert counts == {"L1": 3, "L2": 2, "L3": 2, "L4": 12, "L5": 10, "L6": 4, "L7": 3, "L8": 4}
    assert set(SPEC.dimensions) == {"D1", "D2", "D3", "D4", "D5"}
    for rule in DOCUMENT["rules"]:
        assert "confidence" in rule and "source" in rule, rule["id"]


# ---------------------------------------------------------------- AI share (excellent ≥ 20 %)
def test_ai_share_at_threshold_attains_excellent():
    v = verdict(facts(ai={24}))  # 1 of 5 = 20 %
    assert v["metrics"]["ai_share"] == 0.2
    assert v["attained_tier"] == "excellent"


def test_ai_share_just_below_threshold_misses_excellent():
    v = verdict(facts(scenarios=[*FIVE_DIMENSIONS, 13], ai={24}))  # 1 of 6 = 16.7 %
    assert v["attained_tier"] == "advanced"
    assert unmet_rules(v, "excellent") == {"AI-excellent"}
    assert v["next_tier"] == "excellent"
    assert "当前16.7%" in v["gaps"][0]["message"]
    # the AI share is the gap: AI-capable scenarios come first in the suggestions
    suggested = v["suggested_scenarios"]
    assert suggested and all(SPEC.scenarios[n].ai_capable for n in suggested)


def test_ai_share_leading_boundary():
    base = {"cmmm": 4, "kpi": "global_leading"}
    at = verdict(facts(**base, ai={1, 4, 24}))  # 3 of 5 = 60 %
    below = verdict(facts(**base, scenarios=[*FIVE_DIMENSIONS, 13], ai={1, 4, 24}))  # 3 of 6 = 50 %
    assert at["attained_tier"] == "leading"
    assert below["attained_tier"] == "excellent" and unmet_rules(below, "leading") == {"AI-leading"}


# ---------------------------------------------------------------- CMMM level
@pytest.mark.parametrize(("level", "attained"), [(1, None), (2, "advanced"), (3, "excellent")])
def test_cmmm_level_one_below_and_at(level, attained):
    v = verdict(facts(cmmm=level, ai={24}))
    assert v["attained_tier"] == attained
    if level == 2:
        assert unmet_rules(v, "excellent") == {"BR5-excellent"}
        assert "当前2级" in v["gaps"][0]["message"]


def test_cmmm_three_misses_leading_four_attains():
    assert unmet_rules(verdict(facts(cmmm=3, kpi="global_leading", ai={1, 4, 24})), "leading") == {"BR5-leading"}
    assert verdict(facts(cmmm=4, kpi="global_leading", ai={1, 4, 24}))["attained_tier"] == "leading"


# ---------------------------------------------------------------- dimension coverage
def test_one_dimension_missing_for_excellent():
    v = verdict(facts(scenarios=[4, 24, 12, 30], ai={24}))  # no D1 (工厂建设)
    assert v["attained_tier"] == "advanced"
    assert unmet_rules(v, "excellent") == {"COV-excellent"}
    assert "工厂建设" in v["gaps"][0]["message"]
    assert v["suggested_scenarios"] == [1, 2, 3]  # the unbuilt D1 scenarios


def test_production_operations_alone_is_basic_only():
    v = verdict(facts(scenarios=[24], kpi="above_provincial_average", cmmm=2))
    assert v["attained_tier"] == "basic"
    assert unmet_rules(v, "advanced") == {"COV-advanced", "KPI-advanced"}
    assert set(v["suggested_scenarios"]) == {n for n, s in SPEC.scenarios.items() if s.dimension in ("D4", "D5")}


def test_nothing_built_attains_nothing():
    v = verdict(facts(scenarios=[]))
    assert v["attained_tier"] is None and v["next_tier"] == "basic"
    assert v["metrics"]["ai_share"] == 0.0


# ---------------------------------------------------------------- basic requirements and KPI level
def test_one_basic_requirement_false_attains_nothing():
    v = verdict(facts(reqs={"BR3": False}, ai={24}))
    assert v["attained_tier"] is None
    for tier in ("basic", "advanced", "excellent", "leading"):
        assert "BR3" in unmet_rules(v, tier)


def test_legal_status_requirement_only_binds_excellent_and_leading():
    v = verdict(facts(reqs={"BR1b": False}, ai={24}))
    assert v["attained_tier"] == "advanced"
    assert unmet_rules(v, "excellent") == {"BR1b"}


@pytest.mark.parametrize(("kpi", "attained"), [
    ("above_provincial_average", "basic"), ("provincial_leading", "advanced"), ("national_leading", "excellent"),
])
def test_kpi_benchmark_levels(kpi, attained):
    assert verdict(facts(kpi=kpi, ai={24}))["attained_tier"] == attained


def test_expert_judged_rules_are_listed_not_decisive():
    v = verdict(facts(ai={24}))
    judged = {j["rule"] for j in v["tiers"]["excellent"]["expert_judged"]}
    assert {"OUT-excellent", "KPI-improvement"} <= judged
    assert v["tiers"]["excellent"]["met"]


def test_campaign_override_of_an_unknown_threshold():
    strict = parse(DOCUMENT, {"SCN-count": {"basic": 1, "advanced": 5, "excellent": 8, "leading": 12}})
    v = verdict(facts(ai={24}), spec=strict)
    assert v["attained_tier"] == "advanced"
    assert unmet_rules(v, "excellent") == {"SCN-count"}
    assert "要求8个，当前5个" in v["gaps"][0]["message"]
    looser_ai = parse(DOCUMENT, {"AI-excellent": 0.1})
    assert verdict(facts(scenarios=[*FIVE_DIMENSIONS, 13, 14, 15], ai={24}), spec=looser_ai)["attained_tier"] == "excellent"


# ---------------------------------------------------------------- determinism (property)
facts_strategy = st.fixed_dictionaries({
    "basic_requirements": st.fixed_dictionaries({k: st.booleans() for k in ALL_REQS}),
    "cmmm_level": st.integers(1, 5),
    "scenarios": st.lists(st.integers(1, 40), unique=True, max_size=40).flatmap(
        lambda ns: st.tuples(*[st.booleans() for _ in ns]).map(
            lambda flags, ns=ns: [{"number": n, "ai": f} for n, f in zip(ns, flags, strict=True)]
        )
    ),
    "kpi_benchmark_level": st.sampled_from(SPEC.kpi_levels),
})


@settings(max_examples=200, deadline=None)
@given(facts_strategy, st.randoms())
def test_same_facts_same_verdict_in_any_order(raw, rnd):
    first = verdict(raw)
    shuffled = dict(raw, scenarios=rnd.sample(raw["scenarios"], len(raw["scenarios"])))
    assert verdict(shuffled) == first == verdict(json.loads(json.dumps(raw)))
    # attained is consistent with the per-tier results
    met = [t for t in ("basic", "advanced", "excellent", "leading") if first["tiers"][t]["met"]]
    assert first["attained_tier"] == (met[-1] if met else None)


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(("mutate", "field"), [
    (lambda f: f["scenarios"].append({"number": 41, "ai": False}), "scenarios[5].number"),
    (lambda f: f["scenarios"].append({"number": 24, "ai": False}), "scenarios[5].number"),
    (lambda f: f.update(cmmm_level=7), "cmmm_level"),
    (lambda f: f.pop("kpi_benchmark_level"), "kpi_benchmark_level"),
    (lambda f: f["basic_requirements"].pop("BR2c"), "basic_requirements.BR2c"),
    (lambda f: f["basic_requirements"].update(BR99=True), "basic_requirements.BR99"),
    (lambda f: f.update(kpi_benchmark_level="best"), "kpi_benchmark_level"),
    (lambda f: f.update(extra=1), "extra"),
])
def test_bad_facts_name_the_field(mutate, field):
    raw = facts()
    mutate(raw)
    with pytest.raises(InvalidInput) as exc:
        validate_facts(SPEC, raw)
    assert exc.value.field == field


@pytest.mark.django_db
def test_command_prints_the_same_verdict_as_the_api(tmp_path, client_for):
    from tests import factories as f

    raw = facts(ai={24})
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    out = StringIO()
    call_command("evaluate_facts", str(path), stdout=out)
    client = client_for(f.user())
    api = client.post("/api/v1/frameworks/2025/evaluate", raw, content_type="application/json")
    assert api.status_code == 200
    assert json.loads(out.getvalue()) == api.json()


@pytest.mark.django_db
def test_api_scenarios_and_framework(client_for):
    from tests import factories as f

    client = client_for(f.user())
    scenarios = client.get("/api/v1/frameworks/2025/scenarios").json()
    assert [s["number"] for s in scenarios] == list(range(1, 41))
    assert len({s["link_name"] for s in scenarios}) == 8
    assert scenarios[23]["name"] == "在线智能检测" and scenarios[23]["dimension_name"] == "生产作业"
    framework = client.get("/api/v1/frameworks/2025").json()
    assert {b["id"] for b in framework["basic_requirements"]} == set(ALL_REQS)
    assert client.get("/api/v1/frameworks/1999").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("payload_change", "field"), [
    ({"cmmm_level": 7}, "cmmm_level"),
    ({"scenarios": [{"number": 99, "ai": False}]}, "scenarios[0].number"),
])
def test_api_bad_facts_are_422_with_field(client_for, payload_change, field):
    from tests import factories as f

    response = client_for(f.user()).post(
        "/api/v1/frameworks/2025/evaluate", {**facts(), **payload_change}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == field
