from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartfactory.campaigns.enums import CampaignStatus, Stage
from smartfactory.campaigns.validators import CHAIN_LEVEL_LABELS
from smartfactory.organisations.enums import Role, Tier


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或信用代码"), required=False)
    city = forms.ChoiceField(label=_("城市"), required=False)
    county = forms.ChoiceField(label=_("区县"), required=False)
    tier = forms.ChoiceField(label=_("已获层级"), required=False, choices=[("", _("全部"))] + list(Tier.choices))


class AuthorityUserForm(forms.Form):
    authority = forms.ChoiceField(label=_("所属单位"))
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[(Role.AUTHORITY_REVIEWER, Role.AUTHORITY_REVIEWER.label), (Role.AUTHORITY_LEADER, Role.AUTHORITY_LEADER.label)],
    )
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput)


class ExpertUserForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput)


class DeadlineOverrideForm(forms.Form):
    authority = forms.ChoiceField(label=_("设定单位"))
    stage = forms.ChoiceField(label=_("环节"), choices=Stage.choices)
    deadline = forms.DateTimeField(
        label=_("截止时间（北京时间）"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("依据（文号或说明）"), max_length=255, required=False)


class NationalDeadlineForm(forms.Form):
    """Ministry staff set or move a national default deadline; an extension needs its basis."""

    stage = forms.ChoiceField(label=_("环节"), choices=Stage.choices)
    tier = forms.ChoiceField(label=_("层级"), required=False, choices=[("", _("全部层级"))] + list(Tier.choices))
    deadline = forms.DateTimeField(
        label=_("截止时间（北京时间）"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("依据（延期须填写文号或说明）"), max_length=255, required=False)


def _deadline_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("截止时间（北京时间）"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CampaignForm(forms.Form):
    """Ministry staff open or change a year's campaign (the service checks every value again)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("名称"), max_length=128)
    notice_number = forms.CharField(label=_("通知文号"), max_length=64, required=False)
    framework_version = forms.ChoiceField(label=_("要素条件版本"))
    tiers_open = forms.MultipleChoiceField(label=_("开放申报层级"), choices=Tier.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    status = forms.ChoiceField(label=_("状态"), choices=CampaignStatus.choices)


class ExtensionForm(forms.Form):
    """Ministry staff extend a national deadline for one province."""

    authority = forms.ChoiceField(label=_("省份"))
    stage = forms.ChoiceField(label=_("环节"), choices=Stage.choices)
    tier = forms.ChoiceField(label=_("层级"), required=False, choices=[("", _("全部层级"))] + list(Tier.choices))
    deadline = _deadline_field()
    reason = forms.CharField(label=_("依据（文号或说明）"), max_length=255)


class ChannelRuleForm(forms.Form):
    registered_in_province_only = forms.BooleanField(label=_("仅受理在本省境内注册的申报主体"), required=False)
    basis = forms.CharField(label=_("依据（文号）"), max_length=255, required=False)


class ReviewChainForm(forms.Form):
    levels = forms.MultipleChoiceField(label=_("审核层级"), choices=list(CHAIN_LEVEL_LABELS.items()), required=False,
                                       widget=forms.CheckboxSelectMultiple)
