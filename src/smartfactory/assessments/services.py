"""Writes for self-assessments: start, autosave an answer (optimistic version), score, attach
evidence, declare the basic tier."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.audit.chain import sm3_hex
from smartfactory.audit.services import record_event
from smartfactory.campaigns.enums import CampaignStatus, Stage
from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.services import ensure_before_deadline, framework_spec_for
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.frameworks.engine import evaluate, validate_facts
from smartfactory.guards import guard
from smartfactory.organisations.enums import Tier
from smartfactory.organisations.models import Factory
from smartfactory.organisations.rules import is_enterprise_user_of, is_platform_admin
from smartfactory.organisations.services import record_tier_award
from smartfactory.uploads import check_upload
from smartfactory.versioning import save_versioned

from . import questionnaire
from .models import Answer, BasicDeclaration, Evidence, SelfAssessment

EVIDENCE_TYPES = {
    "application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def _ensure_enterprise_user(actor, factory: Factory) -> None:
    if not (is_enterprise_user_of(actor, factory.enterprise) or is_platform_admin(actor)):
        raise NotPermitted()


def _ensure_editable(assessment: SelfAssessment) -> None:
    if BasicDeclaration.objects.filter(assessment=assessment).exists():
        raise TransitionNotAllowed(_("本年度已声明基础级，自评估内容已冻结，不能再修改。"))
    if assessment.campaign.status != CampaignStatus.OPEN:
        raise TransitionNotAllowed(_("该年度行动已结束，不能再修改自评估。"))


@transaction.atomic
def start_assessment(factory: Factory, campaign: Campaign, *, actor) -> SelfAssessment:
    """Opens (or returns) the factory's self-assessment for the campaign.
    Side effects: audit event assessment.start the first time."""
    _ensure_enterprise_user(actor, factory)
    existing = SelfAssessment.objects.filter(factory=factory, campaign=campaign).first()
    if existing:
        return existing
    if campaign.status != CampaignStatus.OPEN:
        raise TransitionNotAllowed(_("该年度行动未开放。"))
    try:
        with transaction.atomic():
            assessment = SelfAssessment.objects.create(
                factory=factory, campaign=campaign, framework_version=campaign.framework_version, created_by=actor
            )
    except IntegrityError:  # a parallel request opened it first
        return SelfAssessment.objects.get(factory=factory, campaign=campaign)
    record_event("assessment.start", actor=actor, obj=assessment,
                 after={"factory": str(factory.id), "campaign": campaign.year})
    return assessment


def answers_of(assessment: SelfAssessment) -> dict[str, object]:
    return dict(assessment.answers.values_list("key", "value"))


def versions_of(assessment: SelfAssessment) -> dict[str, int]:
    return dict(assessment.answers.values_list("key", "version"))


@dataclass(frozen=True)
class Saved:
    key: str
    value: object
    version: int


def save_answer(assessment: SelfAssessment, key: str, raw, *, expected_version: int, actor) -> Saved:
    """Autosave one answer. ``expected_version`` is the version the user's page showed (0 = none yet).

    A save based on an older version is refused with Conflict carrying the current value and
    version: nothing is silently overwritten. Autosaves are not audited one by one (they are not
    state changes); the declaration snapshot records the final answers.
    Side effects: the answer row; the assessment re-scored.
    """
    _ensure_enterprise_user(actor, assessment.factory)
    _ensure_editable(assessment)
    spec = framework_spec_for(assessment.campaign)
    item = questionnaire.item_map(spec).get(key)
    if item is None:
        raise InvalidInput(_("未知的题目：%(k)s") % {"k": key}, field=key)
    value = questionnaire.parse_value(item, raw)
    with transaction.atomic():
        answer = save_versioned(
            Answer, lookup={"assessment": assessment, "key": key}, key_field="key", value=value,
            expected_version=expected_version, actor=actor,
            stale_message=_("该题已被他人修改（当前为第%(v)d版），页面已显示最新内容，请核对后再保存。"),
        )
        score(assessment, spec=spec)
    return Saved(key, answer.value, answer.version)


def score(assessment: SelfAssessment, *, spec=None) -> dict:
    """Evaluate the current answers under the campaign's thresholds and store the verdict."""
    spec = spec or framework_spec_for(assessment.campaign)
    answers = answers_of(assessment)
    facts = questionnaire.facts_from(spec, answers)
    verdict = evaluate(spec, validate_facts(spec, facts))
    missing = [i.key for i in questionnaire.missing(questionnaire.items_for(spec), answers)]
    verdict["complete"] = not missing
    verdict["missing"] = missing
    SelfAssessment.objects.filter(pk=assessment.pk).update(
        facts=facts, verdict=verdict, attained_tier=verdict["attained_tier"] or "", scored_at=timezone.now(),
        scored_thresholds=spec.overrides,
    )
    assessment.verdict = verdict
    assessment.attained_tier = verdict["attained_tier"] or ""
    return verdict


@transaction.atomic
def attach_evidence(assessment: SelfAssessment, key: str, upload, *, actor) -> Evidence:
    """Stores a file for an item after checking its type by content (PDF, JPG, PNG, XLSX, DOCX) and
    size. Side effects: file stored under a random name; audit event assessment.evidence_added."""
    _ensure_enterprise_user(actor, assessment.factory)
    _ensure_editable(assessment)
    checked = check_upload(upload, types=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES,
                           type_message=_("只能上传 PDF、JPG、PNG、XLSX 或 DOCX 文件（按文件内容识别）。"))
    evidence = Evidence(
        assessment=assessment, key=key, original_name=upload.name[:255], content_type=checked.mime, size=upload.size,
        sha256=checked.sha256, uploaded_by=actor,
    )
    evidence.file.save(f"{evidence.id.hex}.{checked.extension}", upload, save=False)
    evidence.save()
    record_event("assessment.evidence_added", actor=actor, obj=assessment,
                 after={"key": key, "file": evidence.original_name, "sha256": evidence.sha256})
    return evidence


def snapshot_of(assessment: SelfAssessment, verdict: dict) -> dict:
    factory = assessment.factory
    return {
        "factory": {"id": str(factory.id), "name": factory.name},
        "enterprise": {"uscc": factory.enterprise.uscc, "name": factory.enterprise.name},
        "campaign": assessment.campaign.year,
        "framework_version": assessment.framework_version,
        "answers": answers_of(assessment),
        "verdict": verdict,
    }


@guard("R2")
def ensure_above_designated_size(enterprise) -> None:
    """基础级 is self-assessed by 规上 enterprises: the flag in the profile (changed only through a
    change request the authority confirms) must be set."""
    if not enterprise.above_designated_size:
        raise NotEligible(_("基础级智能工厂自评自建面向规模以上工业企业。企业信息中未登记为规上企业；如已纳入规上统计，"
                            "请提交企业信息变更申请，经属地主管部门确认后再声明。"), field="above_designated_size")


@guard("P1", "P25")
def declaration_open(campaign: Campaign, factory: Factory) -> None:
    """The campaign is open for the basic tier and the enterprise's deadline has not passed."""
    if campaign.status != CampaignStatus.OPEN or not campaign.is_tier_open(Tier.BASIC):
        raise TransitionNotAllowed(_("本年度行动未开放基础级声明。"))
    ensure_before_deadline(campaign, Stage.ENTERPRISE_SUBMISSION, tier=Tier.BASIC, enterprise=factory.enterprise)


@guard("R1", "R2")
def attains_basic(verdict: dict) -> None:
    """The questionnaire is complete and its answers attain the basic tier's element conditions."""
    if not verdict["complete"]:
        raise NotEligible(_("自评估尚未填写完整（还有%(n)d项必答题），不能声明。") % {"n": len(verdict["missing"])})
    if verdict["attained_tier"] is None:
        reasons = "；".join(u["message"] for u in verdict["tiers"]["basic"]["unmet"])
        raise NotEligible(_("自评估未达到基础级要素条件：%(r)s") % {"r": reasons})


@transaction.atomic
def declare_basic(assessment: SelfAssessment, *, actor) -> BasicDeclaration:
    """The enterprise declares 基础级 for the campaign.

    Guards: enterprise user of the factory; the enterprise is 规上 (R2); campaign open with the basic tier; before the
    enterprise deadline that binds the enterprise; questionnaire complete; the answers attain basic
    (or higher); not declared yet. Side effects, in order: immutable snapshot with its SM3 hash;
    tier history line (basic, campaign year); audit event assessment.basic_declared.
    """
    assessment = SelfAssessment.objects.select_for_update().select_related(
        "factory", "factory__enterprise", "campaign"
    ).get(pk=assessment.pk)
    factory, campaign = assessment.factory, assessment.campaign
    _ensure_enterprise_user(actor, factory)
    ensure_above_designated_size(factory.enterprise)
    if BasicDeclaration.objects.filter(factory=factory, campaign=campaign).exists():
        raise TransitionNotAllowed(_("该工厂本年度已声明基础级。"))
    declaration_open(campaign, factory)
    verdict = score(assessment)
    attains_basic(verdict)
    snapshot = snapshot_of(assessment, verdict)
    digest = sm3_hex(json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
    declaration = BasicDeclaration.objects.create(
        factory=factory, campaign=campaign, assessment=assessment, snapshot=snapshot, snapshot_hash=digest,
        declared_by=actor, province_code=factory.enterprise.province_code, city_code=factory.enterprise.city_code,
    )
    record_tier_award(factory, actor=actor, year=campaign.year, tier=Tier.BASIC, authority=None,
                      certificate_no=f"自评{campaign.year}-{digest[:8].upper()}", awarded_on=timezone.localdate())
    record_event("assessment.basic_declared", actor=actor, obj=assessment,
                 after={"factory": str(factory.id), "campaign": campaign.year, "snapshot_hash": digest,
                        "attained_tier": verdict["attained_tier"]})
    return declaration


def verify_declaration(declaration: BasicDeclaration) -> bool:
    """True while the stored snapshot still matches its hash."""
    payload = json.dumps(declaration.snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return sm3_hex(payload) == declaration.snapshot_hash
