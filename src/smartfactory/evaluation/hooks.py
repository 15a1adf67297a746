"""What the national evaluation asks of the later ``cultivation`` app for evaluations of kind
``acceptance``: the automatic checks shown at the formal check, and what happens to the acceptance
application when such an evaluation ends not approved or deferred. Cultivation registers both when
Django starts (``CultivationConfig.ready``), so evaluation never imports cultivation (the app order
in the README, checked by import-linter)."""

from __future__ import annotations

from collections.abc import Callable

_acceptance: dict[str, Callable] = {}


def register_acceptance(*, checks: Callable, concluded: Callable) -> None:
    _acceptance.update(checks=checks, concluded=concluded)


def acceptance_checks(acceptance) -> list[dict]:
    return _acceptance["checks"](acceptance)


def acceptance_concluded(evaluation, **kwargs) -> None:
    """In the evaluation workflow's transaction: the acceptance application follows its evaluation."""
    _acceptance["concluded"](evaluation, **kwargs)
