"""Creating and editing applications (drafts and returned ones). State changes: ``workflow.transition``."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import Tier

from . import content as content_rules
from .enums import State
from .models import TierApplication
from .workflow import is_applicant

EDITABLE_STATES = {State.DRAFT, State.RETURNED}


@transaction.atomic
def create_application(factory, campaign, *, tier: str, actor) -> TierApplication:
    """Opens a draft. Side effects: audit event application.create."""
    from smartfactory.organisations.rules import is_enterprise_user_of

    if not is_enterprise_user_of(actor, factory.enterprise):
        raise NotPermitted()
    if tier not in content_rules.FIELDS:
        raise TransitionNotAllowed(_("暂不支持在线申报%(t)s。") % {"t": Tier(tier).label})
    try:
        with transaction.atomic():
            app = TierApplication.objects.create(
                factory=factory, campaign=campaign, tier=tier, created_by=actor,
                province_code=factory.enterprise.province_code,
            )
    except IntegrityError:
        raise Conflict(_("该工厂本年度已有进行中的%(t)s申报。") % {"t": Tier(tier).label}) from None
    record_event("application.create", actor=actor, obj=app, after={"tier": tier, "campaign": campaign.year})
    return app


@transaction.atomic
def update_content(app: TierApplication, *, actor, data: dict) -> TierApplication:
    """The applicant edits a draft or a returned application. Side effects: content saved; audit
    event application.edit listing the changed fields."""
    app = TierApplication.objects.select_for_update(of=("self",)).select_related("factory__enterprise").get(pk=app.pk)
    if not is_applicant(actor, app):
        raise NotPermitted()
    if app.state not in EDITABLE_STATES:
        raise TransitionNotAllowed(_("申报已提交，不能修改；如被退回可修改后重新提交。"))
    cleaned = content_rules.clean(app.tier, data)
    changed = content_rules.diff(app.tier, app.content, {**app.content, **cleaned})
    app.content = {**app.content, **cleaned}
    app.save(update_fields=["content", "updated_at"])
    if changed:
        record_event("application.edit", actor=actor, obj=app, after={"fields": [c["field"] for c in changed]})
    return app


def changes_since_return(app: TierApplication) -> list[dict]:
    """What the enterprise changed after the last return: the version the returning reviewer saw
    against the current (resubmitted) version."""
    returned = app.reviews.filter(decision="return").order_by("-created_at", "-pk").first()
    if returned is None:
        return []
    versions = {v.number: v.content for v in app.versions.all()}
    old = versions.get(returned.version_reviewed, {})
    new = versions.get(app.version, app.content)
    return content_rules.diff(app.tier, old, new)
