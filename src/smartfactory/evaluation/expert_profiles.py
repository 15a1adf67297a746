"""The expert pool: profiles kept by the ministry (or the expert), and the conflicts an expert
declares. Every change is audited in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import InvalidInput, NotPermitted
from smartfactory.organisations.enums import AuthorityKind
from smartfactory.organisations.models import Authority, Enterprise
from smartfactory.organisations.rules import is_expert, is_miit_staff

from .models import (
    Assignment,
    DeclaredConflict,
    ExpertProfile,
)
from .rules import rules_for


def _soe_group_of(uscc: str) -> Authority | None:
    if not uscc:
        return None
    group = Authority.objects.filter(kind=AuthorityKind.CENTRAL_SOE, uscc=uscc).first()
    if group is not None:
        return group
    member = Enterprise.objects.filter(uscc=uscc).select_related("soe_group").first()
    return member.soe_group if member else None


@transaction.atomic
def save_expert_profile(user, *, actor, name: str, organisation: str, organisation_uscc: str = "", province_code: str = "",
                        industries: list[str] | None = None, scenarios: list[int] | None = None,
                        max_load: int | None = None, active: bool = True) -> ExpertProfile:
    """Ministry staff keep the pool; an expert edits their own profile (not the cap or status).
    The central-SOE group follows from the organisation's USCC. Side effects: audit event."""
    from django.core.exceptions import ValidationError

    from smartfactory.organisations.validators import clean_uscc

    own = actor.pk == user.pk
    if not (is_miit_staff(actor) or own):
        raise NotPermitted()
    if not is_expert(user):
        raise InvalidInput(_("该账号不是专家账号。"), field="user")
    if not name.strip() or not organisation.strip():
        raise InvalidInput(_("请填写姓名和工作单位。"), field="organisation")
    organisation_uscc = (organisation_uscc or "").strip().upper()
    if organisation_uscc:
        try:
            organisation_uscc = clean_uscc(organisation_uscc, field_label=str(_("工作单位统一社会信用代码")))
        except ValidationError as error:
            raise InvalidInput(error.messages[0], field="organisation_uscc") from None
    profile = ExpertProfile.objects.filter(user=user).first()
    before = _profile_dict(profile) if profile else None
    profile = profile or ExpertProfile(user=user, max_load=rules_for_current().default_max_load)
    profile.name, profile.organisation, profile.organisation_uscc = name.strip(), organisation.strip(), organisation_uscc
    profile.soe_group = _soe_group_of(organisation_uscc)
    profile.province_code = province_code or ""
    profile.industries = sorted({str(i) for i in (industries or [])})
    profile.scenarios = sorted({int(s) for s in (scenarios or [])})
    if not own or is_miit_staff(actor):
        if max_load is not None:
            if not 1 <= int(max_load) <= 100:
                raise InvalidInput(_("每轮评审上限应在1–100之间。"), field="max_load")
            profile.max_load = int(max_load)
        profile.active = bool(active)
    profile.save()
    record_event("expert.profile", actor=actor, obj=profile, before=before, after=_profile_dict(profile))
    return profile


def rules_for_current():
    from smartfactory.campaigns.models import Campaign

    campaign = Campaign.objects.order_by("-year").first()
    if campaign is None:
        raise InvalidInput(_("尚无年度行动。"))
    return rules_for(campaign)


def _profile_dict(p: ExpertProfile) -> dict:
    return {"name": p.name, "organisation": p.organisation, "organisation_uscc": p.organisation_uscc,
            "soe_group": str(p.soe_group_id or ""), "province_code": p.province_code, "industries": p.industries,
            "scenarios": p.scenarios, "max_load": p.max_load, "active": p.active}


@transaction.atomic
def declare_conflict(expert: ExpertProfile, *, actor, uscc: str, kind: str = DeclaredConflict.Kind.DECLARED,
                     note: str = "") -> DeclaredConflict:
    """The expert (or ministry staff) records a conflict with an enterprise by its USCC. Existing
    assignments to that enterprise's applications are withdrawn at once (unscored ones) and the
    expert can no longer open them. Side effects: audit events."""
    if not (is_miit_staff(actor) or actor.pk == expert.user_id):
        raise NotPermitted()
    if kind not in DeclaredConflict.Kind.values:
        raise InvalidInput(_("未知的回避类别。"), field="kind")
    enterprise = Enterprise.objects.filter(uscc=(uscc or "").strip().upper()).first()
    if enterprise is None:
        raise InvalidInput(_("平台上没有该统一社会信用代码的企业。"), field="uscc")
    conflict, _created = DeclaredConflict.objects.get_or_create(expert=expert, enterprise=enterprise, kind=kind,
                                                                defaults={"note": note[:255]})
    record_event("expert.conflict_declared", actor=actor, obj=expert, after={"enterprise": enterprise.uscc, "kind": kind})
    for assignment in Assignment.objects.filter(expert=expert, evaluation__application__factory__enterprise=enterprise,
                                                submitted_at__isnull=True):
        record_event("evaluation.unassigned", actor=actor, obj=assignment.evaluation,
                     after={"expert": expert.name}, reason=str(_("专家申报回避")))
        assignment.delete()
    return conflict
