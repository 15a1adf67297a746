"""Every kind of notification the platform sends, with the label a user reads on the e-mail settings
page. A kind sent with ``notify`` must be listed here (a test checks the source), or its e-mail could
not be turned off."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# (group, [(kind, label), …]) in the order the settings page shows them
KIND_GROUPS = [
    (_("申报与审核"), [
        ("application.arrived", _("新的申报待审核")),
        ("application.resubmitted", _("退回的申报已重新提交")),
        ("application.withdrawn", _("企业撤回申报")),
        ("application.approved", _("申报通过本级审核并上报")),
        ("application.returned", _("申报被退回")),
        ("application.rejected", _("申报未获通过")),
        ("application.recommended", _("申报获推荐")),
        ("application.certified", _("认定为先进级")),
        ("application.declined", _("国家评审未通过")),
    ]),
    (_("推荐"), [
        ("recommendation.submitted", _("推荐批次已报送")),
        ("recommendation.reopened", _("推荐批次退回重新排序")),
    ]),
    (_("截止提醒"), [
        ("reminder.enterprise_submission", _("企业申报截止提醒")),
        ("reminder.review_level", _("审核推荐截止提醒")),
        ("reminder.expert_score", _("专家评分截止提醒")),
        ("reminder.site_visit", _("现场核查日期确认提醒")),
        ("reminder.objection", _("公示异议处理截止提醒")),
        ("cultivation.report_due", _("培育进展报告到期提醒")),
        ("cultivation.acceptance_due", _("培育期届满验收提醒")),
    ]),
    (_("国家评审"), [
        ("evaluation.assigned", _("新的评审任务")),
        ("evaluation.unassigned", _("评审任务撤回")),
        ("evaluation.site_visit", _("现场核查日期待确认")),
        ("evaluation.decided", _("国家评审结论")),
        ("evaluation.returned", _("国家评审退回")),
        ("evaluation.resubmitted", _("补正后重新报送")),
        ("evaluation.rejected", _("国家评审不通过")),
        ("evaluation.to_site_visit", _("转入现场核查")),
    ]),
    (_("领航级培育与验收"), [
        ("cultivation.accepted", _("列为领航级培育对象")),
        ("cultivation.guidance", _("专家指导意见")),
        ("cultivation.closed", _("培育期届满关闭")),
        ("acceptance.submitted", _("验收申请待审核")),
        ("acceptance.reviewed", _("验收申请审核结果")),
        ("acceptance.forwarded", _("验收申请已报送工业和信息化部")),
        ("acceptance.not_accepted", _("未通过验收")),
        ("acceptance.extended", _("验收延期")),
    ]),
    (_("监督管理"), [
        ("supervision.notice", _("监督事项通知")),
        ("supervision.decision", _("监督事项决定")),
        ("supervision.response", _("企业陈述申辩")),
        ("supervision.recheck", _("年度复核")),
        ("supervision.recheck_not_ok", _("年度复核未通过")),
    ]),
    (_("公开与案例"), [
        ("case_consent_requested", _("典型案例公开确认")),
    ]),
]

KIND_LABELS = {kind: label for _group, kinds in KIND_GROUPS for kind, label in kinds}


def label_for(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
