from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    SAFETY_INCIDENT = "safety_incident", _("重大安全事故")
    ENVIRONMENTAL_INCIDENT = "environmental_incident", _("重大环保事故")
    QUALITY_INCIDENT = "quality_incident", _("重大质量事故")
    VIOLATION = "violation", _("违法违规行为")


class Measure(models.TextChoices):
    """What the notice tells the enterprise the authority intends; the decision may be milder, never harsher."""

    SUSPEND = "suspend", _("暂停层级")
    REVOKE = "revoke", _("撤销层级")


class CaseState(models.TextChoices):
    NOTIFIED = "notified", _("已告知，待陈述申辩")
    RESPONDED = "responded", _("企业已陈述申辩")
    DECIDED_SUSPEND = "decided_suspend", _("决定暂停")
    DECIDED_REVOKE = "decided_revoke", _("决定撤销")
    DISMISSED = "dismissed", _("不予处理")
    LIFTED = "lifted", _("已解除暂停")


# a case is open (awaiting the decision) in these states; one open case per award at a time
OPEN_STATES = frozenset({CaseState.NOTIFIED, CaseState.RESPONDED})


class Action(models.TextChoices):
    OPEN = "open", _("立案并告知企业")
    RESPOND = "respond", _("陈述申辩")
    SUSPEND = "suspend", _("决定暂停层级")
    REVOKE = "revoke", _("决定撤销层级")
    DISMISS = "dismiss", _("不予处理")
    LIFT = "lift", _("解除暂停")


class RoundState(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class ItemResult(models.TextChoices):
    OK = "ok", _("符合")
    NOT_OK = "not_ok", _("不符合")
