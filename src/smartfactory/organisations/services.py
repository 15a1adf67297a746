"""Writes for organisations, people and tier history. Each function checks who may, validates,
writes, and records an audit event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.accounts.models import User
from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, NotPermitted
from smartfactory.guards import guard
from smartfactory.regions.models import Division, DivisionLevel, Industry

from . import memberships
from .enums import (
    AUTHORITY_ROLES,
    LOCKED_PROFILE_FIELDS,
    AuthorityKind,
    AwardStatus,
    LegalStatus,
    MembershipStatus,
    Role,
    Tier,
)
from .models import Authority, Enterprise, Factory, Membership, TierAward
from .rules import (
    active_memberships,
    authorities_managed_by,
    is_enterprise_admin_of,
    is_enterprise_user_of,
    is_ministry_staff,
    is_platform_admin,
)
from .validators import clean_uscc, ensure_uscc_matches_province

# what the enterprise edits itself; LOCKED_PROFILE_FIELDS change only through changes.py (P70)
ENTERPRISE_EDITABLE = ("industry", "address")


def _invalid(error: ValidationError, field: str) -> InvalidInput:
    return InvalidInput(" ".join(error.messages), field=field)


def _county(code: str, field: str = "county") -> Division:
    division = Division.objects.filter(code=code, level=DivisionLevel.COUNTY, valid_to__isnull=True).first()
    if division is None:
        raise InvalidInput(_("请选择有效的区县。"), field=field)
    return division


def _industry(code: str) -> Industry:
    industry = Industry.objects.filter(code=code, level=Industry.Level.DIVISION, is_industrial=True).first()
    if industry is None:
        raise InvalidInput(_("请选择采矿业、制造业或电力热力燃气及水生产和供应业下的行业大类。"), field="industry")
    return industry


def _snapshot(enterprise: Enterprise) -> dict:
    return {
        "uscc": enterprise.uscc, "name": enterprise.name, "legal_status": enterprise.legal_status,
        "parent_uscc": enterprise.parent_uscc, "county": enterprise.county_id, "industry": enterprise.industry_id,
        "above_designated_size": enterprise.above_designated_size, "address": enterprise.address,
        "soe_group": str(enterprise.soe_group_id or ""), "is_xpcc": enterprise.is_xpcc,
    }


def _apply_location(enterprise: Enterprise, county: Division) -> None:
    enterprise.county = county
    enterprise.province_code = county.province_code
    enterprise.city_code = county.city_code


def _clean_enterprise_fields(data: dict) -> dict:
    """Validate the editable profile fields; raise InvalidInput naming the first bad field."""
    cleaned: dict = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise InvalidInput(_("企业名称不能为空。"), field="name")
        cleaned["name"] = name[:128]
    if "legal_status" in data:
        if data["legal_status"] not in LegalStatus.values:
            raise InvalidInput(_("请选择法人类型。"), field="legal_status")
        cleaned["legal_status"] = data["legal_status"]
    if "parent_uscc" in data:
        parent = (data["parent_uscc"] or "").strip()
        if parent:
            try:
                parent = clean_uscc(parent, field_label=_("上级法人统一社会信用代码"))
            except ValidationError as e:
                raise _invalid(e, "parent_uscc") from None
        cleaned["parent_uscc"] = parent
    if "county" in data:
        cleaned["county"] = _county(str(data["county"]))
    if "industry" in data:
        cleaned["industry"] = _industry(str(data["industry"]))
    if "above_designated_size" in data:
        cleaned["above_designated_size"] = bool(data["above_designated_size"])
    if "address" in data:
        cleaned["address"] = (data["address"] or "").strip()[:255]
    return cleaned


def _check_branch(legal_status: str, parent_uscc: str, own_uscc: str) -> None:
    if legal_status == LegalStatus.BRANCH and not parent_uscc:
        raise InvalidInput(_("分支机构须填写上级法人的统一社会信用代码。"), field="parent_uscc")
    if legal_status == LegalStatus.INDEPENDENT and parent_uscc:
        raise InvalidInput(_("独立法人无需填写上级法人统一社会信用代码。"), field="parent_uscc")
    if parent_uscc and parent_uscc == own_uscc:
        raise InvalidInput(_("上级法人统一社会信用代码不能与本企业相同。"), field="parent_uscc")


@dataclass(frozen=True)
class Registration:
    user: User
    enterprise: Enterprise
    membership: Membership

    @property
    def joined_existing(self) -> bool:
        return self.membership.status == MembershipStatus.PENDING


def _create_user(*, username: str, password: str, display_name: str, email: str) -> User:
    username = (username or "").strip()
    if not username:
        raise InvalidInput(_("用户名不能为空。"), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("用户名“%(u)s”已被使用，请换一个。") % {"u": username}, field="username")
    user = User(username=username, display_name=(display_name or "").strip()[:64], email=(email or "").strip())
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise _invalid(e, "password") from None
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def register_enterprise(
    *, username: str, password: str, display_name: str, email: str, uscc: str, enterprise: dict
) -> Registration:
    """Self-registration of a person together with their enterprise (see ``establish_enterprise``).
    Side effects: user created; then those of ``establish_enterprise``."""
    try:
        uscc = clean_uscc(uscc)
    except ValidationError as e:
        raise _invalid(e, "uscc") from None
    user = _create_user(username=username, password=password, display_name=display_name, email=email)
    record_event("user.register", actor=user, obj=user, after={"username": user.username})
    return establish_enterprise(user, uscc=uscc, enterprise=enterprise)


@transaction.atomic
def establish_enterprise(user: User, *, uscc: str, enterprise: dict) -> Registration:
    """A signed-in person registers their enterprise.

    A new USCC creates the enterprise with the person as its admin; a USCC already on the platform
    creates a pending request to join it instead, which the enterprise admin approves.
    Side effects: enterprise created (audit enterprise.register) or join request (audit
    membership.join_requested).
    """
    try:
        uscc = clean_uscc(uscc)
    except ValidationError as e:
        raise _invalid(e, "uscc") from None
    existing = Enterprise.objects.select_for_update().filter(uscc=uscc).first()
    if existing is not None:
        if Membership.objects.filter(user=user, enterprise=existing).exclude(status=MembershipStatus.REJECTED).exists():
            raise Conflict(_("您已是该企业成员或已提交加入申请。"), field="uscc")
        membership = Membership.objects.create(
            user=user, role=Role.ENTERPRISE_MEMBER, enterprise=existing, status=MembershipStatus.PENDING
        )
        record_event("membership.join_requested", actor=user, obj=existing, after={"user": user.username})
        return Registration(user, existing, membership)
    fields = _clean_enterprise_fields({"name": "", "legal_status": "", "county": "", "industry": "", **enterprise})
    _check_branch(fields["legal_status"], fields.get("parent_uscc", ""), uscc)
    county = fields.pop("county")
    ensure_uscc_matches_province(uscc, county.province_code)
    new = Enterprise(uscc=uscc, **fields)
    _apply_location(new, county)
    new.is_xpcc = county.is_xpcc
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        raise Conflict(_("该统一社会信用代码刚刚被注册，请重新提交以申请加入该企业。"), field="uscc") from None
    membership = Membership.objects.create(user=user, role=Role.ENTERPRISE_ADMIN, enterprise=new)
    record_event("enterprise.register", actor=user, obj=new, after=_snapshot(new))
    return Registration(user, new, membership)


def decide_join_request(membership: Membership, *, actor: User, approve: bool, reason: str = "") -> Membership:
    """The enterprise admin (or a platform admin) approves or rejects a request to join, through the
    membership's machine (``memberships``). Side effects: decided by/at; audit event
    membership.join_approved / membership.join_rejected on the enterprise. A request already answered
    is a ``Conflict``."""
    return memberships.take(membership, memberships.Act.APPROVE if approve else memberships.Act.REJECT,
                            actor=actor, reason=reason)


def _current_value(enterprise: Enterprise, key: str):
    return enterprise.county_id if key == "county" else getattr(enterprise, key)


@guard("P70")
def refuse_self_declared_facts(enterprise: Enterprise, changes: dict) -> None:
    """The facts that decide eligibility are not self-declared: a profile edit (page, API PATCH,
    anyone, platform admins included) that would change one is refused and pointed to the change
    request. Sending a locked field back unchanged is harmless and let through."""
    locked = {k: v for k, v in changes.items() if k in LOCKED_PROFILE_FIELDS}
    cleaned = _clean_enterprise_fields(locked)
    if "county" in cleaned:
        cleaned["county"] = cleaned["county"].code
    differing = sorted(k for k, v in cleaned.items() if v != _current_value(enterprise, k))
    if differing:
        labels = "、".join(str(Enterprise._meta.get_field(k).verbose_name) for k in differing)
        raise NotPermitted(
            _("%(f)s须通过“企业信息变更申请”修改：填写理由、上传证明材料，由属地主管部门确认后生效。") % {"f": labels},
            field=differing[0],
        )


@transaction.atomic
def update_enterprise(enterprise: Enterprise, *, actor: User, changes: dict) -> Enterprise:
    """The enterprise admin edits the profile fields that decide nothing (industry, address); the
    USCC never changes, the registration facts only through ``changes.request_enterprise_change``.
    Unknown keys are refused, not ignored silently. Side effects: audit event with before/after."""
    if not (is_enterprise_admin_of(actor, enterprise) or is_platform_admin(actor)):
        raise NotPermitted()
    refuse_self_declared_facts(enterprise, changes)
    changes = {k: v for k, v in changes.items() if k not in LOCKED_PROFILE_FIELDS}
    unknown = set(changes) - set(ENTERPRISE_EDITABLE)
    if unknown:
        raise InvalidInput(_("以下字段不可修改：%(f)s") % {"f": "、".join(sorted(unknown))}, field=sorted(unknown)[0])
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    before = _snapshot(enterprise)
    fields = _clean_enterprise_fields(changes)
    if "county" in fields:
        _apply_location(enterprise, fields.pop("county"))
    for key, value in fields.items():
        setattr(enterprise, key, value)
    _check_branch(enterprise.legal_status, enterprise.parent_uscc, enterprise.uscc)
    enterprise.save()
    record_event("enterprise.update", actor=actor, obj=enterprise, before=before, after=_snapshot(enterprise))
    return enterprise


def _factory_snapshot(factory: Factory) -> dict:
    return {"name": factory.name, "county": factory.county_id, "address": factory.address, "main_products": factory.main_products}


@transaction.atomic
def create_factory(enterprise: Enterprise, *, actor: User, name: str, county: str, address: str = "",
                   main_products: str = "") -> Factory:
    """An enterprise user adds a factory. Side effects: audit event."""
    if not (is_enterprise_user_of(actor, enterprise) or is_platform_admin(actor)):
        raise NotPermitted()
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("工厂名称不能为空。"), field="name")
    if Factory.objects.filter(enterprise=enterprise, name=name).exists():
        raise InvalidInput(_("本企业已有同名工厂。"), field="name")
    factory = Factory.objects.create(
        enterprise=enterprise, name=name[:128], county=_county(str(county)), address=(address or "")[:255],
        main_products=(main_products or "")[:255],
    )
    record_event("factory.create", actor=actor, obj=factory, after=_factory_snapshot(factory))
    return factory


@transaction.atomic
def update_factory(factory: Factory, *, actor: User, changes: dict) -> Factory:
    if not (is_enterprise_user_of(actor, factory.enterprise) or is_platform_admin(actor)):
        raise NotPermitted()
    unknown = set(changes) - {"name", "county", "address", "main_products"}
    if unknown:
        raise InvalidInput(_("以下字段不可修改：%(f)s") % {"f": "、".join(sorted(unknown))}, field=sorted(unknown)[0])
    factory = Factory.objects.select_for_update().get(pk=factory.pk)
    before = _factory_snapshot(factory)
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise InvalidInput(_("工厂名称不能为空。"), field="name")
        if Factory.objects.filter(enterprise=factory.enterprise, name=name).exclude(pk=factory.pk).exists():
            raise InvalidInput(_("本企业已有同名工厂。"), field="name")
        factory.name = name[:128]
    if "county" in changes:
        factory.county = _county(str(changes["county"]))
    for key in ("address", "main_products"):
        if key in changes:
            setattr(factory, key, (changes[key] or "")[:255])
    factory.save()
    record_event("factory.update", actor=actor, obj=factory, before=before, after=_factory_snapshot(factory))
    return factory


@guard("P83")
def certificate_no_unused(certificate_no: str) -> None:
    """One certificate number, one award: a taken number is refused with a message before the
    database's unique constraint would refuse it with an integrity error."""
    if certificate_no and TierAward.objects.filter(certificate_no=certificate_no).exists():
        raise Conflict(_("证书编号%(n)s已被使用。") % {"n": certificate_no}, field="certificate_no")


@transaction.atomic
def record_tier_award(
    factory: Factory, *, actor: User | None, year: int, tier: str, authority: Authority | None,
    certificate_no: str = "", awarded_on: date | None = None,
) -> TierAward:
    """Writes one line of a factory's tier history. Called by the workflows that award tiers
    (basic declaration, advanced certification, national decision) and by data import.
    Side effects: audit event tier.award."""
    if tier not in Tier.values:
        raise InvalidInput(_("未知的层级：%(t)s") % {"t": tier}, field="tier")
    if tier != Tier.BASIC and authority is None:
        raise InvalidInput(_("先进级及以上层级必须有认定单位。"), field="authority")
    if TierAward.objects.filter(factory=factory, year=year, tier=tier).exists():
        raise Conflict(_("该工厂%(y)s年度已有%(t)s认定记录。") % {"y": year, "t": Tier(tier).label})
    certificate_no_unused(certificate_no)
    award = TierAward.objects.create(
        factory=factory, year=year, tier=tier, authority=authority, certificate_no=certificate_no,
        awarded_on=awarded_on or timezone.localdate(), status=AwardStatus.ACTIVE,
        enterprise_name=factory.enterprise.name,
    )
    record_event(
        "tier.award", actor=actor, obj=factory,
        after={"year": year, "tier": tier, "authority": authority.name if authority else "", "certificate_no": certificate_no},
    )
    return award


def attained_tiers(factory: Factory) -> set[str]:
    """Tiers the factory holds now (active awards), for prerequisite checks by later workflows."""
    return set(factory.tier_awards.filter(status=AwardStatus.ACTIVE).values_list("tier", flat=True))


@transaction.atomic
def create_authority_user(
    authority: Authority, *, actor: User, username: str, password: str, role: str, display_name: str = "",
    email: str = "",
) -> User:
    """The level above (a leader of this authority or of one above it) creates an authority account.
    Side effects: user and membership created; audit event."""
    if not authorities_managed_by(actor).filter(pk=authority.pk).exists():
        raise NotPermitted()
    if role not in AUTHORITY_ROLES:
        raise InvalidInput(_("请选择主管部门角色。"), field="role")
    if role == Role.MINISTRY_STAFF and authority.kind != AuthorityKind.MINISTRY:
        raise InvalidInput(_("部委工作人员只能属于国家部委。"), field="role")
    if role != Role.MINISTRY_STAFF and authority.kind == AuthorityKind.MINISTRY:
        role = Role.MINISTRY_STAFF
    user = _create_user(username=username, password=password, display_name=display_name, email=email)
    Membership.objects.create(user=user, role=role, authority=authority)
    record_event("membership.create", actor=actor, obj=user, after={"role": role, "authority": authority.name})
    return user


@transaction.atomic
def create_expert_user(*, actor: User, username: str, password: str, display_name: str = "", email: str = "") -> User:
    """Ministry staff create expert accounts. Side effects: user and membership; audit event."""
    if not (is_ministry_staff(actor) or is_platform_admin(actor)):
        raise NotPermitted()
    user = _create_user(username=username, password=password, display_name=display_name, email=email)
    Membership.objects.create(user=user, role=Role.EXPERT)
    record_event("membership.create", actor=actor, obj=user, after={"role": Role.EXPERT})
    return user


def revoke_membership(membership: Membership, *, actor: User, reason: str = "") -> Membership:
    """An enterprise admin, a managing leader or a platform admin revokes an active role, through the
    membership's machine (``memberships``). Nobody revokes their own (P73). Side effects: decided
    by/at; audit event membership.revoke on the person. A role no longer active is a ``Conflict``."""
    return memberships.take(membership, memberships.Act.REVOKE, actor=actor, reason=reason)


def memberships_of_enterprise(enterprise: Enterprise):
    return enterprise.memberships.select_related("user", "enterprise").order_by("status", "created_at")


def user_roles_summary(user: User) -> list[dict]:
    return [
        {"role": m.role, "role_label": m.get_role_display(), "organisation": str(m.organisation or "")}
        for m in active_memberships(user)
    ]


AUTHORITY_FIELDS = ("name", "short_name", "kind", "level", "department", "is_lead", "division", "parent", "uscc")


def _authority_snapshot(a: Authority) -> dict:
    return {
        "name": a.name, "short_name": a.short_name, "kind": a.kind, "level": a.level, "department": a.department,
        "is_lead": a.is_lead, "division": a.division_id, "parent": str(a.parent_id or ""), "uscc": a.uscc,
    }


@transaction.atomic
def save_authority(authority: Authority, *, actor: User) -> Authority:
    """Platform admins (and ministry staff) create or change an authority, e.g. a new district
    bureau. Side effects: audit event authority.create / authority.update with before/after."""
    if not (is_platform_admin(actor) or is_ministry_staff(actor)):
        raise NotPermitted()
    before = None
    if authority._state.adding is False:
        before = _authority_snapshot(Authority.objects.select_for_update().get(pk=authority.pk))
    try:
        authority.full_clean()
    except ValidationError as e:
        field, messages = next(iter(e.message_dict.items()))
        raise InvalidInput(" ".join(messages), field=field) from None
    authority.save()
    record_event(
        "authority.update" if before else "authority.create", actor=actor, obj=authority, before=before,
        after=_authority_snapshot(authority),
    )
    return authority
