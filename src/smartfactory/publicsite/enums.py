from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """A typical-scenario case on its way to the public library. The enterprise's consent is given
    to one exact redacted text: editing is possible only in ``draft``, and going back to draft
    clears the consent."""

    DRAFT = "draft", _("草稿")
    CONSENT_REQUESTED = "consent_requested", _("待企业确认")
    CONSENTED = "consented", _("企业已同意")
    DECLINED = "declined", _("企业不同意")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤下")


class CaseAction(models.TextChoices):
    REQUEST_CONSENT = "request_consent", _("请企业确认")
    CONSENT = "consent", _("同意公开")
    DECLINE = "decline", _("不同意公开")
    REVISE = "revise", _("退回草稿修改")
    PUBLISH = "publish", _("发布")
    WITHDRAW = "withdraw", _("撤下")
