"""What the page says after an application's action: what happened, to which application, and what
comes next ("已退回“蜀都一号工厂 · 2041年度先进级”，企业可于2041-07-25 24:00前修改后重新提交。")."""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartfactory.campaigns.services import format_deadline

from .deadlines import resubmission_deadline
from .enums import Action


def after_action(app, action: str) -> str:
    """The success message of ``action`` just taken on ``app`` (read back after the transition)."""
    subject = app.subject_label
    where = app.current_authority.name if app.current_authority_id else ""
    if action in (Action.SUBMIT, Action.RESUBMIT, Action.APPROVE) and where:
        done = _("已提交“%(s)s”") if action != Action.APPROVE else _("已审核通过“%(s)s”")
        return (done + _("，现由%(w)s审核。")) % {"s": subject, "w": where}
    if action == Action.RETURN:
        deadline = resubmission_deadline(app)
        if deadline is not None:
            return _("已退回“%(s)s”，企业可于%(d)s前修改后重新提交。") % {"s": subject, "d": format_deadline(deadline)}
        return _("已退回“%(s)s”，企业可修改后重新提交。") % {"s": subject}
    if action == Action.REJECT:
        return _("已对“%(s)s”作出不予推荐，本年度该申报结束。") % {"s": subject}
    if action == Action.CERTIFY:
        return _("已认定“%(s)s”，证书编号%(n)s。") % {"s": subject, "n": app.certificate_no or "—"}
    if action == Action.RECOMMEND:
        return _("已推荐“%(s)s”，占用一个推荐名额。") % {"s": subject}
    return _("已%(a)s：“%(s)s”。") % {"a": Action(action).label, "s": subject}
