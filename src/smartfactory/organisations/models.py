"""Who is who: authorities, enterprises, factories, their tier history, and people's memberships."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartfactory.regions.models import Division, Industry

from .enums import (
    AuthorityKind,
    AuthorityLevel,
    AwardStatus,
    ChangeStatus,
    Department,
    LegalStatus,
    MembershipStatus,
    Role,
    Tier,
)
from .validators import validate_uscc


class Authority(models.Model):
    """A government department at one level, a ministry, XPCC, or a central-SOE headquarters.

    Its jurisdiction is derived from (kind, level, division) in ``queries.py``; ``parent`` is the
    authority above it, which creates its accounts and whose deadlines bound its own.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=64, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=AuthorityKind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=AuthorityLevel.choices)
    department = models.CharField(_("部门类别"), max_length=24, choices=Department.choices)
    is_lead = models.BooleanField(_("牵头部门"), default=False)
    division = models.ForeignKey(
        Division, verbose_name=_("行政区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="authorities"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级主管部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc])

    class Meta:
        verbose_name = _("主管部门")
        verbose_name_plural = _("主管部门")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "department"],
                condition=Q(kind__in=["government", "xpcc"]),
                name="one_department_of_a_kind_per_division",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["ministry", "central_soe"]) | Q(division__isnull=False),
                name="regional_authority_has_division",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_key(self) -> str:
        return str(self.id)


class Enterprise(models.Model):
    """申报主体, keyed by its 统一社会信用代码 (one enterprise per USCC)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("企业名称"), max_length=128)
    legal_status = models.CharField(_("法人类型"), max_length=16, choices=LegalStatus.choices)
    parent_uscc = models.CharField(
        _("上级法人统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc]
    )
    county = models.ForeignKey(
        Division, verbose_name=_("注册地（区县）"), on_delete=models.PROTECT, related_name="enterprises"
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("所属行业（大类）"), on_delete=models.PROTECT, related_name="enterprises"
    )
    above_designated_size = models.BooleanField(_("规模以上工业企业"), default=True)
    soe_group = models.ForeignKey(
        Authority,
        verbose_name=_("所属中央企业集团"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_enterprises",
        limit_choices_to={"kind": AuthorityKind.CENTRAL_SOE},
    )
    is_xpcc = models.BooleanField(_("兵团企业"), default=False)
    address = models.CharField(_("注册地址"), max_length=255, blank=True)
    # denormalised from county for jurisdiction filters on 500 k rows (set by services, never by hand)
    province_code = models.CharField(max_length=6, db_index=True, editable=False)
    city_code = models.CharField(max_length=6, db_index=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(legal_status="independent", parent_uscc="") | Q(legal_status="branch") & ~Q(parent_uscc=""),
                name="branch_has_parent_uscc",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_key(self) -> str:
        return self.uscc


class Factory(models.Model):
    """One smart factory of an enterprise; tiers are awarded to factories."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="factories")
    name = models.CharField(_("工厂名称"), max_length=128)
    county = models.ForeignKey(Division, verbose_name=_("所在区县"), on_delete=models.PROTECT, related_name="factories")
    address = models.CharField(_("地址"), max_length=255, blank=True)
    main_products = models.CharField(_("主要产品"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工厂")
        verbose_name_plural = _("工厂")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"], name="factory_name_unique_in_enterprise")]

    def __str__(self) -> str:
        return self.name


class NameAtIssue:
    """For rows that keep the enterprise's name as it was when they were issued (``enterprise_name``)
    beside a ``factory``: lists, certificates and /verify/ show it, with 现名称 where it changed."""

    @property
    def name_at_issue(self) -> str:
        return self.enterprise_name or self.factory.enterprise.name

    @property
    def current_name(self) -> str:
        """The enterprise's name now, when it differs from the name at issue (else empty)."""
        now = self.factory.enterprise.name
        return now if now != self.name_at_issue else ""


class TierAward(NameAtIssue, models.Model):
    """One line of a factory's tier history: the lineage later tiers check."""

    factory = models.ForeignKey(Factory, verbose_name=_("工厂"), on_delete=models.PROTECT, related_name="tier_awards")
    year = models.PositiveSmallIntegerField(_("年度"))
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("认定单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("基础级为企业自评，无认定单位"),
    )
    certificate_no = models.CharField(_("证书编号"), max_length=64, blank=True)
    awarded_on = models.DateField(_("认定日期"))
    status = models.CharField(_("状态"), max_length=16, choices=AwardStatus.choices, default=AwardStatus.ACTIVE)
    # the date the award appeared on a published list (national decisions); empty = not published
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    # why the status is what it is (a supervision decision's reasons), and since when
    status_reason = models.TextField(_("状态说明"), blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    # the enterprise's registered name when the tier was awarded: lists and certificates keep it
    enterprise_name = models.CharField(_("认定时企业名称"), max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("层级认定记录")
        verbose_name_plural = _("层级认定记录")
        ordering = ["factory", "-year", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["factory", "year", "tier"], name="one_award_per_factory_year_tier"),
            # one certificate number, one award (基础级 self-declarations and imports may have none)
            models.UniqueConstraint(fields=["certificate_no"], condition=~models.Q(certificate_no=""),
                                    name="unique_certificate_no"),
        ]

    def __str__(self) -> str:
        return f"{self.factory} {self.year} {self.get_tier_display()}"


class Membership(models.Model):
    """A person's role in an organisation. Jurisdiction follows from the organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("主管部门"), null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    status = models.CharField(_("状态"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("成员身份")
        verbose_name_plural = _("成员身份")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=["enterprise_admin", "enterprise_member"], enterprise__isnull=False, authority__isnull=True)
                    | Q(
                        role__in=["authority_reviewer", "authority_leader", "ministry_staff"],
                        authority__isnull=False,
                        enterprise__isnull=True,
                    )
                    | Q(role__in=["expert", "platform_admin"], enterprise__isnull=True, authority__isnull=True)
                ),
                name="membership_organisation_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "enterprise"], condition=Q(enterprise__isnull=False), name="membership_unique_enterprise"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "authority"], condition=Q(authority__isnull=False), name="membership_unique_authority"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(enterprise__isnull=True, authority__isnull=True),
                name="membership_unique_personal",
            ),
        ]

    def __str__(self) -> str:
        org = self.enterprise or self.authority or ""
        return f"{self.user} · {self.get_role_display()} · {org}"

    @property
    def organisation(self):
        return self.enterprise or self.authority


class EnterpriseChange(models.Model):
    """A request to change registration facts that decide eligibility (name, legal status, parent,
    county, 规上), with the reason and a supporting file; the enterprise's authority confirms it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="changes")
    before = models.JSONField(_("变更前"), default=dict)
    after = models.JSONField(_("变更后"), default=dict)
    # {field: [before, after]} in words as filed (a county by its full name), so lists need no lookups
    words = models.JSONField(default=dict)
    reason = models.TextField(_("变更理由"))
    file = models.FileField(_("证明材料"), upload_to="enterprise-changes/%Y/")
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    authority = models.ForeignKey(
        Authority, verbose_name=_("确认单位"), on_delete=models.PROTECT, related_name="enterprise_changes"
    )
    status = models.CharField(_("状态"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decision_reason = models.TextField(_("确认意见"), blank=True)

    class Meta:
        verbose_name = _("企业信息变更申请")
        verbose_name_plural = _("企业信息变更申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(status="pending"), name="one_pending_change_per_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_status_display()}"

    @property
    def lines(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) in words, for pages; the words were fixed at filing."""
        return [(str(Enterprise._meta.get_field(k).verbose_name), *self.words.get(k, (self.before.get(k), v)))
                for k, v in self.after.items()]

    @property
    def audit_key(self) -> str:
        return str(self.id)
