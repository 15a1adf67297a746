"""Confirmations of final actions: ``{% confirm_text action label subject %}`` names the object and what the
action does ("确定对“蜀都一号工厂”执行“退回修改”？退回后……"). The page's script (``data-confirm``)
asks before the form is sent; the action is taken only if the user agrees."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

CONSEQUENCES = {
    "submit": gettext_noop("提交后进入审核，审核期间不能修改。"),
    "resubmit": gettext_noop("提交后进入审核，审核期间不能修改。"),
    "withdraw": gettext_noop("撤回后可修改再提交，但须在截止时间前。"),
    "approve": gettext_noop("审核通过后报送上级主管部门，本级不能再修改意见。"),
    "return": gettext_noop("退回后，企业可按意见修改，并在截止时间前重新提交。"),
    "reject": gettext_noop("不予推荐后，本年度该申报即告结束，不能恢复。"),
    "certify": gettext_noop("认定后写入层级记录并公布，不能撤回。"),
    "recommend": gettext_noop("推荐后占用本单位的推荐名额，进入推荐排序。"),
    "finalise": gettext_noop("定稿后推荐顺序不能再调整（工业和信息化部退回的除外）。"),
    "submit_batch": gettext_noop("报送后推荐批次进入国家评审，不能再修改。"),
    "formal_pass": gettext_noop("通过后进入专家评审。"),
    "formal_fail": gettext_noop("退回推荐单位补正。"),
    "to_site_visit": gettext_noop("转入现场核查后不能再调整专家评分。"),
    "score": gettext_noop("提交后评分不能修改，但仍可查看。"),
    "decide": gettext_noop("审定后名单即为正式名单，将通知企业并公开。"),
}


@register.simple_tag
def confirm_text(action: str, label, subject) -> str:
    """"确定对“<subject>”执行“<label>”？<what it does>"."""
    text = _("确定对“%(s)s”执行“%(a)s”？") % {"s": subject, "a": label}
    consequence = CONSEQUENCES.get(action)
    return text + _(consequence) if consequence else text
