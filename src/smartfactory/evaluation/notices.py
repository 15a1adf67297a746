"""The 公示 (public notice of the proposed list): opening it, objections and their handling,
finalising it after the whole period, and the six ministries' concurrence. The joint decision that
follows is ``smartfactory.decisions.decide``."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import Conflict, InvalidInput, TransitionNotAllowed
from smartfactory.organisations.enums import AuthorityKind, Tier
from smartfactory.organisations.models import Authority
from smartfactory.workflow import transition

from . import guards, objection_workflow, publicity_workflow
from .guards import concurrence_by_own_staff_or_miit, require_ministry
from .models import (
    Evaluation,
    Objection,
    Publicity,
)
from .rules import rules_for
from .workflow import Act
from .workflow import transition as evaluation_transition


@transaction.atomic
def open_publicity(campaign, tier: str, *, actor, evaluations: list[Evaluation], starts_at: datetime | None = None,
                   days: int | None = None, title: str = "", kind: str = "selection") -> Publicity:
    """Publishes the proposed list for objections for the configured period: the selection of a
    campaign's tier, or the 领航级 objects proposed as accepted (kind ``acceptance``). Every
    evaluation on it must have passed its site visit. Side effects: the publicity; each evaluation
    proposed."""
    require_ministry(actor)
    if tier not in (Tier.EXCELLENT, Tier.LEADING):
        raise InvalidInput(_("只有卓越级和领航级经国家评审。"), field="tier")
    if not evaluations:
        raise InvalidInput(_("请选择拟入选的申报。"), field="evaluations")
    if kind not in ("selection", "acceptance") or (kind == "acceptance" and tier != Tier.LEADING):
        raise InvalidInput(_("只有领航级培育对象经验收。"), field="kind")
    rules = rules_for(campaign)
    starts_at = starts_at or timezone.now()
    days = days or rules.publicity_days
    if not 1 <= days <= 30:
        raise InvalidInput(_("公示期应为1–30天。"), field="days")
    default_title = (f"{campaign.year}年度{Tier(tier).label}智能工厂{'培育对象' if tier == 'leading' else ''}拟入选名单公示"
                     if kind == "selection" else f"{campaign.year}年度领航级智能工厂培育对象拟通过验收名单公示")
    publicity = Publicity.objects.create(
        campaign=campaign, tier=tier, kind=kind, starts_at=starts_at, ends_at=starts_at + timedelta(days=days),
        created_by=actor, title=title or default_title,
    )
    for evaluation in evaluations:
        if evaluation.campaign_id != campaign.pk or evaluation.tier != tier or evaluation.kind != kind:
            raise InvalidInput(_("所选申报不属于本年度本层级。"), field="evaluations")
        Evaluation.objects.filter(pk=evaluation.pk).update(publicity=publicity)
        evaluation.refresh_from_db()
        evaluation_transition(evaluation, Act.PROPOSE, actor=actor)
    record_event("publicity.open", actor=actor, obj=publicity,
                 after={"title": publicity.title, "ends_at": publicity.ends_at.isoformat(), "count": len(evaluations)})
    return publicity


def validate_contact(contact: str) -> str:
    import re

    contact = (contact or "").strip()
    if not (re.fullmatch(r"1\d{10}", contact) or re.fullmatch(r"0\d{2,3}-?\d{7,8}", contact)
            or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact)):
        raise InvalidInput(_("请填写有效的手机号、固定电话或电子邮箱，以便核实异议。"), field="contact")
    return contact


@transaction.atomic
def submit_objection(publicity: Publicity, *, evaluation_id, name: str, contact: str, content: str) -> Objection:
    """Anyone may object during the period; name and contact are required, the contact is stored
    encrypted (SM4) and never logged. Side effects: the objection; audit event (no contact)."""
    from smartfactory.crypto import encrypt

    now = timezone.now()
    guards.objection_period_open(publicity, now)
    evaluation = publicity.evaluations.filter(pk=evaluation_id).first()
    if evaluation is None:
        raise InvalidInput(_("请选择异议针对的项目。"), field="evaluation")
    if not name.strip():
        raise InvalidInput(_("请填写异议人姓名或单位名称。"), field="name")
    if len(content.strip()) < 10:
        raise InvalidInput(_("请具体说明异议内容（至少10个字）。"), field="content")
    objection = Objection.objects.create(publicity=publicity, evaluation=evaluation, submitter_name=name.strip()[:64],
                                         contact_encrypted=encrypt(validate_contact(contact)), content=content.strip()[:5000])
    record_event("publicity.objection", actor=None, obj=publicity, after={"objection": str(objection.pk),
                                                                        "evaluation": str(evaluation.pk)})
    return objection


def handle_objection(objection: Objection, *, actor, upheld: bool, handling: str) -> Objection:
    """The ministry records how the objection was handled (``objection_workflow``: uphold or
    dismiss); an upheld objection takes the application off the list. Side effects: audit event
    publicity.objection_handled; possibly evaluation.withdraw."""
    action = objection_workflow.Act.UPHOLD if upheld else objection_workflow.Act.DISMISS
    return objection_workflow.transition(objection, action, actor=actor, handling=handling)


def finalise_publicity(publicity: Publicity, *, actor, now: datetime | None = None) -> Publicity:
    """Closes the notice once its period is over and every objection is handled
    (``publicity_workflow``, ``finalise``; audit event publicity.finalised)."""
    return transition(publicity_workflow.MACHINE, publicity, publicity_workflow.Act.FINALISE, actor=actor, now=now)


def decision_ministries(campaign) -> list[Authority]:
    departments = rules_for(campaign).decision_departments
    ministries = {a.department: a for a in Authority.objects.filter(kind=AuthorityKind.MINISTRY, department__in=departments)}
    return [ministries[d] for d in departments if d in ministries]


@transaction.atomic
def record_concurrence(publicity: Publicity, *, actor, authority: Authority, document: str = "") -> Publicity:
    """One ministry's concurrence with the final list: recorded by its own staff, or by MIIT staff
    registering that ministry's letter (its document number required)."""
    publicity = Publicity.objects.select_for_update().get(pk=publicity.pk)
    if publicity.status != Publicity.Status.FINAL:
        raise TransitionNotAllowed(_("公示定稿后方可会签。"))
    ministries = decision_ministries(publicity.campaign)
    if authority not in ministries:
        raise InvalidInput(_("该单位不是联合审定的部门。"), field="authority")
    concurrence_by_own_staff_or_miit(publicity, actor=actor, authority=authority, document=document, ministries=ministries)
    if any(c["authority"] == str(authority.pk) for c in publicity.concurrences):
        raise Conflict(_("%(n)s已会签。") % {"n": authority.name})
    entry = {"authority": str(authority.pk), "name": authority.name, "by": actor.get_username(),
             "at": timezone.now().isoformat(), "document": document.strip()}
    publicity.concurrences = [*publicity.concurrences, entry]
    publicity.save(update_fields=["concurrences"])
    record_event("publicity.concurrence", actor=actor, obj=publicity, after=entry)
    return publicity
