"""Writing cases: creating one from an award's scenario (the original text taken from the submitted
application book) and editing its title and redacted text while it is a draft. Moving a case
between states is ``workflow.transition_case``.

The redaction aid is the platform's confidentiality scanner (classification markings and the
framework's keywords, ``applications.confidentiality``) plus a check for contact details (mobile
and fixed-line numbers, e-mail addresses): a case with any finding cannot be published."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartfactory.applications import confidentiality
from smartfactory.applications.book import ROW_FIELDS, document_of
from smartfactory.applications.enums import State
from smartfactory.applications.models import ApplicationVersion
from smartfactory.audit.services import record_event
from smartfactory.campaigns.models import Campaign
from smartfactory.errors import Conflict, InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.frameworks.models import FrameworkVersion
from smartfactory.frameworks.services import spec_for
from smartfactory.organisations.enums import Tier
from smartfactory.organisations.models import TierAward

from .enums import CaseStatus
from .models import Case
from .queries import public_awards
from .rules import can_manage_cases

CASE_TIERS = (Tier.EXCELLENT, Tier.LEADING)
TITLE_LIMIT, TEXT_LIMIT = 120, 20000
CONTACT_PATTERNS = (
    (re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)"), gettext_lazy("疑似手机号码")),
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), gettext_lazy("疑似固定电话")),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), gettext_lazy("疑似电子邮箱")),
)


def framework_version_for(award: TierAward) -> str:
    """The framework version of the award's campaign year (the newest loaded one when no campaign
    of that year is on the platform, e.g. for lists published before it went live)."""
    version = Campaign.objects.filter(year=award.year).values_list("framework_version", flat=True).first()
    if version and FrameworkVersion.objects.filter(version=version).exists():
        return version
    latest = FrameworkVersion.objects.order_by("-version").values_list("version", flat=True).first()
    if latest is None:
        raise NotEligible(_("尚未加载要素条件数据，无法确定典型场景。"))
    return latest


def scan_case_text(*, title: str, text: str, framework_version: str) -> list[dict]:
    """Findings in a case's public text: classification markings, the framework's keywords (with
    its exempt phrases), and contact details."""
    document = document_of(framework_version)
    keywords = tuple(document.get("confidentiality_keywords", []))
    exempt = tuple(document.get("confidentiality_exempt_phrases", []))
    findings = []
    for place, value in ((_("案例标题"), title), (_("公开文本"), text)):
        findings += [f.as_dict() for f in confidentiality.scan_text(value, str(place), keywords=keywords, exempt=exempt)]
        for pattern, kind in CONTACT_PATTERNS:
            for match in pattern.finditer(value or ""):
                findings.append({"term": match.group(0), "place": f"{place}（{kind}）",
                                 "excerpt": (value[max(match.start() - 12, 0):match.end() + 12]).replace("\n", " ")})
    return findings


def _submitted_book(award: TierAward) -> tuple[dict, ApplicationVersion | None]:
    """The book of the latest submitted version of the application that led to the award."""
    version = (
        ApplicationVersion.objects.filter(
            application__factory_id=award.factory_id, application__tier=award.tier,
            application__campaign__year=award.year,
        )
        .exclude(application__state__in=[State.WITHDRAWN, State.REJECTED])
        .order_by("-application__submitted_at", "-number")
        .first()
    )
    book = (version.snapshot.get("book") or {}) if version else {}
    return (book if isinstance(book, dict) else {}), version


def book_scenario_text(award: TierAward, number: int) -> tuple[str, str]:
    """(text, source) of scenario ``number`` in the award's submitted book; ('', '') when there is
    none (e.g. a list published before the platform, or a scenario the book does not describe)."""
    book, version = _submitted_book(award)
    row = book.get(f"scenario.{number}")
    if version is None or not isinstance(row, dict):
        return "", ""
    lines = []
    for name, label, kind in ROW_FIELDS["scenario"]:
        value = row.get(name)
        if kind == "bool":
            lines.append(f"{label}：{_('是') if value else _('否')}")
        elif value:
            lines.append(f"{label}：{value}")
    source = _("%(y)d年%(t)s申报书 第%(v)d版 · 场景%(n)d") % {
        "y": award.year, "t": Tier(award.tier).label, "v": version.number, "n": number}
    return "\n".join(lines), source


def book_scenario_numbers(award: TierAward) -> set[int]:
    """Scenario numbers the award's submitted book describes."""
    book, _version = _submitted_book(award)
    return {int(k.split(".", 1)[1]) for k, v in book.items()
            if k.startswith("scenario.") and k.split(".", 1)[1].isdigit() and v}


def case_awards() -> QuerySet[TierAward]:
    """Awards a case may come from: on the public list, excellent or leading."""
    return public_awards().filter(tier__in=CASE_TIERS)


def _require_manager(actor) -> None:
    if not can_manage_cases(actor):
        raise NotPermitted()


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("请填写案例标题。"), field="title")
    if len(title) > TITLE_LIMIT:
        raise InvalidInput(_("案例标题最多%(n)d个字。") % {"n": TITLE_LIMIT}, field="title")
    return title


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_LIMIT:
        raise InvalidInput(_("公开文本最多%(n)d个字。") % {"n": TEXT_LIMIT}, field="redacted_text")
    return text


@transaction.atomic
def create_case(award: TierAward, *, scenario_number: int, actor, title: str = "") -> Case:
    """Ministry staff open a case on one scenario of a published excellent or leading award.
    The original text is copied from the submitted book; the redacted text starts as a copy of it
    for the editor to cut down. Side effects, in order: the case row (draft) with the scan of its
    text; audit event ``case.created``."""
    _require_manager(actor)
    if not case_awards().filter(pk=award.pk).exists():
        raise NotEligible(_("只能从已公布且有效的卓越级、领航级认定中选取案例。"), field="award")
    version = framework_version_for(award)
    spec = spec_for(version)
    scenario = spec.scenarios.get(scenario_number)
    if scenario is None:
        raise InvalidInput(_("场景编号应为《场景指引》中的 1–%(n)d。") % {"n": len(spec.scenarios)},
                           field="scenario_number")
    if Case.objects.filter(award=award, scenario_number=scenario_number).exclude(
        status__in=[CaseStatus.DECLINED, CaseStatus.WITHDRAWN]
    ).exists():
        raise TransitionNotAllowed(_("该工厂的这一场景已有案例。"), field="scenario_number")
    original, source = book_scenario_text(award, scenario_number)
    title = _clean_title(title or f"{award.factory.name}：{scenario.name}")
    case = Case(
        award=award, framework_version=version, scenario_number=scenario.number, scenario_name=scenario.name,
        link=scenario.link, link_name=spec.links[scenario.link]["name"], title=title, original_text=original,
        source=source, redacted_text=original, created_by=actor,
    )
    case.findings = scan_case_text(title=case.title, text=case.redacted_text, framework_version=version)
    try:
        with transaction.atomic():  # a savepoint: a parallel creation of the same case is refused, not a 500
            case.save()
    except IntegrityError:
        raise TransitionNotAllowed(_("该工厂的这一场景已有案例。"), field="scenario_number") from None
    record_event("case.created", actor=actor, obj=case, after={
        "award": award.pk, "scenario": scenario.number, "title": case.title, "source": source,
        "findings": len(case.findings),
    })
    return case


def edit_case(case: Case, *, title: str, redacted_text: str, version: int, actor) -> Case:
    """Ministry staff edit the title and the redacted text of a draft. ``version`` is the one the
    editor loaded: a stale save is refused (409) so two editors never overwrite each other. Side
    effects, in order: row lock; title, text, new scan, version + 1; audit event ``case.edited``."""
    _require_manager(actor)
    title, text = _clean_title(title), _clean_text(redacted_text)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.DRAFT:
            raise TransitionNotAllowed(_("只有草稿可以修改；请先退回草稿（企业须重新确认）。"))
        if case.version != version:
            raise Conflict(_("该案例已被他人修改，请刷新后再改。"), field="redacted_text")
        before = {"title": case.title, "text_length": len(case.redacted_text), "findings": len(case.findings)}
        case.title, case.redacted_text = title, text
        case.findings = scan_case_text(title=title, text=text, framework_version=case.framework_version)
        case.version += 1
        case.save(update_fields=["title", "redacted_text", "findings", "version", "updated_at"])
        record_event("case.edited", actor=actor, obj=case, before=before,
                     after={"title": case.title, "text_length": len(text), "findings": len(case.findings),
                            "version": case.version})
    return case
