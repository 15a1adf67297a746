from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartfactory.organisations.enums import LegalStatus
from smartfactory.regions.models import Division, Industry


def province_choices():
    return [("", _("请选择省份"))] + [
        (d.code, d.name) for d in Division.objects.filter(level="province", valid_to__isnull=True).order_by("code")
    ]


def industry_choices():
    return [("", _("请选择行业大类"))] + [
        (i.code, f"{i.code} {i.name}") for i in Industry.objects.filter(level="division", is_industrial=True).order_by("code")
    ]


class LocationFields(forms.Form):
    """Province → city → county; the city and county lists are filled by htmx from the choice above."""

    province = forms.ChoiceField(label=_("省份"), required=False)
    city = forms.CharField(label=_("城市"), required=False)
    county = forms.CharField(label=_("区县"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = province_choices()


class RegistrationForm(LocationFields):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("联系人姓名"), max_length=64)
    email = forms.EmailField(label=_("电子邮箱"))
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), help_text=_("至少10位，不能全为数字或过于常见。"))
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=32)
    name = forms.CharField(label=_("企业名称"), max_length=128, required=False)
    legal_status = forms.ChoiceField(label=_("法人类型"), choices=LegalStatus.choices, initial=LegalStatus.INDEPENDENT)
    parent_uscc = forms.CharField(label=_("上级法人统一社会信用代码（分支机构填写）"), max_length=32, required=False)
    industry = forms.ChoiceField(label=_("所属行业（大类）"))
    above_designated_size = forms.BooleanField(label=_("规模以上工业企业"), required=False, initial=True)
    address = forms.CharField(label=_("注册地址"), max_length=255, required=False)
    field_order = [
        "uscc", "name", "legal_status", "parent_uscc", "province", "city", "county", "industry",
        "above_designated_size", "address", "username", "display_name", "email", "password", "password2",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = industry_choices()
        self.fields["county"].required = False
        self.fields["industry"].required = False

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class EnterpriseForm(forms.Form):
    """What the enterprise edits itself; the registration facts go through EnterpriseChangeForm."""

    industry = forms.ChoiceField(label=_("所属行业（大类）"))
    address = forms.CharField(label=_("注册地址"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = industry_choices()


class EnterpriseChangeForm(LocationFields):
    """A change request of the registration facts, prefilled with the current values."""

    name = forms.CharField(label=_("企业名称"), max_length=128)
    legal_status = forms.ChoiceField(label=_("法人类型"), choices=LegalStatus.choices)
    parent_uscc = forms.CharField(label=_("上级法人统一社会信用代码（分支机构填写）"), max_length=32, required=False)
    above_designated_size = forms.BooleanField(label=_("规模以上工业企业"), required=False)
    reason = forms.CharField(label=_("变更理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("例如：2026年3月完成名称变更登记。"))
    file = forms.FileField(label=_("证明材料（PDF、JPG、PNG，不超过20MB）"),
                           help_text=_("如变更后的营业执照、核准变更登记通知书、纳入规上统计的证明。"))


class FactoryForm(LocationFields):
    name = forms.CharField(label=_("工厂名称"), max_length=128)
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    main_products = forms.CharField(label=_("主要产品"), max_length=255, required=False)
    field_order = ["name", "province", "city", "county", "address", "main_products"]


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)
