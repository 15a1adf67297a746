"""Paper copies (R14, R15, R21, R22): what each receiving desk requires per tier (data, set by the
desk itself), what arrived and when, the shortfalls, late deliveries, missing PDF scans, and the
verification code that proves the paper equals the current online version.

Who sends to a desk: for a level in an application's review chain, the level below it in that chain
(the enterprise itself when the desk is the first level); for MIIT and SASAC, the recommender of a
batch submitted to the ministry. A requirement applies only to its tier and, when it names sender
kinds (SASAC: central SOEs), only to senders of those kinds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.applications.models import ApplicationVersion, TierApplication
from smartfactory.audit.services import record_event
from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import PaperRequirement
from smartfactory.campaigns.services import deadline_for, format_deadline
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted
from smartfactory.guards import guard
from smartfactory.organisations.enums import AuthorityKind, Role, Tier
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import active_memberships, has_role_at, is_platform_admin
from smartfactory.uploads import MB, check_upload

from .models import Batch, PaperReceipt

Item = PaperRequirement.Item
PER_APPLICATION = (Item.APPLICATION, Item.COMMITMENT)
PER_SENDER = (Item.SUMMARY_TABLE, Item.LETTER)
DESK_ROLES = (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER, Role.MINISTRY_STAFF)
PAPER_TIERS = (Tier.ADVANCED, Tier.EXCELLENT, Tier.LEADING)
ENTERPRISE = "enterprise"  # the sender kind of an application's own materials at the first level
PDF = {"application/pdf": "pdf"}


# ------------------------------------------------------------------ desks and requirements
def desks_for_user(user) -> list[Authority]:
    """The receiving desks (authorities) this user logs paper for."""
    seen, out = set(), []
    for m in active_memberships(user):
        if m.authority_id and m.role in DESK_ROLES and m.authority_id not in seen:
            seen.add(m.authority_id)
            out.append(m.authority)
    return out


def requirements(campaign, authority: Authority, tier: str | None = None) -> list[PaperRequirement]:
    rows = PaperRequirement.objects.filter(campaign=campaign, authority=authority)
    if tier is not None:
        rows = rows.filter(tier=tier)
    return list(rows.order_by("tier", "item"))


def applies(requirement: PaperRequirement, sender_kind: str) -> bool:
    return not requirement.sender_kinds or sender_kind in requirement.sender_kinds


def _rule(rules: list[PaperRequirement], tier: str, item: str, sender_kind: str) -> PaperRequirement | None:
    return next((r for r in rules if r.tier == tier and r.item == item and applies(r, sender_kind)), None)


@guard("P40")
def ensure_may_set_requirements(actor, authority: Authority) -> None:
    """A desk's requirements are set by that desk: its leader, or ministry staff for a ministry."""
    if is_platform_admin(actor):
        return
    role = Role.MINISTRY_STAFF if authority.kind == AuthorityKind.MINISTRY else Role.AUTHORITY_LEADER
    if not has_role_at(actor, authority, [role]):
        raise NotPermitted(_("纸质材料要求由接收单位的负责人设定。"))


@transaction.atomic
def set_requirement(campaign, authority: Authority, *, actor, tier: str, item: str, copies: int,
                    scan_required: bool = False, sender_kinds: list[str] | None = None,
                    basis: str = "") -> PaperRequirement | None:
    """A desk sets (or, with 0 copies, removes) what it requires on paper for one tier. Side effects:
    the requirement row; audit event paper.requirement_set with before/after."""
    ensure_may_set_requirements(actor, authority)
    if tier not in PAPER_TIERS:
        raise InvalidInput(_("请选择先进级、卓越级或领航级。"), field="tier")
    if item not in Item.values:
        raise InvalidInput(_("未知的材料类别。"), field="item")
    if not 0 <= copies <= 100:
        raise InvalidInput(_("份数应在0至100之间（0表示不要求）。"), field="copies")
    kinds = sorted(set(sender_kinds or []))
    if set(kinds) - set(AuthorityKind.values) - {ENTERPRISE}:
        raise InvalidInput(_("未知的报送单位类型。"), field="sender_kinds")
    existing = PaperRequirement.objects.select_for_update().filter(
        campaign=campaign, authority=authority, tier=tier, item=item).first()
    before = _requirement_dict(existing) if existing else None
    obj = None
    if copies == 0:
        if existing:
            existing.delete()
    else:
        obj, _created = PaperRequirement.objects.update_or_create(
            campaign=campaign, authority=authority, tier=tier, item=item,
            defaults={"copies": copies, "scan_required": bool(scan_required), "sender_kinds": kinds,
                      "basis": (basis or "")[:255], "set_by": actor})
    record_event("paper.requirement_set", actor=actor, object_type="campaigns.paperrequirement",
                 object_id=f"{campaign.year}:{authority.id}:{tier}:{item}", before=before,
                 after=_requirement_dict(obj) if obj else None, reason=basis)
    return obj


def _requirement_dict(r: PaperRequirement) -> dict:
    return {"copies": r.copies, "scan_required": r.scan_required, "sender_kinds": r.sender_kinds, "basis": r.basis}


# ------------------------------------------------------------------ what reaches a desk
@dataclass
class Incoming:
    application: TierApplication
    sender: Authority | None  # None: the enterprise itself

    @property
    def sender_kind(self) -> str:
        return self.sender.kind if self.sender else ENTERPRISE


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


def incoming(authority: Authority, campaign) -> list[Incoming]:
    """Every application whose paper comes to this desk in the campaign, with who sends it."""
    from .services import recommended, recommender_authority

    if authority.kind == AuthorityKind.MINISTRY:
        out = []
        batches = Batch.objects.filter(status=Batch.Status.SUBMITTED, quota__campaign=campaign).select_related(
            "quota", "quota__soe_group").order_by("quota__tier", "quota__name")
        for batch in batches:
            sender = recommender_authority(batch.quota)
            out.extend(Incoming(app, sender) for app in recommended(batch.quota))
        return out
    apps = [a for a in reached(authority) if a.campaign_id == campaign.pk]
    below = {}
    for app in apps:
        step = next(i for i, s in enumerate(app.chain) if s["authority"] == str(authority.id))
        below[app.pk] = app.chain[step - 1]["authority"] if step > 0 else None
    senders = {str(pk): a for pk, a in Authority.objects.in_bulk([b for b in below.values() if b]).items()}
    return [Incoming(app, senders.get(below[app.pk]) if below[app.pk] else None) for app in apps]


def delivery_deadline(campaign, tier: str, incoming_row: Incoming) -> datetime | None:
    """The paper-delivery deadline that binds the sender (the earliest set above it)."""
    if incoming_row.sender is not None:
        return deadline_for(campaign, Stage.PAPER_DELIVERY, tier=tier, authority=incoming_row.sender)
    return deadline_for(campaign, Stage.PAPER_DELIVERY, tier=tier, enterprise=incoming_row.application.factory.enterprise)


# ------------------------------------------------------------------ the checks
@guard("R14", "R15", "R21", "R22")
def superseded_copy(receipt: PaperReceipt, current_code: str) -> str | None:
    """Copies of the book whose footer code is not the current version's do not count."""
    if receipt.item == Item.APPLICATION and receipt.verification_code != current_code:
        return _("校验码%(code)s不是线上当前版本，该%(n)d份不计入。") % {"code": receipt.verification_code or "—",
                                                             "n": receipt.copies}
    return None


@guard("R15", "R21", "R22")
def shortfall(requirement: PaperRequirement | None, received: int) -> str | None:
    if requirement is not None and received < requirement.copies:
        return _("%(item)s缺%(n)d份") % {"item": requirement.get_item_display(), "n": requirement.copies - received}
    return None


@guard("R21", "R22", "P41")
def late_delivery(receipt: PaperReceipt, deadline: datetime | None) -> str | None:
    """A delivery at or after the paper-delivery deadline (Asia/Shanghai) is flagged as late."""
    if deadline is not None and receipt.arrived_at is not None and receipt.arrived_at >= deadline:
        return _("%(item)s于%(at)s送达，晚于报送截止时间%(deadline)s") % {
            "item": Item(receipt.item).label, "at": format_deadline(receipt.arrived_at),
            "deadline": format_deadline(deadline)}
    return None


@guard("R22")
def ensure_scan(requirement: PaperRequirement, scan) -> None:
    """Where the requirement asks for the stamped PDF scan, the paper is logged only with it."""
    if requirement.scan_required and scan is None:
        raise NotEligible(_("本级要求同时报送扫描盖章的PDF电子版，请上传扫描件后再登记。"), field="scan")


def check_code(app: TierApplication, code: str) -> tuple[bool | None, str]:
    code = (code or "").strip().upper()
    if not code:
        return None, ""
    version = ApplicationVersion.objects.filter(application=app, verification_code=code).first()
    if version is None:
        return False, _("校验码不属于该申报，纸质材料与线上不一致。")
    if version.number != app.version:
        return False, _("纸质材料为第%(n)d版，线上已是第%(m)d版，请要求报送最新版本（旧版份数不计入）。") % {
            "n": version.number, "m": app.version}
    return True, _("纸质材料与线上第%(n)d版一致。") % {"n": version.number}


# ------------------------------------------------------------------ logging what arrived
@transaction.atomic
def log_receipt(authority: Authority, *, actor, item: str, copies: int, campaign=None, tier: str = "",
                application: TierApplication | None = None, sender_authority: Authority | None = None,
                sender: str = "", verification_code: str = "", arrived_at: datetime | None = None,
                scan=None) -> tuple[PaperReceipt, str]:
    """The receiving desk logs what arrived. The application (for the book and the commitment) or
    the sending level (for the summary table and the letter) must be one that sends to this desk,
    and this desk must require the item for that tier. Side effects: receipt row (with the scan);
    audit event paper.received."""
    if not has_role_at(actor, authority, DESK_ROLES):
        raise NotPermitted()
    if item not in Item.values:
        raise InvalidInput(_("未知的材料类别。"), field="item")
    if not 1 <= copies <= 100:
        raise InvalidInput(_("份数应在1至100之间。"), field="copies")
    now = timezone.now()
    arrived_at = arrived_at or now
    if timezone.is_naive(arrived_at) or arrived_at > now:
        raise InvalidInput(_("送达时间不能晚于现在。"), field="arrived_at")
    campaign = campaign or (application.campaign if application else None)
    if campaign is None:
        raise InvalidInput(_("请选择年度。"), field="campaign")
    rows = incoming(authority, campaign)
    code = (verification_code or "").strip().upper()[:16]
    if item in PER_APPLICATION:
        row = next((r for r in rows if application is not None and r.application.pk == application.pk), None)
        if row is None:
            raise InvalidInput(_("请选择报送到本级的申报。"), field="application")
        tier, sender_authority = application.tier, row.sender
        if item == Item.APPLICATION and not code:
            raise InvalidInput(_("请录入申报书页脚的校验码，以核对纸质版与线上版本一致。"), field="code")
    else:
        row = next((r for r in rows if sender_authority is not None and r.sender == sender_authority
                    and r.application.tier == tier), None)
        if row is None:
            raise InvalidInput(_("请选择向本级报送该层级材料的单位。"), field="sender_authority")
        application = None
    requirement = _rule(requirements(campaign, authority), tier, item, row.sender_kind)
    if requirement is None:
        raise InvalidInput(_("本级未对%(tier)s设定“%(item)s”的纸质材料要求，无需登记。") % {
            "tier": Tier(tier).label, "item": Item(item).label}, field="item")
    checked = None
    if scan is not None:
        checked = check_upload(scan, types=PDF, max_bytes=20 * MB, type_message=_("扫描件须为PDF格式（按文件内容识别）。"))
    ensure_scan(requirement, scan)
    matches, message = check_code(application, code) if application is not None else (None, "")
    receipt = PaperReceipt(
        receiving=authority, tier=tier, item=item, copies=copies, application=application,
        sender_authority=sender_authority, verification_code=code, matches_online=matches, arrived_at=arrived_at,
        sender=(sender or (sender_authority.name if sender_authority else application.factory.enterprise.name))[:128],
        received_by=actor,
    )
    if checked is not None:
        receipt.scan_sha256 = checked.sha256
        receipt.scan.save(f"{checked.sha256[:32]}.pdf", scan, save=False)
    receipt.save()
    late = late_delivery(receipt, delivery_deadline(campaign, tier, row))
    record_event("paper.received", actor=actor, obj=authority, after={
        "item": item, "tier": tier, "copies": copies, "application": str(application.id) if application else "",
        "sender": str(sender_authority.id) if sender_authority else "", "matches_online": matches,
        "arrived_at": timezone.localtime(arrived_at).isoformat(), "late": bool(late), "scan": receipt.scan_sha256,
    })
    return receipt, " ".join(m for m in (message, late or "") if m)


# ------------------------------------------------------------------ the desk's status
def status(authority: Authority, campaign) -> dict:
    """Per application that comes to this desk (where any requirement applies to it): required and
    counted copies per item, with the findings (shortfalls, then the notes: superseded copies and late
    deliveries); per sending level and tier: its summary tables and letters, likewise."""
    rules = requirements(campaign, authority)
    rows_in = incoming(authority, campaign)
    apps = [r.application for r in rows_in]
    receipts = list(PaperReceipt.objects.filter(receiving=authority).filter(
        application__in=apps).order_by("received_at")) if apps else []
    numbers = {a.pk: a.version for a in apps}
    codes = {v.application_id: v.verification_code for v in ApplicationVersion.objects.filter(
        application__in=apps).only("application_id", "number", "verification_code") if v.number == numbers[v.application_id]}
    applications, senders, deadlines = [], {}, {}
    for row in rows_in:
        app, kind = row.application, row.sender_kind
        key = (app.tier, row.sender.pk if row.sender else app.factory.enterprise_id)
        if key not in deadlines:
            deadlines[key] = delivery_deadline(campaign, app.tier, row)
        deadline = deadlines[key]
        mine = [r for r in receipts if r.application_id == app.pk]
        items, notes, shorts = [], [], []
        for item in PER_APPLICATION:
            rule = _rule(rules, app.tier, item, kind)
            if rule is None:
                continue
            counted = 0
            for receipt in (r for r in mine if r.item == item):
                reason = superseded_copy(receipt, codes.get(app.pk, ""))
                notes.extend(x for x in (reason, late_delivery(receipt, deadline)) if x)
                counted += 0 if reason else receipt.copies
            short = shortfall(rule, counted)
            shorts.extend([short] if short else [])
            items.append({"item": rule.get_item_display(), "required": rule.copies, "received": counted,
                          "short": max(rule.copies - counted, 0) if short else 0, "scan_required": rule.scan_required})
        if items:
            applications.append({"application": app, "sender": row.sender, "items": items, "findings": shorts + notes,
                                 "notes": notes,
                                 "short": any(i["short"] for i in items), "deadline": deadline,
                                 "matches_online": _code_state(mine, codes.get(app.pk, ""))})
        if row.sender is not None and (row.sender.pk, app.tier) not in senders:
            senders[(row.sender.pk, app.tier)] = (row, deadline)
    return {"applications": applications, "senders": _sender_rows(authority, rules, senders)}


def _code_state(receipts, current_code: str) -> bool | None:
    books = [r for r in receipts if r.item == Item.APPLICATION]
    if not books:
        return None
    return books[-1].verification_code == current_code


def _sender_rows(authority: Authority, rules, senders: dict) -> list[dict]:
    out = []
    receipts = list(PaperReceipt.objects.filter(receiving=authority, application__isnull=True,
                                                sender_authority_id__in=[k[0] for k in senders]))
    for (sender_id, tier), (row, deadline) in senders.items():
        items, notes, shorts = [], [], []
        for item in PER_SENDER:
            rule = _rule(rules, tier, item, row.sender_kind)
            if rule is None:
                continue
            mine = [r for r in receipts if r.sender_authority_id == sender_id and r.tier == tier and r.item == item]
            counted = sum(r.copies for r in mine)
            notes.extend(x for r in mine if (x := late_delivery(r, deadline)))
            short = shortfall(rule, counted)
            shorts.extend([short] if short else [])
            items.append({"item": rule.get_item_display(), "required": rule.copies, "received": counted,
                          "short": max(rule.copies - counted, 0) if short else 0, "scan_required": rule.scan_required})
        if items:
            out.append({"sender": row.sender, "tier": tier, "tier_label": Tier(tier).label, "items": items,
                        "findings": shorts + notes, "notes": notes,
                        "short": any(i["short"] for i in items), "deadline": deadline})
    return out
