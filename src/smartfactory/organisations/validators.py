"""统一社会信用代码 (GB 32100-2015) validation with Chinese messages that name the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc as stdnum_uscc

from smartfactory.errors import InvalidInput
from smartfactory.guards import guard


def clean_uscc(value: str, *, field_label: str | None = None) -> str:
    """Return the compact USCC or raise ValidationError naming the field and what is wrong."""
    label = field_label or _("统一社会信用代码")
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("%(field)s不能为空。") % {"field": label}, code="required")
    try:
        return stdnum_uscc.validate(raw)
    except stdnum_exceptions.InvalidLength:
        message = _("%(field)s应为18位，当前为%(n)d位。") % {"field": label, "n": len(stdnum_uscc.compact(raw))}
        raise ValidationError(message, code="uscc_length") from None
    except stdnum_exceptions.InvalidChecksum:
        message = _("%(field)s校验位错误，请核对营业执照上的代码。") % {"field": label}
        raise ValidationError(message, code="uscc_checksum") from None
    except stdnum_exceptions.ValidationError:
        message = _("%(field)s格式不正确：前8位应为数字，其余只能是数字或大写字母（不含I、O、Z、S、V）。") % {
            "field": label
        }
        raise ValidationError(message, code="uscc_format") from None


def validate_uscc(value: str) -> None:
    clean_uscc(value)


# Registration authorities outside any one province. "10": the national market regulator
# (国家市场监督管理总局, formerly 国家工商行政管理总局, code 100000) registered some enterprises — chiefly
# central SOEs' group companies — directly; their USCC says nothing about the province, so any county
# is accepted. "66": the XPCC's own registration authorities (兵团, synthetic province 660000); XPCC
# units sit throughout Xinjiang, so 66 is accepted for a county in Xinjiang (65) as well as 65 itself.
NATIONAL_REGISTRATION_PREFIX = "10"
XPCC_REGISTRATION_PREFIX = "66"
XINJIANG_PREFIX = "65"


def uscc_region_mismatch(uscc: str, province_code: str) -> str | None:
    """Why the USCC's registration-authority code (characters 3–8, GB 32100-2015) disagrees with the
    registered province, or None when it agrees. Only the first two digits are compared: an
    enterprise may move between counties (and cities) of a province without a new USCC."""
    prefix, province = uscc[2:4], (province_code or "")[:2]
    if prefix in (NATIONAL_REGISTRATION_PREFIX, province):
        return None
    if prefix == XPCC_REGISTRATION_PREFIX and province == XINJIANG_PREFIX:
        return None
    return _(
        "统一社会信用代码第3–8位（登记管理机关行政区划码 %(code)s）表明企业在%(prefix)s开头的省级行政区登记，"
        "与所选注册地（%(province)s开头）不一致。请核对营业执照上的代码和注册地；迁址跨省的企业须先在新注册地"
        "换领营业执照。"
    ) % {"code": uscc[2:8], "prefix": prefix, "province": province}


@guard("P72")
def ensure_uscc_matches_province(uscc: str, province_code: str, *, field: str = "county") -> None:
    """Refuses a registered county whose province the USCC's registration authority contradicts
    (an enterprise cannot declare itself into another province's programme)."""
    reason = uscc_region_mismatch(uscc, province_code)
    if reason:
        raise InvalidInput(reason, field=field)
