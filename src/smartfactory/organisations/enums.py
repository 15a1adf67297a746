from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """The four tiers, lowest first. Their conditions are framework data; these ids are stable."""

    BASIC = "basic", _("基础级")
    ADVANCED = "advanced", _("先进级")
    EXCELLENT = "excellent", _("卓越级")
    LEADING = "leading", _("领航级")


TIER_ORDER = {Tier.BASIC: 1, Tier.ADVANCED: 2, Tier.EXCELLENT: 3, Tier.LEADING: 4}


class AuthorityKind(models.TextChoices):
    MINISTRY = "ministry", _("国家部委")
    GOVERNMENT = "government", _("地方主管部门")
    XPCC = "xpcc", _("新疆生产建设兵团")
    CENTRAL_SOE = "central_soe", _("中央企业集团")


class AuthorityLevel(models.TextChoices):
    NATIONAL = "national", _("国家")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class Department(models.TextChoices):
    INDUSTRY = "industry", _("工业和信息化（经信）")
    DEVELOPMENT_REFORM = "development_reform", _("发展改革")
    FINANCE = "finance", _("财政")
    SASAC = "sasac", _("国资")
    MARKET_REGULATION = "market_regulation", _("市场监管")
    DATA = "data", _("数据")
    HEADQUARTERS = "headquarters", _("集团总部")


class LegalStatus(models.TextChoices):
    INDEPENDENT = "independent", _("独立法人")
    BRANCH = "branch", _("法人分支机构")


class Role(models.TextChoices):
    ENTERPRISE_ADMIN = "enterprise_admin", _("企业管理员")
    ENTERPRISE_MEMBER = "enterprise_member", _("企业填报人员")
    AUTHORITY_REVIEWER = "authority_reviewer", _("主管部门审核人员")
    AUTHORITY_LEADER = "authority_leader", _("主管部门负责人")
    MINISTRY_STAFF = "ministry_staff", _("部委工作人员")
    EXPERT = "expert", _("专家")
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")


ENTERPRISE_ROLES = {Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER}
AUTHORITY_ROLES = {Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER, Role.MINISTRY_STAFF}


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    ACTIVE = "active", _("有效")
    REJECTED = "rejected", _("已拒绝")
    REVOKED = "revoked", _("已停用")


class AwardStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("撤销")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# The registration facts that decide eligibility (R2 规上, R5 legal person/branch, R21 province): they
# change only through a change request the enterprise's authority confirms (P70, P71).
LOCKED_PROFILE_FIELDS = ("name", "legal_status", "parent_uscc", "county", "above_designated_size")
