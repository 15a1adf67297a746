"""统一社会信用代码 (GB 32100-2015) validation with Chinese messages that name the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc as stdnum_uscc


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
