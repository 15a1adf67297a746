"""Which deadlines bind a review level and a resubmission (the guards in ``workflow`` enforce them;
pages show them). Each answer is a list of (stage, whose deadline) pairs; the earliest binds."""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.services import deadline_for

from .chain import STAGE_OF_LEVEL
from .enums import BOOK_TIERS


def level_stages(app) -> list[tuple[str, dict]]:
    """The current level's own review deadline; at the recommending level of an excellent or leading
    application also the recommender's online-review deadline (R13: 2025-08-01), which closes its
    recommend, return and reject alike."""
    step = app.chain[app.current_step]
    whose = {"authority": app.current_authority}
    stages = [(STAGE_OF_LEVEL[step["level"]], whose)]
    if app.tier in BOOK_TIERS and app.current_step == len(app.chain) - 1:
        stages.append((Stage.RECOMMENDER_ONLINE_REVIEW, whose))
    return stages


def resubmission_stages(app) -> list[tuple[str, dict]]:
    """A returned application is resubmitted before the deadline of the level that returned it; where
    the campaign says so (``resubmit_after_enterprise_deadline`` off), also before the enterprise
    submission deadline."""
    stages = level_stages(app)
    if not app.campaign.resubmit_after_enterprise_deadline:
        stages.append((Stage.ENTERPRISE_SUBMISSION, {"enterprise": app.factory.enterprise}))
    return stages


def resubmission_deadline(app):
    """The instant from which a returned application can no longer be resubmitted (for the return
    notice), or None when no deadline binds."""
    found = [deadline_for(app.campaign, stage, tier=app.tier, **whose) for stage, whose in resubmission_stages(app)]
    found = [d for d in found if d is not None]
    return min(found) if found else None


def return_notice(app) -> dict | None:
    """What the enterprise is told about a returned application: who returned it, why, and until when
    it may be resubmitted (with the campaign's rule in words)."""
    from smartfactory.campaigns.services import format_deadline

    from .enums import State

    if app.state != State.RETURNED:
        return None
    review = app.reviews.filter(decision="return").order_by("-created_at").select_related("authority").first()
    deadline = resubmission_deadline(app)
    rule = (_("可在退回层级的审核截止时间前修改后重新提交（不受企业申报截止时间限制）。")
            if app.campaign.resubmit_after_enterprise_deadline
            else _("须在退回层级的审核截止时间和企业申报截止时间前修改后重新提交。"))
    return {"authority": review.authority if review else app.current_authority, "reason": review.reason if review else "",
            "deadline": format_deadline(deadline) if deadline else "", "rule": rule}
