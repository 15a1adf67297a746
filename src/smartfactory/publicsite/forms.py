"""Forms of the case pages: they shape input only; the rules are in services and workflow."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartfactory.errors import ProgrammeError

from .services import TEXT_LIMIT, TITLE_LIMIT


class CaseCreateForm(forms.Form):
    scenario_number = forms.TypedChoiceField(label=_("典型场景"), coerce=int)
    title = forms.CharField(label=_("案例标题"), max_length=TITLE_LIMIT, required=False,
                            help_text=_("留空则用“工厂名称：场景名称”。"))


class CaseEditForm(forms.Form):
    title = forms.CharField(label=_("案例标题"), max_length=TITLE_LIMIT)
    redacted_text = forms.CharField(
        label=_("公开文本（脱敏后）"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("删去商业秘密、具体数据来源、人员姓名和联系方式等不宜公开的内容；保存后自动检查。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由或意见"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


def add_service_error(form: forms.Form, error: ProgrammeError) -> None:
    """Show a service's refusal on the field it names (or on the whole form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
