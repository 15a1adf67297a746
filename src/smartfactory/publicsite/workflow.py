"""The case workflow: a declarative transition table and the one function that moves a case.
Pages and API call ``transition_case``; nothing else writes ``status``.

    draft ──request_consent──▶ consent_requested ──consent──▶ consented ──publish──▶ published
      ▲                              │                           │                      │
      └──────────revise──────────────┴─────decline──▶ declined   │                      │
      (draft, consent_requested, consented, published) ──withdraw──▶ withdrawn ◀────────┘

Ministry staff request consent, revise (back to draft: the consent is cleared, since it covers one
exact text), publish and withdraw; only an administrator of the factory's enterprise consents or
declines (with a reason). Publishing needs the consent, an award still on the public list and a
redacted text without any finding of the scan. Every move writes an audit event in the same
transaction; the enterprise's administrators are notified after the commit when asked to consent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.errors import InvalidInput, NotEligible
from smartfactory.guards import guard
from smartfactory.workflow import (
    Available,
    Machine,
    Notice,
    Transition,
    available_actions,
    offered,
    when_taken,
)
from smartfactory.workflow import transition as run

from .enums import CaseAction, CaseStatus
from .models import Case
from .queries import public_awards
from .rules import can_manage_cases, is_case_enterprise_admin
from .services import scan_case_text


@dataclass
class Context:
    case: Case
    actor: object
    reason: str = ""


# ------------------------------------------------------------------ who may
def is_manager(user, case: Case) -> bool:
    return can_manage_cases(user)


def is_enterprise_admin(user, case: Case) -> bool:
    return is_case_enterprise_admin(user, case)


# ------------------------------------------------------------------ guards
@guard("P4")
@when_taken
def reason_required(ctx: Context) -> None:
    if not ctx.reason.strip():
        raise InvalidInput(_("请填写理由。"), field="reason")


@guard("P17")
def text_present(ctx: Context) -> None:
    if not ctx.case.title.strip() or not ctx.case.redacted_text.strip():
        raise InvalidInput(_("请先填写案例标题和公开文本。"), field="redacted_text")


@guard("P17")
def award_public(ctx: Context) -> None:
    if not public_awards().filter(pk=ctx.case.award_id).exists():
        raise NotEligible(_("该工厂的认定已不在公开名单上（未公布、暂停或撤销），案例不能公开。"), field="award")


@guard("R9")
def no_findings(ctx: Context) -> None:
    """The scan is run again at publication (the keyword data may have changed since the last edit)."""
    case = ctx.case
    case.findings = scan_case_text(title=case.title, text=case.redacted_text, framework_version=case.framework_version)
    if case.findings:
        places = "；".join(f"“{f['term']}” {f['place']}" for f in case.findings[:5])
        raise NotEligible(
            _("公开文本中仍有疑似涉密或联系方式内容，请退回草稿修改后再发布：%(p)s") % {"p": places},
            field="redacted_text", count=len(case.findings),
        )


# ------------------------------------------------------------------ effects
def _clear_consent(case: Case) -> None:
    case.consent_by, case.consent_at, case.consent_reason = None, None, ""


def _request_consent(ctx: Context) -> None:
    _clear_consent(ctx.case)
    ctx.case.consent_requested_at = timezone.now()


def _decide(ctx: Context) -> None:
    ctx.case.consent_by = ctx.actor
    ctx.case.consent_at = timezone.now()
    ctx.case.consent_reason = ctx.reason.strip()


def _revise(ctx: Context) -> None:
    _clear_consent(ctx.case)
    ctx.case.consent_requested_at = None


def _publish(ctx: Context) -> None:
    ctx.case.published_at = timezone.now()
    ctx.case.published_by = ctx.actor


def _withdraw(ctx: Context) -> None:
    ctx.case.withdrawn_at = timezone.now()
    ctx.case.withdrawn_reason = ctx.reason.strip()


def _on_request_consent(ctx: Context) -> list[Notice]:
    from django.urls import reverse

    from smartfactory.organisations.enums import MembershipStatus, Role
    from smartfactory.organisations.models import Membership

    case = ctx.case
    admins = [m.user for m in Membership.objects.filter(
        enterprise=case.award.factory.enterprise, role=Role.ENTERPRISE_ADMIN, status=MembershipStatus.ACTIVE,
    ).select_related("user")]
    return [Notice(admins, kind="case_consent_requested", title=_("请确认典型场景案例能否公开：%(t)s") % {"t": case.title},
                   body=_("工业和信息化部拟将贵企业的典型场景案例（脱敏后文本）收入公开案例库，请查看并确认同意或不同意。"),
                   link=reverse("publicsite:consent_case", args=[case.pk]),
                   dedupe_key=f"case:{case.pk}:consent:{timezone.now():%Y%m%d%H%M%S}")]


T = Transition
TABLE: dict[str, Transition] = {
    CaseAction.REQUEST_CONSENT: T(frozenset({CaseStatus.DRAFT}), is_manager, (text_present, award_public),
                                  _request_consent, CaseStatus.CONSENT_REQUESTED, notify=_on_request_consent),
    CaseAction.CONSENT: T(frozenset({CaseStatus.CONSENT_REQUESTED}), is_enterprise_admin, (), _decide,
                          CaseStatus.CONSENTED),
    CaseAction.DECLINE: T(frozenset({CaseStatus.CONSENT_REQUESTED}), is_enterprise_admin, (reason_required,), _decide,
                          CaseStatus.DECLINED),
    CaseAction.REVISE: T(frozenset({CaseStatus.CONSENT_REQUESTED, CaseStatus.CONSENTED, CaseStatus.DECLINED}),
                         is_manager, (reason_required,), _revise, CaseStatus.DRAFT),
    CaseAction.PUBLISH: T(frozenset({CaseStatus.CONSENTED}), is_manager, (text_present, award_public, no_findings),
                          _publish, CaseStatus.PUBLISHED),
    CaseAction.WITHDRAW: T(
        frozenset({CaseStatus.DRAFT, CaseStatus.CONSENT_REQUESTED, CaseStatus.CONSENTED, CaseStatus.PUBLISHED}),
        is_manager, (reason_required,), _withdraw, CaseStatus.WITHDRAWN),
}
# actions that need a reason (the forms show a reason field for them)
NEEDS_REASON = {a for a, t in TABLE.items() if reason_required in t.guards}

MACHINE = Machine(
    name="case", model=Case, table=TABLE, state_field="status",
    context=lambda case, actor, reason="": Context(case=case, actor=actor, reason=reason or ""),
    lock=lambda case: Case.objects.select_for_update(of=("self",)).select_related(
        "award", "award__factory", "award__factory__enterprise").get(pk=case.pk),
    audit=lambda case: {"status": case.status},
    after=lambda ctx, action: {"version": ctx.case.version, "findings": len(ctx.case.findings)},
    labels=lambda action: str(CaseAction(action).label), state_label=lambda state: str(CaseStatus(state).label),
    refused=gettext_noop("案例当前为“%(s)s”，不能执行“%(a)s”。"),
    reason_of=lambda ctx: ctx.reason.strip(),
)


def allowed_actions(case: Case, user) -> list[str]:
    """Actions the table offers this user in this state (guards are checked when taken); the buttons
    on the pages come from here."""
    return offered(MACHINE, case, user)


def available(case: Case, user) -> list[Available]:
    return available_actions(MACHINE, case, user)


def action_rows(case: Case, user, only=None) -> list[dict]:
    """The buttons of the case pages: every action offered (enabled or disabled with the guard's
    reason) and whether its form asks for a reason."""
    return [{"action": a.action, "label": a.label, "enabled": a.enabled, "why": a.reason,
             "needs_reason": a.action in NEEDS_REASON}
            for a in available(case, user) if only is None or a.action in only]


def transition_case(case: Case, action: str, *, actor, reason: str = "") -> Case:
    """Take ``action`` through the engine: row lock; the state, who-may and guards; the effect
    (consent, publication or withdrawal fields); save; audit event ``case.<action>`` with the status
    before and after; the consent request's notice. All or nothing."""
    return run(MACHINE, case, action, actor=actor, reason=reason)
