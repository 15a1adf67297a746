"""The demo's 2025 national evaluation as imported history (see ``demo.national`` for the whole
story): the 卓越级 and 领航级 applications with their whole path — formal check, scored assignments,
site visit, the 公示 with its objections, the six ministries' concurrence and decision —, the 2024
awards it follows from, and the cultivation objects with their accounts. The rows are written
directly (the open-campaign guards refuse a closed campaign), one audit event
``evaluation.imported`` per evaluation."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F

from smartfactory.accounts.models import User
from smartfactory.audit.services import record_event
from smartfactory.campaigns.models import Campaign, Quota
from smartfactory.cultivation.models import CultivationObject
from smartfactory.organisations.enums import AwardStatus, Tier
from smartfactory.organisations.models import Factory, TierAward

from .national import (
    D_AGREED,
    D_ASSIGNED,
    D_BATCH,
    D_DECIDED,
    D_FINAL,
    D_FORMAL,
    D_PUBLICITY,
    D_PUBLICITY_END,
    D_SCORED,
    D_SUBMITTED,
    D_VISIT,
    DECISION_NUMBERS,
    IMPORT_SOURCE,
    SHANGHAI,
    ExpertPicker,
    answers_for,
    applicant_account,
    at,
    book_for,
    demo_experts,
    factories_with,
    ministry_user,
    scores_for,
)


@dataclass
class Imported:
    factory: Factory
    tier: str
    outcome: str = "approved"  # approved | site_fail | objection_upheld
    diverge: bool = False  # the two experts' totals differ by more than the threshold: a third expert
    objection_dismissed: bool = False
    evaluation: object = None
    certificate_no: str = ""
    base: int = 88




def _history_plan(world) -> list[Imported]:
    from smartfactory.organisations.services import record_tier_award

    taken_2026 = Factory.objects.filter(applications__campaign__year=2026).values("pk")
    excellent = factories_with(Tier.ADVANCED, year_max=2025, exclude_tiers=[Tier.EXCELLENT, Tier.LEADING])
    sichuan = list(excellent.filter(county__province_code="510000", enterprise__soe_group__isnull=True)
                   .exclude(county_id="510107").exclude(pk__in=taken_2026)[:4])
    ningbo = list(excellent.filter(county__city_code="330200", enterprise__soe_group__isnull=True)[:2])
    soe = []
    for group in world.soe_groups:  # one member factory in Sichuan of each group; certified advanced by the group if not yet
        members = list(Factory.objects.filter(enterprise__soe_group=group, county__province_code="510000")
                       .exclude(pk__in=TierAward.objects.filter(tier=Tier.EXCELLENT).values("factory"))
                       .select_related("enterprise", "county").order_by("enterprise__uscc", "name"))
        advanced = set(TierAward.objects.filter(factory__in=members, tier=Tier.ADVANCED, status=AwardStatus.ACTIVE)
                       .values_list("factory_id", flat=True))
        member = next((m for m in members if m.pk in advanced), members[0] if members else None)
        if member is None:
            continue
        if member.pk not in advanced:
            record_tier_award(member, actor=None, year=2025, tier=Tier.ADVANCED, authority=group,
                              certificate_no=f"{group.short_name[:2]}先进〔2025〕0901号", awarded_on=date(2025, 6, 20))
        soe.append(member)
    leading = factories_with(Tier.EXCELLENT, year_max=2024, enterprise__soe_group__isnull=True)
    leading_sc = list(leading.filter(county__province_code="510000").exclude(county_id="510107")[:2])
    leading_zj = list(leading.filter(county__province_code="330000")[:1])
    if len(sichuan) < 4 or len(ningbo) < 2 or len(leading_sc) < 2 or not leading_zj:
        raise RuntimeError("demo: the tier history lacks the factories the 2025 national evaluation needs")
    plan = [
        Imported(sichuan[0], Tier.EXCELLENT, objection_dismissed=True, base=91),
        Imported(sichuan[1], Tier.EXCELLENT, diverge=True, base=86),
        Imported(sichuan[2], Tier.EXCELLENT, outcome="site_fail", base=82),
        Imported(sichuan[3], Tier.EXCELLENT, base=87),
        Imported(ningbo[0], Tier.EXCELLENT, base=89),
        Imported(ningbo[1], Tier.EXCELLENT, outcome="objection_upheld", base=84),
        *[Imported(f, Tier.EXCELLENT, base=88 - n) for n, f in enumerate(soe)],
        *[Imported(f, Tier.LEADING, base=90 - n) for n, f in enumerate([*leading_sc, *leading_zj])],
    ]
    return plan




def _imported_checks() -> list[dict]:
    labels = [("book", "申报书完整"), ("attachments", "必备附件齐全"), ("eligibility", "申报资格（前置层级、基本要求等）"),
              ("version", "已生成带校验码的提交版本"), ("confidentiality", "保密审查无未说明的疑似涉密内容"),
              ("commitment", "真实性承诺书及法定代表人")]
    return [{"key": k, "label": label, "ok": True, "detail": IMPORT_SOURCE} for k, label in labels]


def _import_application(item: Imported, campaign: Campaign, spec) -> object:
    """The recommended application of the history, with its self-assessment and submitted version."""
    from smartfactory.applications.chain import resolve_chain
    from smartfactory.applications.enums import State
    from smartfactory.applications.models import ApplicationVersion, BookEntry, TierApplication
    from smartfactory.applications.recommender import recommender_for
    from smartfactory.assessments import questionnaire
    from smartfactory.assessments.models import SelfAssessment
    from smartfactory.audit.chain import sm3_hex
    from smartfactory.campaigns.enums import QUOTA_STATES
    from smartfactory.campaigns.quotas import quota_for
    from smartfactory.frameworks.engine import evaluate, validate_facts

    factory = item.factory
    answers = answers_for(spec, item.tier)
    facts = questionnaire.facts_from(spec, answers)
    verdict = {**evaluate(spec, validate_facts(spec, facts)), "complete": True, "missing": []}
    SelfAssessment.objects.get_or_create(factory=factory, campaign=campaign, defaults={
        "framework_version": campaign.framework_version, "facts": facts, "verdict": verdict,
        "attained_tier": verdict["attained_tier"] or "", "scored_at": at(D_SUBMITTED - timedelta(days=20)),
        "scored_thresholds": spec.overrides})
    recommender = recommender_for(factory.enterprise, factory, campaign, item.tier)
    province = recommender.province_code
    quota = quota_for(campaign, item.tier, recommender)
    used = TierApplication.objects.filter(quota=quota, state__in=QUOTA_STATES).count()
    if quota is None or used >= quota.quota:
        raise RuntimeError(f"demo: no room in the 2025 quota for {factory}")
    chain = resolve_chain(factory, campaign, item.tier)
    app = TierApplication.objects.create(
        factory=factory, campaign=campaign, tier=item.tier, state=State.RECOMMENDED, chain=chain,
        current_step=len(chain) - 1, current_authority_id=chain[-1]["authority"], version=1, assessment_verdict=verdict,
        quota=quota, priority=used + 1, legal_representative="张立新", submitted_at=at(D_SUBMITTED), province_code=province,
    )
    book = book_for(factory)
    BookEntry.objects.bulk_create([BookEntry(application=app, key=k, value=v) for k, v in book.items()])
    snapshot = {
        "tier": item.tier, "campaign": campaign.year, "version": 1,
        "enterprise": {"uscc": factory.enterprise.uscc, "name": factory.enterprise.name},
        "factory": {"id": str(factory.id), "name": factory.name}, "content": {}, "book": book, "attachments": [],
        "legal_representative": app.legal_representative, "confidentiality": {"findings": [], "justification": ""},
        "submitted_at": at(D_SUBMITTED).isoformat(), "imported": IMPORT_SOURCE,
    }
    digest = sm3_hex(json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
    code = "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(10))
    version = ApplicationVersion.objects.create(application=app, number=1, content={}, snapshot=snapshot,
                                                content_hash=digest, verification_code=code)
    ApplicationVersion.objects.filter(pk=version.pk).update(submitted_at=at(D_SUBMITTED))
    return app


def _import_review(item: Imported, app, campaign: Campaign, rules, picker: ExpertPicker, ministry: User):
    """The evaluation up to its site visit: formal check, scored assignments, the visit."""
    from smartfactory.evaluation.models import Assignment, Evaluation, SiteVisit
    from smartfactory.evaluation.scoring import weighted_total
    from smartfactory.evaluation.site_visits import site_checklist

    evaluation = Evaluation.objects.create(
        application=app, campaign=campaign, tier=item.tier, state="expert_review", auto_checks=_imported_checks(),
        formal_verdict="pass", checked_by=ministry, checked_at=at(D_FORMAL))
    Evaluation.objects.filter(pk=evaluation.pk).update(created_at=at(D_BATCH, 16))
    evaluation.refresh_from_db()
    panel = picker.pick(evaluation, rules.experts_per_application)
    bases = [item.base + 2, item.base - 2] if not item.diverge else [item.base + 6, item.base - 12]
    roles = [Assignment.Role.PANEL] * len(panel)
    if item.diverge:  # the spread is above the threshold: the third expert reviews
        panel += picker.pick(evaluation, 1, avoid=panel)
        bases.append(item.base)
        roles.append(Assignment.Role.THIRD)
    for n, (expert, base, role) in enumerate(zip(panel, bases, roles, strict=True)):
        scores = scores_for(rules.criteria, base, n)
        total = weighted_total(campaign, scores)
        assigned = at(D_ASSIGNED) if role == Assignment.Role.PANEL else at(D_SCORED + timedelta(days=1))
        a = Assignment.objects.create(
            evaluation=evaluation, expert=expert, role=role, due_at=assigned + timedelta(days=rules.scoring_days),
            assigned_by=ministry, scores=scores, total=total, submitted_at=assigned + timedelta(days=6, hours=n),
            comments={"scenarios": "场景覆盖五个维度，视觉检测场景应用人工智能，成效数据完整。"})
        Assignment.objects.filter(pk=a.pk).update(created_at=assigned)
    team = picker.pick(evaluation, 2, avoid=panel)
    checklist = site_checklist(evaluation)
    failed_item = next((i["key"] for i in checklist if i["key"].startswith("s:")), checklist[-1]["key"])
    findings = {}
    for entry in checklist:
        if item.outcome == "site_fail" and entry["key"] == failed_item:
            findings[entry["key"]] = {"result": "not_met", "note": "该场景系统尚未上线运行，与申报材料不符。"}
        else:
            findings[entry["key"]] = {"result": "met", "note": "现场查看系统运行记录与数据，与申报一致。"}
    fail = item.outcome == "site_fail"
    visit = SiteVisit.objects.create(
        evaluation=evaluation, scheduled_for=D_VISIT + timedelta(days=len(item.factory.name) % 7), agreed_at=at(D_AGREED),
        checklist=checklist, findings=findings, outcome=SiteVisit.Outcome.FAIL if fail else SiteVisit.Outcome.PASS,
        outcome_note="申报的典型场景未实际运行，核查未通过。" if fail else "各核查项与申报材料一致。",
        recorded_by=team[0].user, recorded_at=at(D_VISIT + timedelta(days=8), 17))
    visit.team.set(team)
    return evaluation


def _concurrences(campaign: Campaign, ministry: User) -> list[dict]:
    from smartfactory.evaluation.notices import decision_ministries

    out = []
    for n, authority in enumerate(decision_ministries(campaign)):
        own = authority.is_lead
        out.append({"authority": str(authority.pk), "name": authority.name, "by": ministry.get_username(),
                    "at": at(D_FINAL + timedelta(days=1 + n), 15).isoformat(),
                    "document": "" if own else f"{authority.short_name or authority.name}会签意见〔2025〕{40 + n}号（演示）"})
    return out


def _publicity(campaign: Campaign, tier: str, ministry: User):
    from smartfactory.evaluation.models import Publicity

    kind = "培育对象" if tier == Tier.LEADING else ""
    concurrences = _concurrences(campaign, ministry)
    if len(concurrences) != 6:
        raise RuntimeError("demo: the six ministries of the joint decision are not all on the platform")
    return Publicity.objects.create(
        campaign=campaign, tier=tier, title=f"{campaign.year}年度{Tier(tier).label}智能工厂{kind}拟入选名单公示",
        starts_at=at(D_PUBLICITY, 0), ends_at=datetime.combine(D_PUBLICITY_END, time(23, 59, 59), tzinfo=SHANGHAI),
        status=Publicity.Status.DECIDED, created_by=ministry, finalised_at=at(D_FINAL, 9),
        concurrences=concurrences, decided_at=at(D_DECIDED), decision_number=DECISION_NUMBERS[tier])


def _objection(publicity, evaluation, *, upheld: bool, ministry: User):
    from smartfactory.crypto import encrypt
    from smartfactory.evaluation.models import Objection

    if upheld:
        content = "该工厂2024年发生一起较大生产安全事故，申报材料未如实说明，不符合基本要求。"
        handling = "经向属地应急管理部门核实，事故情况属实，异议成立，移出拟入选名单。"
        who, contact = "某市民", "13912345678"
    else:
        content = "该工厂申报的智能化改造投入明显高于实际，请核实。"
        handling = "经核查企业审计报告及设备采购合同，申报投入属实，异议不成立。"
        who, contact = "某企业职工", "objection-demo@example.com"
    objection = Objection.objects.create(
        publicity=publicity, evaluation=evaluation, submitter_name=who, contact_encrypted=encrypt(contact), content=content,
        status=Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED, handling=handling, handled_by=ministry,
        handled_at=at(D_PUBLICITY_END, 16))
    Objection.objects.filter(pk=objection.pk).update(submitted_at=at(D_PUBLICITY + timedelta(days=1), 11))
    return handling


def publish_2024_awards() -> None:
    """The 2024 卓越级 decisions were published on their award date (the public lists show them);
    run before the quotas are first computed, and followed by the recomputation like any publication."""
    from smartfactory.campaigns.quotas import follow_published_awards

    with transaction.atomic():
        rows = TierAward.objects.filter(tier=Tier.EXCELLENT, year=2024, published_on__isnull=True)
        ids = sorted(rows.values_list("pk", flat=True))
        if ids:
            TierAward.objects.filter(pk__in=ids).update(published_on=F("awarded_on"))
            record_event("tier.published", actor=None, object_type="organisations.tieraward", object_id="2024-excellent",
                         after={"year": 2024, "tier": Tier.EXCELLENT, "awards": len(ids), "published_on": "awarded_on",
                                "source": "演示数据：2024年度卓越级名单"})
            follow_published_awards(2024, source="演示数据：2024年度卓越级名单")


def build_national_history(world, users: dict[str, User]) -> None:
    """The 2025 national evaluation as imported history (written once)."""
    from smartfactory.applications.enums import State
    from smartfactory.applications.models import TierApplication
    from smartfactory.campaigns.quotas import follow_published_awards
    from smartfactory.campaigns.services import framework_spec_for
    from smartfactory.cultivation.services import create_cultivation
    from smartfactory.evaluation.models import Evaluation, EvaluationState
    from smartfactory.evaluation.rules import rules_for
    from smartfactory.organisations.services import record_tier_award
    from smartfactory.recommendations.concurrence import current_order, order_hash
    from smartfactory.recommendations.models import Batch, BatchConcurrence
    from smartfactory.recommendations.services import co_departments

    campaign = Campaign.objects.filter(year=2025).first()
    if campaign is None or Evaluation.objects.filter(campaign=campaign).exists():
        return
    ministry = ministry_user(users)
    rules, spec = rules_for(campaign), framework_spec_for(campaign)
    with transaction.atomic():
        plan = _history_plan(world)
        picker = ExpertPicker(demo_experts(), rules)
        for item in plan:
            app = _import_application(item, campaign, spec)
            item.evaluation = _import_review(item, app, campaign, rules, picker, ministry)
        publicities = {}
        for tier in (Tier.EXCELLENT, Tier.LEADING):
            listed = [i for i in plan if i.tier == tier and i.outcome != "site_fail"]
            if listed:
                publicities[tier] = _publicity(campaign, tier, ministry)
        serial = {Tier.EXCELLENT: 0, Tier.LEADING: 0}
        decided_at = at(D_DECIDED)
        for item in plan:
            evaluation, app = item.evaluation, item.evaluation.application
            publicity = publicities.get(item.tier) if item.outcome != "site_fail" else None
            reason = ""
            if item.objection_dismissed:
                _objection(publicity, evaluation, upheld=False, ministry=ministry)
            if item.outcome == "objection_upheld":
                reason = "公示异议成立：" + _objection(publicity, evaluation, upheld=True, ministry=ministry)
            elif item.outcome == "site_fail":
                reason = "现场核查未通过：" + evaluation.site_visit.outcome_note
            approved = item.outcome == "approved"
            if approved:
                serial[item.tier] += 1
                item.certificate_no = rules.certificate_format[item.tier].format(year=campaign.year, n=serial[item.tier])
            Evaluation.objects.filter(pk=evaluation.pk).update(
                state=EvaluationState.APPROVED if approved else EvaluationState.NOT_APPROVED, publicity=publicity,
                outcome_reason=reason, certificate_no=item.certificate_no)
            TierApplication.objects.filter(pk=app.pk).update(
                state=(State.AWARDED if item.tier == Tier.EXCELLENT else State.CULTIVATING) if approved else State.NOT_SELECTED,
                certificate_no=item.certificate_no, decided_at=decided_at)
            app.refresh_from_db()
            if approved and item.tier == Tier.EXCELLENT:
                award = record_tier_award(app.factory, actor=None, year=campaign.year, tier=Tier.EXCELLENT,
                                          authority=world.ministry, certificate_no=item.certificate_no, awarded_on=D_DECIDED)
                award.published_on = D_DECIDED
                award.save(update_fields=["published_on"])
            elif approved:
                obj = create_cultivation(app, published_on=D_DECIDED, actor=None, list_number=item.certificate_no,
                                         targets=CULTIVATION_TARGETS, milestones=CULTIVATION_MILESTONES)
                if CultivationObject.objects.filter(campaign=campaign).count() <= 2:  # the third's first report is overdue
                    _file_first_report(obj)
            scores = list(evaluation.assignments.order_by("created_at").values_list("expert__name", "role", "total"))
            record_event("evaluation.imported", actor=None, obj=evaluation, after={
                "application": str(app.pk), "factory": app.factory.name, "tier": item.tier, "state": app.state,
                "evaluation_state": "approved" if approved else "not_approved",
                "scores": [{"expert": n, "role": r, "total": str(t)} for n, r, t in scores],
                "site_visit": evaluation.site_visit.outcome, "publicity": publicity.title if publicity else "",
                "decision_number": publicity.decision_number if publicity else "", "certificate_no": item.certificate_no,
                "source": IMPORT_SOURCE}, reason=reason)
        follow_published_awards(2025, source=IMPORT_SOURCE)  # the 2026 leading quotas count these awards
        for publicity in publicities.values():
            record_event("publicity.imported", actor=None, obj=publicity, after={
                "title": publicity.title, "starts_at": publicity.starts_at.isoformat(), "ends_at": publicity.ends_at.isoformat(),
                "concurrences": len(publicity.concurrences), "decision_number": publicity.decision_number,
                "decided_at": publicity.decided_at.isoformat(), "source": IMPORT_SOURCE})
        # the recommenders' 2025 batches went to MIIT before the online-review deadline
        for quota in Quota.objects.filter(pk__in={i.evaluation.application.quota_id for i in plan}).order_by("pk"):
            batch, _created = Batch.objects.update_or_create(quota=quota, defaults={
                "status": Batch.Status.SUBMITTED, "concurrence": sorted(str(a.pk) for a in co_departments(quota)),
                "finalised_at": at(D_BATCH - timedelta(days=2), 15), "submitted_at": at(D_BATCH, 15)})
            order = current_order(batch)
            for n, authority in enumerate(co_departments(quota), start=1):  # each co-department's letter, imported
                BatchConcurrence.objects.get_or_create(batch=batch, authority=authority, order_hash=order_hash(order), defaults={
                    "order": order, "letter_number": f"会签〔2025〕{n}号（历史导入）", "given_at": at(D_BATCH - timedelta(days=3), 10)})


CULTIVATION_TARGETS = [{"number": 1, "indicator": "生产效率提升", "value": "30", "unit": "%"},
                       {"number": 2, "indicator": "运营成本降低", "value": "20", "unit": "%"}]
CULTIVATION_MILESTONES = [{"number": 1, "date": date(2026, 6, 30), "content": "建成工厂级数字孪生平台"},
                          {"number": 2, "date": date(2027, 10, 31), "content": "完成全部培育目标并申请验收"}]


def _file_first_report(obj) -> None:
    """The first half-yearly report (due 2026-05-27), filed on time, as imported history."""
    report = obj.reports.get(sequence=1)
    report.summary = "数字孪生平台一期已上线，关键工序数据实时采集，生产效率较基期提升12%，运营成本降低8%。"
    report.values, report.submitted_at = {"1": "12", "2": "8"}, at(date(2026, 5, 20))
    report.save(update_fields=["summary", "values", "submitted_at"])
    record_event("cultivation.report_imported", actor=None, obj=obj,
                 after={"sequence": report.sequence, "due_on": report.due_on.isoformat(), "source": IMPORT_SOURCE})


@transaction.atomic
def build_cultivation_accounts() -> list[User]:
    """An enterprise account for each 2025 领航级 cultivation object (demo-leading-sc-1, -sc-2 in
    Sichuan, demo-leading-zj-1 in Zhejiang), so its reports and acceptance can be tried."""
    campaign = Campaign.objects.filter(year=2025).first()
    if campaign is None:
        return []
    users, counters = [], {}
    for obj in CultivationObject.objects.filter(campaign=campaign).select_related(
            "factory__county", "factory__enterprise").order_by("factory__county__province_code", "factory__name", "pk"):
        prefix = {"510000": "sc", "330000": "zj"}.get(obj.factory.county.province_code, obj.factory.county.province_code)
        counters[prefix] = counters.get(prefix, 0) + 1
        users.append(applicant_account(f"demo-leading-{prefix}-{counters[prefix]}", f"领航培育联系人（{obj.factory.enterprise.name}）",
                                obj.factory.enterprise))
    return users


