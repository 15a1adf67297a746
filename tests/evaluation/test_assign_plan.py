"""The pure assignment planner: caps, exclusions and the augmenting-path repair that fills an
application the greedy pass left short although a full assignment exists."""

from __future__ import annotations

from smartfactory.evaluation.assign import ExpertSlot, Need, plan


def test_repair_moves_an_earlier_choice_to_fill_a_short_application():
    experts = [ExpertSlot(id=1, cap=1, industries=frozenset({"x"})), ExpertSlot(id=2, cap=1),
               ExpertSlot(id=3, cap=1, industries=frozenset({"z"})), ExpertSlot(id=4, cap=1)]
    needs = [Need(key="a", count=1, industry="x", excluded=frozenset({3, 4})),  # 1 or 2; prefers 1
             Need(key="b", count=1, industry="z", excluded=frozenset({1, 2})),  # 3 or 4; prefers 3
             Need(key="c", count=1, excluded=frozenset({2, 4}))]  # only 1 or 3, both taken by the greedy pass
    result = plan(needs, experts)
    assert result.short == {}
    assert result.assignments == {"a": [2], "b": [3], "c": [1]}


def test_short_only_when_no_assignment_exists_and_caps_hold():
    experts = [ExpertSlot(id=i, cap=2) for i in range(3)]  # capacity 6
    needs = [Need(key=f"n{i}", count=2) for i in range(4)]  # demand 8
    result = plan(needs, experts)
    assert sum(result.short.values()) == 2
    loads = {}
    for ids in result.assignments.values():
        assert len(ids) == len(set(ids))
        for i in ids:
            loads[i] = loads.get(i, 0) + 1
    assert loads == {0: 2, 1: 2, 2: 2}


def test_excluded_experts_are_never_planned():
    experts = [ExpertSlot(id=i, cap=10) for i in range(5)]
    needs = [Need(key=f"n{i}", count=2, excluded=frozenset({i})) for i in range(5)]
    result = plan(needs, experts)
    assert not result.short
    assert all(int(k[1:]) not in ids for k, ids in result.assignments.items())


def test_workload_is_balanced_when_expertise_does_not_differ():
    experts = [ExpertSlot(id=i, cap=50) for i in range(7)]
    needs = [Need(key=f"n{i:02d}", count=2) for i in range(30)]
    loads = {}
    for ids in plan(needs, experts).assignments.values():
        for i in ids:
            loads[i] = loads.get(i, 0) + 1
    assert max(loads.values()) - min(loads.values()) <= 1 and sum(loads.values()) == 60
