"""Opening the national evaluation: when a batch reaches MIIT each recommended application waits for
the formal check (``open_evaluations``, run on ``recommendations.signals.batch_submitted``), and the
formal check itself. State moves go through ``workflow.transition``."""

from __future__ import annotations

from smartfactory.audit.services import record_event

from .formal_checks import auto_checks
from .models import (
    Evaluation,
)
from .workflow import Act, transition


def open_evaluations(batch, *, actor) -> list[Evaluation]:
    """When a batch reaches MIIT, each recommended application waits for the formal check.
    Idempotent (a reopened and resubmitted batch keeps its evaluations)."""
    from smartfactory.applications.enums import State

    created = []
    for app in batch.quota.applications.filter(state=State.RECOMMENDED).select_related("factory", "campaign"):
        evaluation, new = Evaluation.objects.get_or_create(
            application=app, kind="selection", defaults={"campaign": app.campaign, "tier": app.tier, "auto_checks": auto_checks(app)})
        if new:
            record_event("evaluation.open", actor=actor, obj=evaluation, after={"application": str(app.pk)})
            created.append(evaluation)
    return created


def formal_check(evaluation: Evaluation, *, actor, passed: bool, reason: str = "") -> Evaluation:
    return transition(evaluation, Act.FORMAL_PASS if passed else Act.FORMAL_FAIL, actor=actor, reason=reason)
