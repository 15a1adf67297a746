"""The application book (申报书) of the excellent and leading tiers, driven by the material-checklist
data in the framework version (``application_materials``).

Entries are autosaved one key at a time: simple fields as ``<section>.<field>`` and the rows of
structured fields as their own keys — ``scenario.<n>`` (one per scenario of the guide),
``kpi.<id>``, ``target.<i>``, ``milestone.<i>`` — each with a version for optimistic locking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import nh3
from django.utils.translation import gettext as _

from smartfactory.errors import InvalidInput
from smartfactory.frameworks.models import FrameworkVersion

ROWS = {"targets": 6, "milestones": 8}
RICH_TAGS = {"p", "br", "strong", "em", "u", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "h3", "h4"}
TEXT_LIMIT, RICH_LIMIT = 500, 20000
PHONE = re.compile(r"^(?:(?:\+?86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
ROW_FIELDS = {
    "scenario": [("content", "建设内容", "text"), ("technologies", "关键技术", "text"),
                 ("equipment", "装备与软件", "text"), ("ai", "应用人工智能", "bool"), ("effects", "实施成效", "text")],
    "kpi": [("before", "建设前", "number"), ("after", "建设后", "number"), ("benchmark", "所处水平", "level")],
    "target": [("indicator", "指标", "text"), ("value", "目标值", "text"), ("unit", "单位", "text")],
    "milestone": [("date", "完成日期", "date"), ("content", "里程碑内容", "text")],
}


@dataclass(frozen=True)
class Field:
    section: str
    key: str
    label: str
    kind: str
    required: bool
    choices: tuple[str, ...] = ()
    prefill: str = ""

    @property
    def entry_key(self) -> str:
        return f"{self.section}.{self.key}"


def materials(version: str, tier: str) -> dict:
    document = FrameworkVersion.objects.only("document").get(version=version).document
    try:
        return document["application_materials"][tier]
    except KeyError:
        raise InvalidInput(_("该层级没有申报材料清单数据。"), field="tier") from None


def document_of(version: str) -> dict:
    return FrameworkVersion.objects.only("document").get(version=version).document


def sections(version: str, tier: str) -> list[dict]:
    """[{id, title, fields: [Field]}] in checklist order."""
    return [
        {"id": s["id"], "title": s["title"], "fields": [
            Field(section=s["id"], key=f["key"], label=f["label"], kind=f["kind"], required=bool(f.get("required")),
                  choices=tuple(f.get("choices", ())), prefill=f.get("prefill", ""))
            for f in s.get("fields", [])
        ]}
        for s in materials(version, tier)["sections"]
    ]


def fields_by_key(version: str, tier: str) -> dict[str, Field]:
    return {f.entry_key: f for s in sections(version, tier) for f in s["fields"]}


def required_attachments(version: str, tier: str) -> list[str]:
    return [a["kind"] for a in materials(version, tier).get("attachments", []) if a.get("required")]


# ------------------------------------------------------------------ keys of structured rows
def row_kind(key: str) -> str | None:
    head = key.split(".", 1)[0]
    return head if head in ROW_FIELDS else None


def valid_row_key(key: str, document: dict) -> bool:
    kind = row_kind(key)
    if kind is None:
        return False
    ident = key.split(".", 1)[1] if "." in key else ""
    if kind == "scenario":
        return ident.isdigit() and any(s["number"] == int(ident) for s in document["scenarios"])
    if kind == "kpi":
        return any(k["id"] == ident for k in document.get("kpis", []))
    limit = ROWS["targets" if kind == "target" else "milestones"]
    return ident.isdigit() and 1 <= int(ident) <= limit


# ------------------------------------------------------------------ values
def _number(raw, key: str, *, integer: bool = False) -> str:
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InvalidInput(_("请输入数字。"), field=key) from None
    if not number.is_finite() or abs(number) >= Decimal("1e13") or (integer and number != number.to_integral()):
        raise InvalidInput(_("请输入有效的数值。"), field=key)
    return str(int(number)) if integer else str(number)


def _text(raw, key: str, limit: int = TEXT_LIMIT) -> str:
    text = str(raw).strip()
    if len(text) > limit:
        raise InvalidInput(_("最多%(n)d个字。") % {"n": limit}, field=key)
    return text


def clean_field(field: Field, raw):
    key = field.entry_key
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if field.kind in ("number", "integer"):
        return _number(raw, key, integer=field.kind == "integer")
    if field.kind == "choice":
        if str(raw) not in field.choices:
            raise InvalidInput(_("请选择列表中的选项。"), field=key)
        return str(raw)
    if field.kind == "phone":
        phone = re.sub(r"[\s()]", "", str(raw))
        if not PHONE.match(phone):
            raise InvalidInput(_("请输入正确的手机号码或带区号的固定电话。"), field=key)
        return phone
    if field.kind == "richtext":
        html = nh3.clean(str(raw), tags=RICH_TAGS, attributes={}, link_rel=None)
        return _text(html, key, RICH_LIMIT)
    return _text(raw, key)


def clean_row(key: str, raw: dict, document: dict, *, latest_milestone: date | None = None) -> dict | None:
    """A structured row from its posted fields; None when every field is empty (the row is removed)."""
    kind = row_kind(key)
    row = {}
    levels = [level["id"] for level in document["kpi_benchmark_levels"]]
    for name, _label, ftype in ROW_FIELDS[kind]:
        value = raw.get(name)
        if ftype == "bool":
            row[name] = value in (True, "true", "on", "1")
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        where = f"{key}.{name}"
        if ftype == "number":
            row[name] = _number(value, where)
        elif ftype == "level":
            if value not in levels:
                raise InvalidInput(_("请选择列表中的选项。"), field=where)
            row[name] = value
        elif ftype == "date":
            try:
                day = date.fromisoformat(str(value))
            except ValueError:
                raise InvalidInput(_("请输入日期（年-月-日）。"), field=where) from None
            if latest_milestone and day > latest_milestone:
                raise InvalidInput(
                    _("里程碑须在培育期（不超过2年，至%(d)s）内。") % {"d": latest_milestone.isoformat()}, field=where
                )
            row[name] = day.isoformat()
        else:
            row[name] = _text(value, where)
    meaningful = {k: v for k, v in row.items() if not (k == "ai" and v is False)}
    return row if meaningful else None


def prefill(field: Field, factory) -> str | None:
    if field.prefill == "factory.address":
        return factory.address or None
    if field.prefill == "factory.main_products":
        return factory.main_products or None
    return None


# ------------------------------------------------------------------ completeness
def completeness(version: str, tier: str, entries: dict[str, object]) -> list[dict]:
    """Per section: required fields filled / required fields (a structured field counts when at
    least one of its rows is filled)."""
    result = []
    prefixes = {"scenarios": "scenario.", "kpis": "kpi.", "targets": "target.", "milestones": "milestone."}
    for section in sections(version, tier):
        required = [f for f in section["fields"] if f.required]
        filled = 0
        for f in required:
            if f.kind in prefixes:
                filled += any(k.startswith(prefixes[f.kind]) and v for k, v in entries.items())
            else:
                filled += entries.get(f.entry_key) not in (None, "")
        result.append({
            "id": section["id"], "title": section["title"], "filled": filled, "required": len(required),
            "percent": round(100 * filled / len(required)) if required else 100,
        })
    return result


def missing(version: str, tier: str, entries: dict[str, object]) -> list[str]:
    return [f"{c['title']}（{c['filled']}/{c['required']}）" for c in completeness(version, tier, entries)
            if c["filled"] < c["required"]]


def book_text(version: str, tier: str, entries: dict[str, object]) -> list[tuple[str, str]]:
    """(place, text) pairs of everything written in the book, for the confidentiality scan."""
    labels = {f.entry_key: f"{s['title']} · {f.label}" for s in sections(version, tier) for f in s["fields"]}
    places = []
    for key, value in sorted(entries.items()):
        if value in (None, ""):
            continue
        place = "申报书：" + labels.get(key, key)
        text = " ".join(str(v) for v in value.values()) if isinstance(value, dict) else str(value)
        places.append((place, nh3.clean(text, tags=set()) if "<" in text else text))
    return places
