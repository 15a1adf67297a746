"""Paper copies (R15, R21, R22): what each receiving level requires (data), what arrived, the
shortfalls, and the verification code that proves the paper equals the submitted version."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from smartfactory.applications.models import ApplicationVersion, TierApplication
from smartfactory.audit.services import record_event
from smartfactory.campaigns.models import PaperRequirement
from smartfactory.errors import InvalidInput, NotPermitted
from smartfactory.organisations.enums import MembershipStatus, Role
from smartfactory.organisations.models import Authority, Membership

from .models import PaperReceipt

PER_APPLICATION = (PaperRequirement.Item.APPLICATION, PaperRequirement.Item.COMMITMENT)


def requirements(campaign, authority: Authority) -> dict[str, PaperRequirement]:
    return {r.item: r for r in PaperRequirement.objects.filter(campaign=campaign, authority=authority)}


def reached(authority: Authority):
    """Applications whose chain includes this authority and that have got to (or past) it."""
    candidates = TierApplication.objects.filter(chain__icontains=str(authority.id)).exclude(state="draft").select_related(
        "factory", "factory__enterprise", "campaign")
    out = []
    for app in candidates:
        steps = [i for i, s in enumerate(app.chain) if s["authority"] == str(authority.id)]
        if steps and (app.current_step >= steps[0] or app.state in ("recommended", "awarded", "cultivating", "not_selected")):
            out.append(app)
    return out


def check_code(app: TierApplication, code: str) -> tuple[bool | None, str]:
    code = (code or "").strip().upper()
    if not code:
        return None, ""
    version = ApplicationVersion.objects.filter(application=app, verification_code=code).first()
    if version is None:
        return False, _("校验码不属于该申报，纸质材料与线上不一致。")
    if version.number != app.version:
        return False, _("纸质材料为第%(n)d版，线上已是第%(m)d版，请要求报送最新版本。") % {"n": version.number, "m": app.version}
    return True, _("纸质材料与线上第%(n)d版一致。") % {"n": version.number}


@transaction.atomic
def log_receipt(authority: Authority, *, actor, item: str, copies: int, sender: str, application=None,
                verification_code: str = "") -> tuple[PaperReceipt, str]:
    """The receiving level logs what arrived. Side effects: receipt row; audit event paper.received."""
    if not Membership.objects.filter(user=actor, authority=authority, status=MembershipStatus.ACTIVE,
                                     role__in=[Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER]).exists():
        raise NotPermitted()
    if item not in PaperRequirement.Item.values:
        raise InvalidInput(_("未知的材料类别。"), field="item")
    if not 1 <= copies <= 100:
        raise InvalidInput(_("份数应在1至100之间。"), field="copies")
    if item in PER_APPLICATION and application is None:
        raise InvalidInput(_("请选择对应的申报。"), field="application")
    matches, message = check_code(application, verification_code) if application is not None else (None, "")
    receipt = PaperReceipt.objects.create(
        receiving=authority, item=item, copies=copies, application=application, sender=(sender or "")[:128],
        verification_code=(verification_code or "").strip().upper()[:16], matches_online=matches, received_by=actor,
    )
    record_event("paper.received", actor=actor, obj=authority, after={
        "item": item, "copies": copies, "application": str(application.id) if application else "",
        "matches_online": matches,
    })
    return receipt, message


def status(authority: Authority, campaign) -> list[dict]:
    """Per application that reached this level: required / received per item, shortfalls and the
    code check; plus the summary tables received from each sender."""
    rules = requirements(campaign, authority)
    rows = []
    for app in [a for a in reached(authority) if a.campaign_id == campaign.pk]:
        receipts = PaperReceipt.objects.filter(receiving=authority, application=app)
        items = []
        for item in PER_APPLICATION:
            rule = rules.get(item)
            got = receipts.filter(item=item).aggregate(n=Sum("copies"))["n"] or 0
            items.append({"item": PaperRequirement.Item(item).label, "required": rule.copies if rule else 0,
                          "received": got, "short": max((rule.copies if rule else 0) - got, 0)})
        verified = receipts.exclude(matches_online=None).order_by("-received_at").first()
        rows.append({"application": app, "items": items, "short": any(i["short"] for i in items),
                     "matches_online": verified.matches_online if verified else None})
    return rows
