"""Programme rules and the guards that enforce them.

Every rule has a stable id: R1–R24 for the notice's rules (工信厅联通装函〔2025〕251号 and the provincial
and city notices that forward it), P1, P2, … for the platform's own. The registry is data
(``data/programme-rules.yaml``: id, source text, source document, where its value is set).

A guard is any function that refuses what a rule forbids: a transition-table guard, an eligibility
check, the quota and deadline checks, an upload check. It declares the rules it enforces::

    @guard("R7")
    def enterprise_deadline(ctx): ...

``make rules-check`` neutralises each guard in turn, in process (the wrapped function returns None
without running), runs the tests marked ``@pytest.mark.rule("R7")`` and expects at least one to fail.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).resolve().parent / "data" / "programme-rules.yaml"


@dataclass(frozen=True)
class GuardInfo:
    name: str  # module.qualname
    rules: tuple[str, ...]


_GUARDS: dict[str, GuardInfo] = {}
_NEUTRALISED: set[str] = set()
_OBSERVERS: list[Callable[[str], None]] = []  # told the guard's name whenever it refuses (rules-trace)


def guard(*rule_ids: str) -> Callable[[Callable], Callable]:
    """Declare a function a guard of the given rules. A guard raises (or, for reason-collecting
    checks, returns a reason) when its rule is broken; neutralised, it returns None."""
    if not rule_ids or not all(isinstance(r, str) and r for r in rule_ids):
        raise ValueError("a guard names at least one rule id")

    def wrap(function: Callable) -> Callable:
        name = f"{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def checked(*args, **kwargs):
            if _NEUTRALISED and name in _NEUTRALISED:
                return None
            if not _OBSERVERS:
                return function(*args, **kwargs)
            try:
                result = function(*args, **kwargs)
            except Exception:
                for observer in _OBSERVERS:
                    observer(name)
                raise
            if result:
                for observer in _OBSERVERS:
                    observer(name)
            return result

        checked.rule_ids = tuple(rule_ids)
        checked.guard_name = name
        _GUARDS[name] = GuardInfo(name, tuple(rule_ids))
        return checked

    return wrap


def observe(callback: Callable[[str], None]) -> None:
    """Call ``callback(guard_name)`` each time a guard refuses (used by ``--rules-trace``)."""
    _OBSERVERS.append(callback)


def is_guard(function: Callable) -> bool:
    return bool(getattr(function, "rule_ids", None))


@contextmanager
def neutralised(name: str) -> Iterator[None]:
    """Within the block the named guard lets everything through (for the mutation check only)."""
    if name not in _GUARDS:
        raise KeyError(name)
    _NEUTRALISED.add(name)
    try:
        yield
    finally:
        _NEUTRALISED.discard(name)


def import_all() -> None:
    """Import every module of the platform so that every guard is registered."""
    import smartfactory

    for module in pkgutil.walk_packages(smartfactory.__path__, "smartfactory."):
        parts = module.name.split(".")
        if "migrations" in parts or "management" in parts or parts[-1] in {"wsgi", "settings", "asgi"}:
            continue
        importlib.import_module(module.name)


def registered() -> dict[str, GuardInfo]:
    return dict(_GUARDS)


@functools.cache
def programme_rules() -> dict[str, dict]:
    """The registry: id → {title, text, source, set_by, kind}; ordered as in the file."""
    with RULES_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {rule["id"]: rule for rule in data["rules"]}


def transition_tables() -> dict[str, dict]:
    """Every declarative transition table of the platform (module → TABLE)."""
    import_all()
    tables = {}
    import sys

    for name, module in list(sys.modules.items()):
        if name.startswith("smartfactory.") and isinstance(getattr(module, "TABLE", None), dict):
            table = module.TABLE
            if table and all(hasattr(row, "guards") for row in table.values()):
                tables[name] = table
    return tables


def unregistered_table_guards() -> list[str]:
    """Guards in a transition table that declare no rule: each is a defect."""
    missing = []
    for module, table in transition_tables().items():
        for action, row in table.items():
            for function in row.guards:
                if not is_guard(function):
                    missing.append(f"{module}.TABLE[{action}]: {getattr(function, '__qualname__', function)}")
    return sorted(set(missing))
