from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("审核中")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予推荐")
    WITHDRAWN = "withdrawn", _("已撤回")
    AWARDED = "awarded", _("已认定")
    RECOMMENDED = "recommended", _("已推荐")
    CULTIVATING = "cultivating", _("领航级培育对象")
    NOT_SELECTED = "not_selected", _("未通过国家评审")


BOOK_TIERS = frozenset({"excellent", "leading"})  # tiers with an application book, recommended in quota
# (the states that draw on a quota: ``campaigns.enums.QUOTA_STATES``)


class Action(models.TextChoices):
    SUBMIT = "submit", _("提交")
    WITHDRAW = "withdraw", _("撤回")
    APPROVE = "approve", _("审核通过并上报")
    RETURN = "return", _("退回修改")
    REJECT = "reject", _("不予推荐")
    RESUBMIT = "resubmit", _("修改后重新提交")
    CERTIFY = "certify", _("认定")
    RECOMMEND = "recommend", _("推荐（占用名额）")
    NATIONAL_AWARD = "national_award", _("六部门审定通过")
    NATIONAL_CULTIVATE = "national_cultivate", _("列为领航级培育对象")
    NATIONAL_DECLINE = "national_decline", _("国家评审未通过")
    NATIONAL_ACCEPT = "national_accept", _("通过领航级验收")


class Level(models.TextChoices):
    COUNTY = "county", _("区县")
    CITY = "city", _("市（州）")
    PROVINCE = "province", _("省级")
    XPCC = "xpcc", _("兵团")
    SOE_HQ = "soe_hq", _("集团总部")
