"""The mutation check of the programme's rules (``make rules-check``), a pytest plugin.

Loaded with ``-p tests.rulescheck --rules-check``. After collection it replaces the normal test loop:
for every registered guard (``smartfactory.guards``) it neutralises that guard in process and runs the
tests marked ``@pytest.mark.rule(<id>)`` for any rule the guard enforces, stopping at the first red
one. First every marked test runs once with all guards in place: one that fails then proves nothing
and is reported. The check fails when a neutralised guard leaves its tests green, when a guard has no test, when
a rule R1–R24 has no guard, when a rule id is not in the registry, or when a transition table holds a
guard that names no rule. Browser tests are left out: their server is another process.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest
from _pytest.runner import runtestprotocol


def pytest_addoption(parser):
    group = parser.getgroup("rules-check")
    group.addoption("--rules-check", action="store_true", help="neutralise each guard and expect red tests")
    group.addoption("--rules-check-guard", default="", help="only guards whose name contains this text")
    group.addoption("--rules-report", default="", help="write the table (Markdown) to this file")
    group.addoption("--rules-trace", default="", help="run normally; write which tests each guard refused in (JSON)")


_TRACE: dict[str, set] = defaultdict(set)
_CURRENT: list[str] = [""]


def pytest_configure(config):
    if config.getoption("--rules-trace"):
        from smartfactory import guards

        guards.observe(lambda name: _TRACE[name].add(_CURRENT[0]))


def pytest_runtest_setup(item):
    _CURRENT[0] = item.nodeid


def pytest_sessionfinish(session):
    target = session.config.getoption("--rules-trace")
    if target:
        import json

        Path(target).write_text(json.dumps({k: sorted(v) for k, v in sorted(_TRACE.items())}, ensure_ascii=False,
                                           indent=1), encoding="utf-8")


def _rule_items(items) -> dict[str, list]:
    by_rule: dict[str, list] = defaultdict(list)
    for item in items:
        if item.get_closest_marker("e2e"):
            continue
        for mark in item.iter_markers("rule"):
            for rule in mark.args:
                if item not in by_rule[rule]:
                    by_rule[rule].append(item)
    return by_rule


def _first_red(items, spares) -> tuple[str | None, str]:
    """Run the items in turn; the node id of the first that fails (in its body or in a fixture that
    relies on the guard), else None; and an error in teardown (which proves nothing). ``nextitem`` is always another collected
    item, so session fixtures (the test database) stay up between runs."""
    for item in items:
        item.session._setupstate.teardown_exact(item)  # leave only what this item shares on the stack
        nextitem = next((s for s in spares if s is not item), None)
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
        failed = [report for report in reports if report.failed]
        if os.environ.get("RULES_CHECK_VERBOSE") and failed:
            print(f"\n--- {item.nodeid} ({failed[0].when})\n{str(failed[0].longrepr)[-1500:]}")  # noqa: T201
        if any(report.when in ("setup", "call") for report in failed):
            return item.nodeid, ""  # a fixture that relies on the guard counts: the test did not pass
        if failed:
            return None, f"{item.nodeid}: error in {failed[0].when}"
    return None, ""


def _baseline(by_rule: dict[str, list], spares) -> set[str]:
    """Run every rule-marked test once with all guards in place; the node ids of those that fail."""
    seen, broken = set(), set()
    for items in by_rule.values():
        for item in items:
            if item.nodeid in seen:
                continue
            seen.add(item.nodeid)
            item.session._setupstate.teardown_exact(item)
            nextitem = next((s for s in spares if s is not item), None)
            if any(report.failed for report in runtestprotocol(item, nextitem=nextitem, log=False)):
                broken.add(item.nodeid)
    return broken


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    config = session.config
    if not config.getoption("--rules-check"):
        return None
    from smartfactory import guards

    guards.import_all()
    rules = guards.programme_rules()
    by_rule = _rule_items(session.items)
    only = config.getoption("--rules-check-guard")
    spares = session.items[:2]
    problems: list[str] = []
    broken = _baseline(by_rule, spares)  # a test that fails with every guard in place proves nothing
    problems += [f"{nodeid}: fails with no guard neutralised" for nodeid in sorted(broken)]
    by_rule = {rule: [i for i in items if i.nodeid not in broken] for rule, items in by_rule.items()}
    rows: list[tuple[str, str, int, str, str]] = []
    for name, info in sorted(guards.registered().items()):
        unknown = [r for r in info.rules if r not in rules]
        if unknown:
            problems.append(f"{name}: unknown rule id(s) {', '.join(unknown)}")
        if only and only not in name:
            continue
        items = []
        for rule in info.rules:
            items += [i for i in by_rule.get(rule, []) if i not in items]
        if not items:
            rows.append((", ".join(info.rules), name, 0, "—", "NO TEST"))
            problems.append(f"{name}: no test carries the marker of {', '.join(info.rules)}")
            continue
        with guards.neutralised(name):
            red, error = _first_red(items, spares)
        if error:
            problems.append(f"{name}: {error}")
        rows.append((", ".join(info.rules), name, len(items), red or "—", "red" if red else "GREEN"))
        if red is None:
            problems.append(f"{name}: neutralised, its {len(items)} test(s) stay green")
    guarded = {r for info in guards.registered().values() for r in info.rules}
    for rule in rules:
        if rule.startswith("R") and rule not in guarded:
            problems.append(f"{rule}: no guard enforces it")
    problems += [f"unregistered guard {g}" for g in guards.unregistered_table_guards()]
    _report(config, rules, rows, problems)
    session.testsfailed = len(problems)
    session.testscollected = len(rows)
    return True


def _table(rules: dict, rows) -> str:
    lines = ["| rule | guard | tests | first red test | result |", "|---|---|---|---|---|"]
    for rule_ids, name, count, red, result in sorted(rows, key=lambda r: (_order(rules, r[0]), r[1])):
        short = name.removeprefix("smartfactory.")
        lines.append(f"| {rule_ids} | `{short}` | {count} | `{red.split('::')[-1]}` | {result} |")
    return "\n".join(lines)


def _order(rules: dict, rule_ids: str) -> int:
    first = rule_ids.split(", ")[0]
    keys = list(rules)
    return keys.index(first) if first in keys else len(keys)


def _report(config, rules, rows, problems) -> None:
    table = _table(rules, rows)
    tr = config.pluginmanager.get_plugin("terminalreporter")
    write = tr.write_line if tr else print
    write("")
    for line in table.splitlines():
        write(line)
    red = sum(1 for r in rows if r[4] == "red")
    write("")
    for problem in problems:
        write(f"FAILED rules-check: {problem}")
    write(f"rules-check: {len(rows)} guards, {red} red, {len(problems)} problem(s)")
    target = config.getoption("--rules-report") or os.environ.get("RULES_REPORT", "")
    if target:
        Path(target).write_text(table + "\n", encoding="utf-8")
