"""Who writes a ``state`` or ``status`` field: a static scan of ``src/`` for assignments to
``.state``/``.status`` and ``update(state=…)``-style writes, by module and function.

Every write must be an effect that a workflow table runs through the engine (``ENGINE_EFFECTS``),
an import of history in its historical states (``IMPORTS``), or be listed in ``NOT_YET_ON_THE_ENGINE``
with what it is: the objects issue 13 has still to move onto the engine. The lists are exact: a new writer elsewhere fails, and so does an entry that no
longer writes (remove it when its object moves onto the engine)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "smartfactory"

# effects of a transition table row, run inside smartfactory.workflow.transition
ENGINE_EFFECTS = {
    ("applications/workflow.py", "_submit"),
    ("applications/national.py", "national_award"),
    ("applications/national.py", "national_cultivate"),
    ("applications/national.py", "national_decline"),
    ("applications/national.py", "national_accept"),
    ("evaluation/workflow.py", "effect"),  # _formal(verdict): pass → expert review, fail → returned
    ("supervision/workflow.py", "_set_award_status"),  # a supervision decision sets the award's status
}

NOT_YET_ON_THE_ENGINE: dict = {}  # every object with a life is on the engine (issue 13)

# not a state change: rows loaded in the states they had in the imported history, each with an
# audit event "<object>.imported" naming its source (no action is taken, nobody acts)
IMPORTS = {
    ("demo/national_history.py", "build_national_history"): "the demo's 2025 national evaluation, imported",
}


def _writes() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if _writes_state(node):
                    found.add((module, _innermost(function, node)))
    return found


def _innermost(function, node) -> str:
    """The name of the innermost function around ``node`` (effects are often closures)."""
    name = function.name
    for inner in ast.walk(function):
        if inner is not function and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                n is node for n in ast.walk(inner)):
            name = _innermost(inner, node)
    return name


def _writes_state(node) -> bool:
    if isinstance(node, ast.Assign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for element in (target.elts if isinstance(target, ast.Tuple) else [target]):
                if isinstance(element, ast.Attribute) and element.attr in ("state", "status"):
                    return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
            "update", "update_or_create", "bulk_update"):
        for keyword in node.keywords:
            if keyword.arg in ("state", "status"):
                return True
            if keyword.arg == "defaults" and isinstance(keyword.value, ast.Dict) and any(
                    isinstance(k, ast.Constant) and k.value in ("state", "status") for k in keyword.value.keys):
                return True
    return False


def test_every_state_write_is_an_engine_effect_or_listed_as_not_yet_moved():
    found = _writes()
    unknown = found - ENGINE_EFFECTS - set(NOT_YET_ON_THE_ENGINE) - set(IMPORTS)
    assert not unknown, f"state written outside a workflow table: {sorted(unknown)}"
    stale = (ENGINE_EFFECTS | set(NOT_YET_ON_THE_ENGINE) | set(IMPORTS)) - found
    assert not stale, f"listed but no longer writing (remove from the list): {sorted(stale)}"


def test_the_scan_sees_a_direct_write():
    tree = ast.parse("def f(app):\n    app.state = 'x'\n    Model.objects.filter().update(status='y')\n")
    assert sum(_writes_state(n) for n in ast.walk(tree)) == 2
