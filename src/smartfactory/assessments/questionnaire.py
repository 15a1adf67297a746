"""The questionnaire is generated from the framework version: one item per basic requirement, the
CMMM level, built/AI/description per scenario, the KPI benchmark level and each KPI before/after."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from smartfactory.errors import InvalidInput
from smartfactory.frameworks.spec import FrameworkSpec

SECTIONS = (
    ("basic", "基本要求"),
    ("cmmm", "智能制造能力成熟度"),
    ("scenarios", "典型场景建设"),
    ("outcomes", "建设成效"),
)
TEXT_LIMIT = 500


@dataclass(frozen=True)
class Item:
    key: str
    section: str
    label: str
    kind: str  # bool | choice | text | number
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    required_if: str = ""  # required only when this other bool item is True
    group: str = ""
    help: str = ""


def items_for(spec: FrameworkSpec) -> list[Item]:
    items: list[Item] = [
        Item(f"br:{b.id}", "basic", b.name, "bool", help=f"{b.id}") for b in spec.basic_requirements
    ]
    items.append(Item(
        "cmmm:level", "cmmm", "智能制造能力成熟度等级（GB/T 39116-2020）", "choice",
        choices=tuple((str(n), f"{n}级") for n in range(1, 6)), help="请上传智能制造评估评价公共服务平台出具的自评估报告",
    ))
    for s in sorted(spec.scenarios.values(), key=lambda s: s.number):
        group = spec.links[s.link]["name"]
        items.append(Item(f"scn:{s.number}:built", "scenarios", f"{s.number}. {s.name}", "bool", group=group,
                          help=s.description))
        items.append(Item(f"scn:{s.number}:ai", "scenarios", "该场景应用了人工智能技术", "bool", group=group,
                          required=False, required_if=f"scn:{s.number}:built"))
        items.append(Item(f"scn:{s.number}:desc", "scenarios", "建设内容简述", "text", group=group, required=False))
    items.append(Item(
        "kpi:level", "outcomes", "主要技术经济指标所处水平", "choice",
        choices=tuple((level, spec.kpi_level_names[level]) for level in spec.kpi_levels),
    ))
    for k in spec.kpis:
        for when, label in (("before", "建设前"), ("after", "建设后")):
            items.append(Item(f"kpi:{k['id']}:{when}", "outcomes", f"{k['name']}（{k['unit']}）{label}", "number",
                              required=False, group=k["name"]))
    return items


def item_map(spec: FrameworkSpec) -> dict[str, Item]:
    return {i.key: i for i in items_for(spec)}


def parse_value(item: Item, raw):
    """The stored value for a raw form/API value; None clears the answer."""
    if raw is None or raw == "":
        return None
    if item.kind == "bool":
        if raw in (True, "true", "1", "on", "yes"):
            return True
        if raw in (False, "false", "0", "no"):
            return False
        raise InvalidInput(_("请选择“是”或“否”。"), field=item.key)
    if item.kind == "choice":
        if str(raw) not in {value for value, _label in item.choices}:
            raise InvalidInput(_("请选择列表中的选项。"), field=item.key)
        return str(raw)
    if item.kind == "number":
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise InvalidInput(_("请输入数字。"), field=item.key) from None
        if not number.is_finite() or abs(number) >= Decimal("1e12"):
            raise InvalidInput(_("数值超出范围。"), field=item.key)
        return str(number.normalize()) if number == number.to_integral() else str(number)
    text = str(raw).strip()
    if len(text) > TEXT_LIMIT:
        raise InvalidInput(_("最多%(n)d个字。") % {"n": TEXT_LIMIT}, field=item.key)
    return text


def is_required(item: Item, answers: dict) -> bool:
    if item.required_if:
        return answers.get(item.required_if) is True
    return item.required


def progress(items: list[Item], answers: dict) -> dict[str, dict]:
    """Per section: required items answered / required items."""
    result = {key: {"label": label, "answered": 0, "required": 0} for key, label in SECTIONS}
    for item in items:
        if is_required(item, answers):
            result[item.section]["required"] += 1
            if answers.get(item.key) is not None:
                result[item.section]["answered"] += 1
    for section in result.values():
        section["percent"] = round(100 * section["answered"] / section["required"]) if section["required"] else 100
    return result


def missing(items: list[Item], answers: dict) -> list[Item]:
    return [i for i in items if is_required(i, answers) and answers.get(i.key) is None]


def facts_from(spec: FrameworkSpec, answers: dict) -> dict:
    """Facts for the engine. Unanswered items count against the factory (not met / not built /
    lowest level) so an incomplete questionnaire never overstates the tier."""
    level = answers.get("cmmm:level")
    return {
        "basic_requirements": {b.id: answers.get(f"br:{b.id}") is True for b in spec.basic_requirements},
        "cmmm_level": int(level) if level else 1,
        "scenarios": [
            {"number": n, "ai": answers.get(f"scn:{n}:ai") is True}
            for n in sorted(spec.scenarios) if answers.get(f"scn:{n}:built") is True
        ],
        "kpi_benchmark_level": answers.get("kpi:level") or spec.kpi_levels[0],
    }
