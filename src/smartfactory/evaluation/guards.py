"""Guards of the national evaluation added after defects found in use (issue 12, point 10). Each is
registered with the rule it enforces (``smartfactory.guards``) and raises to refuse; the services
call them at the one place the step is taken.

- (``visit_date_reached``, R19, the site visit's outcome not before the visit day, is now a guard of
  the visit's own machine, ``site_visit_workflow``.)
- ``on_the_list`` (P81): an application withdrawn after an upheld objection is off the 公示 list,
  on the public page too, also once the list is decided.
- ``concurrence_by_own_staff_or_miit`` (P82): a ministry's concurrence is recorded by that
  ministry's own staff, or registered by the lead ministry's (MIIT's) staff with the letter number;
  the lead ministry is the one of the programme's lead department, not any authority flagged as lead.
- (``scoring_open``, P22, is a guard of the assignment's machine, ``assignment_workflow``, now.)
- ``objection_period_open`` (P23): an objection is accepted only while the 公示 runs.

The 公示's finalising guards (P10, P24) are in its transition table (``publicity_workflow``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartfactory.errors import InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import is_miit_staff, is_ministry_staff_of

from .models import Evaluation, Publicity
from .models import EvaluationState as S


def require_ministry(actor) -> None:
    """Only MIIT staff run the national evaluation."""
    if not is_miit_staff(actor):
        raise NotPermitted()


@guard("P81")
def on_the_list(evaluation: Evaluation) -> None:
    if evaluation.state == S.NOT_APPROVED:
        raise NotEligible(_("公示异议成立，该项目已移出名单。"))


@guard("P82")
def concurrence_by_own_staff_or_miit(publicity: Publicity, *, actor, authority: Authority, document: str,
                                     ministries: list[Authority]) -> None:
    """``ministries``: the deciding ministries in the programme's order, the lead department first."""
    if is_ministry_staff_of(actor, authority):
        return
    lead = ministries[0] if ministries and ministries[0].is_lead else None
    if lead is None or not is_ministry_staff_of(actor, lead):
        raise NotPermitted(_("只能登记本部门的会签意见；代为登记其他部门的会签意见须由工业和信息化部工作人员办理。"))
    if not document.strip():
        raise InvalidInput(_("代为登记其他部门的会签意见，请填写其会签函文号。"), field="document")


@guard("P23")
def objection_period_open(publicity: Publicity, now) -> None:
    if publicity.status != Publicity.Status.OPEN or not publicity.starts_at <= now < publicity.ends_at:
        raise TransitionNotAllowed(_("不在公示期内，不能提出异议。"))
