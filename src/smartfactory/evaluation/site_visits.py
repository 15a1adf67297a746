"""On-site verification: the checklist, the visit planned with its team, the enterprise's agreement,
findings with photos and the outcome. Every change is audited in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.rules import is_miit_staff
from smartfactory.uploads import IMAGES, MB, check_upload

from .assigning import claimed_scenarios
from .conflicts import conflict_reasons
from .guards import require_ministry
from .models import (
    Evaluation,
    ExpertProfile,
    SiteVisit,
    SiteVisitPhoto,
)
from .models import EvaluationState as S
from .rules import rules_for


def site_checklist(evaluation: Evaluation) -> list[dict]:
    """General items plus one per scenario the application claims (from the framework data)."""
    from smartfactory.campaigns.services import framework_spec_for

    rules = rules_for(evaluation.campaign)
    if evaluation.kind == "acceptance":
        return _acceptance_checklist(evaluation, rules)
    spec = framework_spec_for(evaluation.campaign)
    items = [dict(item) for item in rules.site_checklist.get("general", [])]
    for number in sorted(claimed_scenarios(evaluation)):
        scenario = spec.scenarios.get(number)
        if scenario is not None:
            items.append({"key": f"s:{number}", "label": rules.site_checklist["per_scenario"].format(
                number=number, name=scenario.name)})
    return items


def _acceptance_checklist(evaluation: Evaluation, rules) -> list[dict]:
    """General items plus one per cultivation target, with the value the enterprise reports."""
    config = rules.acceptance_checklist or {}
    items = [dict(item) for item in config.get("general", [])]
    acceptance = evaluation.acceptance
    for target in acceptance.cultivation.targets.all():
        result = acceptance.results.get(str(target.number), {})
        items.append({"key": f"t:{target.number}", "label": config["per_target"].format(
            number=target.number, indicator=target.indicator, target=f"{target.target_value}{target.unit}",
            value=result.get("value", "—"))})
    return items


@transaction.atomic
def plan_site_visit(evaluation: Evaluation, *, actor, team: list[ExpertProfile], scheduled_for) -> SiteVisit:
    """The ministry forms a conflict-checked team and proposes a date. Side effects: the visit and
    its checklist; audit event; the enterprise is asked to confirm the date."""
    require_ministry(actor)
    evaluation = Evaluation.objects.select_related("application__factory__enterprise", "application__factory__county",
                                                   "campaign").get(pk=evaluation.pk)
    if evaluation.state != S.SITE_VISIT:
        raise TransitionNotAllowed(_("只有现场核查阶段的申报可以安排核查。"))
    if not team:
        raise InvalidInput(_("请选择核查组成员。"), field="team")
    rules = rules_for(evaluation.campaign)
    for expert in team:
        reasons = conflict_reasons(expert, evaluation, rules)
        if reasons:
            raise NotEligible(_("%(n)s须回避：%(r)s") % {"n": expert.name, "r": "、".join(rules.conflicts[r]["label"] for r in reasons)},
                              field="team")
    if scheduled_for <= timezone.localdate():
        raise InvalidInput(_("核查日期应晚于今天。"), field="scheduled_for")
    visit = SiteVisit.objects.filter(evaluation=evaluation).first()
    if visit is not None and visit.outcome:
        raise TransitionNotAllowed(_("现场核查已有结论。"))
    visit = visit or SiteVisit(evaluation=evaluation)
    visit.scheduled_for, visit.agreed_at, visit.agreed_by = scheduled_for, None, None
    visit.checklist = visit.checklist or site_checklist(evaluation)
    visit.save()
    visit.team.set(team)
    record_event("evaluation.site_visit_planned", actor=actor, obj=evaluation,
                 after={"date": scheduled_for.isoformat(), "team": [e.name for e in team]})
    from smartfactory.notifications.services import enterprise_users, notify

    notify(enterprise_users(evaluation.application.factory.enterprise), kind="evaluation.site_visit",
           title=_("现场核查日期待确认"), body=_("拟于%(d)s开展现场核查，请登录确认。") % {"d": scheduled_for.isoformat()},
           link=f"/site-visits/{visit.pk}/", dedupe_key=f"site:{visit.pk}:{scheduled_for.isoformat()}")
    return visit


def _team_member(user, visit: SiteVisit) -> bool:
    return visit.team.filter(user=user).exists()


def _locked_open_visit(visit: SiteVisit) -> SiteVisit:
    """The visit, locked, while its evaluation is still at the site-visit stage and it has no outcome."""
    visit = SiteVisit.objects.select_for_update().select_related("evaluation").get(pk=visit.pk)
    if visit.evaluation.state != S.SITE_VISIT or visit.outcome:
        raise TransitionNotAllowed(_("现场核查已结束。"))
    return visit


def agree_site_visit(visit: SiteVisit, *, actor) -> SiteVisit:
    """The enterprise confirms the proposed date (``site_visit_workflow``, audit
    ``evaluation.site_visit_agreed``)."""
    from . import site_visit_workflow as flow

    return flow.take(visit, flow.Act.AGREE, actor=actor)


FINDING_RESULTS = {"met": _("符合"), "partly": _("基本符合"), "not_met": _("不符合")}


@transaction.atomic
def record_finding(visit: SiteVisit, *, actor, item: str, result: str, note: str = "") -> SiteVisit:
    if not (_team_member(actor, visit) or is_miit_staff(actor)):
        raise NotPermitted()
    visit = _locked_open_visit(visit)
    if item not in {i["key"] for i in visit.checklist}:
        raise InvalidInput(_("核查清单中没有该项。"), field="item")
    if result not in FINDING_RESULTS:
        raise InvalidInput(_("请选择核查结果。"), field="result")
    visit.findings = {**visit.findings, item: {"result": result, "note": note[:2000]}}
    visit.save(update_fields=["findings"])
    record_event("evaluation.site_finding", actor=actor, obj=visit.evaluation, after={"item": item, "result": result})
    return visit


@transaction.atomic
def attach_site_photo(visit: SiteVisit, *, actor, item: str, upload) -> SiteVisitPhoto:
    if not (_team_member(actor, visit) or is_miit_staff(actor)):
        raise NotPermitted()
    visit = _locked_open_visit(visit)
    if item not in {i["key"] for i in visit.checklist}:
        raise InvalidInput(_("核查清单中没有该项。"), field="item")
    checked = check_upload(upload, types=IMAGES, max_bytes=20 * MB,
                           type_message=_("照片只能是 JPG 或 PNG（按文件内容识别）。"))
    photo = SiteVisitPhoto(visit=visit, item=item, original_name=upload.name[:255], sha256=checked.sha256, uploaded_by=actor)
    photo.file.save(f"{photo.id.hex}.{checked.extension}", upload, save=False)
    photo.save()
    record_event("evaluation.site_photo", actor=actor, obj=visit.evaluation, after={"item": item, "sha256": photo.sha256})
    return photo


def record_site_outcome(visit: SiteVisit, *, actor, outcome: str, note: str = "") -> SiteVisit:
    """The team's conclusion, once the enterprise agreed the date, from the visit day, every item
    found (``site_visit_workflow``, audit ``evaluation.site_outcome``). A failed visit is reported to
    the ministry, which then rejects (the outcome feeds its decision)."""
    from . import site_visit_workflow as flow

    return flow.take(visit, flow.Act.RECORD_OUTCOME, actor=actor, outcome=outcome, note=note)
