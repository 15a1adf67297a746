"""What an advanced-tier application contains, its validation, and the diff between versions.
(The 卓越级/领航级 application book follows the material-checklist data in a later issue.)"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartfactory.errors import InvalidInput

FIELDS = {
    "advanced": [
        ("summary", gettext_lazy("申报说明（智能工厂建设总体情况）"), "text", True),
        ("highlights", gettext_lazy("主要建设成效"), "text", True),
        ("investment", gettext_lazy("智能化改造累计投入（万元）"), "number", True),
        ("contact_name", gettext_lazy("联系人"), "short", True),
    ],
}
LIMITS = {"text": 5000, "short": 64}


def fields_for(tier: str):
    return FIELDS.get(tier, [])


def clean(tier: str, data: dict) -> dict:
    """Validated content from posted values; unknown keys refused."""
    known = {key: kind for key, _label, kind, _required in fields_for(tier)}
    unknown = set(data) - set(known)
    if unknown:
        raise InvalidInput(_("未知的字段：%(f)s") % {"f": "、".join(sorted(unknown))}, field=sorted(unknown)[0])
    cleaned = {}
    for key, raw in data.items():
        value = "" if raw is None else str(raw).strip()
        if known[key] == "number" and value:
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise InvalidInput(_("请输入数字。"), field=key) from None
            if not number.is_finite() or number < 0 or number >= Decimal("1e10"):
                raise InvalidInput(_("数值超出范围。"), field=key)
            value = str(number)
        elif len(value) > LIMITS.get(known[key], 5000):
            raise InvalidInput(_("内容过长。"), field=key)
        cleaned[key] = value
    return cleaned


def missing_fields(tier: str, content: dict) -> list[str]:
    return [str(label) for key, label, _kind, required in fields_for(tier) if required and not content.get(key)]


def diff(tier: str, old: dict, new: dict) -> list[dict]:
    """Changed fields between two versions, in form order, for the reviewer."""
    return [
        {"field": key, "label": str(label), "old": old.get(key, ""), "new": new.get(key, "")}
        for key, label, _kind, _required in fields_for(tier)
        if old.get(key, "") != new.get(key, "")
    ]
