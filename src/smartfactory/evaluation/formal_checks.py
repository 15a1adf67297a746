"""The automatic checks the ministry's formal check shows: the application's completeness and
eligibility for a selection, the acceptance application's (from cultivation, through ``hooks``) for
an acceptance. Read by ``opening`` and by the workflow when a returned evaluation is resubmitted."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import hooks
from .models import (
    Evaluation,
)


def auto_checks(app) -> list[dict]:
    """The automatic completeness and eligibility checks the formal check shows the ministry."""
    from smartfactory.applications import book as book_rules
    from smartfactory.applications.book_entries import entries_of
    from smartfactory.applications.eligibility import reasons_not_eligible
    from smartfactory.applications.models import Attachment

    version = app.versions.order_by("-number").first()
    book = version.snapshot.get("book", {}) if version else entries_of(app)
    missing = book_rules.missing(app.campaign.framework_version, app.tier, book)
    have = set(app.attachments.values_list("kind", flat=True))
    required = book_rules.required_attachments(app.campaign.framework_version, app.tier)
    missing_files = [str(Attachment.Kind(k).label) for k in required if k not in have]
    reasons = reasons_not_eligible(app.factory, app.campaign, app.tier)
    findings = (app.confidentiality or {}).get("findings", [])
    return [
        {"key": "book", "label": _("申报书完整"), "ok": not missing, "detail": "、".join(missing)},
        {"key": "attachments", "label": _("必备附件齐全"), "ok": not missing_files, "detail": "、".join(missing_files)},
        {"key": "eligibility", "label": _("申报资格（前置层级、基本要求等）"), "ok": not reasons, "detail": "；".join(reasons)},
        {"key": "version", "label": _("已生成带校验码的提交版本"), "ok": version is not None,
         "detail": version.verification_code if version else ""},
        {"key": "confidentiality", "label": _("保密审查无未说明的疑似涉密内容"),
         "ok": not findings or bool(app.confidentiality_justification.strip()), "detail": str(len(findings))},
        {"key": "commitment", "label": _("真实性承诺书及法定代表人"), "ok": bool(app.legal_representative) and "commitment" in have,
         "detail": app.legal_representative},
    ]


def checks_for(evaluation: Evaluation) -> list[dict]:
    """The automatic checks of an evaluation: the application's for a selection, the acceptance
    application's for an acceptance."""
    if evaluation.kind == "acceptance":
        return hooks.acceptance_checks(evaluation.acceptance)
    return auto_checks(evaluation.application)
